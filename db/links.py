"""Client links: hashed tokens with a client, a purpose, an expiry and revocation.

Opening a link only *resolves* it (and audits the attempt); it changes nothing. Functions that act
on a submit call `resolve_in(conn, ...)` again inside their own transaction, so a link revoked a
moment ago (say, by withdrawal) cannot act.

Before any link works, `reachable` must pass: the client is active (or paused) and their consent
counts, unless the link is the consent link itself. Both facts are read by the resolving query, so
resolving a link is one round trip.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import Integer, String, bindparam, column, func, insert, select, update

import db
from core import i18n, tokens
from db import audit, consent_state, ratelimit
from db.actors import Actor
from db import clients as clients_mod
from db.clients import clients
from db.meta import UTCDateTime
from db.practices import practices
from db.tables import client_links  # noqa: F401  (this module's tables, re-exported)


@dataclass(frozen=True)
class Resolution:
    status: str  # "ok", "invalid" (missing, malformed, unknown, expired, revoked, wrong purpose) or "withdrawn"
    client_id: int | None = None
    practice_id: int | None = None
    link_id: int | None = None
    purpose: str | None = None
    timezone: str | None = None  # the client's, read with the link (callers need it for "today")
    language: str = i18n.SOURCE  # the client's pages' language (core.i18n.choose), read with the link

    @property
    def ok(self) -> bool:
        return self.status == "ok"


INVALID = Resolution("invalid")


def reachable(client_status: str, consent_counts: bool, purpose: str) -> bool:
    """May a link of this client's work at all? Discharged clients' links never do. The consent link
    must work before consent exists (it is how consent is given); every other link needs consent."""
    return client_status in ("active", "paused") and (purpose == "consent" or consent_counts)


def issue(conn, *, client_id: int, purpose: str, now: datetime, ttl_days: dict[str, float]) -> str:
    """Create a link inside the caller's transaction and return the raw token (to email, never to store)."""
    raw = tokens.new_token()
    conn.execute(insert(client_links).values(token_hash=tokens.digest(raw), client_id=client_id, purpose=purpose,
                                             created_at=now, expires_at=tokens.expiry(purpose, now, ttl_days)))
    return raw


def issue_many(conn, wanted: list[tuple[int, str]], *, now: datetime, ttl_days: dict[str, float]) -> list[str]:
    """`issue` for many (client_id, purpose) pairs in one statement (PostgreSQL: from arrays; SQLite:
    an executemany); the raw tokens, in order."""
    raws = [tokens.new_token() for _ in wanted]
    if wanted and db.is_postgres(conn):
        # One INSERT … SELECT FROM unnest(arrays): a fixed statement, rather than a row per link.
        expires = {purpose: tokens.expiry(purpose, now, ttl_days) for purpose in {p for _, p in wanted}}
        conn.execute(_issue_pg_stmt(), {
            "l_hashes": [tokens.digest(raw) for raw in raws], "l_clients": [client_id for client_id, _ in wanted],
            "l_purposes": [purpose for _, purpose in wanted], "l_now": now,
            "l_expires": [expires[purpose] for _, purpose in wanted]})
    elif wanted:
        conn.execute(insert(client_links), [
            {"token_hash": tokens.digest(raw), "client_id": client_id, "purpose": purpose, "created_at": now,
             "expires_at": tokens.expiry(purpose, now, ttl_days)} for raw, (client_id, purpose) in zip(raws, wanted)])
    return raws


@functools.lru_cache(maxsize=None)
def _issue_pg_stmt():
    """issue_many's INSERT on PostgreSQL, built once (the reminder worker runs it for every group)."""
    v = func.unnest(db.array_param("l_hashes", String), db.array_param("l_clients", Integer),
                    db.array_param("l_purposes", String), db.array_param("l_expires", UTCDateTime())
                    ).table_valued(column("token_hash", String), column("client_id", Integer),
                                   column("purpose", String), column("expires_at", UTCDateTime())).render_derived(name="v")
    return insert(client_links).from_select(
        ["token_hash", "client_id", "purpose", "created_at", "expires_at"],
        select(v.c.token_hash, v.c.client_id, v.c.purpose, bindparam("l_now", type_=UTCDateTime()), v.c.expires_at))


def issue_for(actor: Actor, client_id: int, purpose: str, *, now: datetime, ttl_days: dict[str, float]) -> str:
    """A clinician asks for a link for one of their clients (to copy or to email)."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        raw = issue(conn, client_id=client_id, purpose=purpose, now=now, ttl_days=ttl_days)
        audit.record(conn, now=now, action="link.issue", actor=actor, client_id=client_id, detail=f"{purpose} link")
    return raw


def issue_by_command(client_id: int, purpose: str, *, now: datetime, ttl_days: dict[str, float]) -> tuple[str, bool]:
    """`python -m db link`: an admin (or a deployment check) makes a link on the server's command line,
    audited like the portal's "make a link" with the command line as the actor. Returns the raw token
    and whether the link works now (`reachable`); raises db.NotFound for an unknown client."""
    with db.write() as conn:
        row = conn.execute(select(clients.c.practice_id, clients.c.status,
                                  consent_state.active_clause(clients.c.id, now).label("consent_counts"))
                           .where(clients.c.id == client_id)).first()
        if row is None:
            raise db.NotFound("client")
        raw = issue(conn, client_id=client_id, purpose=purpose, now=now, ttl_days=ttl_days)
        audit.record(conn, now=now, action="link.issue", actor_kind="system", actor_label="command line",
                     practice_id=row.practice_id, client_id=client_id, detail=f"{purpose} link")
    return raw, reachable(row.status, bool(row.consent_counts), purpose)


def resolve_in(conn, raw: object, now: datetime, *, purpose: str | None = None) -> Resolution:
    """What this token may do right now. `purpose`: the purpose the caller needs (None: any)."""
    if not tokens.well_formed(raw):
        return INVALID
    row = conn.execute(select(client_links, clients.c.practice_id, clients.c.timezone, clients.c.status,
                              clients.c.language.label("client_language"),
                              practices.c.language.label("practice_language"),
                              consent_state.active_clause(clients.c.id, now).label("consent_counts"))
                       .join(clients, clients.c.id == client_links.c.client_id)
                       .join(practices, practices.c.id == clients.c.practice_id)
                       .where(client_links.c.token_hash == tokens.digest(raw))).mappings().first()
    if row is None:
        return INVALID
    language = i18n.choose(row["client_language"], row["practice_language"])
    if row["revoked_at"] is not None:
        if row["revoked_reason"] == "withdrawn":
            return Resolution("withdrawn", row["client_id"], row["practice_id"], row["id"], row["purpose"],
                              language=language)
        return INVALID
    if now >= row["expires_at"] or (purpose is not None and row["purpose"] != purpose):
        return INVALID
    if not reachable(row["status"], bool(row["consent_counts"]), row["purpose"]):
        return INVALID
    return Resolution("ok", row["client_id"], row["practice_id"], row["id"], row["purpose"], row["timezone"], language)


def open_link(raw: object, now: datetime, *, limit_keys: list[str] | tuple[str, ...] = ()) -> Resolution:
    """A browser opened a link: resolve and audit the attempt (never the token). Changes nothing else.
    `limit_keys` ("session:…", "ip:…") are counted by the link-lookup limit (db.ratelimit, in the same
    transaction, so every replica counts them); once one is over its limit the link is not looked up,
    and the refusal is audited too (which kind of key, never the token or the key itself)."""
    with db.write() as conn:
        over = ratelimit.record_in(conn, limit_keys, now)
        if over:
            audit.record(conn, now=now, action="link.limited", actor_kind="client", actor_label="unknown link",
                         detail="too many link lookups from this " + " and ".join(
                             {"session": "browser session", "ip": "address"}.get(k, "source") for k in over))
            return INVALID
        res = resolve_in(conn, raw, now)
        audit.record(conn, now=now, action="link.open" if res.ok else "link.refused", actor_kind="client",
                     actor_id=res.client_id, actor_label="client" if res.client_id else "unknown link",
                     practice_id=res.practice_id, client_id=res.client_id,
                     detail=f"{res.purpose} link" if res.purpose else "")
    return res


def current(raw: object, now: datetime) -> Resolution:
    """What a link session's token may do right now (read-only, not audited: a client page resolves its
    cookie's token on every request; opening the link was audited by `open_link`)."""
    with db.read() as conn:
        return resolve_in(conn, raw, now)


def revoke_all(conn, client_id: int, now: datetime, *, reason: str, purposes: tuple[str, ...] | None = None) -> int:
    q = update(client_links).where(client_links.c.client_id == client_id, client_links.c.revoked_at.is_(None))
    if purposes:
        q = q.where(client_links.c.purpose.in_(purposes))
    return conn.execute(q.values(revoked_at=now, revoked_reason=reason)).rowcount


def revoke_for(actor: Actor, client_id: int, *, now: datetime) -> int:
    """A clinician revokes every open link of one client (e.g. a lost phone)."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        n = revoke_all(conn, client_id, now, reason="clinician")
        audit.record(conn, now=now, action="link.revoke", actor=actor, client_id=client_id, detail=f"{n} links revoked")
    return n


def deliver_audited(actor: Actor, client_id: int, made: dict, deliver: Callable[[dict], object], *, now: datetime,
                    what: str, then: Callable | None = None) -> None:
    """Hand a link's email to `deliver` outside any transaction (a slow mail server must not hold the
    database), then record the outcome: "email.failed" and the exception goes on, or "email.sent"
    with `then(conn)` (e.g. marking a consent round sent) in the same transaction."""
    try:
        deliver(made)
    except BaseException:
        with db.write() as conn:
            audit.record(conn, now=now, action="email.failed", actor=actor, client_id=client_id, detail=what)
        raise
    with db.write() as conn:
        if then is not None:
            then(conn)
        audit.record(conn, now=now, action="email.sent", actor=actor, client_id=client_id, detail=what)


def url(base: str, raw: str) -> str:
    """The address a client opens (and, for a preferences link, the one-click pause address). Links made
    before the client pages moved to /c/ were `BASE/?t=TOKEN`; those still work (client.web)."""
    return f"{base.rstrip('/')}/c/?t={raw}"

