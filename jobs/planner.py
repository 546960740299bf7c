"""Plan the next reminders: from active steps of reachable clients, through core.schedule, into the
outbox. Idempotent: the outbox key (client, step, local date, slot) makes a second run add nothing.

One run reads the steps, every client's pause and quiet hours, and whose consent counts, in a few
queries; computes each client's reminders in Python (a client whose data cannot be planned, e.g. an
unknown time zone, is logged and skipped, spoiling nothing else); then inserts the rows with one
executemany per INSERT_CHUNK rows, ON CONFLICT DO NOTHING on the outbox key."""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import db
from core import schedule
from core import settings as settings_mod
from db import consent, outbox, plans
from db.clients import clients
from db.reminders import reminder_prefs
from sqlalchemy import select, update

log = logging.getLogger("anchorstep.planner")
HORIZON = timedelta(hours=24)
INSERT_CHUNK = 1000  # outbox rows per write transaction


def parse_quiet(raw: str | None) -> tuple[time, time] | None:
    if not raw:
        return None
    start, _, end = raw.partition("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def _client_quiet(row) -> tuple[time, time] | None:
    if row is None or not row["quiet_start"] or not row["quiet_end"]:
        return None
    return time.fromisoformat(row["quiet_start"]), time.fromisoformat(row["quiet_end"])


def _both_quiets(items, zone_name: str, practice, client, window: timedelta):
    """Defer each reminder past the client's and the practice's quiet hours (either may move it into
    the other, so repeat until it settles)."""
    if client is None:
        return items
    zone = ZoneInfo(zone_name)
    out = []
    for p in items:
        due = p.due_at
        for _ in range(4):
            moved = schedule.defer(schedule.defer(due, zone, client), zone, practice)
            if moved == due:
                break
            due = moved
        out.append(schedule.Planned(p.step_id, p.local_date, p.slot, due, due + window))
    return out


def _plan_items(client_id: int, zone: str, steps: list[dict], start: datetime, end: datetime, cfg, prefs):
    slots = [schedule.Slot(s["step_id"], frozenset(s["days"]), time.fromisoformat(s["window_start"]), s["position"])
             for s in steps]
    practice_quiet = parse_quiet(cfg["REMINDER_QUIET_HOURS"])
    window = timedelta(minutes=cfg["REMINDER_WINDOW_MINUTES"])
    items = schedule.plan(slots, zone, start, end, quiet=practice_quiet, daily_cap=cfg["REMINDER_DAILY_CAP"],
                          window_minutes=cfg["REMINDER_WINDOW_MINUTES"])
    return _both_quiets(items, zone, practice_quiet, _client_quiet(prefs), window)


def plan_client(conn, client_id: int, zone: str, steps: list[dict], start: datetime, end: datetime,
                cfg: settings_mod.Settings) -> int:
    """Plan one client inside the caller's transaction; returns the new outbox rows."""
    prefs = conn.execute(select(reminder_prefs).where(reminder_prefs.c.client_id == client_id)).mappings().first()
    if prefs is not None and prefs["paused_at"] is not None:
        return 0
    if not consent.is_active(conn, client_id, start):
        return 0
    return outbox.add_planned(conn, client_id, _plan_items(client_id, zone, steps, start, end, cfg, prefs), start)


def _reachable(client_ids, now: datetime) -> tuple[set[int], dict[int, dict]]:
    """(clients among `client_ids` whose consent counts, {client: reminder_prefs row})."""
    ids = sorted(client_ids)
    active, prefs = set(), {}
    with db.read() as conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            active.update(conn.execute(select(clients.c.id).where(
                clients.c.id.in_(chunk), consent.active_clause(clients.c.id, now))).scalars())
            prefs.update((r["client_id"], dict(r)) for r in conn.execute(
                select(reminder_prefs).where(reminder_prefs.c.client_id.in_(chunk))).mappings())
    return active, prefs


def _cancel_stale(steps: list[dict], now: datetime, client_ids) -> int:
    """Queued reminders whose step was removed, retimed, or whose plan or client is no longer active
    are cancelled, so a retimed step never gets two reminders on one day."""
    current = {(s["step_id"], s["window_start"]) for s in steps}
    t = outbox.reminder_outbox
    with db.write() as conn:
        q = select(t.c.id, t.c.step_id, t.c.slot).where(t.c.status == "due")
        if client_ids is not None:
            q = q.where(t.c.client_id.in_(client_ids))
        stale = [r.id for r in conn.execute(q) if (r.step_id, r.slot) not in current]
        for i in range(0, len(stale), 500):
            conn.execute(update(t).where(t.c.id.in_(stale[i:i + 500]), t.c.status == "due").values(
                status="cancelled", reason="the step was changed or removed, or the plan is no longer active",
                updated_at=now))
    return len(stale)


def run(now: datetime, cfg: settings_mod.Settings | None = None, *, horizon: timedelta = HORIZON,
        client_ids=None) -> int:
    """Plan reminders due in [now, now + horizon) for every reachable client. Returns new rows."""
    cfg = cfg or settings_mod.load()
    with db.read() as conn:
        steps = plans.reminder_steps(conn, client_ids)
    _cancel_stale(steps, now, client_ids)
    by_client: dict[int, tuple[str, list[dict]]] = {}
    for s in steps:
        by_client.setdefault(s["client_id"], (s["timezone"], []))[1].append(s)
    active, prefs = _reachable(by_client, now)
    rows = []
    for client_id, (zone, client_steps) in by_client.items():
        p = prefs.get(client_id)
        if client_id not in active or (p is not None and p["paused_at"] is not None):
            continue
        try:
            items = _plan_items(client_id, zone, client_steps, now, now + horizon, cfg, p)
        except (ValueError, KeyError) as exc:
            log.warning("client %s: reminders not planned (%s)", client_id, type(exc).__name__)
            continue
        rows += outbox.planned_rows(client_id, items, now)
    added = 0
    for i in range(0, len(rows), INSERT_CHUNK):  # short write transactions
        with db.write() as conn:
            added += outbox.insert_planned(conn, rows[i:i + INSERT_CHUNK])
    return added
