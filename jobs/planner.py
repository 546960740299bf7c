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
while this pass was between its reads and its writes.

Several workers: on PostgreSQL a whole-practice pass runs only while it holds a transaction advisory
lock (pg_try_advisory_xact_lock, on a connection of its own for the pass); a worker that finds
another one planning skips planning this pass and goes on to send. Every worker used to plan the
same reminders at once (the outbox key kept that safe, but four workers did the work four times
over on two CPUs). The lock goes with its transaction, so a worker that dies mid-plan frees it, and
a transaction pooler (Supabase) keeps it, since it pins the transaction to one server connection.
SQLite's write lock serialises writers already: there every pass plans."""
from __future__ import annotations

import logging
from contextlib import contextmanager
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
PLAN_LOCK = 0x5E4D_A1A2  # pg_try_advisory_xact_lock key: one whole-practice planning pass at a time


@contextmanager
def _planning_turn():
    """True while this process may plan the whole practice: on PostgreSQL, no other worker holds the
    planning lock (it is held here until the block ends); on SQLite always."""
    eng = db.engine()
    if not db.is_postgres(eng):
        yield True
        return
    with eng.connect() as conn, conn.begin():
        yield db.xact_lock(conn, PLAN_LOCK, wait=False)


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
    queued. Returns new rows. With `client_ids` None (the worker's pass) on PostgreSQL: 0 without
    planning when another worker is planning now (see the module docstring)."""
    cfg = cfg or settings_mod.load()
    if client_ids is None:
        with _planning_turn() as mine:
            return _run(now, cfg, horizon, None) if mine else 0
    return _run(now, cfg, horizon, client_ids)


def _run(now: datetime, cfg: settings_mod.Settings, horizon: timedelta, client_ids) -> int:
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
