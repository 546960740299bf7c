"""Append-only audit events: who did what, when (UTC). Details never hold health data or tokens.

The table refuses UPDATE and DELETE through a database trigger on both SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select

import db
from db.actors import Actor
from db.tables import audit_events  # noqa: F401  (this module's tables, re-exported)


ACTIONS = {
    "signin.success": "Signed in",
    "signin.failure": "Sign-in failed",
    "signin.locked": "Sign-in refused: account locked",
    "account.locked": "Account locked after repeated failures",
    "signout": "Signed out",
    "session.idle_timeout": "Signed out after inactivity",
    "session.cookie_refused": "Re-login cookie refused",
    "signin.password": "Password correct; second step next",
    "two_factor.success": "Second step completed",
    "two_factor.failure": "Second-step code refused",
    "two_factor.setup": "Set up two-factor sign-in",
    "two_factor.setup_failure": "Two-factor setup code did not match",
    "two_factor.recovery_code_used": "Used a recovery code",
    "two_factor.recovery_codes": "Issued new recovery codes",
    "two_factor.removed": "Turned off two-factor sign-in",
    "two_factor.reset": "Reset a colleague's two-factor sign-in",
    "two_factor.policy": "Changed the two-factor policy",
    "two_factor.key_error": "Two-factor key cannot read a stored secret",
    "client.list": "Viewed caseload",
    "client.read": "Viewed client record",
    "client.create": "Added client",
    "client.update": "Changed client record",
    "clinician.create": "Added clinician",
    "clinician.update": "Changed clinician",
    "clinician.password": "Changed password",
    "clinician.unlock": "Unlocked account",
    "practice.update": "Changed practice settings",
    "audit.view": "Viewed audit log",
    "client.export": "Exported client data",
    "client.erase": "Erased client data",
    "measure.export": "Exported questionnaires (FHIR)",
    "link.issue": "Created client link",
    "link.open": "Client opened link",
    "link.refused": "Link refused",
    "link.limited": "Link lookup refused: too many attempts",
    "link.revoke": "Revoked client links",
    "consent.view": "Viewed consent record",
    "consent.discuss": "Recorded consent discussion",
    "consent.send": "Emailed consent link",
    "consent.copy": "Made consent link to copy",
    "consent.confirm": "Client confirmed consent",
    "consent.withdraw": "Consent withdrawn",
    "consent.template": "Published consent checklist version",
    "checkup.submit": "Client answered a consent check-up",
    "checkup.read": "Viewed consent check-ups",
    "checkup.request": "Asked the client for a consent check-up",
    "checkup.due": "Made a check-up link: a consent check-up fell due",
    "email.sent": "Email sent",
    "email.failed": "Email failed",
    "plan.create": "Created plan",
    "plan.list": "Viewed client's plans",
    "plan.read": "Viewed plan",
    "plan.update": "Changed plan",
    "plan.level": "Changed a step's level",
    "card.view": "Client opened coping card",
    "template.save": "Saved practice template",
    "template.import": "Imported templates",
    "checkin.submit": "Client checked in",
    "checkin.read": "Viewed client's check-ins",
    "caseload.read": "Viewed the caseload overview",
    "between.read": "Viewed a client's between-session view",
    "checkin.export": "Exported a client's check-ins (CSV)",
    "summary.export": "Exported a client's printable session summary",
    "template.export": "Exported the practice's templates (JSON)",
    "card.export": "Client downloaded their coping card to a calendar (.ics)",
    "skill.use": "Client used a skill in the moment",
    "skill.flag": "A skill's distress rating raised a safety flag",
    "skill.read": "Viewed client's skill uses",
    "skill.export": "Exported a client's skill uses (CSV)",
    "session.add": "Recorded a session date",
    "session.remove": "Removed a session date",
    "measure.assign": "Assigned questionnaire",
    "measure.stop": "Stopped questionnaire",
    "measure.submit": "Client answered questionnaire",
    "measure.read": "Viewed questionnaire results",
    "measure.baseline": "Chose a questionnaire's baseline for reliable change",
    "measure.outcomes": "Viewed the practice's questionnaire outcomes (counts only)",
    "safety.list": "Viewed safety flags",
    "safety.review": "Reviewed safety flag",
    "safety.alert": "Planned a safety alert email",
    "safety.alert.sent": "Sent a safety alert email",
    "safety.alert.failed": "Safety alert email failed",
    "safety.escalation": "Planned a safety escalation email",
    "safety.escalation.sent": "Sent a safety escalation email",
    "safety.escalation.failed": "Safety escalation email failed",
    "digest.counts": "Counted clients for the weekly digest",
    "clinician.alerts": "Changed own alert address or digest",
    "reminders.pause": "Paused reminders",
    "reminders.resume": "Resumed reminders",
    "reminders.quiet": "Changed client quiet hours",
    "reminders.view": "Viewed client's reminders",
    "reminders.dead_letters": "Viewed failed reminders",
    "reminders.suggest": "Accepted a suggested reminder time",
    "reminders.suggestion": "Read a client's distress by hour for a suggested reminder time",
}


# The downloads: every file the portal hands out is recorded under one of these (tests/unit/test_layout.py
# checks that every download button's data comes from a db function that records one).
EXPORTS = frozenset({"checkin.export", "summary.export", "client.export", "template.export", "card.export",
                     "skill.export", "measure.export"})


def record(conn, *, now: datetime, action: str, actor: Actor | None = None, actor_kind: str | None = None,
           actor_id: int | None = None, actor_label: str | None = None, practice_id: int | None = None,
           client_id: int | None = None, detail: str = "") -> None:
    """Add one event inside the caller's transaction (so the event and the change commit together)."""
    if actor is not None:
        actor_kind, actor_id, actor_label = "clinician", actor.clinician_id, actor.username
        practice_id = practice_id or actor.practice_id
    conn.execute(insert(audit_events).values(
        at=now, practice_id=practice_id, actor_kind=actor_kind or "system", actor_id=actor_id,
        actor_label=(actor_label or actor_kind or "system")[:120], action=action, client_id=client_id,
        detail=(detail or "")[:300]))


def list_events(actor: Actor, *, now: datetime, action: str | None = None, actor_label: str | None = None,
                client_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
                limit: int = 200, offset: int = 0) -> tuple[list[dict], int]:
    """Newest first, for the admin's own practice only; returns (rows, total matching)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can read the audit log.")
    t = audit_events
    # Events with no practice are sign-in failures for unknown usernames: no client data in them.
    cond = [or_(t.c.practice_id == actor.practice_id, t.c.practice_id.is_(None))]
    if action:
        cond.append(t.c.action == action)
    if actor_label:
        cond.append(t.c.actor_label == actor_label)
    if client_id is not None:
        cond.append(t.c.client_id == client_id)
    if since is not None:
        cond.append(t.c.at >= since)
    if until is not None:
        cond.append(t.c.at < until)
    where = and_(*cond)
    with db.write() as conn:
        total = conn.execute(select(func.count()).select_from(t).where(where)).scalar_one()
        rows = conn.execute(select(t).where(where).order_by(t.c.at.desc(), t.c.id.desc())
                            .limit(min(limit, 1000)).offset(offset)).mappings().all()
        record(conn, now=now, action="audit.view", actor=actor, detail=f"{len(rows)} events shown")
    return [dict(r) for r in rows], total


def actor_labels(actor: Actor) -> list[str]:
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can read the audit log.")
    with db.read() as conn:
        return list(conn.execute(select(audit_events.c.actor_label).distinct()
                                 .where(or_(audit_events.c.practice_id == actor.practice_id,
                                            audit_events.c.practice_id.is_(None)))
                                 .order_by(audit_events.c.actor_label)).scalars())
