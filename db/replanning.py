"""Re-planning one client's queued reminders inside the transaction that changed what they depend on
(the client's zone or status, their quiet hours, a step's time, days or existence), and the rules
the worker's planner shares. Called by name where each change happens (db.clients, db.plans,
db.reminders) and by jobs/planner.py on every pass.

Sits below those modules: it reads tables and the step versions, never the modules that call it."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select

from core import schedule
from core import settings as settings_mod
from db import consent_state, outbox, step_versions
from db.tables import clients, reminder_prefs


def client_quiet(prefs) -> tuple[time, time] | None:
    """A client's own quiet hours from their reminder_prefs row (None: none)."""
    if prefs is None or not prefs["quiet_start"] or not prefs["quiet_end"]:
        return None
    return time.fromisoformat(prefs["quiet_start"]), time.fromisoformat(prefs["quiet_end"])


def planned_items(zone: str, steps: list[dict], prefs, start: datetime, end: datetime,
                  cfg: settings_mod.Settings) -> list[schedule.Planned]:
    """One client's reminders in [start, end) from their current steps (plans.reminder_steps), their
    quiet hours and the practice's settings. Raises ValueError/KeyError for a zone that cannot be used."""
    slots = [schedule.Slot(s["step_id"], frozenset(s["days"]), time.fromisoformat(s["window_start"]), s["position"])
             for s in steps]
    return schedule.plan_client(slots, zone, start, end, practice_quiet=schedule.parse_quiet(cfg["REMINDER_QUIET_HOURS"]),
                                client_quiet=client_quiet(prefs), daily_cap=cfg["REMINDER_DAILY_CAP"],
                                window_minutes=cfg["REMINDER_WINDOW_MINUTES"])


def replan_in(conn, client_id: int, now: datetime, cfg: settings_mod.Settings | None = None) -> None:
    """Re-plan one client's queued reminders inside the caller's transaction, so a change to their time
    zone, status, quiet hours or steps commits together with the reminders it moves: nothing stays
    queued at an instant the change made wrong (the worker would send it before its next pass).
    Called by name wherever those change. A paused client or one without consent is left to the
    sender's re-check, as the worker's planner does."""
    cfg = cfg or settings_mod.load()
    # The client's row is the lock: two changes to one client re-plan one after the other.
    conn.execute(select(clients.c.id).where(clients.c.id == client_id).with_for_update()).first()
    steps = step_versions.reminder_steps(conn, [client_id])
    queued = outbox.queued_in(conn, [client_id], now).get(client_id, [])
    change = schedule.replan(queued, [], now, now + schedule.HORIZON)  # no current steps: nothing stays
    if steps:
        prefs = conn.execute(select(reminder_prefs).where(reminder_prefs.c.client_id == client_id)).mappings().first()
        if (prefs is not None and prefs["paused_at"] is not None) or not consent_state.is_active(conn, client_id, now):
            return
        try:
            change = replan_one(steps[0]["timezone"], steps, prefs, queued, now, cfg)
        except (ValueError, KeyError):
            return  # a zone that cannot be planned: the worker logs it and skips this client
    apply_replan_in(conn, client_id, change, now)


def replan_one(zone: str, steps: list[dict], prefs, queued: list[dict], now: datetime, cfg: settings_mod.Settings,
               horizon=schedule.HORIZON) -> schedule.Replan:
    """What re-planning one reachable client with current steps changes (core.schedule.replan)."""
    start, end = schedule.replan_range(queued, now, cfg["REMINDER_WINDOW_MINUTES"], horizon)
    # Quiet hours can move a day's reminder past `end` (tomorrow's 12:00 to 13:15, the horizon ending at
    # 12:27): plan beyond it so that reminder is found and moved, not taken as dropped. `replan` still
    # adds only what falls before the horizon, and `days` stays the range's own.
    items = planned_items(zone, steps, prefs, start, end + schedule.MOVE_REACH, cfg)
    return schedule.replan(queued, items, now, now + horizon,
                           days=schedule.plan_days(zone, start, end, client_quiet(prefs)),
                           current={(s["step_id"], s["window_start"]) for s in steps})


def apply_replan_in(conn, client_id: int, change: schedule.Replan, now: datetime) -> int:
    """Write one client's re-planning inside the caller's transaction; returns the new rows."""
    outbox.cancel_many(conn, change.cancel, now, reason=outbox.REPLANNED)
    outbox.move_in(conn, change.move, now)
    return outbox.add_planned(conn, client_id, change.add, now)
