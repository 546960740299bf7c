"""Real server, real Chromium: a clinician builds a plan from a template, fixes a homework-check
finding, and the client's coping card shows the step on a phone."""
import json

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link
from tests.e2e.conftest import DEMO_PASSWORD, settle, shot, sign_in
from tests.e2e.streamlit_page import choose  # noqa: F401  (other tests import it from here)

pytestmark = pytest.mark.e2e


def type_into(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    settle(page)


def test_clinician_builds_a_plan_fixes_a_finding_and_the_card_shows_it_on_a_phone(server, browser, phone):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    page.get_by_role("link", name="Plans").click()
    settle(page)
    expect(page.get_by_role("heading", name="Plans")).to_be_visible()
    choose(page, "Client", "Morgan L.")
    choose(page, "Start from a template", "Diaphragmatic breathing")
    expect(page.get_by_text("No findings")).to_be_visible()

    type_into(page, "I will … (one action you could see)", "try to relax")
    expect(page.get_by_text("Abstract wording.")).to_be_visible()
    shot(page, "plan-editor-finding")
    type_into(page, "I will … (one action you could see)", "breathe slowly into the belly, out longer than in")
    expect(page.get_by_text("Abstract wording.")).to_have_count(0)
    expect(page.get_by_text("No findings")).to_be_visible()
    page.get_by_role("button", name="Create plan").click()
    settle(page)
    expect(page.get_by_text("Plan created.")).to_be_visible()
    shot(page, "plan-editor-saved")
    ctx.close()

    url = server.run_python(
        "import json; from datetime import datetime, timezone\n"
        "import db; from sqlalchemy import text\n"
        "from core import settings; from db import links; from db.actors import Actor\n"
        "from tests.conftest import make_reachable\n"
        "with db.read() as c:\n"
        "    cid = c.execute(text(\"select id from clients where display_name='Morgan L.'\")).scalar_one()\n"
        "    m = c.execute(text(\"select id, practice_id from clinicians where username='maya'\")).one()\n"
        "make_reachable(cid)\n"
        "cfg = settings.load()\n"
        "raw = links.issue_for(Actor(m.id, m.practice_id, 'clinician', 'maya'), cid, 'card',"
        " now=datetime.now(timezone.utc), ttl_days=cfg.link_ttl_days())\n"
        "print(json.dumps(links.url(cfg['LINK_BASE_URL'], raw)))\n")
    card = phone.new_page()
    open_link(card, json.loads(url.strip().splitlines()[-1]))
    expect(card.get_by_role("heading", name="Your coping card")).to_be_visible()
    expect(card.get_by_text("After I pour my morning coffee, I will breathe slowly into the belly, out longer "
                            "than in (3 min).")).to_be_visible()
    expect(card.get_by_text("If I'm running late, then I'll do five slow breaths while the kettle boils.")
           ).to_be_visible()
    expect(card.get_by_text("Samaritans", exact=False)).to_be_visible()
    expect(card.get_by_text("try to relax")).to_have_count(0)
    shot(card, "coping-card-phone")
    with card.expect_download() as download:
        card.get_by_role("link", name="Add to my calendar (.ics)").click()
    from icalendar import Calendar
    events = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")
    assert len(events) == 1 and events[0]["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    assert events[0]["DTSTART"].params["TZID"] == "Asia/Kolkata"  # Morgan's own zone
    card.get_by_role("link", name="I'm struggling right now").click()
    expect(card.get_by_text("Start with this one small step")).to_be_visible()
    shot(card, "coping-card-struggling")
    assert card.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling on a phone


def test_hostile_step_text_is_plain_text_on_the_card_in_chromium(server, phone):
    url = server.run_python(
        "import json; from datetime import datetime, timezone\n"
        "import db; from sqlalchemy import text\n"
        "from core import settings, templates; from db import links, plans; from db.actors import Actor\n"
        "from tests.conftest import make_reachable\n"
        "with db.read() as c:\n"
        "    cid = c.execute(text(\"select id from clients where display_name='Jamie K.'\")).scalar_one()\n"
        "    m = c.execute(text(\"select id, practice_id from clinicians where username='sam'\")).one()\n"
        "sam = Actor(m.id, m.practice_id, 'clinician', 'sam'); now = datetime.now(timezone.utc)\n"
        "step = {**templates.BUILT_IN[0]['step'], 'anchor': '<img src=x onerror=alert(1)>',\n"
        "        'behaviour': 'read [this](javascript:alert(2)) <script>alert(3)</script>',\n"
        "        'if_then': '<svg onload=alert(4)>'}\n"
        "pid, err = plans.create_plan(sam, cid, goal='hostile', steps=[step], now=now); assert not err, err\n"
        "make_reachable(cid)\n"
        "cfg = settings.load()\n"
        "raw = links.issue_for(sam, cid, 'card', now=now, ttl_days=cfg.link_ttl_days())\n"
        "print(json.dumps(links.url(cfg['LINK_BASE_URL'], raw)))\n")
    page = phone.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_link(page, json.loads(url.strip().splitlines()[-1]))
    expect(page.get_by_text("After I <img src=x onerror=alert(1)>, I will read [this](javascript:alert(2)) "
                            "<script>alert(3)</script>", exact=False)).to_be_visible()
    expect(page.get_by_text("<svg onload=alert(4)>", exact=False)).to_be_visible()
    assert dialogs == [] and page.evaluate("document.scripts.length") == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("main img, main svg").count() == 0
