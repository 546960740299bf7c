"""Issue 18 end to end: a phone check-in with PHQ-9 item 9 positive -> one worker pass -> the console
outbox holds the clinician's safety alert (neutral words, no client detail) -> its link leads to the
portal's sign-in, then the caseload (flagged client first) and the flag on Check-ins."""
import email as email_lib
import re
from email import policy

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link, scalar
from tests.e2e.conftest import DEMO_PASSWORD, settle, shot
from tests.e2e.test_checkins import checkin_link

pytestmark = pytest.mark.e2e

PASS = """
import os; os.environ["SAFETY_ALERT_COOLDOWN_MINUTES"] = "0"
from core import settings; from jobs import worker
worker.one_pass("e2e-worker", settings.load())
"""


def maya_alerts(server) -> dict[str, email_lib.message.EmailMessage]:
    out = {}
    for path in sorted((server.data / "outbox").glob("*.eml")):
        msg = email_lib.message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["To"] == "maya@demo.invalid" and msg["Subject"] == "A check-in in Anchorstep needs your review":
            out[path.name] = msg
    return out


def test_safety_alert_phone_phq9_item_9_then_one_worker_pass_then_the_link_signs_in_to_the_flag(server, browser, phone):
    server.run_python(PASS)  # whatever the demo had waiting is alerted now, so the next alert is this check-in's
    before = maya_alerts(server)
    page = phone.new_page()
    open_link(page, checkin_link(server, "E2E Alert Nine", "measures.assign(maya, cid, 'phq9', 'once', now=now)"))
    page.get_by_role("link", name="Answer it now").tap()
    groups = page.locator("fieldset")
    expect(groups).to_have_count(9)
    for i in range(9):
        groups.nth(i).get_by_label("Several days", exact=True).tap()
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", name="If you need help now")).to_be_visible()

    server.run_python(PASS)  # one worker pass
    new = {k: v for k, v in maya_alerts(server).items() if k not in before}
    assert len(new) == 1, sorted(new)
    (alert,) = new.values()
    body = alert.get_body(("plain",)).get_content()
    assert "E2E Alert Nine" not in alert.as_string() and "/c/" not in body
    status = scalar(server, "select s.status from safety_flags f join clients c on c.id = f.client_id "
                            "join staff_outbox s on s.id = f.alert_id where c.display_name = 'E2E Alert Nine'")
    assert status == "sent"
    link = re.search(r"(http://\S+)", body).group(1)
    assert link == f"{server.url}/"

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = ctx.new_page()
    desk.goto(link)
    settle(desk)
    expect(desk.get_by_role("button", name="Sign in").last).to_be_visible()  # the portal's sign-in, no token
    desk.wait_for_selector("iframe", state="attached")
    for _attempt in range(3):
        desk.wait_for_timeout(500)
        settle(desk)
        desk.get_by_label("Username").last.fill("maya")
        desk.get_by_label("Password", exact=True).last.fill(DEMO_PASSWORD)
        desk.get_by_role("button", name="Sign in").last.click()
        settle(desk)
        desk.wait_for_timeout(300)
        settle(desk)
        if desk.get_by_text("Please enter your username and your password").count() == 0:
            break
    desk.wait_for_function("!document.body.innerText.includes('Opening your pages')")
    settle(desk)
    # Signed in, the portal opens on the caseload, whose "Needs attention" list starts with the flags;
    # the client's "Review the flag" opens the flag on Check-ins.
    expect(desk.get_by_role("heading", name="Your caseload")).to_be_visible()
    main = desk.get_by_role("main")
    expect(main.get_by_role("heading", name="Needs attention")).to_be_visible()
    name = main.locator("p", has_text="E2E Alert Nine").first  # the client's card in "Needs attention"
    expect(name.locator("xpath=following::p[1]")).to_contain_text("safety flag(s) waiting for review")
    name.locator("xpath=following::button[1]").click()  # its "Review the flag"
    settle(desk)
    expect(desk.get_by_text("E2E Alert Nine").first).to_be_visible()
    expect(desk.get_by_text("Safety alert to Maya Okafor · emailed").first).to_be_visible()
    shot(desk, "checkins-flag-after-safety-alert")
    ctx.close()
