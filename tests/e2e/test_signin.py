"""Real server, real Chromium: sign in, see the caseload, sign out, and the caseload stays closed."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, Server, settle, shot, sign_in

pytestmark = pytest.mark.e2e


def test_a_fresh_server_refuses_a_direct_url_to_a_clinician_page(tmp_path, browser):
    srv = Server(tmp_path)  # its very first request is the deep link
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(srv.url + "/caseload")
        settle(page)
        expect(page.get_by_label("Username")).to_be_visible()
        expect(page.get_by_text("Alex R.")).to_have_count(0)
        expect(page.get_by_text("Your caseload")).to_have_count(0)
        for path in ("/audit", "/clinicians", "/account"):
            page.goto(srv.url + path)
            settle(page)
            expect(page.get_by_label("Username")).to_be_visible()
            expect(page.get_by_text("Audit log")).to_have_count(0)
        ctx.close()
    finally:
        srv.stop()


def test_demo_clinician_signs_in_sees_the_caseload_signs_out_and_cannot_get_back(server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    shot(page, "caseload")
    page.wait_for_timeout(500)  # let the cookie component write the re-login cookie
    cookies = ctx.cookies()

    page.get_by_role("button", name="Sign out").click()
    settle(page)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(server.url + "/caseload")
    settle(page)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("heading", name="Your caseload")).to_have_count(0)

    # Replaying the old re-login cookie in a new browser gets no data either.
    thief = browser.new_context()
    thief.add_cookies(cookies)
    other = thief.new_page()
    other.goto(server.url + "/caseload")
    settle(other)
    expect(other.get_by_label("Username")).to_be_visible()
    expect(other.get_by_role("heading", name="Your caseload")).to_have_count(0)
    thief.close()
    ctx.close()


def test_a_reload_while_signed_in_keeps_the_session(server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    sign_in(page, server.url, "sam", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    page.wait_for_timeout(1000)
    assert any(c["name"] == "anchorstep_auth" for c in ctx.cookies()), "re-login cookie was not written"
    page.reload()
    settle(page)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    ctx.close()


def test_a_wrong_password_gets_a_calm_message(server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    sign_in(page, server.url, "maya", "definitely wrong")
    expect(page.get_by_text("didn't match")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    ctx.close()


def test_a_deep_link_opened_while_signed_in_lands_on_its_page(server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    sign_in(page, server.url, "admin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Practice caseload")).to_be_visible()
    page.wait_for_timeout(1000)
    page.goto(server.url + "/audit")
    settle(page)
    # Once the page has settled there is one (a rerun can briefly show the outgoing copy beside the new one).
    expect(page.get_by_role("heading", name="Audit log")).to_have_count(1)
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    ctx.close()


def test_a_clinician_cannot_open_an_admin_page_by_url(server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    sign_in(page, server.url, "sam", DEMO_PASSWORD)
    page.wait_for_timeout(1000)
    page.goto(server.url + "/audit")
    settle(page)
    expect(page.get_by_role("heading", name="Audit log")).to_have_count(0)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    ctx.close()
