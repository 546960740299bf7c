"""Real server, real Chromium on a phone (390×844): "I'm struggling right now" → "Use a skill now" →
a guided skill → before and after ratings → one saved skill use, with JavaScript on and off, axe-core
finding no violation on any new screen; a safety-level rating shows crisis resources first and flags
the caseload; the clinician's "What helps" shows the sentence, its workings and the entries behind it."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link, pick, press, scalar
from tests.e2e.conftest import DEMO_PASSWORD, settle, sign_in
from tests.e2e.test_client_accessibility import Audit
from tests.e2e.test_plans import choose

pytestmark = pytest.mark.e2e

SEED = """
import json
from datetime import datetime, timedelta, timezone
from core import settings, templates
from db import clients, links, plans
from demo import builders
import db; from sqlalchemy import text
from db.actors import Actor
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {"display_name": NAME, "email": "skill@example.org", "timezone": "Europe/London"},
                          now=now - timedelta(days=2))
assert not err, err
with db.write() as c:
    builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by="maya")
T = templates.by_key(templates.BUILT_IN)
pid, err = plans.create_plan(maya, cid, goal="Hard moments", steps=[T["grounding"]["step"], T["breathing"]["step"]],
                             now=now - timedelta(days=1))
assert not err, err
print(json.dumps({"id": cid, "card": links.url(settings.load()["LINK_BASE_URL"], links.issue_for(
    maya, cid, "card", now=now, ttl_days=settings.load().link_ttl_days()))}))
"""


def seed(server, name: str) -> dict:
    return json.loads(server.run_python(f"NAME = {name!r}\n" + SEED).strip().splitlines()[-1])


def uses_of(server, cid: int) -> str:
    return scalar(server, "select count(*) || ':' || coalesce(max(before), -1) || ':' || coalesce(max(after), -1) "
                          "from skill_uses where client_id = :c", c=cid)


def go(page, link: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).first.click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_skill_from_struggling_guided_grounding_before_after_saved_and_axe_clean(server, browser, javascript):
    made = seed(server, f"Skill Phone {'JS' if javascript else 'NoJS'}")
    ctx = browser.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844},
                              is_mobile=True, has_touch=True)
    page = ctx.new_page()
    # axe and the target-size checks run scripts in the page: only with JavaScript on (the same screens)
    audit = Audit(page, 390) if javascript else None
    check = audit.state if audit else (lambda _name: None)
    open_link(page, made["card"])
    go(page, "I'm struggling right now")
    go(page, "Use a skill now")
    check("choose a skill")
    go(page, "name 5 things I see, 4 I hear, 3 I touch, 2 I smell, 1 I taste")
    check("before")
    expect(page.locator("input[name=before]:checked")).to_have_count(0)  # nothing preselected
    pick(page, "If you like: how strong is your distress (or urge) right now?", "6")
    press(page, "Start")
    expect(page.get_by_role("heading", name="Look around. Name 5 things you can see.")).to_be_visible()
    check("grounding screen 1")
    for heading in ("Listen. Name 4 things you can hear.", "Notice 3 things you can touch or feel.",
                    "Notice 2 things you can smell.", "Notice 1 thing you can taste."):
        go(page, "Next")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    go(page, "I'm done")
    check("after")
    pick(page, "If you like: how strong is your distress (or urge) now?", "3")
    press(page, "It helped")
    expect(page.get_by_text("not monitored in real time", exact=False)).to_be_visible()
    expect(page.get_by_text("You practised on 1 day this week. Every practice counts.")).to_be_visible()
    check("done")
    assert page.locator("script").count() == 0
    ctx.close()
    assert uses_of(server, made["id"]) == "1:6:3"
    assert audit is None or (audit.problems == {} and len(audit.seen) == 5), audit and audit.problems


def test_skill_breathing_guide_and_safety_level_rating_shows_crisis_first_and_flags_the_caseload(server, browser,
                                                                                                 context):
    made = seed(server, "Skill Safety")
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    audit = Audit(page, 390)
    open_link(page, made["card"])
    go(page, "Use a skill now")
    go(page, "breathe slowly into the belly, out longer than in")
    pick(page, "If you like: how strong is your distress (or urge) right now?", "10")
    press(page, "Start")
    body = page.locator("main").inner_text()
    assert body.index("If you need help now") < body.index("Breathe in slowly")
    expect(page.get_by_text("Breathe in slowly through your nose, counting 1 to 4.")).to_be_visible()
    audit.state("breathing guide, crisis first")
    go(page, "I'm done")
    press(page, "Save without saying")
    ctx.close()
    assert uses_of(server, made["id"]) == "1:10:-1"
    assert audit.problems == {}, audit.problems
    staff = context.new_page()
    staff.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(staff, server.url, "maya", DEMO_PASSWORD)
    expect(staff.get_by_role("heading", name="Your caseload")).to_be_visible()
    text = staff.get_by_test_id("stMain").inner_text()
    section = text[text.index("Skill Safety"):][:400]
    assert "safety flag" in section.lower(), section


def test_what_helps_shows_the_sentence_workings_and_entries_in_the_browser(server, context):
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    page.get_by_role("link", name="Client view").click()
    settle(page)
    choose(page, "Client", "Jordan P.")
    choose_period = page.get_by_text("Choose dates", exact=True)
    choose_period.click()
    settle(page)
    expect(page.get_by_role("heading", name="What helps")).to_be_visible()
    sentence = page.get_by_text("breathe slowly into the belly, out longer than in: used", exact=False).first
    expect(sentence).to_be_visible()
    assert "rated before and after" in sentence.inner_text()
    # "What helps" comes after the check-in sentences: its (only) skill's controls are the last ones
    page.get_by_text("How this was worked out").last.click()
    expect(page.get_by_text("unrated uses count as uses but not in the change", exact=False)).to_be_visible()
    page.get_by_role("button", name="Show the entries behind this").last.click()
    settle(page)
    expect(page.get_by_role("button", name="Hide these entries")).to_be_visible()
    expect(page.get_by_text("use(s), newest first.", exact=False)).to_be_visible()
