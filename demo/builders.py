"""Builders shared by the demo, the tests and the benchmark: shortcuts that put data in place
without the flows a person would walk through (production code never calls them)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert, select

from core import consent as consent_rules
from db import consent
from db.clients import clients
from db.consent_templates import current_in


def record_confirmed_in(conn, client_id: int, *, at: datetime, renewal_days: int = 90, grace_days: int = 14,
                        by: str = "demo seed", sent_at: datetime | None = None) -> int:
    """A consent round already discussed, sent and confirmed at `at`, inside the caller's transaction."""
    practice_id = conn.execute(select(clients.c.practice_id).where(clients.c.id == client_id)).scalar_one()
    template = current_in(conn, practice_id, at)
    keys = [it["key"] for it in template["items"]]
    renews_at, expires_at = consent_rules.dates_after_confirm(at, renewal_days=renewal_days, grace_days=grace_days)
    sent_at = sent_at or at
    rid = conn.execute(insert(consent.consents).values(
        client_id=client_id, template_id=template["id"], created_at=sent_at, created_by=by,
        discussed=json.dumps(keys), tech_ok=True, sent_at=sent_at, confirmed_at=at, confirmed_name="(demo)",
        confirmed_items=json.dumps(keys), renews_at=renews_at, expires_at=expires_at)).inserted_primary_key[0]
    for event, when, kind, label in (("discussed", sent_at, "clinician", by), ("sent", sent_at, "clinician", by),
                                     ("confirmed", at, "client", "client")):
        consent.add_event(conn, client_id, rid, when, event, kind=kind, label=label)
    return rid
