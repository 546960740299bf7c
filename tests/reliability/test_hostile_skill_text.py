"""Hostile text in a skill the client used (issue 15): a step typed with markup, links, an image, maths, a
colour and an emoji code, used in hard moments, reaches the clinician's "What helps" (the sentence, the
workings, the entries behind it) and the caseload as the characters typed, in real Chromium."""
import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, settle, sign_in
from tests.e2e.test_plans import choose
from tests.reliability.conftest import Guard

pytestmark = pytest.mark.e2e

PWN = "window.__pwned=1"
STEP = f"<img src=x onerror=\"{PWN}\"> [tap](javascript:{PWN}) ![p](https://evil.example/t.png) $x^2$ :red[R] :skull:"
NAME = "Zz Hostile Skill"

SEED = """
import json
from datetime import datetime, timedelta, timezone
from core import settings, templates
from db import clients, links, plans, skill_uses, step_versions
from core import skill_uses as rules
from demo import builders
import db; from sqlalchemy import text, select
from db.actors import Actor
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {"display_name": NAME, "email": "hostile.skill@example.org",
                                 "timezone": "Europe/London"}, now=now - timedelta(days=3))
assert not err, err
with db.write() as c:
    builders.record_confirmed_in(c, cid, at=now - timedelta(days=3), by="maya")
T = templates.by_key(templates.BUILT_IN)
step = {**T["grounding"]["step"], "behaviour": STEP, "barrier": STEP, "if_then": "If " + STEP + ", then I breathe."}
pid, err = plans.create_plan(maya, cid, goal="Hard moments", steps=[step], now=now - timedelta(days=2))
assert not err, err
with db.read() as c:
    sid = rules.usable(step_versions.as_of(c, [pid], None))[0]["step_id"]
raw = links.issue_for(maya, cid, "card", now=now, ttl_days=settings.load().link_ttl_days())
for i, (b, a) in enumerate([(7, 4), (6, 3), (8, 5), (5, 2), (7, 3), (6, None)]):
    at = now - timedelta(hours=30 - i)
    r = skill_uses.record(raw, sid, {"idempotency_key": f"hostile-{i}", "started": str(int(at.timestamp()) - 90),
                                      "before": str(b), "after": "" if a is None else str(a), "helped": "yes",
                                      "struggling": "0"}, now=at, threshold=9)
    assert r.status in ("saved", "ok"), r
print(json.dumps({"id": cid}))
"""


def test_skill_hostile_step_text_is_text_in_what_helps_its_workings_entries_and_the_caseload(server, browser):
    server.run_python(f"NAME = {NAME!r}\nSTEP = {STEP!r}\n" + SEED)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    guard.check("caseload with a hostile skill")
    page.get_by_role("link", name="Client view").click()
    settle(page)
    choose(page, "Client", NAME)
    page.get_by_text("Choose dates", exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name="What helps")).to_be_visible()
    guard.check("what helps")
    guard.shows_as_text(STEP)
    page.get_by_text("How this was worked out").last.click()
    page.get_by_role("button", name="Show the entries behind this").last.click()
    settle(page)
    expect(page.get_by_role("button", name="Hide these entries")).to_be_visible()
    guard.check("what helps: workings and entries")
    ctx.close()
