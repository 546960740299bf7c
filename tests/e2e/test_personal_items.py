"""Personal items on the client's check-in page in Debian's Chromium against a real `streamlit run app.py`
server: axe-core finds no violation with a 0–10 item and a yes/no item (empty form and with an error) at
320 and 390 px, nothing scrolls sideways, every option is a 24 px target; with JavaScript off the client
answers both and they are saved; the clinician's wording, hostile or not, is shown as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import minimal_check_in, open_link, pick, press, scalar
from tests.e2e.test_client_accessibility import Audit
from tests.e2e.test_client_pages_without_javascript import seed

pytestmark = pytest.mark.e2e

HOSTILE = '<img src=x onerror="document.title=1"> [x](https://e.test) $x^2$ :skull: 🙂'


def with_items(server, name: str, scale: str = "Urge to check the door locks", yesno: str = HOSTILE) -> dict:
    made = seed(server, name)
    server.run_python(
        "from datetime import datetime, timezone\nimport db\nfrom sqlalchemy import text\nfrom db import personal_items\n"
        "from db.actors import Actor\nnow = datetime.now(timezone.utc)\n"
        "with db.read() as c:\n    m = c.execute(text(\"select id, practice_id from clinicians where username='maya'\")).one()\n"
        "maya = Actor(m.id, m.practice_id, 'clinician', 'maya')\n"
        f"assert personal_items.add(maya, {made['id']}, 'scale', {scale!r}, 'none', 'overwhelming', now=now) == {{}}\n"
        f"assert personal_items.add(maya, {made['id']}, 'yesno', {yesno!r}, now=now) == {{}}\n")
    return made


@pytest.mark.parametrize("width", [320, 390])
def test_personal_items_on_the_check_in_have_no_axe_violation(server, browser, width):
    made = with_items(server, f"PI A11y {width}")
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    audit = Audit(page, width)
    open_link(page, made["checkin"])
    expect(page.get_by_role("heading", name="Your own questions (optional)")).to_be_visible()
    audit.state("check-in with personal items")
    page.evaluate("document.querySelector('input[name^=pi_]').value = '11'")  # a value the form never offers
    page.locator("input[name^=pi_]").first.check()
    minimal_check_in(page)
    expect(page.get_by_text("Please choose a whole number from 0 to 10 (or leave it blank).").first).to_be_visible()
    audit.state("check-in with a personal item error")
    ctx.close()
    assert audit.problems == {}


def test_personal_items_are_answered_without_javascript_and_wording_stays_text(server, browser):
    made = with_items(server, "PI NoJS")
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    open_link(page, made["checkin"])
    group = page.get_by_role("group", name=HOSTILE)
    expect(group).to_be_visible()  # the legend reads exactly as typed
    assert page.locator("main img, form img").count() == 0 and page.locator("a[href='https://e.test']").count() == 0
    expect(page.get_by_role("group", name="Urge to check the door locks")).to_have_accessible_description(
        "0 = none, 10 = overwhelming")
    pick(page, "Urge to check the door locks", "7", tap=True)
    pick(page, HOSTILE, "Yes", tap=True)
    pick(page, "How did it go?", "Done", tap=True)
    pick(page, "Mood right now", "6", tap=True)
    pick(page, "Distress or urge right now", "3", tap=True)
    press(page, "Submit check-in", tap=True)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    saved = scalar(server, "select group_concat(a.value, ',') from personal_item_answers a "
                           "join checkins k on k.id = a.checkin_id join clients c on c.id = k.client_id "
                           "where c.display_name = 'PI NoJS'")
    assert sorted(saved.split(",")) == ["1", "7"]
    ctx.close()
