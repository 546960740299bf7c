"""Real server, real Chromium: the clinician sends consent, the client confirms on a phone, then
withdraws; the clinician sees each state and the old link shows the withdrawn page."""
import email
import json
from email import policy

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link, tick_all
from tests.e2e.conftest import DEMO_PASSWORD, Server, settle, shot, sign_in

pytestmark = pytest.mark.e2e


def open_consent_page(page):
    page.get_by_role("link", name="Consent").click()
    settle(page)
    expect(page.get_by_role("heading", name="Consent", exact=True)).to_be_visible()


def consent_metric(page):
    return page.get_by_test_id("stMetricValue").first


def tick(page, label, index=None):
    boxes = page.get_by_test_id("stCheckbox").filter(has_text=label)
    (boxes if index is None else boxes.nth(index)).locator("label").first.click()


def test_consent_from_session_to_phone_to_withdrawal(tmp_path, browser, phone):
    srv = Server(tmp_path)
    try:
        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desk.new_page()
        sign_in(page, srv.url, "maya", DEMO_PASSWORD)
        expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
        open_consent_page(page)
        expect(consent_metric(page)).to_have_text("awaiting client")  # Alex R., first on the list

        from core.consent import DEFAULT_ITEMS
        for item in DEFAULT_ITEMS:
            tick(page, item["title"])
        tick(page, "I checked with the client")
        page.get_by_role("button", name="Email the consent link").click()
        settle(page)
        expect(page.get_by_text("on its way")).to_be_visible()
        shot(page, "consent-clinician-sent")

        outbox = sorted((srv.data / "outbox").glob("*.eml"))
        assert len(outbox) == 1
        body = email.message_from_bytes(outbox[0].read_bytes(), policy=policy.default).get_content()
        link = next(word for word in body.split() if "?t=" in word)
        assert link.startswith(srv.url) and "Alex" not in body

        client = phone.new_page()
        open_link(client, link)
        expect(client.get_by_role("heading", name="Before you start")).to_be_visible()
        assert "t=" not in client.url  # the token left the address bar
        shot(client, "consent-client-form")
        assert tick_all(client) == len(DEFAULT_ITEMS)
        client.get_by_role("textbox", name="Type your name to agree").fill("Alex")
        client.get_by_role("button", name="I agree").click()
        expect(client.get_by_role("heading", name="Thank you")).to_be_visible()
        shot(client, "consent-client-confirmed")

        page.reload()
        settle(page)
        open_consent_page(page)
        expect(consent_metric(page)).to_have_text("active")

        client.get_by_text("Stop taking part", exact=True).click()  # opens the question, changes nothing
        client.get_by_role("checkbox", name="I want to stop taking part").check()
        client.get_by_role("button", name="Yes, stop taking part").click()
        expect(client.get_by_role("heading", name="You have stopped taking part")).to_be_visible()

        page.reload()
        settle(page)
        open_consent_page(page)
        expect(consent_metric(page)).to_have_text("withdrawn")
        shot(page, "consent-clinician-withdrawn")

        again = phone.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        open_link(again, link)
        expect(again.get_by_role("heading", name="You have stopped taking part")).to_be_visible()
        expect(again.get_by_role("button")).to_have_count(0)
        shot(again, "consent-old-link-withdrawn")
        again.context.close()
        desk.close()
    finally:
        srv.stop()


HOSTILE = ("Call 999. [click me](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)> "
           "<svg onload=alert(1)> ![remote](https://example.org/pixel.png) $\\href{javascript:alert(1)}{x}$")


def _set_crisis_resources(server, text: str) -> str:
    """Set the practice's crisis resources; returns the previous text (the server is shared)."""
    out = server.run_python(f"""
import json, db
from sqlalchemy import select, update
from db.practices import practices
with db.write() as conn:
    print(json.dumps(conn.execute(select(practices.c.crisis_resources)).scalar()))
    conn.execute(update(practices).values(crisis_resources=json.loads({json.dumps(json.dumps(text))})))
""")
    return json.loads(out.strip().splitlines()[-1])


def test_text_a_person_typed_renders_as_text_in_chromium(server, phone):
    original = _set_crisis_resources(server, HOSTILE)
    try:
        raw = server.run_python('''
import db
from datetime import datetime, timezone
from sqlalchemy import select
from db import links
from db.clients import clients
now = datetime.now(timezone.utc)
with db.write() as conn:
    cid = conn.execute(select(clients.c.id).where(clients.c.display_name == "Alex R.")).scalar()
    print(links.issue(conn, client_id=cid, purpose="consent", now=now,
                      ttl_days={"consent": 14, "checkin": 7, "card": 7, "preferences": 7}))
''').strip()
        _check_hostile_text_is_inert(server, phone, raw)
    finally:
        _set_crisis_resources(server, original)


def _check_hostile_text_is_inert(server, phone, raw):
    dialogs = []
    page = phone.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_link(page, f"{server.url}/?t={raw}")  # an old link, from an email sent before the pages moved
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    assert dialogs == [] and page.evaluate("document.scripts.length") == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img[src='x'], img[src*='example.org'], svg[onload]").count() == 0
    page.get_by_text("<script>alert(1)</script>", exact=False).scroll_into_view_if_needed()
    shot(page, "consent-hostile-text")

