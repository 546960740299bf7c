"""A deterministic large practice: 20 clinicians, 400 clients (the same data on SQLite and PostgreSQL).

Later features add their rows (plans, consents, check-ins, outbox) as functions in `EXTRA`, each
(conn, ids, now, rng) -> None, so the one generator grows with the product.
"""
from __future__ import annotations

import random
from datetime import datetime, timezone

from sqlalchemy import insert

import db
from core import passwords
from db import clinicians, practices
from db.clients import clients

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"]
EXTRA: list = []
PASSWORD = "benchmark password only"


def generate(n_clinicians: int = 20, n_clients: int = 400, now: datetime = NOW) -> dict:
    rng = random.Random(42)
    ids: dict = {"clinicians": [], "clients": []}
    hashed = passwords.hash_password(PASSWORD)
    with db.write() as conn:
        pid = practices.create(conn, name="Benchmark Practice", timezone="Europe/London", now=now)
        ids["practice"] = pid
        for i in range(n_clinicians):
            ids["clinicians"].append(clinicians.insert_row(
                conn, practice_id=pid, username=f"clin{i:02d}", display_name=f"Clinician {i:02d}",
                email=f"clin{i:02d}@bench.invalid", role="admin" if i == 0 else "clinician", password=PASSWORD,
                now=now, password_hash=hashed))
        rows = []
        for j in range(n_clients):
            # Clinician 01 carries 40 clients (the measured caseload); the rest share the others.
            who = 1 if j < 40 else 2 + (j - 40) % (n_clinicians - 2)
            rows.append({"practice_id": pid, "clinician_id": ids["clinicians"][who],
                         "display_name": f"Client {j:03d}", "email": f"client{j:03d}@bench.invalid",
                         "timezone": ZONES[j % len(ZONES)], "status": rng.choice(["active"] * 8 + ["paused", "discharged"]),
                         "created_at": now, "updated_at": now})
        conn.execute(insert(clients), rows)
        ids["clients"] = list(range(1, n_clients + 1))
        for step in EXTRA:
            step(conn, ids, now, rng)
    return ids
