"""Demo personal items for `make run`: Riley's own questions on the check-in, a 0–10 urge to check the
door locks (reworded ten days ago, so the client view shows two series) and a yes/no about checking more
than once before bed, answered on most of the last four weeks' check-ins. Deterministic: each check-in
draws from its own generator, so the other demo builders' draws are unchanged."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from db.tables import checkins, personal_item_answers, personal_item_versions, personal_items

FIRST_WORDS = "Urge to check the door locks"
NEW_WORDS = "Urge to check the door locks or the stove"
YES_NO_WORDS = "Checked the locks more than once before bed?"


def _item(conn, cid: int, position: int, kind: str, by: int, since: datetime) -> int:
    return conn.execute(insert(personal_items).values(client_id=cid, position=position, kind=kind, created_by=by,
                                                      created_at=since)).inserted_primary_key[0]


def _version(conn, item_id: int, cid: int, wording: str, by: int, since: datetime, until: datetime | None = None,
             low: str | None = None, high: str | None = None) -> int:
    return conn.execute(insert(personal_item_versions).values(
        item_id=item_id, client_id=cid, wording=wording, low_word=low, high_word=high, valid_from=since,
        valid_to=until, created_by=by)).inserted_primary_key[0]


def step(conn, ids: dict, now: datetime, rng) -> None:  # noqa: ARG001  (rng: the other builders' draws stay put)
    cid, by = ids["clients"]["Riley T."], ids["clinicians"]["maya"]
    since, reworded = now - timedelta(days=28), now - timedelta(days=10)
    urge = _item(conn, cid, 1, "scale", by, since)
    old = _version(conn, urge, cid, FIRST_WORDS, by, since, reworded, "none", "overwhelming")
    new = _version(conn, urge, cid, NEW_WORDS, by, reworded, None, "none", "overwhelming")
    twice = _item(conn, cid, 2, "yesno", by, since)
    yes_no = _version(conn, twice, cid, YES_NO_WORDS, by, since)
    rows = []
    for checkin_id, at in conn.execute(select(checkins.c.id, checkins.c.submitted_at).where(
            checkins.c.client_id == cid, checkins.c.submitted_at >= since).order_by(checkins.c.submitted_at)):
        r = random.Random(f"demo-personal:{cid}:{checkin_id}")
        weeks_in = (at - since).days / 7  # the urge eases a little as exposure goes on
        if r.random() < 0.85:
            rows.append({"checkin_id": checkin_id, "version_id": old if at < reworded else new,
                         "value": max(0, min(10, round(7 - weeks_in + r.gauss(0, 1.3))))})
        if r.random() < 0.8:
            rows.append({"checkin_id": checkin_id, "version_id": yes_no, "value": int(r.random() < 0.6 - weeks_in / 10)})
    if rows:
        conn.execute(insert(personal_item_answers), rows)
