"""Seed code run against a test server's database (through Server.run_python): clients of the demo
clinician Maya with active consent, a plan, and the links a test needs, printed as JSON."""
from __future__ import annotations

import json

SETUP = """
import json
from datetime import datetime, timedelta, timezone
from core import settings, templates
from db import clients, consent, links, plans
from demo import builders
import db; from sqlalchemy import text, update
from db.actors import Actor
now = datetime.now(timezone.utc)
ttl = settings.load().link_ttl_days()
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
step = {**templates.by_key(templates.BUILT_IN)["breathing"]["step"], "days": list(range(7)), **STEP}
out = {}
for name in NAMES:
    cid, err = clients.create(maya, {"display_name": name, "email": "rl@example.org", "timezone": "Europe/London"},
                              now=now - timedelta(days=2))
    assert not err, err
    with db.write() as c:
        builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by="maya")
    pid, err = plans.create_plan(maya, cid, goal="Calmer mornings", steps=[step], now=now - timedelta(days=1))
    assert not err, err
    got = {"id": cid}
    for purpose in PURPOSES:
        got[purpose] = links.issue_for(maya, cid, purpose, now=now, ttl_days=ttl)
    out[name] = got
print(json.dumps(out))
"""


def make_clients(server, names: list[str], purposes=("checkin",), step: dict | None = None) -> dict[str, dict]:
    """{name: {"id": client id, purpose: raw token, ...}} for new clients of Maya, each reachable, with
    one daily breathing step (`step`: fields to change in it)."""
    code = f"NAMES = {names!r}\nPURPOSES = {list(purposes)!r}\nSTEP = {dict(step or {})!r}\n" + SETUP
    return json.loads(server.run_python(code).strip().splitlines()[-1])


def link(server, raw: str) -> str:
    """The address an email carries now (links.url)."""
    return f"{server.url}/c/?t={raw}"


def old_link(server, raw: str) -> str:
    """The address emails carried before the client pages moved to /c/ (still opens the same page)."""
    return f"{server.url}/?t={raw}"


def count_checkins(server, name: str) -> int:
    out = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        f"    print(c.execute(text('select count(*) from checkins k join clients c on c.id = k.client_id "
        f"where c.display_name = :n'), {{'n': {name!r}}}).scalar())")
    return int(out.strip())


def ensure_client(server, name: str) -> None:
    """A bare client of Maya (no plan, no consent), unless one by that name exists: lets a test that
    normally follows the add-client test run on its own."""
    server.run_python(f"""
from datetime import datetime, timezone
import db; from sqlalchemy import text
from db import clients
from db.actors import Actor
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
    found = c.execute(text("select count(*) from clients where display_name = :n"), {{"n": {name!r}}}).scalar()
if not found:
    cid, err = clients.create(Actor(m.id, m.practice_id, 'clinician', 'maya'),
                              {{"display_name": {name!r}, "email": "rl@example.org", "timezone": "Europe/London"}},
                              now=datetime.now(timezone.utc))
    assert not err, err
""")
