"""Send due staff emails (safety alerts, escalations, weekly digests) from db/staff_outbox.

One row at a time: a transaction re-checks it (an escalation whose flag was reviewed is cancelled; a
recipient deactivated since planning: the alert goes back to planning, which sends it to the admins),
marks it `sending` and commits; only then is the email handed to the backend, and the outcome is
written with compare-and-set. At most once, as for reminders (db/outbox.py): a worker killed while a
row is `sending` leaves a visible "interrupted" dead letter, never a second email.

The words are neutral and carry no client detail: counts, hours, a link to the portal's sign-in
(LINK_BASE_URL, never a token link). The digest's counts come from the caseload's own rules.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select, update

import db
from core import settings as settings_mod
from db import audit, caseload, staff_outbox
from db.actors import Actor
from db.tables import clients, clinicians, measure_assignments, measure_responses, safety_flags
from jobs import email
from jobs.sender import BatchStopped, backoff

log = logging.getLogger("anchorstep.staff_sender")
MISSED_AFTER = timedelta(days=13)  # a weekly questionnaire unanswered a week after it fell due (due at 6 days)
ALERT_SUBJECT = "A check-in in Anchorstep needs your review"
DIGEST_SUBJECT = "Your weekly Anchorstep summary"


@dataclass
class Result:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0


def portal_link(cfg) -> str:
    """The portal's sign-in (no token: the recipient signs in as usual). After it the caseload opens,
    open safety flags first; a deep link is not used because the signed-out portal has only its
    sign-in page (a deep path would show "Page not found" over it)."""
    return f"{str(cfg['LINK_BASE_URL']).rstrip('/')}/"


def _why_not(conn, row: dict) -> str | None:
    """Why this row may no longer go (None: it may)."""
    who = conn.execute(select(clinicians.c.active).where(clinicians.c.id == row["clinician_id"])).scalar()
    if not who:
        return "the recipient's account is not active"
    if row["kind"] == "escalation":
        reviewed = conn.execute(select(safety_flags.c.reviewed_at).where(safety_flags.c.id == row["flag_id"])).scalar()
        if reviewed is not None:
            return "the flag was reviewed before the escalation went out"
    if row["kind"] == "safety_alert" and row["flag_count"] == 1:
        reviewed = conn.execute(select(safety_flags.c.reviewed_at).where(safety_flags.c.id == row["flag_id"])).scalar()
        if reviewed is not None:
            return "the flag was reviewed before the alert went out"
    return None


def digest_counts(clinician_id: int, practice_id: int, username: str, now: datetime, cfg) -> dict[str, int]:
    """Counts of the clinician's own clients, by the caseload's rules (audited as digest.counts)."""
    me = Actor(clinician_id, practice_id, "clinician", username)
    rows = caseload.rows(me, now=now, no_checkin_days=cfg["ATTENTION_NO_CHECKIN_DAYS"],
                         notice_days=cfg["CONSENT_NOTICE_DAYS"], audit_action="digest.counts")
    kinds = [{f.kind for f in r.flags} for r in rows]
    ma, mr = measure_assignments, measure_responses
    last = (select(func.max(mr.c.submitted_at)).where(mr.c.assignment_id == ma.c.id).scalar_subquery())
    with db.read() as conn:
        overdue = conn.execute(
            select(ma.c.client_id, func.coalesce(last, ma.c.created_at).label("since"))
            .join(clients, clients.c.id == ma.c.client_id)
            .where(clients.c.clinician_id == clinician_id, clients.c.status == "active", ma.c.cadence == "weekly",
                   ma.c.ended_at.is_(None))).all()
    missed = len({r.client_id for r in overdue if r.since <= now - MISSED_AFTER})
    return {"flags": sum(1 for r in rows if r.open_flags), "quiet": sum("quiet" in k for k in kinds),
            "fell": sum("adherence_drop" in k for k in kinds), "consent": sum("consent_due" in k for k in kinds),
            "reminders": sum("reminders_failing" in k for k in kinds), "missed": missed}


def words(row: dict, cfg, counts: dict[str, int] | None = None) -> tuple[str, list[str]]:
    """Subject and sentences for a row: numbers and fixed words only."""
    if row["kind"] == "safety_alert":
        n = max(int(row["flag_count"] or 1), 1)
        return ALERT_SUBJECT, [ALERT_SUBJECT + "." if n == 1 else
                               f"{n} check-ins in Anchorstep need your review."]
    if row["kind"] == "escalation":
        return ALERT_SUBJECT, [f"{ALERT_SUBJECT}: it has been unreviewed for {row['hours']} hours.",
                               "You get this as an admin of the practice."]
    c = counts or {}
    return DIGEST_SUBJECT, [
        "Your week in Anchorstep, in numbers (your own clients):",
        "\n".join([f"- With a safety flag waiting for review: {c.get('flags', 0)}",
                   f"- With no check-in for {cfg['ATTENTION_NO_CHECKIN_DAYS']} days or more: {c.get('quiet', 0)}",
                   f"- Whose practice fell: {c.get('fell', 0)}",
                   f"- With consent renewal due: {c.get('consent', 0)}",
                   f"- With reminders failing: {c.get('reminders', 0)}",
                   f"- With a weekly questionnaire missed: {c.get('missed', 0)}"]),
        "You can turn this summary off under My account."]


def _audit_outcome(conn, row: dict, now: datetime, outcome: str) -> None:
    if row["kind"] == "digest":
        return
    client = conn.execute(select(safety_flags.c.client_id).where(safety_flags.c.id == row["flag_id"])).scalar()
    audit.record(conn, now=now, action=f"safety.{'alert' if row['kind'] == 'safety_alert' else 'escalation'}.{outcome}",
                 practice_id=row["practice_id"], client_id=client,
                 detail=f"staff email {row['id']} to staff {row['clinician_id']}: {outcome}")


def send_one(outbox_id: int, worker: str, now: datetime, cfg, deliver: Callable) -> str:
    """One claimed row to its end state: sent | retried | failed | cancelled | skipped."""
    t = staff_outbox.staff_outbox
    with db.read() as conn:
        row = conn.execute(select(t, clinicians.c.email, clinicians.c.alert_email, clinicians.c.username)
                           .join(clinicians, clinicians.c.id == t.c.clinician_id).where(t.c.id == outbox_id)
                           ).mappings().first()
    if row is None or row["status"] != "claimed" or row["claimed_by"] != worker:
        return "skipped"
    counts = (digest_counts(row["clinician_id"], row["practice_id"], row["username"], now, cfg)
              if row["kind"] == "digest" else None)
    lease = now + timedelta(seconds=cfg["REMINDER_LEASE_SECONDS"])
    with db.write() as conn:
        why = _why_not(conn, dict(row))
        if why:
            staff_outbox.finish(conn, outbox_id, worker, now, "cancelled", from_status="claimed", reason=why)
            if row["kind"] == "safety_alert":  # planned again next pass: to the admins if the clinician left
                conn.execute(update(safety_flags).where(safety_flags.c.alert_id == outbox_id,
                                                        safety_flags.c.reviewed_at.is_(None))
                             .values(alert_id=None, alerted_at=None))
            return "cancelled"
        sending = staff_outbox.start_sending(conn, outbox_id, worker, now, lease)
        if sending is None:
            return "skipped"
    subject, lines = words(sending, cfg, counts)
    try:
        message = email.make_staff_email(to=row["alert_email"] or row["email"], subject=subject, lines=lines,
                                         link=portal_link(cfg), sender=cfg["EMAIL_FROM"], ref=sending["ref"], now=now)
        provider_id = deliver(message, cfg)
    except email.AuthEmailError as exc:
        with db.write() as conn:
            staff_outbox.release(conn, outbox_id, worker, now, "sending")
        raise BatchStopped(str(exc)) from None
    except email.TransientEmailError as exc:
        attempt = sending["attempts"]
        if attempt >= cfg["REMINDER_MAX_ATTEMPTS"]:
            outcome, kw = "failed", {"reason": f"gave up after {attempt} tries: {exc}"}
        else:
            outcome, kw = "retried", {"reason": str(exc),
                                      "retry_at": now + timedelta(seconds=backoff(attempt, exc.retry_after))}
    except email.EmailError as exc:
        outcome, kw = "failed", {"reason": str(exc)}
    except Exception as exc:  # keep the row visible, never silent
        log.exception("staff email %s: unexpected error while sending", outbox_id)
        outcome, kw = "failed", {"reason": f"unexpected error while sending ({type(exc).__name__})"}
    else:
        outcome, kw = "sent", {"provider_id": str(provider_id)}
    with db.write() as conn:
        staff_outbox.finish(conn, outbox_id, worker, now, "due" if outcome == "retried" else outcome, **kw)
        if outcome in ("sent", "failed"):
            _audit_outcome(conn, sending, now, outcome)
    return outcome


def drain(now_fn: Callable[[], datetime], worker: str, cfg=None, *, deliver: Callable | None = None,
          limit: int = 100, stop: Callable[[], bool] = lambda: False) -> Result:
    """Claim and send until nothing is due (or `stop()`); a stopped worker gives back what it holds."""
    cfg = cfg or settings_mod.load()
    deliver = deliver or email.send
    total = Result()
    while not stop():
        now = now_fn()
        ids = staff_outbox.claim(worker, now, limit=limit, lease_seconds=cfg["REMINDER_LEASE_SECONDS"])
        if not ids:
            break
        for i, oid in enumerate(ids):
            if stop():
                with db.write() as conn:
                    for rest in ids[i:]:
                        staff_outbox.release(conn, rest, worker, now, "claimed")
                return total
            outcome = send_one(oid, worker, now, cfg, deliver)
            setattr(total, outcome, getattr(total, outcome) + 1)
    return total


def one_pass(worker: str, now_fn: Callable[[], datetime], cfg, *, deliver=None, stop=lambda: False) -> dict:
    """Sweep, plan alerts/escalations and digests, send: part of the worker's pass."""
    swept = staff_outbox.sweep(now_fn())
    planned = staff_outbox.plan_alerts(now_fn(), cooldown_minutes=cfg["SAFETY_ALERT_COOLDOWN_MINUTES"],
                                       escalate_hours=cfg["SAFETY_ESCALATE_HOURS"])
    digests = staff_outbox.plan_digests(now_fn(), hour=cfg["DIGEST_WEEKDAY_HOUR"])
    sent = drain(now_fn, worker, cfg, deliver=deliver, stop=stop)
    return {**swept, **planned, "digests": digests, "staff_sent": sent.sent, "staff_failed": sent.failed,
            "staff_retried": sent.retried, "staff_cancelled": sent.cancelled}
