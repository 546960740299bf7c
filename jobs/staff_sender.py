"""Send due staff emails (safety alerts, escalations, weekly digests) from db/staff_outbox.

In groups of REMINDER_SEND_BATCH: a transaction re-checks the group's rows (an escalation whose flag
was reviewed is cancelled; a recipient deactivated since planning: the alert goes back to planning,
which sends it to the admins), marks them `sending` and commits; only then is each email handed to the
backend, and the outcomes are written together with compare-and-set. At most once, as for reminders
(db/outbox.py): a worker killed while rows are `sending` leaves visible "interrupted" dead letters
(at most one group), never a second email. A failed alert does not silence its flag: it stays first
on the caseload and is still escalated to the admins.

The words are neutral and carry no client detail: counts, hours, a link to the portal's sign-in
(LINK_BASE_URL, never a token link). The digest's counts come from the caseload's own rules, computed once per practice per drain.
"""
from __future__ import annotations

import logging
from collections import defaultdict
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


def digest_counts(practice_id: int, now: datetime, cfg) -> dict[int, dict[str, int]]:
    """Per clinician of the practice, counts of their own clients by the caseload's rules: one caseload
    computation for the whole practice (audited once, as the system's "digest.counts")."""
    rows = caseload.rows(Actor(0, practice_id, "admin", "weekly digest"), now=now,
                         no_checkin_days=cfg["ATTENTION_NO_CHECKIN_DAYS"], notice_days=cfg["CONSENT_NOTICE_DAYS"],
                         for_digest=True)
    ma, mr = measure_assignments, measure_responses
    last = (select(func.max(mr.c.submitted_at)).where(mr.c.assignment_id == ma.c.id).scalar_subquery())
    with db.read() as conn:
        overdue = conn.execute(
            select(clients.c.clinician_id, ma.c.client_id, func.coalesce(last, ma.c.created_at).label("since"))
            .join(clients, clients.c.id == ma.c.client_id)
            .where(clients.c.practice_id == practice_id, clients.c.status == "active", ma.c.cadence == "weekly",
                   ma.c.ended_at.is_(None))).all()
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for r in rows:
        kinds = {f.kind for f in r.flags}
        mine = out[r.clinician_id]
        mine["flags"] += bool(r.open_flags)
        for key, kind in (("quiet", "quiet"), ("fell", "adherence_drop"), ("consent", "consent_due"),
                          ("reminders", "reminders_failing")):
            mine[key] += kind in kinds
    for clinician_id, client_ids in _group(overdue, now).items():
        out[clinician_id]["missed"] = len(client_ids)
    return out


COUNTS = ("flags", "quiet", "fell", "consent", "reminders", "missed")


def _group(overdue, now: datetime) -> dict[int, set[int]]:
    missed: dict[int, set[int]] = defaultdict(set)
    for r in overdue:
        if r.since <= now - MISSED_AFTER:
            missed[r.clinician_id].add(r.client_id)
    return missed


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


def _deliver_one(row: dict, sending: dict, cfg, now: datetime, counts, deliver: Callable) -> tuple[str, dict]:
    """Hand one `sending` row to the backend: (outcome, values for `finish`). Raises AuthEmailError."""
    subject, lines = words(sending, cfg, counts)
    try:
        message = email.make_staff_email(to=row["alert_email"] or row["email"], subject=subject, lines=lines,
                                         link=portal_link(cfg), sender=cfg["EMAIL_FROM"], ref=sending["ref"], now=now)
        provider_id = deliver(message, cfg)
    except email.AuthEmailError:
        raise
    except email.TransientEmailError as exc:
        attempt = sending["attempts"]
        if attempt >= cfg["REMINDER_MAX_ATTEMPTS"]:
            return "failed", {"reason": f"gave up after {attempt} tries: {exc}"}
        return "retried", {"reason": str(exc), "retry_at": now + timedelta(seconds=backoff(attempt, exc.retry_after))}
    except email.EmailError as exc:
        return "failed", {"reason": str(exc)}
    except Exception as exc:  # keep the row visible, never silent
        log.exception("staff email %s: unexpected error while sending", row["id"])
        return "failed", {"reason": f"unexpected error while sending ({type(exc).__name__})"}
    return "sent", {"provider_id": str(provider_id)}


def _record(conn, outcomes: list[tuple[dict, str, dict]], worker: str, now: datetime) -> None:
    for sending, outcome, kw in outcomes:
        staff_outbox.finish(conn, sending["id"], worker, now, "due" if outcome == "retried" else outcome, **kw)
        if outcome in ("sent", "failed"):
            _audit_outcome(conn, sending, now, outcome)


def send_group(ids: list[int], worker: str, now: datetime, cfg, deliver: Callable, total: Result,
               digests: dict | None = None) -> None:
    """A group of claimed rows to their end states: one transaction re-checks them and marks the ones
    that may go `sending`; after its commit each is handed to the backend; one transaction writes the
    outcomes. A worker killed in between turns at most this group into "interrupted" dead letters."""
    t = staff_outbox.staff_outbox
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(
            select(t, clinicians.c.email, clinicians.c.alert_email, clinicians.c.username)
            .join(clinicians, clinicians.c.id == t.c.clinician_id)
            .where(db.one_of(conn, t.c.id, ids), t.c.status == "claimed", t.c.claimed_by == worker)
            .order_by(t.c.id)).mappings()]
    total.skipped += len(ids) - len(rows)
    digests = {} if digests is None else digests  # practice id -> its counts, computed once per drain
    for r in rows:
        if r["kind"] == "digest" and r["practice_id"] not in digests:
            digests[r["practice_id"]] = digest_counts(r["practice_id"], now, cfg)
    counts = {r["id"]: digests[r["practice_id"]][r["clinician_id"]] for r in rows if r["kind"] == "digest"}
    lease = now + timedelta(seconds=cfg["REMINDER_LEASE_SECONDS"])
    going = []
    with db.write() as conn:
        for row in rows:
            why = _why_not(conn, row)
            if why:
                staff_outbox.finish(conn, row["id"], worker, now, "cancelled", from_status="claimed", reason=why)
                total.cancelled += 1
                if row["kind"] == "safety_alert":  # planned again next pass: to the admins if the clinician left
                    conn.execute(update(safety_flags).where(safety_flags.c.alert_id == row["id"],
                                                            safety_flags.c.reviewed_at.is_(None))
                                 .values(alert_id=None, alerted_at=None))
                continue
            sending = staff_outbox.start_sending(conn, row["id"], worker, now, lease)
            if sending is None:
                total.skipped += 1
            else:
                going.append((row, sending))
    outcomes = []
    try:
        for row, sending in going:
            outcome, kw = _deliver_one(row, sending, cfg, now, counts.get(row["id"]), deliver)
            outcomes.append((sending, outcome, kw))
            setattr(total, outcome, getattr(total, outcome) + 1)
    except email.AuthEmailError as exc:
        with db.write() as conn:
            _record(conn, outcomes, worker, now)
            for _, sending in going[len(outcomes):]:
                staff_outbox.release(conn, sending["id"], worker, now, "sending")
        raise BatchStopped(str(exc)) from None
    with db.write() as conn:
        _record(conn, outcomes, worker, now)


def drain(now_fn: Callable[[], datetime], worker: str, cfg=None, *, deliver: Callable | None = None,
          limit: int = 100, stop: Callable[[], bool] = lambda: False) -> Result:
    """Claim and send until nothing is due (or `stop()`), in groups of REMINDER_SEND_BATCH; a stopped
    worker gives back what it has not handed over."""
    cfg = cfg or settings_mod.load()
    deliver = deliver or email.send
    size = cfg["REMINDER_SEND_BATCH"]
    total, digests = Result(), {}
    while not stop():
        now = now_fn()
        ids = staff_outbox.claim(worker, now, limit=limit, lease_seconds=cfg["REMINDER_LEASE_SECONDS"])
        if not ids:
            break
        for i in range(0, len(ids), size):
            if stop():
                with db.write() as conn:
                    for rest in ids[i:]:
                        staff_outbox.release(conn, rest, worker, now, "claimed")
                return total
            send_group(ids[i:i + size], worker, now, cfg, deliver, total, digests)
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
