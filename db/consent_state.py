"""Consent rounds' table and the one definition of "this client's consent counts right now".

It sits below `db.links` (resolving a link asks it) and `db.consent` (the flows: discuss, send,
confirm, renew, withdraw), so neither has to import the other's upper half."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from db.tables import consents  # noqa: F401  (this module's tables, re-exported)


def active_clause(client_id, now: datetime):
    """SQL: the client (a column or a value) has consent that counts at `now`: confirmed, not
    withdrawn, not expired. Shared by `is_active`, link resolution and the reminder worker's re-check."""
    c = consents.c
    return exists().where(c.client_id == client_id, c.confirmed_at.is_not(None), c.withdrawn_at.is_(None),
                          c.expires_at > now)


def is_active(conn, client_id: int, now: datetime) -> bool:
    """Does this client's consent count right now? Other features ask this before sending anything to,
    or accepting anything from, a client."""
    return bool(conn.execute(select(active_clause(client_id, now))).scalar())
