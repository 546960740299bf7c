"""Real server, real Chromium on a phone viewport: a client checks in through a check-in link on the
minimal path (interactions counted), hostile text shows as text in the clinician's view, and a PHQ-9
with item 9 positive shows crisis resources and flags the caseload."""
import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import checkins_of, open_link, pick, scalar
from tests.e2e.conftest import DEMO_PASSWORD, settle, shot, sign_in
from tests.e2e.test_plans import choose

pytestmark = pytest.mark.e2e

SETUP = """
from datetime import datetime, timedelta, timezone
from core import settings, templates
from db import clients, consent, links, measures, plans
from demo import builders
import db; from sqlalchemy import text
from db.actors import Actor
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {{"display_name": {name!r}, "email": "e2e@example.org",
                                  "timezone": "Europe/London"}}, now=now - timedelta(days=2))
assert not err, err
with db.write() as c:
    builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by="maya")
step = {{**templates.by_key(templates.BUILT_IN)["breathing"]["step"], "days": list(range(7))}}
pid, err = plans.create_plan(maya, cid, goal="Calmer mornings", steps=[step], now=now - timedelta(days=1))
assert not err, err
{extra}
raw = links.issue_for(maya, cid, 'checkin', now=now, ttl_days=settings.load().link_ttl_days())
print(links.url(settings.load()["LINK_BASE_URL"], raw))
"""


def checkin_link(server, name: str, extra: str = "") -> str:
    return server.run_python(SETUP.format(name=name, extra=extra)).strip().splitlines()[-1]


def test_the_minimal_check_in_takes_at_most_five_taps_on_a_phone(server, phone):
    page = phone.new_page()
    open_link(page, checkin_link(server, "E2E Minimal"))
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    assert "t=" not in page.url
    taps = 0
    pick(page, "How did it go?", "Done", tap=True); taps += 1
    pick(page, "Mood right now", "6", tap=True); taps += 1
    pick(page, "Distress or urge right now", "3", tap=True); taps += 1
    page.get_by_role("button", name="Submit check-in").tap(); taps += 1
    assert taps <= 5
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Your check-ins are not monitored in real time")).to_be_visible()
    expect(page.get_by_text("Only your clinician sees this")).to_have_count(0)
    expect(page.get_by_text("Next practice")).to_be_visible()
    expect(page.get_by_role("link", name="Open my coping card")).to_be_visible()
    shot(page, "checkin-phone-confirmation")
    assert checkins_of(server, "E2E Minimal") == 1


HOSTILE = ("<img src=x onerror=\"window.__pwned=1\"> <script>window.__pwned=1</script> "
           "[click me](javascript:window.__pwned=1)")


def test_hostile_text_shows_as_text_in_the_clinicians_view(server, browser, phone):
    page = phone.new_page()
    open_link(page, checkin_link(server, "E2E Hostile"))
    pick(page, "How did it go?", "Partly")
    pick(page, "Mood right now", "4")
    pick(page, "Distress or urge right now", "5")
    page.get_by_text("Add a thought or where you were").tap()
    page.get_by_label("A thought that came up, in your own words").fill(HOSTILE)
    page.get_by_label("Where were you?").fill("<b>home</b>")
    page.get_by_role("button", name="Submit check-in").tap()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Partly counts")).to_be_visible()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = ctx.new_page()
    dialogs = []
    desk.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(desk, server.url, "maya", DEMO_PASSWORD)
    desk.get_by_role("link", name="Check-ins").click()
    settle(desk)
    choose(desk, "Client", "E2E Hostile")
    expect(desk.get_by_test_id("stMarkdownContainer").get_by_text("window.__pwned=1", exact=False).first).to_be_visible()
    expect(desk.get_by_test_id("stMarkdownContainer").get_by_text("[click me](javascript:window.__pwned=1)",
                                                                  exact=False).first).to_be_visible()
    assert desk.evaluate("window.__pwned") is None and not dialogs
    assert desk.locator("a[href^='javascript:']").count() == 0
    assert desk.locator("[data-testid='stMain'] img[src='x']").count() == 0
    shot(desk, "checkins-clinician-hostile-text")
    ctx.close()


def test_a_phq9_with_item_9_positive_shows_crisis_resources_and_flags_the_caseload(server, browser, phone):
    extra = "measures.assign(maya, cid, 'phq9', 'once', now=now)"
    page = phone.new_page()
    open_link(page, checkin_link(server, "E2E Item Nine", extra))
    page.get_by_role("link", name="Answer it now").tap()
    expect(page.get_by_role("heading", name="Questionnaire")).to_be_visible()
    groups = page.locator("fieldset")
    expect(groups).to_have_count(9)
    for i in range(9):
        groups.nth(i).get_by_label("Several days", exact=True).tap()
    page.get_by_role("button", name="Send my answers").tap()
    # The crisis resources come first on the page, before the thanks.
    expect(page.get_by_role("heading", name="If you need help now")).to_be_visible()
    first = page.locator("main > *").first
    expect(first).to_contain_text("If you need help now")
    expect(page.get_by_text("116 123")).to_be_visible()
    shot(page, "checkin-phone-phq9-crisis")
    flagged = scalar(server, "select f.reason from safety_flags f join clients c on c.id = f.client_id "
                             "where c.display_name = 'E2E Item Nine' and f.reviewed_at is null")
    assert "item 9" in flagged

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = ctx.new_page()
    sign_in(desk, server.url, "maya", DEMO_PASSWORD)
    desk.get_by_role("link", name="Check-ins").click()
    settle(desk)
    expect(desk.get_by_text("E2E Item Nine").first).to_be_visible()  # its flag waits for review
    shot(desk, "checkins-clinician-flags")
    ctx.close()
