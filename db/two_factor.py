"""Two-factor sign-in state: an account's authenticator secret (encrypted), its recovery codes (hashed),
the practice policy, and the code step of a login session. Rules are in core.two_factor; the step after
the password is decided where the login session is opened (db.signins.pending_after_password) and enforced
where sessions are read (db.signins.touch and resume_from_cookie); the code step itself is `complete` here.

Every setup, removal, reset, recovery-code use and failure writes an audit row, never a code or a secret.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update

import db
from core import signin as signin_rules, two_factor as rules
from db import audit, signins
from db.actors import Actor
from db.tables import clinicians, login_sessions, practices, recovery_codes

CODE, SETUP = signins.CODE, signins.SETUP

# Answers of the code step. Every failure gets the same words on the page (components.signin).
OK, EMPTY, MALFORMED, REFUSED = "ok", "empty", "malformed", "refused"


def _actor(row) -> Actor:
    return Actor(clinician_id=row["id"], practice_id=row["practice_id"], role=row["role"],
                 username=row["username"], display_name=row["display_name"])


def _session_account(conn, sid: str, pending: str):
    return conn.execute(select(clinicians, login_sessions.c.pending)
                        .join(login_sessions, login_sessions.c.clinician_id == clinicians.c.id)
                        .where(login_sessions.c.id_hash == sid, login_sessions.c.ended_at.is_(None),
                               login_sessions.c.pending == pending, clinicians.c.active.is_(True))).mappings().first()


def pending_actor(sid: str, pending: str) -> Actor | None:
    """Who a login session belongs to while `pending` is owed (the setup step needs their username)."""
    with db.read() as conn:
        row = _session_account(conn, sid, pending)
    return _actor(row) if row else None


@dataclass(frozen=True)
class Status:
    enabled: bool
    since: datetime | None
    codes_left: int
    required: bool  # by the practice policy or an admin's reset


def status_for(actor: Actor) -> Status:
    with db.read() as conn:
        row = conn.execute(select(clinicians.c.totp_secret, clinicians.c.two_factor_since,
                                  clinicians.c.two_factor_setup_required, practices.c.require_two_factor)
                           .join(practices, practices.c.id == clinicians.c.practice_id)
                           .where(clinicians.c.id == actor.clinician_id)).mappings().one()
        left = conn.execute(select(func.count()).select_from(recovery_codes).where(
            recovery_codes.c.clinician_id == actor.clinician_id, recovery_codes.c.used_at.is_(None))).scalar_one()
    return Status(bool(row["totp_secret"]), row["two_factor_since"], left,
                  bool(row["require_two_factor"] or row["two_factor_setup_required"]))


def _new_codes(conn, clinician_id: int, now: datetime) -> list[str]:
    codes = rules.new_recovery_codes()
    conn.execute(delete(recovery_codes).where(recovery_codes.c.clinician_id == clinician_id))
    conn.execute(insert(recovery_codes), [{"clinician_id": clinician_id, "code_hash": rules.recovery_hash(c),
                                           "created_at": now} for c in codes])
    return codes


def enable(actor: Actor, secret: str, typed_code: object, *, now: datetime, keys: str,
           keep_session: str | None) -> tuple[list[str] | None, str | None]:
    """Turn two-factor on with a secret the person's app now holds, proved by one code from it.
    Returns (the ten recovery codes to show once, None) or (None, a calm message). Every other login
    session of the account ends (they signed in without the second factor); `keep_session`, the one this
    was done from, carries on with nothing pending."""
    entry = rules.read_entry(typed_code)
    if entry.kind != "totp":
        return None, "Please enter the six digits your authenticator app shows now."
    step = rules.match_step(secret, entry.value, now)
    if step is None:
        with db.write() as conn:
            audit.record(conn, now=now, action="two_factor.setup_failure", actor=actor,
                         detail="the confirming code did not match")
        return None, ("That code didn't match. Check that the app added the key above and that your phone sets "
                      "its time automatically, then enter the code it shows now.")
    stored = rules.encrypt(secret, keys)
    with db.write() as conn:
        conn.execute(update(clinicians).where(clinicians.c.id == actor.clinician_id).values(
            totp_secret=stored, totp_last_step=step, two_factor_since=now, two_factor_setup_required=False))
        codes = _new_codes(conn, actor.clinician_id, now)
        q = update(login_sessions).where(login_sessions.c.clinician_id == actor.clinician_id,
                                         login_sessions.c.ended_at.is_(None))
        if keep_session is not None:
            q = q.where(login_sessions.c.id_hash != keep_session)
        conn.execute(q.values(ended_at=now, end_reason="two_factor"))
        if keep_session is not None:
            conn.execute(update(login_sessions).where(login_sessions.c.id_hash == keep_session,
                                                      login_sessions.c.clinician_id == actor.clinician_id)
                         .values(pending=None))
        audit.record(conn, now=now, action="two_factor.setup", actor=actor,
                     detail=f"authenticator set up; {len(codes)} recovery codes issued")
    return codes, None


def _check_code_in(conn, account, entry: rules.Entry, now: datetime, keys: str) -> bool:
    """True when `entry` is a code this account has not used before: an authenticator code of a time step
    later than the last one accepted, or an unused recovery code (which is used up). Inside the caller's
    transaction, so two tabs sending the same code accept it once."""
    if entry.kind == "totp" and account["totp_secret"]:
        try:
            secret = rules.decrypt(account["totp_secret"], keys)
        except rules.SecretKeyError:
            audit.record(conn, now=now, action="two_factor.key_error", actor_kind="system",
                         actor_label=account["username"], practice_id=account["practice_id"],
                         detail="TWO_FACTOR_KEYS cannot read this account's secret")
            return False
        step = rules.match_step(secret, entry.value, now)
        if step is None:
            return False
        c = clinicians.c
        return conn.execute(update(clinicians).where(
            c.id == account["id"], (c.totp_last_step.is_(None)) | (c.totp_last_step < step))
            .values(totp_last_step=step)).rowcount == 1
    if entry.kind == "recovery":
        used = conn.execute(update(recovery_codes).where(
            recovery_codes.c.clinician_id == account["id"], recovery_codes.c.code_hash == rules.recovery_hash(entry.value),
            recovery_codes.c.used_at.is_(None)).values(used_at=now)).rowcount == 1
        if used:
            left = conn.execute(select(func.count()).select_from(recovery_codes).where(
                recovery_codes.c.clinician_id == account["id"], recovery_codes.c.used_at.is_(None))).scalar_one()
            audit.record(conn, now=now, action="two_factor.recovery_code_used", actor=_actor(account),
                         detail=f"{left} recovery codes left")
        return used
    return False


def complete(sid: str, typed: object, *, now: datetime, keys: str, threshold: int, minutes: int) -> str:
    """The code step of a sign-in. OK clears what the session owed; EMPTY and MALFORMED (nothing that could
    be a code) are not attempts; REFUSED is a failed attempt (a wrong, replayed or used-up code, or an
    account locked by failures, which count toward the same lockout as wrong passwords)."""
    entry = rules.read_entry(typed)
    if entry.kind == "empty":
        return EMPTY
    if entry.kind == "malformed":
        return MALFORMED
    with db.write() as conn:
        account = _session_account(conn, sid, CODE)
        if account is None:
            return REFUSED
        if signin_rules.is_locked(account["locked_until"], now):
            audit.record(conn, now=now, action="signin.locked", actor_kind="anonymous",
                         actor_label=account["username"], practice_id=account["practice_id"],
                         detail="code step while locked")
            return REFUSED
        if _check_code_in(conn, account, entry, now, keys):
            conn.execute(update(clinicians).where(clinicians.c.id == account["id"])
                         .values(failed_logins=0, locked_until=None))
            conn.execute(update(login_sessions).where(login_sessions.c.id_hash == sid).values(pending=None,
                                                                                                 last_seen_at=now))
            audit.record(conn, now=now, action="two_factor.success", actor=_actor(account),
                         detail="recovery code" if entry.kind == "recovery" else "authenticator code")
            return OK
        signins.count_failure_in(conn, account, now, threshold=threshold, minutes=minutes,
                                 action="two_factor.failure")
    return REFUSED


def confirm_own(actor: Actor, typed: object, *, now: datetime, keys: str) -> bool:
    """A signed-in person proves they still hold their second factor (to change it)."""
    entry = rules.read_entry(typed)
    with db.write() as conn:
        account = conn.execute(select(clinicians).where(clinicians.c.id == actor.clinician_id)).mappings().one()
        ok = _check_code_in(conn, account, entry, now, keys)
        if not ok:
            audit.record(conn, now=now, action="two_factor.failure", actor=actor, detail="on My account")
    return ok


def new_recovery_codes(actor: Actor, typed: object, *, now: datetime, keys: str) -> list[str] | None:
    """Replace the recovery codes (the old ones stop working); needs a current code."""
    if not confirm_own(actor, typed, now=now, keys=keys):
        return None
    with db.write() as conn:
        codes = _new_codes(conn, actor.clinician_id, now)
        audit.record(conn, now=now, action="two_factor.recovery_codes", actor=actor,
                     detail=f"{len(codes)} new recovery codes issued")
    return codes


def _clear_in(conn, clinician_id: int, *, setup_required: bool) -> None:
    conn.execute(update(clinicians).where(clinicians.c.id == clinician_id).values(
        totp_secret=None, totp_last_step=None, two_factor_since=None, two_factor_setup_required=setup_required))
    conn.execute(delete(recovery_codes).where(recovery_codes.c.clinician_id == clinician_id))


def turn_off_own(actor: Actor, typed: object, *, now: datetime, keys: str) -> str | None:
    """Remove your own second factor (needs a current code). Refused while the practice requires it.
    Returns a calm message, or None when done."""
    if status_for(actor).required:
        return "Your practice requires two-factor sign-in, so it stays on."
    if not confirm_own(actor, typed, now=now, keys=keys):
        return "That code didn't work. Enter the code your app shows now, or a recovery code."
    with db.write() as conn:
        _clear_in(conn, actor.clinician_id, setup_required=False)
        audit.record(conn, now=now, action="two_factor.removed", actor=actor, detail="removed by its owner")
    return None


SELF_RESET = ("You can't reset your own second factor here. Another admin can; if you are the only admin, "
              "the server's operator can run: python -m db reset-2fa USERNAME")


def reset(actor: Actor, clinician_id: int, *, now: datetime) -> None:
    """An admin resets a colleague's second factor (a lost phone): the secret and recovery codes go, every
    session of theirs ends, and their next sign-in asks for a new setup. Never one's own (SELF_RESET)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can reset two-factor sign-in.")
    if clinician_id == actor.clinician_id:
        raise ValueError(SELF_RESET)
    with db.write() as conn:
        n = conn.execute(select(func.count()).select_from(clinicians).where(
            clinicians.c.id == clinician_id, clinicians.c.practice_id == actor.practice_id)).scalar_one()
        if n != 1:
            raise db.NotFound("clinician")
        _clear_in(conn, clinician_id, setup_required=True)
        signins.end_all_in(conn, clinician_id, now=now, reason="two_factor_reset")
        audit.record(conn, now=now, action="two_factor.reset", actor=actor,
                     detail=f"second factor reset for clinician {clinician_id}")


def reset_by_username(username: str, *, now: datetime) -> None:
    """The server operator's recovery (`python -m db reset-2fa USERNAME`) when no other admin can."""
    with db.write() as conn:
        row = conn.execute(select(clinicians.c.id, clinicians.c.practice_id)
                           .where(clinicians.c.username == username)).first()
        if row is None:
            raise db.NotFound("clinician")
        _clear_in(conn, row.id, setup_required=True)
        signins.end_all_in(conn, row.id, now=now, reason="two_factor_reset")
        audit.record(conn, now=now, action="two_factor.reset", actor_kind="system", actor_label="command line",
                     practice_id=row.practice_id, detail=f"second factor reset for {username}")


def set_policy(actor: Actor, required: bool, *, now: datetime) -> None:
    """The practice requires (or stops requiring) two-factor for everyone. Turning it on sends every open
    session of an account without it to the setup step at its next page (and its re-login cookie stops
    working), so nobody keeps working past the policy."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change practice settings.")
    with db.write() as conn:
        before = conn.execute(select(practices.c.require_two_factor)
                              .where(practices.c.id == actor.practice_id)).scalar_one()
        if bool(before) == bool(required):
            return
        conn.execute(update(practices).where(practices.c.id == actor.practice_id)
                     .values(require_two_factor=bool(required)))
        if required:
            without = select(clinicians.c.id).where(clinicians.c.practice_id == actor.practice_id,
                                                    clinicians.c.totp_secret.is_(None))
            conn.execute(update(login_sessions).where(login_sessions.c.clinician_id.in_(without),
                                                      login_sessions.c.ended_at.is_(None))
                         .values(pending=SETUP))
        audit.record(conn, now=now, action="two_factor.policy", actor=actor,
                     detail="two-factor required for everyone" if required else "two-factor optional")


def accounts(actor: Actor) -> list[dict]:
    """For admins: each active account of the practice and whether it has two-factor on."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can see this.")
    with db.read() as conn:
        rows = conn.execute(select(clinicians.c.id, clinicians.c.username, clinicians.c.display_name,
                                   clinicians.c.role, clinicians.c.two_factor_since,
                                   clinicians.c.two_factor_setup_required)
                            .where(clinicians.c.practice_id == actor.practice_id, clinicians.c.active.is_(True))
                            .order_by(clinicians.c.display_name)).mappings().all()
    return [dict(r) for r in rows]
