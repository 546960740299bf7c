"""Emails to staff: safety alerts, escalations and the weekly digest, planned and queued here.

One row per email in `staff_outbox`, with a unique dedupe key, so several workers plan each email once:
  alert:{recipient}:{first flag id}     a safety alert (flags waiting in the cooldown are folded in)
  escalation:{flag id}:{admin id}       a flag still unreviewed after the practice's escalation hours
  digest:{clinician id}:{ISO year-week} the opt-in weekly digest (counts only)

States and rules are the reminder outbox's (db/outbox.py): due -> claimed -> sending -> sent, or failed
(a dead letter with its reason) or cancelled. A claim has a lease; a lapsed claim goes back to due; a
row that lapses while `sending` becomes a dead letter ("interrupted"), never a second email. Claims
use FOR UPDATE SKIP LOCKED on PostgreSQL and the write lock on SQLite; planning takes a transaction
advisory lock on PostgreSQL (SQLite's write lock serialises it already), and the unique key is the
last guard.

Alerts ignore the clients' quiet hours and daily cap (those protect clients, not clinicians). A
deactivated clinician's alerts go to the practice's active admins. Reviewing a flag stops its
escalation. Every alert and escalation is audited on the client, without content.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime, time as dtime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

import db
from db import audit
from db.tables import clients, clinicians, practices, safety_flags, staff_outbox, worker_heartbeats  # noqa: F401

OPEN = ("due", "claimed")
KINDS = ("safety_alert", "escalation", "digest")
_PLAN_LOCK = 0x5AFE_A1E7  # pg_advisory_xact_lock key: one planner at a time across workers
DIGEST_LATE_HOURS = 12  # a digest not planned within this long after Monday 08:00 waits for next week


def _lock(conn) -> None:
    db.xact_lock(conn, _PLAN_LOCK)


def _insert(conn, row: dict) -> int | None:
    """Insert one planned email; None when its dedupe key exists already (another pass planned it)."""
    dialect = postgresql if db.is_postgres(conn) else sqlite
    stmt = (dialect.insert(staff_outbox).values(ref=secrets.token_hex(16), status="due", attempts=0, **row)
            .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(staff_outbox.c.id))
    return conn.execute(stmt).scalar()


def _row(kind: str, key: str, practice_id: int, recipient: int, now: datetime, **extra) -> dict:
    return {"kind": kind, "dedupe_key": key, "practice_id": practice_id, "clinician_id": recipient,
            "due_at": extra.pop("due_at", now), "next_attempt_at": extra.pop("next_at", now),
            "created_at": now, "updated_at": now, **extra}


def _admins(conn, practice_ids) -> dict[int, list[int]]:
    if not practice_ids:
        return {}
    out: dict[int, list[int]] = defaultdict(list)
    for r in conn.execute(select(clinicians.c.practice_id, clinicians.c.id).where(
            db.one_of(conn, clinicians.c.practice_id, sorted(practice_ids)), clinicians.c.role == "admin",
            clinicians.c.active.is_(True)).order_by(clinicians.c.id)):
        out[r.practice_id].append(r.id)
    return out


def plan_alerts(now: datetime, *, cooldown_minutes: int = 15, escalate_hours: int = 24) -> dict[str, int]:
    """Plan the safety alerts and escalations due at `now` in one transaction. Returns counts."""
    fl, cl, cn = safety_flags, clients, clinicians
    with db.write() as conn:
        _lock(conn)
        waiting = conn.execute(
            select(fl.c.id, fl.c.client_id, cl.c.practice_id, cl.c.clinician_id, cn.c.active)
            .join(cl, cl.c.id == fl.c.client_id).join(cn, cn.c.id == cl.c.clinician_id)
            .where(fl.c.reviewed_at.is_(None), fl.c.alert_id.is_(None), fl.c.raised_at <= now)
            .order_by(fl.c.id)).all()
        overdue = conn.execute(
            select(fl.c.id, fl.c.client_id, fl.c.raised_at, cl.c.practice_id,
                   func.coalesce(practices.c.safety_escalate_hours, escalate_hours).label("hours"))
            .join(cl, cl.c.id == fl.c.client_id).join(practices, practices.c.id == cl.c.practice_id)
            .where(fl.c.reviewed_at.is_(None), fl.c.escalated_at.is_(None),
                   fl.c.raised_at <= now - timedelta(hours=1))
            .order_by(fl.c.id)).all()
        overdue = [r for r in overdue if r.raised_at + timedelta(hours=r.hours) <= now]
        admins = _admins(conn, {r.practice_id for r in waiting if not r.active} | {r.practice_id for r in overdue})
        alerts = _plan_alerts_in(conn, waiting, admins, now, cooldown_minutes)
        escalations = _plan_escalations_in(conn, overdue, admins, now)
    return {"alerts": alerts, "escalations": escalations}


def _plan_alerts_in(conn, waiting, admins, now: datetime, cooldown_minutes: int) -> int:
    to: dict[int, list] = defaultdict(list)  # recipient -> flags
    recipients_of: dict[int, list[int]] = {}
    for f in waiting:
        who = [f.clinician_id] if f.active else admins.get(f.practice_id, [])
        recipients_of[f.id] = who
        for r in who:
            to[r].append(f)
    if not to:
        return 0
    t = staff_outbox
    last = dict(conn.execute(select(t.c.clinician_id, func.max(t.c.created_at)).where(
        db.one_of(conn, t.c.clinician_id, sorted(to)), t.c.kind == "safety_alert", t.c.status != "cancelled")
        .group_by(t.c.clinician_id)).all())
    cooling = {r for r, at in last.items() if at is not None and at > now - timedelta(minutes=cooldown_minutes)}
    planned, first_id = 0, {}
    for recipient, flags in sorted(to.items()):
        if recipient in cooling:
            continue  # this recipient heard within the cooldown: the flags wait and are counted in the next alert
        new = _insert(conn, _row("safety_alert", f"alert:{recipient}:{flags[0].id}", flags[0].practice_id,
                                 recipient, now, flag_id=flags[0].id, flag_count=len(flags)))
        if new is None:
            continue
        planned += 1
        for f in flags:
            first_id.setdefault(f.id, new)
            audit.record(conn, now=now, action="safety.alert", practice_id=f.practice_id, client_id=f.client_id,
                         detail=f"flag {f.id}: alert {new} to staff {recipient} planned")
    done = [fid for fid, who in recipients_of.items() if who and not (set(who) & cooling) and fid in first_id]
    for fid in done:
        conn.execute(update(safety_flags).where(safety_flags.c.id == fid, safety_flags.c.alert_id.is_(None))
                     .values(alert_id=first_id[fid], alerted_at=now))
    return planned


def _plan_escalations_in(conn, overdue, admins, now: datetime) -> int:
    planned = 0
    for f in overdue:
        who = admins.get(f.practice_id, [])
        if not who:
            continue  # no active admin: it waits (and stays first on the caseload)
        for admin in who:
            if _insert(conn, _row("escalation", f"escalation:{f.id}:{admin}", f.practice_id, admin, now,
                                  flag_id=f.id, hours=int(f.hours))) is not None:
                planned += 1
                audit.record(conn, now=now, action="safety.escalation", practice_id=f.practice_id,
                             client_id=f.client_id,
                             detail=f"flag {f.id}: unreviewed for {int(f.hours)} hours, escalation to admin {admin} planned")
        conn.execute(update(safety_flags).where(safety_flags.c.id == f.id, safety_flags.c.escalated_at.is_(None))
                     .values(escalated_at=now))
    return planned


def digest_time(zone: str, now: datetime, hour: int = 8) -> tuple[datetime, str]:
    """This week's digest moment (Monday `hour`:00 in `zone`, as UTC) and its ISO year-week key."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    at = datetime.combine(monday, dtime(hour), tzinfo=tz).astimezone(now.tzinfo)
    year, week, _ = monday.isocalendar()
    return at, f"{year}-W{week:02d}"


def plan_digests(now: datetime, *, hour: int = 8) -> int:
    """Plan this week's digest for every opted-in active clinician whose practice's Monday `hour`:00 has
    come (and is less than DIGEST_LATE_HOURS ago). Returns how many were new."""
    cn = clinicians
    planned = 0
    with db.write() as conn:
        _lock(conn)
        people = conn.execute(select(cn.c.id, cn.c.practice_id, practices.c.timezone)
                              .join(practices, practices.c.id == cn.c.practice_id)
                              .where(cn.c.weekly_digest.is_(True), cn.c.active.is_(True)).order_by(cn.c.id)).all()
        for p in people:
            at, week = digest_time(p.timezone, now, hour)
            if not at <= now < at + timedelta(hours=DIGEST_LATE_HOURS):
                continue
            if _insert(conn, _row("digest", f"digest:{p.id}:{week}", p.practice_id, p.id, now, due_at=at)) is not None:
                planned += 1
    return planned


# --- sending (jobs/staff_sender.py drives these) ---

def claim(worker: str, now: datetime, *, limit: int, lease_seconds: int) -> list[int]:
    """Claim up to `limit` due rows (SKIP LOCKED on PostgreSQL; compare-and-set on both)."""
    t = staff_outbox
    with db.write() as conn:
        pick = (select(t.c.id).where(t.c.status == "due", t.c.next_attempt_at <= now)
                .order_by(t.c.next_attempt_at, t.c.id).limit(limit))
        if db.is_postgres(conn):
            pick = pick.with_for_update(skip_locked=True)
        ids = list(conn.execute(pick).scalars())
        if not ids:
            return []
        got = conn.execute(update(t).where(db.one_of(conn, t.c.id, ids), t.c.status == "due")
                           .values(status="claimed", claimed_by=worker, lease_until=now + timedelta(seconds=lease_seconds),
                                   updated_at=now).returning(t.c.id)).scalars().all()
    return sorted(got)


def start_sending(conn, outbox_id: int, worker: str, now: datetime, lease_until: datetime) -> dict | None:
    """Compare-and-set claimed -> sending (inside the caller's transaction); None: not ours any more."""
    t = staff_outbox
    row = conn.execute(update(t).where(t.c.id == outbox_id, t.c.status == "claimed", t.c.claimed_by == worker)
                       .values(status="sending", attempts=t.c.attempts + 1, lease_until=lease_until, updated_at=now)
                       .returning(*t.c)).mappings().first()
    return dict(row) if row else None


def finish(conn, outbox_id: int, worker: str, now: datetime, status: str, *, from_status: str = "sending",
           reason: str | None = None, provider_id: str | None = None, retry_at: datetime | None = None) -> int:
    """Record an outcome with compare-and-set: sent, failed, cancelled, or due again (retry_at)."""
    t = staff_outbox
    values = {"status": status, "lease_until": None, "updated_at": now, "reason": (reason or None) and reason[:300]}
    if status == "sent":
        values.update(sent_at=now, provider_id=str(provider_id or "")[:200])
    if status == "due":
        values.update(next_attempt_at=retry_at or now, claimed_by=None)
    return conn.execute(update(t).where(t.c.id == outbox_id, t.c.status == from_status, t.c.claimed_by == worker)
                        .values(**values)).rowcount


def release(conn, outbox_id: int, worker: str, now: datetime, from_status: str) -> int:
    """Give a row back untouched (never handed to a backend)."""
    t = staff_outbox
    return conn.execute(update(t).where(t.c.id == outbox_id, t.c.status == from_status, t.c.claimed_by == worker)
                        .values(status="due", claimed_by=None, lease_until=None, updated_at=now,
                                attempts=t.c.attempts - (1 if from_status == "sending" else 0))).rowcount


def sweep(now: datetime) -> dict[str, int]:
    """Lapsed claims go back to due; lapsed sends become dead letters, never a second email."""
    t = staff_outbox
    with db.write() as conn:
        reclaimed = conn.execute(update(t).where(t.c.status == "claimed", t.c.lease_until <= now).values(
            status="due", claimed_by=None, lease_until=None, updated_at=now)).rowcount
        interrupted = conn.execute(update(t).where(t.c.status == "sending", t.c.lease_until <= now).values(
            status="failed", lease_until=None, updated_at=now,
            reason="interrupted while sending: it may or may not have arrived, so it was not sent again")).rowcount
    return {"staff_reclaimed": reclaimed, "staff_interrupted": interrupted}


def beat(worker: str, now: datetime, *, alerts: bool = False, digests: bool = False) -> None:
    """Record that this worker's pass planned alerts and/or digests (the worker page shows it)."""
    values = {}
    if alerts:
        values["last_alert_pass_at"] = now
    if digests:
        values["last_digest_pass_at"] = now
    if values:
        with db.write() as conn:
            conn.execute(update(worker_heartbeats).where(worker_heartbeats.c.worker == worker[:64]).values(**values))


# --- what the portal shows ---

def recipients(conn, practice_id: int) -> dict[int, str]:
    """Who would receive a safety alert for each clinician's clients (clinician id -> words)."""
    cn = clinicians
    people = conn.execute(select(cn.c.id, cn.c.active, cn.c.role, cn.c.email, cn.c.alert_email)
                          .where(cn.c.practice_id == practice_id)).all()
    admins = [p for p in people if p.active and p.role == "admin"]
    out = {}
    for p in people:
        if p.active:
            out[p.id] = f"themselves ({p.alert_email or p.email})"
        else:
            out[p.id] = ("the practice's admins" if admins else "nobody: the practice has no active admin")
    return out


def dead_letters(conn, practice_id: int, limit: int = 50) -> list[dict]:
    t, cn = staff_outbox, clinicians
    return [dict(r) for r in conn.execute(
        select(t.c.id, t.c.kind, t.c.due_at, t.c.attempts, t.c.reason, t.c.updated_at, cn.c.display_name)
        .join(cn, cn.c.id == t.c.clinician_id)
        .where(t.c.practice_id == practice_id, t.c.status == "failed")
        .order_by(t.c.updated_at.desc(), t.c.id.desc()).limit(limit)).mappings()]


def for_flags(conn, flag_ids) -> dict[int, list[dict]]:
    """The staff emails about each flag (its alert and escalations), for the flag's history."""
    if not flag_ids:
        return {}
    t, fl, cn = staff_outbox, safety_flags, clinicians
    rows = conn.execute(
        select(fl.c.id.label("for_flag"), t.c.kind, t.c.status, t.c.created_at, t.c.sent_at, t.c.hours,
               cn.c.display_name)
        .join(t, or_(t.c.id == fl.c.alert_id, and_(t.c.kind == "escalation", t.c.flag_id == fl.c.id)))
        .join(cn, cn.c.id == t.c.clinician_id)
        .where(db.one_of(conn, fl.c.id, list(flag_ids))).order_by(t.c.created_at, t.c.id)).mappings()
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["for_flag"]].append(dict(r))
    return out
