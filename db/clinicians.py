"""Clinicians and admins: accounts, roles, password hashes and lockout state."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, insert, select, update

import db
from core import passwords
from core.clients import clean_email, clean_name
from db import audit, signins, staff_outbox
from db.actors import Actor
from db.tables import clinicians  # noqa: F401  (this module's tables, re-exported)

ROLES = ("admin", "clinician")


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def clean_username(raw: str) -> tuple[str, str | None]:
    name = str(raw or "").strip().lower()
    if not _USERNAME.match(name):
        return name, "Usernames are 2–64 lower-case letters, digits, dots, dashes or underscores."
    return name, None


def validate_new(form: dict) -> tuple[dict, dict[str, str]]:
    clean, errors = {}, {}
    clean["username"], err = clean_username(form.get("username", ""))
    if err:
        errors["username"] = err
    clean["display_name"], err = clean_name(form.get("display_name", ""))
    if err:
        errors["display_name"] = err
    clean["email"], err = clean_email(form.get("email", ""))
    if err:
        errors["email"] = err
    clean["role"] = str(form.get("role") or "clinician")
    if clean["role"] not in ROLES:
        errors["role"] = "Choose admin or clinician."
    pw = form.get("password") or ""
    bad = passwords.problems(pw, username=clean["username"])
    if bad:
        errors["password"] = " ".join(bad)
    return clean, errors


def insert_row(conn, *, practice_id: int, username: str, display_name: str, email: str, role: str,
               password: str, now: datetime, rounds: int = 12, password_hash: str | None = None) -> int:
    exists = conn.execute(select(clinicians.c.id).where(clinicians.c.username == username)).first()
    if exists:
        raise ValueError("That username is taken; please choose another.")
    return conn.execute(insert(clinicians).values(
        practice_id=practice_id, username=username, display_name=display_name, email=email, role=role,
        password_hash=password_hash or passwords.hash_password(password, rounds), active=True, failed_logins=0,
        password_changed_at=now, created_at=now)).inserted_primary_key[0]


def create(actor: Actor, form: dict, *, now: datetime, rounds: int = 12) -> tuple[int | None, dict[str, str]]:
    """Admin adds a clinician to their own practice. Returns (id, errors)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can add clinicians.")
    clean, errors = validate_new(form)
    if errors:
        return None, errors
    with db.write() as conn:
        try:
            new_id = insert_row(conn, practice_id=actor.practice_id, now=now, rounds=rounds,
                                password=form["password"], **clean)
        except ValueError as exc:
            return None, {"username": str(exc)}
        audit.record(conn, now=now, action="clinician.create", actor=actor, detail=f"{clean['username']} ({clean['role']})")
    return new_id, {}


def list_for(actor: Actor, *, include_inactive: bool = True) -> list[dict]:
    """Colleagues in the actor's practice (names only for clinicians; everything for admins)."""
    c = clinicians
    cols = [c.c.id, c.c.username, c.c.display_name, c.c.role, c.c.active]
    if actor.is_admin:
        cols += [c.c.email, c.c.locked_until, c.c.failed_logins, c.c.created_at, c.c.two_factor_since]
    q = select(*cols).where(c.c.practice_id == actor.practice_id).order_by(c.c.display_name)
    if not include_inactive:
        q = q.where(c.c.active.is_(True))
    with db.read() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def set_active(actor: Actor, clinician_id: int, active: bool, *, now: datetime) -> None:
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change accounts.")
    if clinician_id == actor.clinician_id and not active:
        raise ValueError("You can't deactivate your own account.")
    with db.write() as conn:
        n = conn.execute(update(clinicians).where(clinicians.c.id == clinician_id,
                                                  clinicians.c.practice_id == actor.practice_id)
                         .values(active=active)).rowcount
        if n != 1:
            raise db.NotFound("clinician")
        if not active:
            signins.end_all_in(conn, clinician_id, now=now, reason="deactivated")
        audit.record(conn, now=now, action="clinician.update", actor=actor,
                     detail=f"clinician {clinician_id} {'activated' if active else 'deactivated'}")


def unlock(actor: Actor, clinician_id: int, *, now: datetime) -> None:
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can unlock accounts.")
    with db.write() as conn:
        n = conn.execute(update(clinicians).where(clinicians.c.id == clinician_id,
                                                  clinicians.c.practice_id == actor.practice_id)
                         .values(locked_until=None, failed_logins=0)).rowcount
        if n != 1:
            raise db.NotFound("clinician")
        audit.record(conn, now=now, action="clinician.unlock", actor=actor, detail=f"clinician {clinician_id}")


def reset_password(actor: Actor, clinician_id: int, new: str, *, now: datetime, rounds: int = 12) -> dict[str, str]:
    """An admin sets a new password for a colleague (who forgot theirs); it also clears a lockout
    and ends the colleague's open sessions."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can reset passwords.")
    with db.write() as conn:
        row = conn.execute(select(clinicians.c.username).where(clinicians.c.id == clinician_id,
                                                               clinicians.c.practice_id == actor.practice_id)).first()
        if row is None:
            raise db.NotFound("clinician")
        bad = passwords.problems(new, username=row.username)
        if bad:
            return {"password": " ".join(bad)}
        set_password_in(conn, clinician_id, new, now=now, rounds=rounds)
        audit.record(conn, now=now, action="clinician.password", actor=actor, detail=f"password reset for clinician {clinician_id}")
    return {}


def set_password_in(conn, clinician_id: int, new: str, *, now: datetime, rounds: int,
                    keep_session: str | None = None) -> None:
    """Every password change goes through here (own change, admin reset, command line): store the new
    hash, clear a lockout, and end every login session of the account (so every re-login cookie it
    issued is useless) except `keep_session`, the one that changed its own password."""
    conn.execute(update(clinicians).where(clinicians.c.id == clinician_id).values(
        password_hash=passwords.hash_password(new, rounds), password_changed_at=now, locked_until=None,
        failed_logins=0))
    signins.end_all_in(conn, clinician_id, now=now, reason="password", keep=keep_session)


def change_password(actor: Actor, current: str, new: str, *, now: datetime, keep_session: str | None,
                    rounds: int = 12) -> dict[str, str]:
    """The signed-in person changes their own password; every other session of theirs is ended.
    `keep_session` is the key of the login session they changed it from, which stays signed in."""
    with db.read() as conn:
        stored = conn.execute(select(clinicians.c.password_hash).where(clinicians.c.id == actor.clinician_id)).scalar_one()
    if not passwords.verify(current, stored):
        return {"current": "That isn't your current password."}
    bad = passwords.problems(new, username=actor.username)
    if bad:
        return {"new": " ".join(bad)}
    with db.write() as conn:
        set_password_in(conn, actor.clinician_id, new, now=now, rounds=rounds, keep_session=keep_session)
        audit.record(conn, now=now, action="clinician.password", actor=actor, detail="own password changed")
    return {}


def set_password_by_username(username: str, new: str, *, now: datetime, rounds: int = 12) -> None:
    """CLI: reset a password (for a locked-out admin on a small server); it signs every session out."""
    with db.write() as conn:
        row = conn.execute(select(clinicians.c.id, clinicians.c.practice_id).where(clinicians.c.username == username)).first()
        if row is None:
            raise db.NotFound("clinician")
        set_password_in(conn, row.id, new, now=now, rounds=rounds)
        audit.record(conn, now=now, action="clinician.password", actor_kind="system", actor_label="command line",
                     practice_id=row.practice_id, detail=f"password reset for {username}")


def login_credentials(now: datetime, *, rounds: int) -> dict:
    """The credentials dict streamlit-authenticator checks, rebuilt from the database each run.

    Locked accounts get a hash nobody can match, made at the configured cost (`rounds`), so they
    receive the same answer as a wrong password in the same time; inactive accounts are left out
    (the same answer as an unknown user, see stand_in_entry).
    """
    c = clinicians
    with db.read() as conn:
        rows = conn.execute(select(c.c.username, c.c.display_name, c.c.email, c.c.role, c.c.password_hash,
                                   c.c.locked_until).where(c.c.active.is_(True))).mappings().all()
    users = {}
    for r in rows:
        locked = r["locked_until"] is not None and now < r["locked_until"]
        first, _, last = r["display_name"].partition(" ")
        users[r["username"]] = {
            "email": r["email"], "first_name": first, "last_name": last, "roles": [r["role"]],
            "password": passwords.unusable_hash(rounds) if locked else r["password_hash"],
        }
    return {"usernames": users}


def stand_in_entry(rounds: int) -> dict:
    """The authenticator's entry for a typed username that is no active account: the sign-in form
    checks it with the same bcrypt call as a real one, against a hash nobody can match made at the
    configured cost, so neither the answer nor the time taken tells whether the username exists."""
    return {"email": "", "first_name": "", "last_name": "", "roles": [], "password": passwords.unusable_hash(rounds)}


def count() -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(clinicians)).scalar_one()


def alert_settings(actor: Actor) -> dict:
    """The actor's own staff-email settings: alert address (None: the account email) and the digest."""
    c = clinicians
    with db.read() as conn:
        row = conn.execute(select(c.c.email, c.c.alert_email, c.c.weekly_digest)
                           .where(c.c.id == actor.clinician_id)).mappings().first()
    return dict(row) if row else {"email": "", "alert_email": None, "weekly_digest": False}


def set_alert_settings(actor: Actor, alert_email: str, weekly_digest: bool, *, now: datetime) -> dict[str, str]:
    """Save the actor's own alert address (empty: use the account email) and digest choice. Safety
    alerts cannot be turned off. Returns {field: message}; nothing is saved when there is one."""
    typed = str(alert_email or "").strip()
    clean = None
    if typed:
        clean, err = clean_email(typed)
        if err and not typed.rsplit("@", 1)[-1].isascii():
            return {"alert_email": "Please write the address's domain in its plain ASCII form (for example "
                                   "name@xn--bcher-kva.example for name@bücher.example)."}
        if err:
            return {"alert_email": err.replace("links and reminders go there", "safety alerts go there")}
    with db.write() as conn:
        conn.execute(update(clinicians).where(clinicians.c.id == actor.clinician_id)
                     .values(alert_email=clean, weekly_digest=bool(weekly_digest)))
        audit.record(conn, now=now, action="clinician.alerts", actor=actor,
                     detail=f"alert address {'set' if clean else 'the account email'}; "
                            f"weekly digest {'on' if weekly_digest else 'off'}")
    return {}


def alert_recipients(actor: Actor) -> dict[int, str]:
    """Admins: who would receive the safety alerts of each clinician's clients (clinician id -> words)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can see who receives alerts.")
    with db.read() as conn:
        return staff_outbox.recipients(conn, actor.practice_id)
