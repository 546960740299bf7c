"""Every client page works with JavaScript switched off (issue 14): a real `streamlit run app.py`
server and Debian's Chromium with `java_script_enabled=False` complete consent, a minimal check-in,
a PHQ-9 whose item 9 is answered (crisis resources first, the flag the clinician sees), the coping
card and its struggling view, the calendar download, a pause and "Stop taking part". A link clicked
on a page of another origin (a webmail page served by a tiny local http.server) opens the form, and
the back button returns to that page, never to the link's address."""
from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import checkins_of, minimal_check_in, open_link, pick, scalar, tick_all

pytestmark = pytest.mark.e2e

SEED = """
import json
from datetime import datetime, timedelta, timezone
from core import settings, templates
from core.consent import DEFAULT_ITEMS
from db import clients, consent, links, measures, plans
from demo import builders
import db; from sqlalchemy import text
from db.actors import Actor
now = datetime.now(timezone.utc)
ttl = settings.load().link_ttl_days()
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {"display_name": NAME, "email": "nojs@example.org", "timezone": "Europe/London"},
                          now=now - timedelta(days=2))
assert not err, err
out = {"id": cid}
if CONSENTED:
    with db.write() as c:
        builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by="maya")
    step = {**templates.by_key(templates.BUILT_IN)["breathing"]["step"], "days": list(range(7))}
    pid, err = plans.create_plan(maya, cid, goal="Calmer mornings", steps=[step], now=now - timedelta(days=1))
    assert not err, err
    if PHQ9:
        measures.assign(maya, cid, 'phq9', 'once', now=now)
    for purpose in ("checkin", "card", "preferences"):
        out[purpose] = links.url(settings.load()["LINK_BASE_URL"], links.issue_for(maya, cid, purpose, now=now,
                                                                                   ttl_days=ttl))
else:
    made, err = consent.issue_link(maya, cid, {"discussed": [i["key"] for i in DEFAULT_ITEMS], "tech_ok": True,
                                               "tech_note": ""}, now=now, ttl_days=ttl, via="copy")
    assert not err, err
    out["consent"] = links.url(settings.load()["LINK_BASE_URL"], made["raw"])
print(json.dumps(out))
"""


def seed(server, name: str, *, consented: bool = True, phq9: bool = False) -> dict:
    code = f"NAME = {name!r}\nCONSENTED = {consented!r}\nPHQ9 = {phq9!r}\n" + SEED
    return json.loads(server.run_python(code).strip().splitlines()[-1])


@pytest.fixture
def nojs(browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, accept_downloads=True)
    yield ctx
    ctx.close()


def _no_script(page) -> None:
    """The page needs none and has none (a `<noscript>` fallback would mean it did)."""
    assert page.locator("script, noscript").count() == 0


def test_consent_is_completed_without_javascript(server, nojs):
    made = seed(server, "NoJS Consent", consented=False)
    page = nojs.new_page()
    open_link(page, made["consent"])
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    _no_script(page)
    page.get_by_role("button", name="I agree").click()  # nothing ticked: the errors, no script needed
    expect(page.get_by_role("heading", name="Please check these")).to_be_visible()
    assert tick_all(page) >= 3
    page.get_by_role("textbox", name="Type your name to agree").fill("Robin")
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert scalar(server, "select confirmed_name from consents k join clients c on c.id = k.client_id "
                          "where c.display_name = 'NoJS Consent'") == "Robin"


def test_a_minimal_check_in_is_saved_without_javascript(server, nojs):
    made = seed(server, "NoJS Minimal")
    page = nojs.new_page()
    open_link(page, made["checkin"])
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    _no_script(page)
    minimal_check_in(page, tap=True)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Next practice")).to_be_visible()
    assert checkins_of(server, "NoJS Minimal") == 1


def test_a_phq9_item_9_answer_without_javascript_shows_crisis_resources_first_and_raises_the_clinicians_flag(
        server, nojs):
    made = seed(server, "NoJS Item Nine", phq9=True)
    page = nojs.new_page()
    open_link(page, made["checkin"])
    page.get_by_role("link", name="Answer it now").click()
    expect(page.get_by_role("heading", name="Questionnaire")).to_be_visible()
    items = page.locator("fieldset")
    expect(items).to_have_count(9)
    for i in range(8):
        items.nth(i).get_by_label("Not at all", exact=True).check()
    items.nth(8).get_by_label("Several days", exact=True).check()  # item 9: thoughts of self-harm
    page.get_by_role("button", name="Send my answers").click()
    first = page.locator("main > *").first  # before the thanks, before anything else
    expect(first).to_contain_text("If you need help now")
    expect(first).to_contain_text("116 123")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    flags = server.run_python(
        "from datetime import datetime, timezone\nimport db\nfrom sqlalchemy import text\nfrom db import caseload\n"
        "from db.actors import Actor\n"
        "with db.read() as c:\n"
        "    m = c.execute(text(\"select id, practice_id from clinicians where username='maya'\")).one()\n"
        "rows = caseload.rows(Actor(m.id, m.practice_id, 'clinician', 'maya'), now=datetime.now(timezone.utc))\n"
        "print(next(r.open_flags for r in rows if r.display_name == 'NoJS Item Nine'))")
    assert int(flags.strip().splitlines()[-1]) == 1  # on Maya's caseload, waiting for her review
    assert "item 9" in scalar(server, "select f.reason from safety_flags f join clients c on c.id = f.client_id "
                                      "where c.display_name = 'NoJS Item Nine'")


def test_the_card_its_struggling_view_and_the_calendar_download_work_without_javascript(server, nojs):
    made = seed(server, "NoJS Card")
    page = nojs.new_page()
    open_link(page, made["card"])
    expect(page.get_by_role("heading", name="Your coping card")).to_be_visible()
    _no_script(page)
    page.get_by_role("link", name="I'm struggling right now").click()
    expect(page.get_by_text("Start with this one small step")).to_be_visible()
    expect(page.get_by_role("heading", name="If you need help now")).to_be_visible()
    page.get_by_role("link", name="Back to my card").click()
    expect(page.get_by_role("link", name="I'm struggling right now")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert download.value.suggested_filename == "coping-card.ics"
    from icalendar import Calendar
    calendar = Calendar.from_ical(open(download.value.path(), "rb").read())
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and events[0]["RRULE"]["FREQ"] == ["WEEKLY"]


def test_pausing_reminders_and_then_stopping_take_part_work_without_javascript(server, nojs):
    made = seed(server, "NoJS Pause")
    page = nojs.new_page()
    open_link(page, made["preferences"])
    expect(page.get_by_role("heading", name="Your reminders")).to_be_visible()
    page.get_by_role("button", name="Pause reminders").click()  # the box not ticked: nothing changes
    expect(page.get_by_text("Please tick the box to pause your reminders.").first).to_be_visible()
    page.get_by_role("checkbox", name="Pause my email reminders").check()
    page.get_by_role("button", name="Pause reminders").click()
    expect(page.get_by_text("Reminders are paused. Nothing else has changed", exact=False)).to_be_visible()
    assert scalar(server, "select count(*) from reminder_prefs p join clients c on c.id = p.client_id "
                          "where c.display_name = 'NoJS Pause' and p.paused_at is not null") == "1"

    page.get_by_text("Stop taking part", exact=True).click()  # a <details>: opens without script
    page.get_by_role("checkbox", name="I want to stop taking part").check()  # the one confirmation
    page.get_by_role("button", name="Yes, stop taking part").click()
    expect(page.get_by_role("heading", name="You have stopped taking part")).to_be_visible()
    assert scalar(server, "select count(*) from consent_events e join clients c on c.id = e.client_id "
                          "where c.display_name = 'NoJS Pause' and e.event = 'withdrawn'") == "1"
    assert scalar(server, "select count(*) from client_links l join clients c on c.id = l.client_id "
                          "where c.display_name = 'NoJS Pause' and l.revoked_at is null") == "0"


class _Webmail:
    """A page on another origin with the link in it, as a webmail client shows an email."""

    def __init__(self, tmp_path, link: str):
        (tmp_path / "inbox.html").write_text(
            f'<!doctype html><title>Inbox</title><h1>Your email</h1><p><a href="{link}">Check in here</a></p>')
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
        handler.log_message = lambda *a, **k: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/inbox.html"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_link_clicked_on_another_origin_opens_the_form_and_back_never_returns_to_the_token_address(
        server, nojs, tmp_path):
    made = seed(server, "NoJS Webmail")
    token = made["checkin"].split("?t=", 1)[1]
    webmail = _Webmail(tmp_path, made["checkin"])
    try:
        page = nojs.new_page()
        page.goto(webmail.url)
        page.get_by_role("link", name="Check in here").click()
        page.wait_for_url("**/c/checkin")
        # After another site's click the Strict cookie is not sent on the redirect; its Lax twin shows the
        # form, and the submit (a request this site starts) carries the Strict cookie: saved.
        expect(page.get_by_role("heading", name="Check in")).to_be_visible()
        minimal_check_in(page)
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        assert checkins_of(server, "NoJS Webmail") == 1
        page.go_back()  # the form again (its own clean address)
        page.go_back()  # then the email: the link's address was replaced, not kept in the history
        assert page.url == webmail.url, page.url
        assert token not in page.url
        page.go_forward()
        assert token not in page.url and page.url.endswith("/c/checkin"), page.url
    finally:
        webmail.close()
