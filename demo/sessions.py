"""Demo sessions: fortnightly sessions for the active clients, so the client view has a window."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from core.checkins import local_today
from db.clients import clients
from db.sessions import sessions


def step(conn, ids: dict, now: datetime, rng) -> None:
    """Fortnightly sessions for the active clients (the last one 1–2 weeks ago, the next one planned)."""
    for cid, zone, clinician_id, status in conn.execute(
            select(clients.c.id, clients.c.timezone, clients.c.clinician_id, clients.c.status)
            .where(clients.c.id.in_(list(ids["clients"].values())))).all():
        if status != "active":
            continue
        today = local_today(zone, now)
        last = today - timedelta(days=random.Random(f"demo-sessions:{cid}").randint(7, 12))  # not the shared rng:
        # how many draws the check-ins made before depends on the hour the demo is seeded
        for on in (last - timedelta(days=28), last - timedelta(days=14), last, last + timedelta(days=14)):
            conn.execute(insert(sessions).values(client_id=cid, on_date=on, created_by=clinician_id, created_at=now))
