"""Practices: the tenant. Its name, home time zone and crisis resources shown to clients."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update

import db
from db import audit
from core import i18n, practices as practice_rules
from db.actors import Actor
from db.tables import practices  # noqa: F401  (this module's tables, re-exported)


RENEWAL_MIN, RENEWAL_MAX = 7, 730
ESCALATE_MIN, ESCALATE_MAX = 1, 24 * 14  # hours (SAFETY_ESCALATE_HOURS has the same bounds)
CHECKUP_WEEKS_MIN, CHECKUP_WEEKS_MAX = 1, 52

DEFAULT_CRISIS_RESOURCES = (
    "If you are in danger or might act on thoughts of harming yourself, call your local emergency "
    "number now (999 in the UK, 911 in the US and Canada, 112 in the EU).\n"
    "You can talk to someone any time: Samaritans 116 123 (UK and Ireland), 988 Suicide & Crisis "
    "Lifeline (US), or text SHOUT to 85258 (UK)."
)


def create(conn, *, name: str, timezone: str, now: datetime, crisis_resources: str | None = None) -> int:
    return conn.execute(insert(practices).values(
        name=name, timezone=timezone, created_at=now,
        crisis_resources=crisis_resources or DEFAULT_CRISIS_RESOURCES)).inserted_primary_key[0]


def get(practice_id: int) -> dict:
    with db.read() as conn:
        row = conn.execute(select(practices).where(practices.c.id == practice_id)).mappings().first()
    if row is None:
        raise db.NotFound("practice")
    return dict(row)


def update_settings(actor: Actor, *, name: str, timezone: str, crisis_resources: str, now: datetime,
                    consent_renewal_days: int | None = None, email_sender_name: str | None = None,
                    email_shows_practice_name: bool | None = None, language: str | None = None,
                    consent_checkup_weeks: int | None = None) -> dict[str, str]:
    """Save the practice's settings; returns {field: message} (nothing saved) or {}. The two email
    settings and the check-up interval are left as they are when not given (None)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change practice settings.")
    if consent_renewal_days is not None and not RENEWAL_MIN <= int(consent_renewal_days) <= RENEWAL_MAX:
        raise ValueError(f"Consent renewal must be between {RENEWAL_MIN} and {RENEWAL_MAX} days.")
    if consent_checkup_weeks is not None and not CHECKUP_WEEKS_MIN <= int(consent_checkup_weeks) <= CHECKUP_WEEKS_MAX:
        raise ValueError(f"Consent check-ups must be between {CHECKUP_WEEKS_MIN} and {CHECKUP_WEEKS_MAX} weeks apart.")
    clean, errors = practice_rules.validate({"name": name, "crisis_resources": crisis_resources,
                                    "email_sender_name": email_sender_name})
    if errors:
        return errors
    values = {"name": clean["name"], "timezone": timezone, "crisis_resources": clean["crisis_resources"],
              "consent_renewal_days": consent_renewal_days}
    if email_sender_name is not None:
        values["email_sender_name"] = clean["email_sender_name"] or None
    if email_shows_practice_name is not None:
        values["email_shows_practice_name"] = bool(email_shows_practice_name)
    if language is not None:  # a code we do not offer is refused here; a stored one falls back (core.i18n)
        if not i18n.is_offered(language):
            return {"language": "Please choose one of the languages in the list."}
        values["language"] = language
    if consent_checkup_weeks is not None:
        values["consent_checkup_weeks"] = int(consent_checkup_weeks)
    with db.write() as conn:
        conn.execute(update(practices).where(practices.c.id == actor.practice_id).values(**values))
        audit.record(conn, now=now, action="practice.update", actor=actor, detail="practice settings changed")
    return {}


def renewal_days(conn, practice_id: int, default: int) -> int:
    """The practice's consent renewal period, or the deployment default."""
    value = conn.execute(select(practices.c.consent_renewal_days).where(practices.c.id == practice_id)).scalar()
    return int(value) if value else default


def count() -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(practices)).scalar_one()


def set_escalate_hours(actor: Actor, hours: object, *, now: datetime) -> dict[str, str]:
    """Hours an unreviewed safety flag waits before the practice's admins are emailed (None: the
    SAFETY_ESCALATE_HOURS setting). Returns {field: message}; nothing is saved when there is one."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change practice settings.")
    value = None
    if hours not in (None, ""):
        try:
            value = int(str(hours).strip())
        except ValueError:
            return {"escalate_hours": "Please enter a whole number of hours (for example 24)."}
        if not ESCALATE_MIN <= value <= ESCALATE_MAX:
            return {"escalate_hours": f"Please choose between {ESCALATE_MIN} and {ESCALATE_MAX} hours."}
    with db.write() as conn:
        conn.execute(update(practices).where(practices.c.id == actor.practice_id).values(safety_escalate_hours=value))
        audit.record(conn, now=now, action="practice.update", actor=actor,
                     detail=f"safety escalation after {value if value is not None else 'the default'} hours")
    return {}
