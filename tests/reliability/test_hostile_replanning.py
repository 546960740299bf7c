"""Changes made in the browser while reminders are queued (issue 12, fault 7): the clinician sets a
client's quiet hours over a queued reminder on the Reminders page of a real `streamlit run`; the
queued reminder moves in the same save, and the worker run at the old instant sends nothing.
(The storage-level cases, zone and step time included, are in tests/db/test_replanning.py.)"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.reliability.test_hostile_inputs import _expand, _signed_in, choose, go

pytestmark = pytest.mark.e2e

SEED = """
import json
from datetime import datetime, timedelta, timezone
from core import templates
from db import clients, consent, plans
from demo import builders
import db; from sqlalchemy import text
from db.actors import Actor
from jobs import planner
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {"display_name": "RL Replan", "email": "rl@example.org", "timezone": "Europe/London"},
                          now=now - timedelta(days=2))
assert not err, err
with db.write() as c:
    builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by="maya")
step = {**templates.by_key(templates.BUILT_IN)["breathing"]["step"], "days": list(range(7)),
        "window_start": "12:00", "window_end": "12:30"}
_, err = plans.create_plan(maya, cid, goal="Calmer middays", steps=[step], now=now - timedelta(days=1))
assert not err, err
planner.run(now)
print(json.dumps({"id": cid}))
"""

QUEUED = """
import json
import db
from db import outbox
from sqlalchemy import select
t = outbox.reminder_outbox
with db.read() as c:
    print(json.dumps({r.id: r.due_at.isoformat() for r in c.execute(select(t.c.id, t.c.due_at).where(
        t.c.client_id == CID, t.c.status.in_(outbox.OPEN)).order_by(t.c.due_at))}))
"""

PASS_AT = """
import json
from datetime import datetime
from core import settings
from db import outbox
from jobs import worker
from sqlalchemy import select
import db
at = datetime.fromisoformat(AT)
worker.one_pass("rl", settings.load(), now_fn=lambda: at, deliver=lambda message, cfg: "ok")
t = outbox.reminder_outbox
with db.read() as c:
    print(json.dumps([r.isoformat() for r in c.execute(select(t.c.due_at).where(
        t.c.client_id == CID, t.c.status == "sent")).scalars()]))
"""


def _json(server, code: str, **values):
    head = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    return json.loads(server.run_python(head + code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def desk(browser, server):
    yield from _signed_in(browser, server, "maya")


def test_quiet_hours_set_over_a_queued_reminder_move_it_and_the_old_instant_sends_nothing(server, desk):
    cid = _json(server, SEED)["id"]
    # 12:00 London, within a day (between 12:00 and 12:30 London that is tomorrow's: today's is half gone)
    ((row, old),) = [(k, datetime.fromisoformat(s)) for k, s in _json(server, QUEUED, CID=cid).items()]
    page, guard = desk
    go(page, "Reminders")
    choose(page, "Client", "RL Replan")
    _expand(page, "Client's own quiet hours")
    page.get_by_label("From (HH:MM)").fill("11:00")
    page.get_by_label("Until (HH:MM)").fill("13:15")
    page.get_by_role("button", name="Save quiet hours").click()
    expect(page.get_by_text("Quiet hours saved", exact=False)).to_be_visible(timeout=30_000)
    guard.check("after saving quiet hours over a queued reminder")

    moved = old + timedelta(hours=1, minutes=15)  # London is on UTC in winter, BST in summer: same shift
    after = {k: datetime.fromisoformat(s) for k, s in _json(server, QUEUED, CID=cid).items()}
    assert after[row] == moved  # the same reminder (today's, now past 12:00, may also come back at 13:15)
    assert old not in after.values()
    assert _json(server, PASS_AT, CID=cid, AT=old.isoformat()) == []  # the worker at the old instant
    assert [datetime.fromisoformat(s) for s in _json(server, PASS_AT, CID=cid, AT=moved.isoformat())] == [moved]
