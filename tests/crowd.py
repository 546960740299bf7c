"""A crowd of clients for load through real HTTP (tests/reliability/test_client_concurrency.py,
tests/e2e/test_replicas.py, bench/replicas.py): seed code run in a server's environment (a subprocess with its
DATABASE_URL and DATABASE_SCHEMA), written with SQLAlchemy Core so that PostgreSQL's private schema is used
too, and what a person's Submit sends on the client's check-in page."""
from __future__ import annotations

import json
import re

# A practice and its clinician `username` (the demo seed runs on SQLite only).
PRACTICE = """
from datetime import datetime, timezone
import db; from db import clinicians, practices
now = datetime.now(timezone.utc)
with db.write() as conn:
    pid = practices.create(conn, name=PRACTICE_NAME, timezone="Europe/London", now=now)
    clinicians.insert_row(conn, practice_id=pid, username=USERNAME, display_name=USERNAME.title(),
                          email="clinician@example.org", role="clinician", password=PASSWORD, now=now)
"""

# N clients of that clinician named "PREFIX 000"…, each reachable (active consent) with one daily step and a
# check-in link; prints the raw link tokens as JSON.
CROWD = """
import json
from datetime import datetime, timedelta, timezone
from sqlalchemy import select
import db
from core import settings, templates
from db import clients, links, plans
from db.actors import Actor
from db.tables import clinicians
from demo import builders
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(select(clinicians.c.id, clinicians.c.practice_id).where(clinicians.c.username == USERNAME)).one()
who = Actor(m.id, m.practice_id, "clinician", USERNAME)
step = {**templates.by_key(templates.BUILT_IN)["breathing"]["step"], "days": list(range(7))}
ttl = settings.load().link_ttl_days()
out = []
for i in range(N):
    cid, err = clients.create(who, {"display_name": f"{PREFIX} {i:03d}", "email": "crowd@example.org",
                                    "timezone": "Europe/London"}, now=now - timedelta(days=2))
    assert not err, err
    with db.write() as c:
        builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by=USERNAME)
    _, err = plans.create_plan(who, cid, goal="Calmer mornings", steps=[step], now=now - timedelta(days=1))
    assert not err, err
    out.append(links.issue_for(who, cid, "checkin", now=now, ttl_days=ttl))
print(json.dumps(out))
"""


def practice_code(*, username: str = "maya", password: str = "not used by this test",
                  name: str = "Crowd Practice") -> str:
    return f"USERNAME = {username!r}\nPASSWORD = {password!r}\nPRACTICE_NAME = {name!r}\n" + PRACTICE


def crowd_code(n: int, *, prefix: str = "Crowd", username: str = "maya") -> str:
    return f"N = {n}\nPREFIX = {prefix!r}\nUSERNAME = {username!r}\n" + CROWD


def tokens(run_python, n: int, **kw) -> list[str]:
    """Make the crowd through `run_python` (a server's) and return its raw link tokens."""
    return json.loads(run_python(crowd_code(n, **kw)).strip().splitlines()[-1])


def form(page: str) -> dict[str, str]:
    """The fields a person's Submit sends: the hidden ones as drawn, "Done" for each step, a mood and a
    distress (no answer is preselected on the page, so a person picks them)."""
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    steps = sorted(set(re.findall(r'name="status_(\d+)"', page)))
    assert steps, "the form has no step to answer"
    return {**hidden, **{f"status_{s}": "done" for s in steps}, "mood": "6", "distress": "2"}
