"""The client's pages are accessible (issue 14), measured in Debian's Chromium against a real
`streamlit run app.py` server: axe-core (axe-playwright-python) finds zero violations of any impact
on every client page in every state (22, from the calm page to "you have stopped"), at 390 px (a phone) and 1280 px (a desktop), and at 320 px as
well; at 320 px nothing scrolls sideways; every radio, checkbox and button is at least 24×24 CSS
px; after a failed submit the focus is on the error summary; and the minimal check-in can be done
with the keyboard alone (Tab, Space, Enter)."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.client_pages import minimal_check_in, open_link, press, tick_all
from tests.e2e.test_client_pages_without_javascript import seed

pytestmark = pytest.mark.e2e

AXE = Axe()
MIN_TARGET = 24  # CSS px, WCAG 2.2 SC 2.5.8 (minimum target size)

# Every radio, checkbox and button, as a person taps it: a radio drawn as a pill is the pill.
_TARGETS_JS = """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox], button, .button')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect();
              return [e.id || e.name || e.textContent.trim().slice(0, 40), Math.round(r.width * 10) / 10,
                      Math.round(r.height * 10) / 10]; })"""


class Audit:
    """Runs axe and the size checks on each state it is shown, collecting every problem."""

    def __init__(self, page, width: int):
        self.page, self.width = page, width
        self.problems: dict[str, list] = {}
        self.seen: list[str] = []

    def state(self, name: str) -> None:
        page = self.page
        self.seen.append(name)
        found = []
        for v in AXE.run(page).response["violations"]:
            found.append(f"{v['impact']} {v['id']}: {v['help']} -> "
                         + "; ".join(n["html"][:120] for n in v["nodes"][:3]))
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > self.width:
            found.append(f"scrolls sideways: {wide} px wide in a {self.width} px window")
        for label, w, h in page.evaluate(_TARGETS_JS):
            if w < MIN_TARGET or h < MIN_TARGET:
                found.append(f"target {label!r} is {w}×{h} px")
        if found:
            self.problems[name] = found

    def stop_details_open(self) -> None:
        """The "Stop taking part" question is part of every page: audit it open too."""
        self.page.get_by_text("Stop taking part", exact=True).click()


def _focus_is_on_the_error_summary(page) -> bool:
    # `autofocus` is applied at the browser's next rendering step after the page loads, not at once.
    try:
        page.wait_for_function("document.activeElement && document.activeElement.id === 'errors'", timeout=10_000)
        return True
    except Exception:
        return False


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_axe_finds_no_violation_on_any_client_page_in_any_state(server, browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    audit = Audit(page, width)
    focus = {}

    open_link(page, f"{server.url}/c/?t=not-a-link")
    audit.state("invalid link")

    made = seed(server, f"A11y Consent {width}", consented=False)
    open_link(page, made["consent"])
    audit.state("consent empty")
    press(page, "I agree")
    focus["consent"] = _focus_is_on_the_error_summary(page)
    audit.state("consent with errors")
    tick_all(page)
    page.get_by_role("textbox", name="Type your name to agree").fill("Robin")
    press(page, "I agree")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    audit.state("consent thanks")

    made = seed(server, f"A11y Client {width}", phq9=True)
    open_link(page, made["checkin"])
    audit.state("check-in empty form")
    audit.stop_details_open()
    audit.state("check-in with the stop question open")
    press(page, "Submit check-in")
    focus["check-in"] = _focus_is_on_the_error_summary(page)
    audit.state("check-in form with errors")
    minimal_check_in(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    audit.state("check-in confirmation")
    page.goto(f"{server.url}/c/checkin")  # the same link's first form again (a second tab, a resubmit)
    minimal_check_in(page)
    expect(page.get_by_text("This check-in was already saved", exact=False)).to_be_visible()
    audit.state("check-in already saved")
    page.get_by_role("link", name="Correct this check-in").click()
    expect(page.get_by_text("You're correcting the check-in you just sent")).to_be_visible()
    audit.state("check-in correcting form")
    page.goto(f"{server.url}/c/checkin?again=1")
    minimal_check_in(page, distress="10")
    expect(page.get_by_role("heading", name="If you need help now")).to_be_visible()
    audit.state("check-in safety confirmation")

    page.get_by_role("link", name="Answer it now").first.click()
    audit.state("questionnaire empty")
    press(page, "Send my answers")
    focus["questionnaire"] = _focus_is_on_the_error_summary(page)
    audit.state("questionnaire with errors")
    items = page.locator("fieldset")
    for i in range(items.count()):
        items.nth(i).get_by_label("Not at all" if i < 8 else "Several days", exact=True).check()
    press(page, "Send my answers")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    audit.state("questionnaire done")

    open_link(page, made["card"])
    audit.state("card")
    page.get_by_role("link", name="I'm struggling right now").click()
    audit.state("struggling card")

    open_link(page, made["preferences"])
    audit.state("pause page")
    page.locator("input[name=csrf]").first.evaluate("e => e.value = '1.forged'")  # a form not drawn for it
    page.get_by_role("checkbox", name="Pause my email reminders").check()
    press(page, "Pause reminders")
    expect(page.get_by_role("heading", name="Please try that once more")).to_be_visible()
    audit.state("form expired")
    page.get_by_role("link", name="Open the page again").click()
    press(page, "Pause reminders")
    focus["pause"] = _focus_is_on_the_error_summary(page)
    audit.state("pause page with errors")
    page.get_by_role("checkbox", name="Pause my email reminders").check()
    press(page, "Pause reminders")
    audit.state("paused")

    audit.stop_details_open()
    press(page, "Yes, stop taking part")  # the box not ticked
    focus["stop"] = _focus_is_on_the_error_summary(page)
    audit.state("stop error")
    page.get_by_role("checkbox", name="I want to stop taking part").check()
    press(page, "Yes, stop taking part")
    expect(page.get_by_role("heading", name="You have stopped taking part")).to_be_visible()
    audit.state("withdrawn")
    ctx.close()

    assert len(audit.seen) == 22
    assert audit.problems == {}
    assert focus == {k: True for k in ("consent", "check-in", "questionnaire", "pause", "stop")}


def _tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_minimal_check_in_is_done_with_the_keyboard_alone(server, browser):
    made = seed(server, "A11y Keyboard")
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    open_link(page, made["checkin"])
    # Tab into each group (its first option), Space to choose it; then Tab to the button and Enter.
    for name in ("status_", "mood", "distress"):
        _tab_to(page, f"input[type=radio][name^={name}]")
        page.keyboard.press("Space")
    checked = page.evaluate("[...document.querySelectorAll('input[type=radio]:checked')].map(e => e.value)")
    assert checked == ["done", "0", "0"], checked
    _tab_to(page, "button[type=submit]:not(.secondary)")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    count = server.run_python(
        "import db; from sqlalchemy import text\nwith db.read() as c:\n"
        "    print(c.execute(text(\"select count(*) from checkins k join clients c on c.id = k.client_id "
        "where c.display_name = 'A11y Keyboard' and k.mood = 0\")).scalar())")
    assert count.strip().splitlines()[-1] == "1"
    ctx.close()


def test_the_audit_itself_catches_a_violation_a_small_target_and_sideways_scrolling(browser):
    """The checks above can fail: the same Audit on a page with one of each fault reports each."""
    ctx = browser.new_context(viewport={"width": 320, "height": 600})
    page = ctx.new_page()
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><h1>x</h1><img src="x.png">'
                     '<button style="width:16px;height:16px;padding:0">b</button>'
                     '<div style="width:600px">wide</div></main></html>')
    audit = Audit(page, 320)
    audit.state("faulty")
    found = " | ".join(audit.problems["faulty"])
    assert "image-alt" in found and "target 'b' is 16" in found and "scrolls sideways" in found, found
    ctx.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_axe_finds_no_violation_on_the_something_went_wrong_page(server, browser, width):
    # The calm 500 page appears only when the server fails, so the page the app draws for it is served
    # at an address of the real server (its stylesheet and icon come from that server) and audited there.
    from client import web
    html = web.render(None, "error.html", status=500, title="Something went wrong").body
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    page.route("**/c/failed-for-the-audit", lambda route: route.fulfill(
        status=500, body=html, headers={"Content-Type": "text/html; charset=utf-8",
                                        "Content-Security-Policy": web.CSP}))
    page.goto(f"{server.url}/c/failed-for-the-audit")
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")  # the CSS loaded
    audit = Audit(page, width)
    audit.state("something went wrong")
    ctx.close()
    assert audit.problems == {}
