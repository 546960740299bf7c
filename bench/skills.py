"""Skill uses in the benchmark (issue 15): recording a skill use, one at a time (the link, consent and
step re-checked, the insert, the audit row: db.skill_uses.record, the work behind the final POST), and a
year of skill uses at five a day added to the year client, so the client view can be timed again with
the same check-ins (its "What helps" groups the uses in SQL)."""
from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

import db
from core import skill_uses as rules
from db import links, plans, skill_uses, step_versions
from db.tables import clients

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}


def _usable(conn, client_id: int) -> dict:
    plan_ids = list(conn.execute(select(plans.plans.c.id).where(plans.plans.c.client_id == client_id,
                                                                plans.plans.c.status == "active")).scalars())
    return rules.usable(step_versions.as_of(conn, plan_ids, None))[0]


def submissions(actor, client_id: int, n: int = 200) -> list[float]:
    """Seconds per skill use recorded, one at a time."""
    now = datetime.now(timezone.utc)
    raw = links.issue_for(actor, client_id, "card", now=now, ttl_days=TTL)
    with db.read() as conn:
        step = _usable(conn, client_id)
    times = []
    for _ in range(n):
        at = datetime.now(timezone.utc)
        form = {"idempotency_key": f"bench-{uuid.uuid4().hex}", "started": str(int(at.timestamp()) - 120),
                "before": "6", "after": "3", "helped": "yes", "struggling": "0"}
        t0 = time.perf_counter()
        result = skill_uses.record(raw, step["step_id"], form, now=at, threshold=9)
        times.append(time.perf_counter() - t0)
        assert result.status == "saved", result
    return times


def add_year(client_id: int, *, per_day: int = 5, days: int = 365, seed: int = 15) -> int:
    """A year of skill uses at `per_day` a day for the client (some unrated), inserted in one go."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    with db.write() as conn:
        step = _usable(conn, client_id)
        zone = conn.execute(select(clients.c.timezone).where(clients.c.id == client_id)).scalar_one()
        rows = []
        for d in range(days):
            for k in range(per_day):
                at = now - timedelta(days=d, hours=rng.randrange(0, 24), minutes=rng.randrange(0, 60))
                day, clock = rules.local_stamp(zone, at)
                before = rng.choice([None, 5, 6, 7, 8, 9])
                after = None if before is None or rng.random() < 0.2 else max(0, before - rng.randrange(-1, 5))
                rows.append(dict(client_id=client_id, step_id=step["step_id"], version_id=step["version_id"],
                                 idempotency_key=f"bench-year-{d}-{k}", started_at=at, saved_at=at, local_date=day,
                                 local_time=clock, before=before, after=after, helped=rng.choice([True, False, None]),
                                 duration_s=rng.randrange(60, 600), struggling=rng.random() < 0.3))
        conn.execute(insert(skill_uses.skill_uses), rows)
    return len(rows)
