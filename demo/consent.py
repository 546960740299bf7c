"""Demo consent data for `make run`: most clients active, one awaiting the client, one renewal due
soon, one who withdrew, so the consent page and the caseload show every state."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import insert

from db import consent
from demo.builders import record_confirmed_in
from db.consent_templates import current_in

# display name -> (state, days ago)
PLAN = {
    "Alex R.": ("awaiting", 2),
    "Jordan P.": ("active", 62),  # agreed before the plan started (check-ins need consent)
    "Casey M.": ("active", 45),
    "Riley T.": ("active", 83),   # renewal due in 7 days
    "Morgan L.": ("active", 60),
    "Taylor B.": ("active", 12),
    "Jamie K.": ("withdrawn", 30),
    "Quinn S.": ("active", 200),  # discharged long ago: expired
}


def step(conn, ids: dict, now: datetime, rng) -> None:
    template = current_in(conn, ids["practice"], now - timedelta(days=200))
    keys = json.dumps([it["key"] for it in template["items"]])
    for name, (state, days) in PLAN.items():
        cid = ids["clients"][name]
        at = now - timedelta(days=days, hours=rng.randint(1, 8))
        if state == "awaiting":
            rid = conn.execute(insert(consent.consents).values(
                client_id=cid, template_id=template["id"], created_at=at, created_by="maya", discussed=keys,
                tech_ok=True, tech_note="Opened a test link on their phone in session.", sent_at=at)
            ).inserted_primary_key[0]
            consent.add_event(conn, cid, rid, at, "discussed", kind="clinician", label="maya")
            consent.add_event(conn, cid, rid, at, "sent", kind="clinician", label="maya")
            continue
        who = "maya" if name in ("Jordan P.", "Casey M.", "Riley T.", "Morgan L.") else "sam"
        record_confirmed_in(conn, cid, at=at, by=who, sent_at=at - timedelta(days=1))
        if state == "withdrawn":
            consent.withdraw_in(conn, cid, at + timedelta(days=9), kind="client", label="client",
                                practice_id=ids["practice"])
