"""Reminder preferences (pause, client quiet hours), the worker heartbeat, and what the planner and
the clinician and admin pages read. Pausing never touches consent: it only stops reminders.

Quiet hours: the practice's come from the REMINDER_QUIET_HOURS setting; a client's own are columns
here (quiet_start/quiet_end, empty = none). Both defer, neither drops.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone as tz
from zoneinfo import ZoneInfo

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import aliased

import db
from core import settings as settings_mod, suggest
from db import audit, consent, links, outbox, plans, replanning, skill_uses, staff_outbox, step_versions
from db.actors import Actor
from db.checkins import checkins
from db import clients as clients_mod
from db.clients import clients, scope
from db.tables import reminder_prefs, worker_heartbeats  # noqa: F401  (this module's tables, re-exported)


def is_paused(conn, client_id: int) -> bool:
    return conn.execute(select(reminder_prefs.c.paused_at).where(reminder_prefs.c.client_id == client_id)
                        ).scalar() is not None


def _set_pause(conn, client_id: int, paused: bool, by: str, now: datetime) -> bool:
    """Returns True when something changed."""
    p = reminder_prefs
    row = conn.execute(select(p).where(p.c.client_id == client_id)).mappings().first()
    if row is None:
        conn.execute(insert(p).values(client_id=client_id, updated_at=now))
        row = {"paused_at": None}
    if (row["paused_at"] is not None) == paused:
        return False
    conn.execute(update(p).where(p.c.client_id == client_id).values(
        paused_at=now if paused else None, paused_by=by if paused else None, updated_at=now))
    if paused:
        outbox.cancel_client(conn, client_id, now, reason=f"reminders paused by the {by}")
    return True


def pause_for(actor: Actor, client_id: int, paused: bool, *, now: datetime) -> bool:
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        changed = _set_pause(conn, client_id, paused, "clinician", now)
        if changed:
            audit.record(conn, now=now, action="reminders.pause" if paused else "reminders.resume", actor=actor,
                         client_id=client_id, detail="by clinician")
    return changed


def link_state(raw: object, now: datetime) -> dict:
    """What the client's preferences page shows (read-only)."""
    with db.read() as conn:
        res = links.resolve_in(conn, raw, now, purpose="preferences")
        if not res.ok:
            return {"state": "invalid"}
        return {"state": "paused" if is_paused(conn, res.client_id) else "active"}


def pause_by_link(raw: object, paused: bool, *, now: datetime, via: str = "a preferences link",
                  purpose: str = "preferences") -> str:
    """The client's submit on the preferences page (or, `purpose` "checkup", the pause a check-up offers).
    Returns "paused", "resumed", "unchanged" or "invalid"."""
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now, purpose=purpose)
        if not res.ok:
            return "invalid"
        if not _set_pause(conn, res.client_id, paused, "client", now):
            return "unchanged"
        audit.record(conn, now=now, action="reminders.pause" if paused else "reminders.resume", actor_kind="client",
                     actor_id=res.client_id, actor_label="client", practice_id=res.practice_id,
                     client_id=res.client_id, detail=f"from {via}")
    return "paused" if paused else "resumed"


def set_quiet_hours(actor: Actor, client_id: int, start: str | None, end: str | None, *, now: datetime) -> None:
    p = reminder_prefs
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        if conn.execute(select(p.c.client_id).where(p.c.client_id == client_id)).first() is None:
            conn.execute(insert(p).values(client_id=client_id, updated_at=now))
        conn.execute(update(p).where(p.c.client_id == client_id).values(quiet_start=start, quiet_end=end,
                                                                        updated_at=now))
        replanning.replan_in(conn, client_id, now)
        audit.record(conn, now=now, action="reminders.quiet", actor=actor, client_id=client_id)


def beat(worker: str, now: datetime, error: str | None = None) -> None:
    """Record a pass: success moves last_pass_at; an error is kept beside it (no client data in it)."""
    h = worker_heartbeats
    values = {"updated_at": now}
    if error is None:
        values["last_pass_at"] = now
    else:
        values.update(last_error_at=now, last_error=error[:300])
    with db.write() as conn:
        if conn.execute(update(h).where(h.c.worker == worker).values(**values)).rowcount == 0:
            conn.execute(insert(h).values(worker=worker[:64], **values))


def heartbeats() -> list[dict]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(worker_heartbeats)
                                              .order_by(worker_heartbeats.c.updated_at.desc())).mappings()]


def client_view(actor: Actor, client_id: int, *, now: datetime) -> dict:
    """The clinician's reminders panel: zone, pause, quiet hours, upcoming, last sent, failed."""
    with db.write() as conn:
        row = clients_mod.require(conn, actor, client_id)
        prefs = conn.execute(select(reminder_prefs).where(reminder_prefs.c.client_id == client_id)).mappings().first()
        view = {
            "timezone": row["timezone"], "client_status": row["status"],
            "consent_active": consent.is_active(conn, client_id, now),
            "paused_at": prefs["paused_at"] if prefs else None, "paused_by": prefs["paused_by"] if prefs else None,
            "quiet": (prefs["quiet_start"], prefs["quiet_end"]) if prefs and prefs["quiet_start"] else None,
            "upcoming": outbox.upcoming_for_client(conn, client_id, now),
            "steps": [{"days": s["days"], "at": s["window_start"], "position": s["position"]}
                      for s in step_versions.reminder_steps(conn, [client_id])],
            "sent": outbox.recent_for_client(conn, client_id, statuses=("sent",), limit=10),
            "problems": outbox.recent_for_client(conn, client_id, statuses=("failed", "expired"), limit=10),
        }
        audit.record(conn, now=now, action="reminders.view", actor=actor, client_id=client_id)
    return view


def dead_letters(actor: Actor, *, now: datetime, limit: int = 200) -> list[dict]:
    """Failed and expired reminders in the admin's practice (no content: ids, times, reasons)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can see the worker's dead letters.")
    t = outbox.reminder_outbox
    with db.write() as conn:
        rows = [dict(r) for r in conn.execute(
            select(t.c.id, t.c.client_id, clients.c.display_name, t.c.local_date, t.c.slot, t.c.due_at,
                   t.c.status, t.c.attempts, t.c.reason, t.c.updated_at)
            .join(clients, clients.c.id == t.c.client_id)
            .where(scope(actor), t.c.status.in_(("failed", "expired")))
            .order_by(t.c.updated_at.desc(), t.c.id.desc()).limit(limit)).mappings()]
        audit.record(conn, now=now, action="reminders.dead_letters", actor=actor, detail=f"{len(rows)} shown")
    return rows


def distress_pairs(conn, client_id: int, *, now: datetime | None = None, days: int = 90,
                   limit: int = 2000) -> list[tuple]:
    """(local time of the check-in, distress 0-10) for the client's last `days` days of check-ins,
    bounded, with corrected check-ins replaced by their corrections; for core.suggest."""
    now = now or datetime.now(tz.utc)
    zone = conn.execute(select(clients.c.timezone).where(clients.c.id == client_id)).scalar()
    if zone is None:
        return []
    newer = aliased(checkins)
    rows = conn.execute(
        select(checkins.c.submitted_at, checkins.c.distress)
        .where(checkins.c.client_id == client_id, checkins.c.submitted_at >= now - timedelta(days=days),
               ~exists().where(newer.c.corrects_id == checkins.c.id))
        .order_by(checkins.c.submitted_at.desc()).limit(limit)).all()
    local = ZoneInfo(zone)
    return [(r.submitted_at.astimezone(local), r.distress) for r in rows]


def suggestion(actor: Actor, client_id: int, *, now: datetime):
    """A suggested reminder time for one client (or None), computed, never applied by itself."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        pairs = distress_pairs(conn, client_id, now=now)
        since = (now - timedelta(days=90)).date()
        moments = skill_uses.vulnerable_moments_in(conn, client_id, since)
        # A read of the client's check-ins (distress by hour) in its own right: audited like any other.
        audit.record(conn, now=now, action="reminders.suggestion", actor=actor, client_id=client_id,
                     detail=f"{len(pairs)} check-ins' distress and {len(moments)} skill uses by hour read")
    return suggest.suggest(pairs, moments=moments)


def accept_suggestion(actor: Actor, plan_id: int, step_id: int, at: str, *, now: datetime) -> dict[str, str]:
    """The clinician accepted: the step's window moves to start at `at` (a new step version)."""
    plan = plans.get(actor, plan_id, now=now)
    step = next((s for s in plan["steps"] if s["step_id"] == step_id), None)
    if step is None:
        raise db.NotFound("step")
    h, m = map(int, at.split(":"))
    length = _minutes(step["window_end"]) - _minutes(step["window_start"])
    end = min(h * 60 + m + max(length, 15), 23 * 60 + 59)
    form = {k: step[k] for k in step if k not in ("step_id", "version_id", "valid_from", "position", "plan_id")}
    form.update(window_start=at, window_end=f"{end // 60:02d}:{end % 60:02d}")
    _, errors = plans.save_step(actor, plan_id, step_id, form, now=now)
    if not errors:
        with db.write() as conn:
            audit.record(conn, now=now, action="reminders.suggest", actor=actor, client_id=plan["client_id"],
                         detail=f"plan {plan_id}: step time set to {at}")
    return errors


def _minutes(hhmm: str) -> int:
    h, m = map(int, hhmm.split(":"))
    return h * 60 + m


def staff_dead_letters(actor: Actor, limit: int = 50) -> list[dict]:
    """Admins: the practice's staff emails (safety alerts, escalations, digests) that failed."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can see the worker's failures.")
    with db.read() as conn:
        return staff_outbox.dead_letters(conn, actor.practice_id, limit=limit)
