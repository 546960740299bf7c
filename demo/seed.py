"""The demo practice a newcomer sees after `make run`: deterministic people and data, and one
password generated at first seed (printed and kept in DATA_DIR/demo-credentials.txt).

Never runs against PostgreSQL, and only on an empty database. Each feature's demo data is one
step, a function (conn, ids, now, rng), called in order by `run`.
"""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert

import db
from core import settings as settings_mod
from db import audit, clinicians, practices
from db.clients import clients
from demo import checkins, checkups, consent, personal_items, plans, reminders, sessions, skills

PRACTICE = {"name": "Harbour Street Therapy (demo)", "timezone": "Europe/London"}
STAFF = [
    # username, display name, email, role
    ("maya", "Maya Okafor", "maya@demo.invalid", "clinician"),
    ("sam", "Sam Whitfield", "sam@demo.invalid", "clinician"),
    ("admin", "Priya Natarajan", "admin@demo.invalid", "admin"),
]
CLIENTS = [
    # display name, time zone, clinician username, status
    ("Alex R.", "Europe/London", "maya", "active"),
    ("Jordan P.", "Europe/London", "maya", "active"),
    ("Casey M.", "America/New_York", "maya", "active"),
    ("Riley T.", "Australia/Sydney", "maya", "active"),
    ("Morgan L.", "Asia/Kolkata", "maya", "paused"),
    ("Taylor B.", "Europe/Berlin", "sam", "active"),
    ("Jamie K.", "America/Los_Angeles", "sam", "active"),
    ("Quinn S.", "Europe/London", "sam", "discharged"),
]
def credentials_file(cfg=None) -> Path:
    cfg = cfg or settings_mod.load()
    return cfg.data_dir / "demo-credentials.txt"


def is_empty() -> bool:
    return practices.count() == 0


def run(now: datetime | None = None, *, password: str | None = None) -> str:
    """Seed the demo practice; returns the generated password."""
    cfg = settings_mod.load()
    if cfg.is_postgres:
        raise RuntimeError("The demo seed only runs on SQLite; it never touches a PostgreSQL database.")
    if not is_empty():
        raise RuntimeError("The database already has a practice; the demo seed only runs on an empty database.")
    now = now or datetime.now(timezone.utc)
    password = password or "-".join(secrets.token_urlsafe(6) for _ in range(3))
    rng = random.Random(20261128)
    ids: dict = {"clinicians": {}, "clients": {}}
    with db.write() as conn:
        pid = practices.create(conn, now=now, **PRACTICE)
        ids["practice"] = pid
        for username, name, email, role in STAFF:
            ids["clinicians"][username] = clinicians.insert_row(
                conn, practice_id=pid, username=username, display_name=name, email=email, role=role,
                password=password, now=now, rounds=cfg["BCRYPT_ROUNDS"])
        for i, (name, zone, who, status) in enumerate(CLIENTS):
            email = f"client{i + 1}@demo.invalid"
            ids["clients"][name] = conn.execute(insert(clients).values(
                practice_id=pid, clinician_id=ids["clinicians"][who], display_name=name, email=email,
                timezone=zone, status=status, created_at=now, updated_at=now)).inserted_primary_key[0]
        consent.step(conn, ids, now, rng)
        plans.step(conn, ids, now, rng)
        checkins.step(conn, ids, now, rng)
        skills.step(conn, ids, now, rng)  # after check-ins: their draws stay as they were
        reminders.step(conn, ids, now, rng)  # after plans and consent: it reads both
        sessions.step(conn, ids, now, rng)
        checkups.step(conn, ids, now, rng)  # after consent: a check-up belongs to a confirmed round
        personal_items.step(conn, ids, now, rng)  # after check-ins: answers belong to Riley's check-ins
        audit.record(conn, now=now, action="practice.update", actor_kind="system", actor_label="demo seed",
                     practice_id=pid, detail="demo practice created")
    path = credentials_file(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(credentials_text(password))
    path.chmod(0o600)
    return password


def credentials_text(password: str) -> str:
    lines = ["Anchorstep demo sign-in (demo data only; generated at first seed)", ""]
    for username, name, _email, role in STAFF:
        lines.append(f"  {role:<9} username: {username:<6} password: {password}   ({name})")
    return "\n".join(lines) + "\n"
