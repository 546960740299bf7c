"""Session dates: when the clinician met the client, and the next meeting planned. Dates only, no notes.
Every function takes the acting clinician and is scoped by `db.clients.scope`."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select

import db
from db import audit
from db.actors import Actor
from db import clients as clients_mod
from db.tables import sessions  # noqa: F401  (this module's tables, re-exported)


def add(actor: Actor, client_id: int, on_date: date, *, now: datetime) -> None:
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        db.insert_once(conn, sessions, dict(client_id=client_id, on_date=on_date, created_by=actor.clinician_id or 0,
                                         created_at=now), ["client_id", "on_date"])
        audit.record(conn, now=now, action="session.add", actor=actor, client_id=client_id)


def remove(actor: Actor, client_id: int, on_date: date, *, now: datetime) -> None:
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        conn.execute(delete(sessions).where(sessions.c.client_id == client_id, sessions.c.on_date == on_date))
        audit.record(conn, now=now, action="session.remove", actor=actor, client_id=client_id)


def dates_in(conn, client_id: int, limit: int = 100) -> list[date]:
    return list(conn.execute(select(sessions.c.on_date).where(sessions.c.client_id == client_id)
                             .order_by(sessions.c.on_date.desc()).limit(limit)).scalars())


def last_and_next(dates: list[date], today: date) -> tuple[date | None, date | None]:
    past = [d for d in dates if d <= today]
    future = [d for d in dates if d > today]
    return (max(past) if past else None), (min(future) if future else None)
