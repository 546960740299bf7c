"""Consent check-ups in Debian's Chromium against a real `streamlit run app.py` server: on a phone,
with JavaScript on and off, a client answers the real-time statement wrongly, sees the correction and
finishes in at most 8 taps; the clinician's caseload shows the check-up reason with its talking point
and the Consent page the history, with the client's hostile note shown as text; axe-core finds no
violation on any check-up screen."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link, pick, press, scalar
from tests.e2e.conftest import DEMO_PASSWORD, settle, shot, sign_in
from tests.e2e.test_client_accessibility import Audit

pytestmark = pytest.mark.e2e

HOSTILE = ('<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) '
           ':red[red] $x^2$ www.evil.example nobody@evil.example')

SEED = """
import json
from datetime import datetime, timedelta, timezone
from core import settings
from db import checkups, clients, links
from demo import builders
import db; from sqlalchemy import text
from db.actors import Actor
now = datetime.now(timezone.utc)
cfg = settings.load()
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username=:u"), {"u": WHO}).one()
maya = Actor(m.id, m.practice_id, 'clinician', WHO)
cid, err = clients.create(maya, {"display_name": NAME, "email": "checkup@example.org", "timezone": "Europe/London"},
                          now=now - timedelta(days=40))
assert not err, err
with db.write() as c:
    builders.record_confirmed_in(c, cid, at=now - timedelta(days=40), by="maya")
out = {"id": cid}
out["checkup"] = links.url(cfg["LINK_BASE_URL"], checkups.request(maya, cid, now=now, ttl_days=cfg.link_ttl_days(),
                                                                  deliver=None)["raw"])
out["checkin"] = links.url(cfg["LINK_BASE_URL"], links.issue_for(maya, cid, "checkin", now=now,
                                                                 ttl_days=cfg.link_ttl_days()))
if NOTE:
    form = {"s_realtime": "true", "s_emergency": "false", "s_stop": "true", "usefulness": "4", "comfort": "2",
            "note": NOTE}
    raw = checkups.request(maya, cid, now=now, ttl_days=cfg.link_ttl_days(), deliver=None)["raw"]
    assert checkups.submit(raw, form, now=now).status == "saved"
print(json.dumps(out))
"""


def seed(server, name: str, note: str = "", who: str = "sam") -> dict:
    """A client (Sam's, unless the test signs in as Maya) with consent confirmed 40 days ago and a
    check-up link. Names start with "Zz": the session's shared server lists them after the demo
    clients other tests pick from Maya's client list."""
    code = f"NAME = {name!r}\nNOTE = {note!r}\nWHO = {who!r}\n" + SEED
    return json.loads(server.run_python(code).strip().splitlines()[-1])


class Taps:
    """Counts every tap a person makes on the page."""

    def __init__(self):
        self.n = 0

    def pick(self, page, group, option):
        self.n += 1
        pick(page, group, option, tap=True)

    def press(self, page, button):
        self.n += 1
        press(page, button, tap=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_misconception_about_realtime_is_corrected_and_the_checkup_finishes_within_8_taps(server, browser, javascript):
    made = seed(server, f"Zz Checkup {javascript}")
    ctx = browser.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    try:
        open_link(page, made["checkup"])
        expect(page.get_by_role("heading", name="A short check-up")).to_be_visible()
        taps = Taps()
        taps.pick(page, "My clinician sees what I enter as soon as I send it.", "True")  # the misconception
        taps.pick(page, "I can use these pages to get help in an emergency.", "False")
        taps.pick(page, "I can stop taking part at any time, and my therapy carries on as before.", "True")
        taps.pick(page, "Is this helping you practise between sessions?", "Quite a lot")
        taps.pick(page, "How comfortable are you with what your clinician sees?", "Somewhat")
        taps.press(page, "Send my answers")
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(page.get_by_text("Your clinician does not see entries in real time")).to_be_visible()
        expect(page.get_by_text("Samaritans")).to_be_visible()  # the practice's crisis resources
        assert taps.n <= 8
        assert "fail" not in page.inner_text("main").lower()
        assert scalar(server, "select misconceptions from consent_checkups where client_id = :c", c=made["id"]) == "1"
        shot(page, f"checkup-corrected-{'js' if javascript else 'nojs'}")
    finally:
        ctx.close()


def test_misconception_reason_on_the_caseload_and_the_consent_page_history_show_typed_text_as_text(server, browser):
    made = seed(server, "Zz Hostile Checkup", note=HOSTILE, who="maya")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        sign_in(page, server.url, "maya", DEMO_PASSWORD)
        expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
        reason = page.get_by_test_id("stMarkdownContainer").filter(
            has_text="Client thought entries are watched in real time; corrected on").first
        expect(reason).to_be_visible()
        button = page.locator(f"[class*='st-key-caseload_go_{made['id']}_'] button").filter(has_text="Open consent")
        button.first.click()
        settle(page)
        expect(page.get_by_role("heading", name="Consent", exact=True)).to_be_visible()
        expect(page.get_by_text("Suggested talking points for the next session")).to_be_visible()
        expect(page.get_by_text("misconception caught and corrected").first).to_be_visible()
        # Exactly the characters typed, in the latest check-up and in the history table.
        expect(page.get_by_role("paragraph").get_by_text(HOSTILE, exact=True)).to_be_visible()
        expect(page.locator("[role=gridcell]").filter(has_text=HOSTILE)).to_have_count(1)
        expect(page.locator("[role=gridcell]").filter(has_text="My clinician sees what I enter")).to_have_count(1)
        main = page.locator("[data-testid='stMain']")
        assert main.locator("a[href^='javascript'], img[src='x']").count() == 0
        assert main.locator("a", has_text="www.evil.example").count() == 0
        assert main.locator("a", has_text="nobody@evil.example").count() == 0
        assert dialogs == []
        shot(page, "checkup-consent-page")
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_axe_finds_no_violation_on_any_checkup_screen(server, browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    audit = Audit(page, width)
    try:
        made = seed(server, f"Zz A11y Checkup {width}")
        open_link(page, made["checkup"])
        audit.state("check-up empty form")
        press(page, "Send my answers")
        audit.state("check-up with errors")
        pick(page, "My clinician sees what I enter as soon as I send it.", "Not sure")
        pick(page, "I can use these pages to get help in an emergency.", "True")
        pick(page, "I can stop taking part at any time, and my therapy carries on as before.", "True")
        pick(page, "Is this helping you practise between sessions?", "A little")
        pick(page, "How comfortable are you with what your clinician sees?", "Not at all")
        page.get_by_text("Anything to change? (optional)").click()
        page.get_by_label("Pause my email reminders").check()
        audit.state("check-up with the changes open")
        press(page, "Send my answers")
        audit.state("check-up corrections with the pause to confirm")
        press(page, "Pause reminders")
        audit.state("check-up pause not ticked")
        page.get_by_label("Pause my email reminders").check()
        press(page, "Pause reminders")
        audit.state("check-up paused")

        other = seed(server, f"Zz A11y Checkup stop {width}")
        open_link(page, other["checkup"])
        for group, option in (("My clinician sees what I enter as soon as I send it.", "False"),
                              ("I can use these pages to get help in an emergency.", "False"),
                              ("I can stop taking part at any time, and my therapy carries on as before.", "True"),
                              ("Is this helping you practise between sessions?", "Very much"),
                              ("How comfortable are you with what your clinician sees?", "Very much")):
            pick(page, group, option)
        page.get_by_text("Anything to change? (optional)").click()
        page.get_by_role("radio", name="Stop taking part").check()
        press(page, "Send my answers")
        audit.state("check-up with the stop to confirm")

        due = seed(server, f"Zz A11y Checkup due {width}")
        open_link(page, due["checkin"])  # consent confirmed 40 days ago, a check-up asked for and not answered
        pick(page, "Mood right now", "6")
        pick(page, "Distress or urge right now", "3")
        press(page, "Submit check-in")
        expect(page.get_by_text("A short check-up is due")).to_be_visible()
        audit.state("check-in confirmation offering the check-up")
        assert audit.problems == {}, audit.problems
    finally:
        ctx.close()
