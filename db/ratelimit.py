"""Rate limits' hits, in the database so that every app replica counts the same ones (the rule and the
keys are core.ratelimit's).

One row per allowed hit: its source's kind, the source's keyed hash, and when. A source may make another
hit while fewer than `limit` of its rows are inside the window. Counting and recording must not interleave
between two replicas (both would see 19 and both record a 20th), so on PostgreSQL a transaction first
takes its sources' advisory locks; they are released at commit, once the new row is visible to the next
holder, and being transaction-level they also work behind Supabase's transaction pooler. On SQLite the
write transaction's lock (BEGIN IMMEDIATE) already serialises every writer, in every process.

Pruning rides on the writes: every hit recorded deletes a few rows that have left the window (anyone's),
so the table holds about one window's hits and needs no housekeeping job. The table has one window: a
rule with a longer one would need its own rows (a rule column) before it could share this pruning.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, func, insert, select

import db
from core import ratelimit, settings as settings_mod
from core.ratelimit import LINK_LOOKUPS, Rule
from db.tables import rate_limit_hits  # noqa: F401  (this module's table, re-exported)

PRUNE_PER_HIT = 4  # expired rows deleted by each recorded hit: more than one, so a backlog only shrinks
_LOCK_CLASS = 0x2A7E_0001  # pg_advisory_xact_lock(class, key): the two-number form, apart from other locks


def keys(sources: Iterable[str], rule: Rule = LINK_LOOKUPS) -> list[ratelimit.Key]:
    secret = settings_mod.cookie_key(settings_mod.load())
    return [ratelimit.key(rule, s, secret) for s in dict.fromkeys(sources)]


def _recent_in(conn, digests: list[str], now: datetime, rule: Rule) -> dict[str, int]:
    t = rate_limit_hits
    return dict(conn.execute(select(t.c.key_hash, func.count()).where(
        t.c.key_hash.in_(digests), t.c.at > rule.cutoff(now)).group_by(t.c.key_hash)).all())


def over(sources: Iterable[str], now: datetime, *, rule: Rule = LINK_LOOKUPS) -> bool:
    """Has any of these sources used up its hits inside the window? Looks only, records nothing: one
    indexed read (none without sources)."""
    ks = keys(sources, rule)
    if not ks:
        return False
    with db.read() as conn:
        recent = _recent_in(conn, [k.digest for k in ks], now, rule)
    return any(not rule.allows(n) for n in recent.values())


def record_in(conn, sources: Iterable[str], now: datetime, *, rule: Rule = LINK_LOOKUPS) -> list[str]:
    """Count one hit for each source, inside the caller's write transaction. Returns the kinds of the
    sources that were over their limit (their hit is refused and not recorded; the others' are)."""
    ks = keys(sources, rule)
    if not ks:
        return []
    for lock in sorted({_lock_id(k.digest) for k in ks}):  # one order everywhere: no deadlock
        db.xact_lock(conn, _LOCK_CLASS, lock)
    recent = _recent_in(conn, [k.digest for k in ks], now, rule)
    allowed = [k for k in ks if rule.allows(recent.get(k.digest, 0))]
    if allowed:
        conn.execute(insert(rate_limit_hits), [{"kind": k.kind, "key_hash": k.digest, "at": now} for k in allowed])
        _prune_in(conn, now, rule)
    return [k.kind for k in ks if k not in allowed]


def record(sources: Iterable[str], now: datetime, *, rule: Rule = LINK_LOOKUPS) -> list[str]:
    """`record_in` in its own transaction."""
    with db.write() as conn:
        return record_in(conn, sources, now, rule=rule)


def _prune_in(conn, now: datetime, rule: Rule) -> None:
    # Oldest first, so the `at` index is read and stops at once (without an order PostgreSQL may scan
    # the table for rows that are not there); SKIP LOCKED: two replicas pruning at once take different
    # rows instead of waiting for each other.
    t = rate_limit_hits
    old = (select(t.c.id).where(t.c.at <= rule.cutoff(now)).order_by(t.c.at).limit(PRUNE_PER_HIT)
           .with_for_update(skip_locked=True))
    conn.execute(delete(t).where(t.c.id.in_(old)))


def _lock_id(digest: str) -> int:
    """A signed 32-bit number from the key's hash (two keys sharing one only wait for each other)."""
    n = int(digest[:8], 16)
    return n - (1 << 32) if n >= 1 << 31 else n
