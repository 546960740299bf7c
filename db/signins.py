"""Server-side sign-in state: failed attempts and lockout, and login sessions.

streamlit-authenticator keeps its counters in a dict rebuilt every run, and its re-login cookie is
a JWT the server cannot revoke. So the real state lives here: a login session row per sign-in,
touched on every run (idle timeout), ended by sign-out or a password change; the cookie is honoured
only while the row it was issued with is alive.

One login session, many tabs: the re-login cookie belongs to the sign-in that wrote it, and every tab
it opens continues that same login session under the same key. So sign-out in any tab ends it for
all of them and makes the cookie useless. The key lives only in the server's memory of each tab
(Streamlit's session state) and is never sent to a browser; the browser holds only the cookie.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

import db
from core import signin
from db import audit
from db.actors import Actor
from db.tables import clinicians, practices
from db.tables import login_sessions  # noqa: F401  (this module's tables, re-exported)


UNKNOWN = "(unknown username)"


def _account(conn, username: str):
    return conn.execute(select(clinicians).where(clinicians.c.username == username,
                                                 clinicians.c.active.is_(True))).mappings().first()


def _actor(row) -> Actor:
    return Actor(clinician_id=row["id"], practice_id=row["practice_id"], role=row["role"],
                 username=row["username"], display_name=row["display_name"])


def is_locked(username: str, now: datetime) -> bool:
    with db.read() as conn:
        row = _account(conn, username)
    return bool(row) and signin.is_locked(row["locked_until"], now)


def record_refused_while_locked(username: str, now: datetime) -> None:
    with db.write() as conn:
        row = _account(conn, username)
        audit.record(conn, now=now, action="signin.locked", actor_kind="anonymous",
                     actor_label=username if row else UNKNOWN, practice_id=row["practice_id"] if row else None)


def record_failure(username: str, now: datetime, *, threshold: int, minutes: int) -> bool:
    """Count a failed sign-in. Returns True when this failure locked the account."""
    with db.write() as conn:
        row = _account(conn, username)
        if row is None:
            audit.record(conn, now=now, action="signin.failure", actor_kind="anonymous", actor_label=UNKNOWN)
            return False
        return count_failure_in(conn, row, now, threshold=threshold, minutes=minutes)


def count_failure_in(conn, row, now: datetime, *, threshold: int, minutes: int, action: str = "signin.failure") -> bool:
    """One failed attempt on an account (a wrong password, or a wrong second-factor code: both count toward
    the same lockout). Returns True when it locked the account."""
    outcome = signin.after_failure(row["failed_logins"], now, threshold=threshold, minutes=minutes)
    conn.execute(update(clinicians).where(clinicians.c.id == row["id"]).values(
        failed_logins=outcome.failed_count, locked_until=outcome.locked_until))
    audit.record(conn, now=now, action=action, actor_kind="anonymous", actor_label=row["username"],
                 practice_id=row["practice_id"])
    if outcome.just_locked:
        audit.record(conn, now=now, action="account.locked", actor_kind="system", actor_label=row["username"],
                     practice_id=row["practice_id"], detail=f"locked for {minutes} minutes after {threshold} failures")
    return outcome.just_locked


CODE = "code"    # login_sessions.pending: the password was right; the second-factor code is owed
SETUP = "setup"  # the password was right; the policy (or an admin's reset) asks for a two-factor setup first


def pending_after_password(conn, account) -> str | None:
    """What a correct password still owes: the code if the account has an authenticator; a setup if the
    practice requires two-factor or an admin's reset asked for one; else nothing (core.two_factor)."""
    if account["totp_secret"]:
        return CODE
    if account["two_factor_setup_required"]:
        return SETUP
    required = conn.execute(select(practices.c.require_two_factor)
                            .where(practices.c.id == account["practice_id"])).scalar()
    return SETUP if required else None


def start_session(username: str, now: datetime) -> tuple[str, Actor]:
    """A correct password: reset the failure count, open a login session, audit it. Returns its key.
    The session may still owe a second-factor step (`pending`); until then it opens nothing."""
    sid = secrets.token_hex(32)
    with db.write() as conn:
        row = _account(conn, username)
        if row is None:
            raise db.NotFound("clinician")
        conn.execute(update(clinicians).where(clinicians.c.id == row["id"]).values(failed_logins=0, locked_until=None))
        pending = pending_after_password(conn, row)
        conn.execute(insert(login_sessions).values(id_hash=sid, clinician_id=row["id"], started_at=now,
                                                   last_seen_at=now, pending=pending))
        audit.record(conn, now=now, action="signin.password" if pending else "signin.success", actor=_actor(row),
                     detail=f"password correct; {pending} step next" if pending else "")
    return sid, _actor(row)


def bind_cookie(sid: str, cookie_exp: float | None) -> None:
    with db.write() as conn:
        conn.execute(update(login_sessions).where(login_sessions.c.id_hash == sid).values(cookie_exp=cookie_exp))


def resume_from_cookie(username: str, cookie_exp: float, now: datetime, *, idle_minutes: int) -> str | None:
    """A new tab presented a valid-looking re-login cookie. Honour it only if the login session it was
    issued with is still open and not idle; then the tab continues that login session: its key is returned."""
    with db.write() as conn:
        row = _account(conn, username)
        found = None
        if row is not None and cookie_exp is not None:
            found = conn.execute(select(login_sessions).where(
                login_sessions.c.clinician_id == row["id"], login_sessions.c.cookie_exp == cookie_exp,
                login_sessions.c.ended_at.is_(None))).mappings().first()
        if found is not None and found["pending"] is not None:
            # A cookie written after the password alone opens nothing: the second step is still owed.
            audit.record(conn, now=now, action="session.cookie_refused", actor_kind="anonymous",
                         actor_label=username, practice_id=row["practice_id"], detail=f"{found['pending']} step not done")
            return None
        if found is None or signin.is_idle_expired(found["last_seen_at"], now, idle_minutes=idle_minutes) \
                or signin.is_locked(row["locked_until"], now):
            if found is not None:
                conn.execute(update(login_sessions).where(login_sessions.c.id_hash == found["id_hash"])
                             .values(ended_at=now, end_reason="idle"))
            audit.record(conn, now=now, action="session.cookie_refused", actor_kind="anonymous",
                         actor_label=username if row else UNKNOWN, practice_id=row["practice_id"] if row else None)
            return None
        conn.execute(update(login_sessions).where(login_sessions.c.id_hash == found["id_hash"])
                     .values(last_seen_at=now))
        audit.record(conn, now=now, action="signin.success", actor=_actor(row), detail="re-login cookie")
    return found["id_hash"]


TOUCH_EVERY = timedelta(seconds=15)  # last_seen_at is written at most this often (idle time: ±15 s of 30 min)


def touch(sid: str, now: datetime, *, idle_minutes: int) -> tuple[Actor | None, str | None]:
    """Every run of a signed-in page: (actor, None) if the session is alive, else (None, reason); the reason
    is CODE or SETUP for a live session that still owes its second-factor step.
    The common case (a live session seen in the last 15 s) is one read: a page's reruns come in bursts."""
    with db.read() as conn:
        s = conn.execute(select(login_sessions.c.last_seen_at, login_sessions.c.ended_at, login_sessions.c.pending,
                                clinicians.c.id, clinicians.c.practice_id, clinicians.c.role, clinicians.c.username,
                                clinicians.c.display_name, clinicians.c.active)
                         .join(clinicians, clinicians.c.id == login_sessions.c.clinician_id)
                         .where(login_sessions.c.id_hash == sid)).mappings().first()
    if (s is not None and s["ended_at"] is None and s["active"] and s["pending"] is None
            and timedelta(0) <= now - s["last_seen_at"] < TOUCH_EVERY):
        return _actor(s), None
    with db.write() as conn:
        s = conn.execute(select(login_sessions).where(login_sessions.c.id_hash == sid)).mappings().first()
        if s is None:
            return None, "unknown"
        if s["ended_at"] is not None:
            return None, s["end_reason"] or "ended"
        row = conn.execute(select(clinicians).where(clinicians.c.id == s["clinician_id"])).mappings().first()
        if row is None or not row["active"]:
            conn.execute(update(login_sessions).where(login_sessions.c.id_hash == s["id_hash"])
                         .values(ended_at=now, end_reason="deactivated"))
            return None, "deactivated"
        if signin.is_idle_expired(s["last_seen_at"], now, idle_minutes=idle_minutes):
            conn.execute(update(login_sessions).where(login_sessions.c.id_hash == s["id_hash"])
                         .values(ended_at=now, end_reason="idle"))
            audit.record(conn, now=now, action="session.idle_timeout", actor=_actor(row),
                         detail=f"no activity for {idle_minutes} minutes")
            return None, "idle"
        conn.execute(update(login_sessions).where(login_sessions.c.id_hash == s["id_hash"]).values(last_seen_at=now))
        if s["pending"] is not None:
            return None, s["pending"]  # alive, but owes a second-factor step (CODE or SETUP): nothing opens
        return _actor(row), None


def end(sid: str, now: datetime, *, reason: str = "signout") -> None:
    """Sign-out from any tab ends the login session of every tab sharing it, once (one audit row)."""
    with db.write() as conn:
        s = conn.execute(select(login_sessions).where(login_sessions.c.id_hash == sid,
                                                      login_sessions.c.ended_at.is_(None))).mappings().first()
        if s is None:
            return
        conn.execute(update(login_sessions).where(login_sessions.c.id_hash == s["id_hash"])
                     .values(ended_at=now, end_reason=reason))
        row = conn.execute(select(clinicians).where(clinicians.c.id == s["clinician_id"])).mappings().first()
        audit.record(conn, now=now, action="signout", actor=_actor(row))


def end_all_in(conn, clinician_id: int, *, now: datetime, reason: str, keep: str | None = None) -> int:
    """End every open login session of an account (and so every re-login cookie it issued), except
    the one whose key is `keep`. Returns how many ended."""
    q = update(login_sessions).where(login_sessions.c.clinician_id == clinician_id, login_sessions.c.ended_at.is_(None))
    if keep is not None:
        q = q.where(login_sessions.c.id_hash != keep)
    return conn.execute(q.values(ended_at=now, end_reason=reason)).rowcount


def open_count(clinician_id: int) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(login_sessions).where(
            login_sessions.c.clinician_id == clinician_id, login_sessions.c.ended_at.is_(None))).scalar_one()
