"""Consent rounds' table and the one definition of "this client's consent counts right now".

It sits below `db.links` (resolving a link asks it) and `db.consent` (the flows: discuss, send,
confirm, renew, withdraw), so neither has to import the other's upper half."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, exists, select

from db.meta import UTCDateTime, metadata

consents = Table(
    "consents", metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("template_id", Integer, ForeignKey("consent_templates.id", ondelete="RESTRICT"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("discussed", Text, nullable=False, server_default="[]"),  # JSON list of item keys
    Column("tech_ok", Boolean, nullable=False, server_default="0"),
    Column("tech_note", Text, nullable=False, server_default=""),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("confirmed_name", String(80), nullable=True),
    Column("confirmed_items", Text, nullable=True),
    Column("renews_at", UTCDateTime, nullable=True),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("superseded_at", UTCDateTime, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    Column("withdrawn_by", String(120), nullable=True),
)


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
