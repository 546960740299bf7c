"""Personal items: a client's own questions on the daily check-in (core.personal_items has the rules).

The clinician's functions take the acting user, pass the one client-scope check (db.clients.require)
and are audited without content (ids and kinds, never the wording). An item keeps its place and kind;
each wording is a version, and a change of wording ends the current version and starts a new one, so
the chart shows a new series and the old answers stay with the words they answered. At most three
items are active per client: counted here, and held by a unique index on (client, place) among the
active ones, so two clinicians adding at once cannot make a fourth.

The check-in reads `for_checkin_in` and saves answers with `save_answers_in`, both inside
db.checkins' transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exc, func, insert, select, update

import db
from core import personal_items as rules
from db import audit, clients as clients_mod
from db.actors import Actor
from db.tables import checkins, personal_item_answers, personal_item_versions, personal_items  # noqa: F401

SERIES_LIMIT = 3 * 20 * 401  # items x versions x days of the longest window: a bound, never reached in practice


@dataclass(frozen=True)
class Version:
    id: int
    wording: str
    low_word: str | None
    high_word: str | None
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True)
class Listed:
    """An item for the clinician: its current version and every earlier wording, newest first."""
    item_id: int
    position: int
    kind: str
    created_at: datetime
    current: Version
    earlier: list[Version]


def _active_in(conn, client_id: int):
    pi, v = personal_items, personal_item_versions
    return conn.execute(select(pi.c.id.label("item_id"), pi.c.position, pi.c.kind, v.c.id.label("version_id"),
                               v.c.wording, v.c.low_word, v.c.high_word)
                        .join(v, (v.c.item_id == pi.c.id) & v.c.valid_to.is_(None))
                        .where(pi.c.client_id == client_id, pi.c.ended_at.is_(None))
                        .order_by(pi.c.position)).mappings().all()


def for_checkin_in(conn, client_id: int) -> list[rules.Item]:
    """The client's active items as the check-in asks them, in their order (at most three)."""
    return [rules.Item(**r) for r in _active_in(conn, client_id)]


def save_answers_in(conn, checkin_id: int, answers: dict[int, int]) -> None:
    """The answers of a check-in just inserted (db.checkins.submit calls this once, after the insert
    that a resubmitted form does not repeat; the unique key (check-in, version) holds it too)."""
    if answers:
        conn.execute(insert(personal_item_answers).values(
            [{"checkin_id": checkin_id, "version_id": vid, "value": value} for vid, value in sorted(answers.items())]))


def answers_in(conn, checkin_ids: list[int]) -> dict[int, list[tuple[str, str, int]]]:
    """Check-in id -> its personal item answers as (wording as asked, kind, stored value), in the
    items' order. The caller has passed the scope check (db.checkins.recent_for)."""
    a, v, pi = personal_item_answers, personal_item_versions, personal_items
    out: dict[int, list[tuple[str, str, int]]] = {}
    for cid, wording, kind, value in conn.execute(
            select(a.c.checkin_id, v.c.wording, pi.c.kind, a.c.value).join(v, v.c.id == a.c.version_id)
            .join(pi, pi.c.id == v.c.item_id).where(a.c.checkin_id.in_(checkin_ids))
            .order_by(a.c.checkin_id, pi.c.position, a.c.id)):
        out.setdefault(cid, []).append((wording, kind, value))
    return out


def list_for(actor: Actor, client_id: int, *, now: datetime) -> list[Listed]:
    """The client's active items with their wording history, in check-in order (scoped, audited)."""
    pi, v = personal_items, personal_item_versions
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        items = conn.execute(select(pi).where(pi.c.client_id == client_id, pi.c.ended_at.is_(None))
                             .order_by(pi.c.position)).mappings().all()
        versions: dict[int, list[Version]] = {}
        for r in conn.execute(select(v).where(v.c.item_id.in_([i["id"] for i in items]))
                              .order_by(v.c.valid_from.desc(), v.c.id.desc())).mappings():
            versions.setdefault(r["item_id"], []).append(Version(r["id"], r["wording"], r["low_word"], r["high_word"],
                                                                 r["valid_from"], r["valid_to"]))
        audit.record(conn, now=now, action="personal_item.read", actor=actor, client_id=client_id,
                     detail=f"{len(items)} personal items shown")
    return [Listed(i["id"], i["position"], i["kind"], i["created_at"], versions[i["id"]][0], versions[i["id"]][1:])
            for i in items]


def add(actor: Actor, client_id: int, kind: str, wording: str, low_word: str | None = None,
        high_word: str | None = None, *, now: datetime) -> dict[str, str]:
    """Add an item at the first free place; returns {field: message} ({} when added)."""
    clean, errors = rules.validate(kind, wording, low_word, high_word)
    try:
        with db.write() as conn:
            clients_mod.require(conn, actor, client_id)
            taken = {r.position for r in _active_in(conn, client_id)}
            errors.update(rules.room_for_one_more(len(taken)))
            if errors:
                return errors
            position = min(set(range(1, rules.MAX_ACTIVE + 1)) - taken)
            item_id = conn.execute(insert(personal_items).values(
                client_id=client_id, position=position, kind=clean["kind"], created_by=actor.clinician_id,
                created_at=now)).inserted_primary_key[0]
            _new_version_in(conn, actor, item_id, client_id, clean, now)
            audit.record(conn, now=now, action="personal_item.add", actor=actor, client_id=client_id,
                         detail=f"personal item {item_id} ({clean['kind']}) at place {position}")
    except exc.IntegrityError:  # another clinician took the last place in the same moment
        return rules.room_for_one_more(rules.MAX_ACTIVE)
    return {}


def _new_version_in(conn, actor: Actor, item_id: int, client_id: int, clean: dict, now: datetime) -> int:
    return conn.execute(insert(personal_item_versions).values(
        item_id=item_id, client_id=client_id, wording=clean["wording"], low_word=clean["low_word"],
        high_word=clean["high_word"], valid_from=now, created_by=actor.clinician_id)).inserted_primary_key[0]


def _item_in(conn, actor: Actor, item_id: int) -> dict:
    """The active item, once its client passes the scope check; NotFound otherwise (never which)."""
    row = conn.execute(select(personal_items).where(personal_items.c.id == item_id,
                                                    personal_items.c.ended_at.is_(None))).mappings().first()
    if row is None:
        raise db.NotFound("personal item")
    clients_mod.require(conn, actor, row["client_id"])
    return dict(row)


def change(actor: Actor, item_id: int, wording: str, low_word: str | None = None, high_word: str | None = None,
           *, now: datetime) -> dict[str, str]:
    """A new wording (or new end words): the current version ends now and a new series starts.
    The same words again change nothing. Returns {field: message}."""
    with db.write() as conn:
        item = _item_in(conn, actor, item_id)
        clean, errors = rules.validate(item["kind"], wording, low_word, high_word)
        if errors:
            return errors
        v = personal_item_versions
        current = conn.execute(select(v).where(v.c.item_id == item_id, v.c.valid_to.is_(None))).mappings().one()
        if (current["wording"], current["low_word"], current["high_word"]) == (
                clean["wording"], clean["low_word"], clean["high_word"]):
            return {}
        conn.execute(update(v).where(v.c.id == current["id"]).values(valid_to=now))
        new_id = _new_version_in(conn, actor, item_id, item["client_id"], clean, now)
        audit.record(conn, now=now, action="personal_item.change", actor=actor, client_id=item["client_id"],
                     detail=f"personal item {item_id}: version {current['id']} ended, version {new_id} started")
    return {}


def end(actor: Actor, item_id: int, *, now: datetime) -> None:
    """Stop asking an item (its answers stay, charted for the days they cover)."""
    with db.write() as conn:
        item = _item_in(conn, actor, item_id)
        conn.execute(update(personal_items).where(personal_items.c.id == item_id).values(ended_at=now))
        conn.execute(update(personal_item_versions).where(personal_item_versions.c.item_id == item_id,
                                                          personal_item_versions.c.valid_to.is_(None))
                     .values(valid_to=now))
        audit.record(conn, now=now, action="personal_item.end", actor=actor, client_id=item["client_id"],
                     detail=f"personal item {item_id} ended")


def series_in(conn, client_id: int, start: date, end: date) -> list[dict]:
    """Per version answered in the window and per local day: {"version_id", "item_id", "position", "kind",
    "wording", "low_word", "high_word", "valid_from", "valid_to", "day", "mean", "yes", "answers"}, ordered
    by place, version and day. Aggregated in SQL (a mean per day; for yes/no, how many said yes) and
    bounded by the window, so a year of three items a day is at most a few thousand small rows. The
    caller has passed the scope check (db.client_view.get)."""
    a, v, pi = personal_item_answers, personal_item_versions, personal_items
    q = (select(v.c.id.label("version_id"), pi.c.id.label("item_id"), pi.c.position, pi.c.kind, v.c.wording,
                v.c.low_word, v.c.high_word, v.c.valid_from, v.c.valid_to, checkins.c.local_date.label("day"),
                func.avg(a.c.value).label("mean"), func.sum(a.c.value).label("yes"), func.count().label("answers"))
         .select_from(a).join(checkins, checkins.c.id == a.c.checkin_id).join(v, v.c.id == a.c.version_id)
         .join(pi, pi.c.id == v.c.item_id)
         .where(checkins.c.client_id == client_id, v.c.client_id == client_id,
                checkins.c.local_date >= start, checkins.c.local_date <= end)
         .group_by(v.c.id, pi.c.id, pi.c.position, pi.c.kind, v.c.wording, v.c.low_word, v.c.high_word,
                   v.c.valid_from, v.c.valid_to, checkins.c.local_date)
         .order_by(pi.c.position, v.c.valid_from, v.c.id, checkins.c.local_date).limit(SERIES_LIMIT))
    return [dict(r) for r in conn.execute(q).mappings()]
