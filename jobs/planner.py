"""Plan the next reminders: from active steps of reachable clients, through core.schedule, into the
outbox, and re-plan what is queued. Idempotent: the outbox key (client, step, local date, slot)
makes a second run add nothing.

One run reads the steps, every client's pause and quiet hours, whose consent counts, and the queued
reminders, in a few queries; computes each client's reminders in Python (a client whose data cannot
be planned, e.g. an unknown time zone, is logged and skipped, spoiling nothing else); matches them to
what is queued (core.schedule.replan: a reminder whose time changed moves, one no longer planned is
cancelled); then writes in short transactions, new rows with one executemany per INSERT_CHUNK rows,
ON CONFLICT DO NOTHING on the outbox key.

Changes made in the app (a client's zone or quiet hours, a step) re-plan that client in their own
transaction (db.replanning.replan_in); this pass catches everything else (the practice's quiet hours
or daily cap after a restart, a plan that ended) before the sender runs, and also a change made
while this pass was between its reads and its writes."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import db
from core import schedule
from core import settings as settings_mod
from db import consent, outbox, replanning, step_versions
from db.clients import clients
from db.reminders import reminder_prefs
from sqlalchemy import select

log = logging.getLogger("anchorstep.planner")
HORIZON = schedule.HORIZON
INSERT_CHUNK = 1000  # outbox rows per write transaction


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


def run(now: datetime, cfg: settings_mod.Settings | None = None, *, horizon: timedelta = HORIZON,
        client_ids=None) -> int:
    """Plan reminders due in [now, now + horizon) for every reachable client and re-plan what is
    queued. Returns new rows."""
    cfg = cfg or settings_mod.load()
    with db.read() as conn:
        steps = step_versions.reminder_steps(conn, client_ids)
        queued = outbox.queued_in(conn, client_ids, now)
    by_client: dict[int, tuple[str, list[dict]]] = {}
    for s in steps:
        by_client.setdefault(s["client_id"], (s["timezone"], []))[1].append(s)
    active, prefs = _reachable(by_client, now)
    cancel, move, rows = [], [], []
    for client_id in by_client.keys() | queued.keys():
        mine = queued.get(client_id, [])
        # No active plan or client any more: nothing stays queued.
        change = schedule.replan(mine, [], now, now + horizon)
        if client_id in by_client:
            zone, client_steps = by_client[client_id]
            p = prefs.get(client_id)
            if client_id not in active or (p is not None and p["paused_at"] is not None):
                continue  # the sender's re-check holds these back
            try:
                change = replanning.replan_one(zone, client_steps, p, mine, now, cfg, horizon)
            except (ValueError, KeyError) as exc:
                log.warning("client %s: reminders not planned (%s)", client_id, type(exc).__name__)
                continue
        cancel += change.cancel
        move += change.move
        rows += outbox.planned_rows(client_id, change.add, now)
    if cancel or move:
        with db.write() as conn:
            for i in range(0, len(cancel), 500):
                outbox.cancel_many(conn, cancel[i:i + 500], now, reason=outbox.REPLANNED)
            outbox.move_in(conn, move, now)
    added = 0
    for i in range(0, len(rows), INSERT_CHUNK):  # short write transactions
        with db.write() as conn:
            added += outbox.insert_planned(conn, rows[i:i + INSERT_CHUNK])
    return added
