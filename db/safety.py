"""Safety flags: raised by a check-in or a questionnaire, shown first on the caseload, and cleared only
when a clinician reviews them and writes a note. Nothing clinical happens automatically, and none of
this is real-time monitoring (the client is told so, with the practice's crisis resources)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

import db
from db import audit, staff_outbox
from db.actors import Actor
from db.clients import clients, scope
from db.tables import safety_flags  # noqa: F401  (this module's tables, re-exported)

NOTE_MAX = 1000


def raise_in(conn, client_id: int, *, source: str, source_id: int, reasons: list[str], now: datetime) -> int | None:
    """Raise one flag inside the caller's transaction (no reasons: nothing raised)."""
    if not reasons:
        return None
    return conn.execute(insert(safety_flags).values(client_id=client_id, raised_at=now, source=source,
                                                    source_id=source_id, reason="; ".join(reasons)[:300])
                        ).inserted_primary_key[0]


def list_for(actor: Actor, *, now: datetime, include_reviewed: bool = False, limit: int = 100) -> list[dict]:
    """Flags on the actor's caseload, open first, newest first."""
    q = (select(safety_flags, clients.c.display_name).join(clients, clients.c.id == safety_flags.c.client_id)
         .where(scope(actor)))
    if not include_reviewed:
        q = q.where(safety_flags.c.reviewed_at.is_(None))
    q = q.order_by(safety_flags.c.reviewed_at.is_not(None), safety_flags.c.raised_at.desc()).limit(limit)
    with db.write() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        emails = staff_outbox.for_flags(conn, [r["id"] for r in rows])  # the flag's history: alerts, escalations
        for r in rows:
            r["emails"] = emails.get(r["id"], [])
        audit.record(conn, now=now, action="safety.list", actor=actor, detail=f"{len(rows)} flags shown")
    return rows


def review(actor: Actor, flag_id: int, note: str, *, now: datetime) -> dict[str, str]:
    """The clinician has looked at the flag and says what they did; only then does it clear."""
    note = str(note or "").strip()
    if not note:
        return {"note": "Please write a short note of what you did or decided (it stays with the flag)."}
    if len(note) > NOTE_MAX:
        return {"note": f"Please keep the note under {NOTE_MAX} characters."}
    if "\x00" in note:
        return {"note": "The note contains a character that can't be saved; please retype that part."}
    with db.write() as conn:
        row = conn.execute(select(safety_flags.c.client_id, safety_flags.c.reviewed_at)
                           .join(clients, clients.c.id == safety_flags.c.client_id)
                           .where(scope(actor), safety_flags.c.id == flag_id)).first()
        if row is None:
            raise db.NotFound("flag")
        if row.reviewed_at is not None:
            return {"note": "This flag was already reviewed."}
        conn.execute(update(safety_flags).where(safety_flags.c.id == flag_id, safety_flags.c.reviewed_at.is_(None))
                     .values(reviewed_at=now, reviewed_by=actor.clinician_id, review_note=note))
        audit.record(conn, now=now, action="safety.review", actor=actor, client_id=row.client_id,
                     detail=f"flag {flag_id} reviewed")
    return {}
