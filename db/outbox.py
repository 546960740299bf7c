"""The reminder outbox: one row per planned reminder, and every state it passes through.

States: due -> claimed -> sending -> sent; or -> failed (a dead letter, with the reason), expired
(older than its window), cancelled (consent withdrawn, client paused or discharged).

Delivery is *at most once*. A worker claims due rows in batches (one statement: an
`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)` on PostgreSQL, the same
compare-and-set `UPDATE … WHERE status='due'` under SQLite's write lock), each claim with a lease.
It then marks a small group of its claimed rows `sending` (at most REMINDER_SEND_BATCH) in one
committed transaction that first re-checks client status, consent and pause for that group, and
only then hands those rows to the email backend one by one. The outcomes of a group (sent with the
provider's id, retry, dead letter) are written in the transaction that marks the next group.

If a worker dies:
- rows still `claimed` were never handed to a backend: when their lease lapses the sweep puts them
  back to `due` and another pass sends them (nothing lost, nothing twice);
- rows marked `sending` may or may not have been handed over (the worker may have died before,
  during or after the provider call, or before their outcome was written), so when their lease
  lapses they become dead letters ("interrupted") that the clinician and admin see — never a
  second email. A duplicate reminder is worse than one the clinician can see was missed. The price
  of batching is that a crash turns up to REMINDER_SEND_BATCH rows (the current group) into such
  dead letters instead of one; REMINDER_SEND_BATCH=1 restores one row per transaction.
A worker that stops on purpose (SIGTERM, a refused API key) knows which rows it never handed over
and gives them straight back to `due`.
"""
from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Date, Integer, String, and_, bindparam, column, func, or_, select, update
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.dialects import postgresql, sqlite

import db
from db.meta import UTCDateTime
from db.tables import reminder_outbox  # noqa: F401  (this module's tables, re-exported)


OPEN = ("due", "claimed")  # not yet handed to a backend: may still be cancelled
# Why a queued reminder was cancelled by re-planning. Such a row may come back (moved to its new time)
# when a later change plans its step, day and slot again: the key is unique, so it cannot be re-added.
REPLANNED = "re-planned: the client's time zone, quiet hours or steps changed, or the plan is no longer active"
INSERT_PAGE = 16  # planned rows per INSERT statement (SQLite; PostgreSQL inserts from arrays)


def new_ref() -> str:
    return secrets.token_hex(16)


def planned_rows(client_id: int, items, now: datetime) -> list[dict]:
    return [{"ref": new_ref(), "client_id": client_id, "step_id": p.step_id, "local_date": p.local_date,
             "slot": p.slot, "due_at": p.due_at, "window_end": p.window_end, "next_attempt_at": p.due_at,
             "status": "due", "attempts": 0, "created_at": now, "updated_at": now} for p in items]


def insert_planned(conn, rows: list[dict]) -> int:
    """Insert planned rows (from `planned_rows`) in one statement (PostgreSQL: from arrays; SQLite: an
    executemany); a row whose (client, step, local date, slot) exists already is left alone. Returns
    how many were new."""
    if not rows:
        return 0
    if db.is_postgres(conn):
        return _insert_planned_pg(conn, rows)
    dialect = sqlite
    stmt = (dialect.insert(reminder_outbox)
            .on_conflict_do_nothing(index_elements=["client_id", "step_id", "local_date", "slot"])
            .returning(reminder_outbox.c.id))
    # Batched into multi-row INSERTs of INSERT_PAGE rows: few statements, each of them short.
    return len(conn.execute(stmt.execution_options(insertmanyvalues_page_size=INSERT_PAGE), rows).all())


# The planned rows' columns, as arrays for unnest() on PostgreSQL.
_PLANNED = (("ref", String), ("client_id", Integer), ("step_id", Integer), ("local_date", Date), ("slot", String),
            ("due_at", UTCDateTime()), ("window_end", UTCDateTime()), ("next_attempt_at", UTCDateTime()),
            ("status", String), ("attempts", Integer), ("created_at", UTCDateTime()), ("updated_at", UTCDateTime()))


def _insert_planned_pg(conn, rows: list[dict]) -> int:
    """insert_planned on PostgreSQL: one INSERT … SELECT FROM unnest(one array per column) ON CONFLICT
    DO NOTHING. One short statement whatever the number of rows (a multi-row VALUES statement is
    too long for psycopg to cache its conversion, so it was re-parsed for every page of rows)."""
    t = reminder_outbox
    v = func.unnest(*[db.array_param(f"p_{name}", type_) for name, type_ in _PLANNED]).table_valued(
        *[column(name, type_) for name, type_ in _PLANNED]).render_derived(name="v")
    stmt = (postgresql.insert(t).from_select([name for name, _ in _PLANNED], select(*[v.c[name] for name, _ in _PLANNED]))
            .on_conflict_do_nothing(index_elements=["client_id", "step_id", "local_date", "slot"])
            .returning(t.c.id))
    return len(conn.execute(stmt, {f"p_{name}": [r[name] for r in rows] for name, _ in _PLANNED}).all())


def add_planned(conn, client_id: int, items, now: datetime) -> int:
    """Insert one client's planned reminders; a row with the same (client, step, local date, slot) is
    left alone. Returns how many were new."""
    return insert_planned(conn, planned_rows(client_id, items, now))


def queued_in(conn, client_ids, now: datetime) -> dict[int, list[dict]]:
    """Per client, the reminders re-planning may change: not yet handed to a backend, or cancelled by
    an earlier re-planning while their window is still open."""
    t = reminder_outbox
    q = select(t.c.id, t.c.client_id, t.c.step_id, t.c.local_date, t.c.slot, t.c.due_at, t.c.status).where(
        or_(t.c.status.in_(OPEN), and_(t.c.status == "cancelled", t.c.reason == REPLANNED, t.c.window_end > now)))
    if client_ids is not None:
        q = q.where(db.one_of(conn, t.c.client_id, list(client_ids)))
    out: dict[int, list[dict]] = {}
    for r in conn.execute(q.order_by(t.c.id)).mappings():
        out.setdefault(r["client_id"], []).append(dict(r))
    return out


def move_in(conn, moves, now: datetime) -> int:
    """Give queued reminders their re-planned time inside the caller's transaction: [(outbox id,
    schedule.Planned)]. A claimed row goes back to due, so the worker holding it cannot send it (its
    claimed -> sending step is a compare-and-set)."""
    t = reminder_outbox
    changed = 0
    for oid, p in moves:
        changed += conn.execute(update(t).where(
            t.c.id == oid, or_(t.c.status.in_(OPEN), and_(t.c.status == "cancelled", t.c.reason == REPLANNED)))
            .values(status="due", due_at=p.due_at, next_attempt_at=p.due_at, window_end=p.window_end,
                    claimed_by=None, lease_until=None, reason=None, updated_at=now)).rowcount
    return changed


def claim(worker: str, now: datetime, *, limit: int, lease_seconds: int) -> list[int]:
    """Claim up to `limit` due rows for this worker in one transaction. On PostgreSQL other workers
    skip the locked rows (FOR UPDATE SKIP LOCKED); on SQLite the write lock (BEGIN IMMEDIATE)
    serialises claims; on both the WHERE status='due' makes the update a compare-and-set."""
    t = reminder_outbox
    lease = now + timedelta(seconds=lease_seconds)
    with db.write() as conn:
        pick = (select(t.c.id).where(t.c.status == "due", t.c.next_attempt_at <= now, t.c.window_end > now)
                .order_by(t.c.next_attempt_at, t.c.id).limit(limit))
        if db.is_postgres(conn):
            pick = pick.with_for_update(skip_locked=True)
        # Two statements, not UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED): with stale
        # statistics (a burst of new due rows) PostgreSQL planned that as a nested loop re-running the
        # locking subquery for every due row — 0.5 s a claim at 4,000 due rows. The picked rows stay
        # locked until this transaction ends, so the update below is still ours alone.
        ids = list(conn.execute(pick).scalars())
        if not ids:
            return []
        claimed = conn.execute(update(t).where(db.one_of(conn, t.c.id, ids), t.c.status == "due")
                               .values(status="claimed", claimed_by=worker, lease_until=lease, updated_at=now)
                               .returning(t.c.id)).scalars().all()
    return sorted(claimed)


def start_sending(conn, ids, worker: str, now: datetime, lease_until: datetime) -> list[dict]:
    """Compare-and-set claimed -> sending for a group (inside the caller's transaction, which has just
    re-checked the clients). Returns the rows that moved, with what sending needs; the others were
    cancelled or taken back meanwhile: do not send them."""
    if not ids:
        return []
    moved = conn.execute(_start_sending_stmt(db.is_postgres(conn)), {
        "b_ids": list(ids), "b_worker": worker, "b_lease": lease_until, "b_now": now}).mappings().all()
    return sorted((dict(r) for r in moved), key=lambda r: r["id"])


@functools.lru_cache(maxsize=None)
def _start_sending_stmt(postgres: bool):
    """start_sending's statement, built once (the worker runs it for every group)."""
    t = reminder_outbox
    return (update(t).where(db.one_of_param(t.c.id, "b_ids", postgres), t.c.status == "claimed",
                            t.c.claimed_by == bindparam("b_worker"))
            .values(status="sending", attempts=t.c.attempts + 1, lease_until=bindparam("b_lease", type_=UTCDateTime()),
                    updated_at=bindparam("b_now", type_=UTCDateTime()))
            .returning(t.c.id, t.c.client_id, t.c.ref, t.c.attempts, t.c.window_end))


# Outcomes written together: each kind is one executemany, guarded by compare-and-set
# (the row must still be ours and in the state we left it in).
_FINISH = {
    "sent": ("sending", {"status": "sent", "provider_id": bindparam("b_provider_id"), "reason": None}),
    "failed": ("sending", {"status": "failed", "reason": bindparam("b_reason")}),
    "retried": ("sending", {"status": "due", "next_attempt_at": bindparam("b_at"), "claimed_by": None,
                            "reason": bindparam("b_reason")}),
    "cancelled": ("sending", {"status": "cancelled", "reason": bindparam("b_reason")}),
}


def finish_many(conn, worker: str, now: datetime, outcomes: list[tuple[str, int, dict]]) -> int:
    """Record outcomes [(kind, outbox_id, values)] inside the caller's transaction; kind is sent
    (values: provider_id), failed (reason), retried (at, reason) or cancelled (reason, for a row
    marked sending that the last re-check stopped before it was handed over). Returns rows changed."""
    t = reminder_outbox
    changed = 0
    if db.is_postgres(conn):
        return _finish_many_pg(conn, worker, now, outcomes)
    for kind, (from_status, values) in _FINISH.items():
        params = [{"b_id": oid, "b_provider_id": str(v.get("provider_id", ""))[:200],
                   "b_reason": str(v.get("reason", ""))[:300], "b_at": v.get("at", now)}
                  for k, oid, v in outcomes if k == kind]
        if not params:
            continue
        stmt = (update(t).where(t.c.id == bindparam("b_id"), t.c.status == from_status, t.c.claimed_by == worker)
                .values(updated_at=now, lease_until=None, **values))
        if kind == "sent":
            stmt = stmt.values(sent_at=now)
        used = {"b_id"} | {b.key for b in values.values() if hasattr(b, "key")}
        res = conn.execute(stmt, [{k: p[k] for k in used} for p in params])
        changed += max(res.rowcount, 0)
    return changed


def _finish_many_pg(conn, worker: str, now: datetime, outcomes: list[tuple[str, int, dict]]) -> int:
    """finish_many on PostgreSQL: one UPDATE … FROM unnest(arrays) per kind of outcome, rather than an
    executemany of one UPDATE per row (the same compare-and-set, far less work on both sides)."""
    changed = 0
    for kind in _FINISH:
        mine = [(oid, v) for k, oid, v in outcomes if k == kind]
        if not mine:
            continue
        res = conn.execute(_finish_pg_stmt(kind), {
            "b_ids": [oid for oid, _ in mine], "b_worker": worker, "b_now": now,
            "b_provider_ids": [str(x.get("provider_id", ""))[:200] for _, x in mine],
            "b_reasons": [str(x.get("reason", ""))[:300] for _, x in mine],
            "b_ats": [x.get("at", now) for _, x in mine]})
        changed += max(res.rowcount, 0)
    return changed


@functools.lru_cache(maxsize=None)
def _finish_pg_stmt(kind: str):
    """The UPDATE … FROM unnest(…) for one kind of outcome, built once."""
    t = reminder_outbox
    from_status, values = _FINISH[kind]
    v = func.unnest(db.array_param("b_ids", Integer), db.array_param("b_provider_ids", String),
                    db.array_param("b_reasons", String), db.array_param("b_ats", UTCDateTime())
                    ).table_valued(column("id", Integer), column("provider_id", String), column("reason", String),
                                   column("at", UTCDateTime())).render_derived(name="v")
    given = {"b_provider_id": v.c.provider_id, "b_reason": v.c.reason, "b_at": v.c.at}
    now = bindparam("b_now", type_=UTCDateTime())
    stmt = (update(t).where(t.c.id == v.c.id, t.c.status == from_status, t.c.claimed_by == bindparam("b_worker"))
            .values(updated_at=now, lease_until=None,
                    **{k: given[b.key] if isinstance(b, BindParameter) else b for k, b in values.items()}))
    if kind == "sent":
        stmt = stmt.values(sent_at=now)
    return stmt


def release_many(conn, ids, worker: str, now: datetime, from_status: str = "claimed") -> int:
    """Give rows back untouched (never handed to a backend) inside the caller's transaction."""
    if not ids:
        return 0
    t = reminder_outbox
    return conn.execute(update(t).where(db.one_of(conn, t.c.id, ids), t.c.status == from_status, t.c.claimed_by == worker)
                        .values(status="due", claimed_by=None, lease_until=None, updated_at=now,
                                attempts=t.c.attempts - (1 if from_status == "sending" else 0))).rowcount


def cancel_many(conn, ids, now: datetime, reason: str) -> int:
    """Cancel open (due or claimed) rows inside the caller's transaction."""
    if not ids:
        return 0
    t = reminder_outbox
    return conn.execute(update(t).where(db.one_of(conn, t.c.id, ids), t.c.status.in_(OPEN))
                        .values(status="cancelled", reason=reason, lease_until=None, updated_at=now)).rowcount


def get(conn, outbox_id: int):
    return conn.execute(select(reminder_outbox).where(reminder_outbox.c.id == outbox_id)).mappings().first()


def cancel_client(conn, client_id: int, now: datetime, reason: str = "consent withdrawn") -> int:
    """Cancel every reminder of a client not yet handed to a backend (inside the caller's transaction)."""
    t = reminder_outbox
    return conn.execute(update(t).where(t.c.client_id == client_id, t.c.status.in_(OPEN))
                        .values(status="cancelled", reason=reason, lease_until=None, updated_at=now)).rowcount


def sweep(now: datetime) -> dict[str, int]:
    """Housekeeping each pass: stale reminders expire; lapsed claims go back to due; lapsed sends
    (the worker died while the backend had the message) become dead letters, never a second send."""
    t = reminder_outbox
    with db.write() as conn:
        expired = conn.execute(update(t).where(t.c.status == "due", t.c.window_end <= now).values(
            status="expired", reason="not sent within its window (the worker was down or retries ran out of time)",
            updated_at=now)).rowcount
        reclaimed = conn.execute(update(t).where(t.c.status == "claimed", t.c.lease_until <= now).values(
            status="due", claimed_by=None, lease_until=None, updated_at=now)).rowcount
        interrupted = conn.execute(update(t).where(t.c.status == "sending", t.c.lease_until <= now).values(
            status="failed", lease_until=None, updated_at=now,
            reason="interrupted while sending: it may or may not have arrived, so it was not sent again"
        )).rowcount
    return {"expired": expired, "reclaimed": reclaimed, "interrupted": interrupted}


def counts(conn) -> dict[str, int]:
    t = reminder_outbox
    return {s: n for s, n in conn.execute(select(t.c.status, func.count()).group_by(t.c.status))}


def recent_for_client(conn, client_id: int, *, statuses, limit: int = 20) -> list[dict]:
    t = reminder_outbox
    order = t.c.updated_at.desc()
    return [dict(r) for r in conn.execute(select(t).where(t.c.client_id == client_id, t.c.status.in_(statuses))
                                          .order_by(order, t.c.id.desc()).limit(limit)).mappings()]


def upcoming_for_client(conn, client_id: int, now: datetime, limit: int = 30) -> list[dict]:
    t = reminder_outbox
    return [dict(r) for r in conn.execute(select(t).where(t.c.client_id == client_id, t.c.status.in_(OPEN),
                                                          or_(t.c.window_end > now, and_(t.c.status == "claimed")))
                                          .order_by(t.c.due_at, t.c.id).limit(limit)).mappings()]
