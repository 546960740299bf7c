"""Real server, real Chromium: a clinician sets up two-factor sign-in with a code the test computes from
the key read off the page, signs out, signs in with an authenticator code and then with a recovery code;
the re-login cookie of a password-only session opens nothing; the practice policy forces a setup."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from core import two_factor as tf
from tests.e2e.conftest import DEMO_PASSWORD, Server, settle, shot, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_server(tmp_path_factory, chromium_path):
    srv = Server(tmp_path_factory.mktemp("two_factor"))
    yield srv
    srv.stop()


def code_now(secret: str, steps_ahead: int = 0) -> str:
    return tf.code_at(secret, datetime.now(timezone.utc) + timedelta(seconds=30 * steps_ahead))


def sign_out(page):
    page.get_by_role("button", name="Sign out", exact=True).click()
    settle(page)
    expect(page.get_by_label("Username")).to_be_visible()


def code_step(page, typed: str):
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    expect(page.get_by_role("link", name="Caseload")).to_have_count(0)  # no page list before the second step
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)  # the sidebar's
    page.get_by_label("Code", exact=True).fill(typed)
    page.get_by_role("button", name="Continue").click()
    settle(page)


def test_two_factor_totp_setup_sign_in_with_code_and_recovery_code_and_password_only_cookie_refused(own_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    sign_in(page, own_server.url, "sam", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    page.get_by_role("link", name="My account").click()
    settle(page)
    page.get_by_text("Set up two-factor sign-in").click()
    settle(page)
    expect(page.get_by_role("img", name="QR code for your authenticator app (the same key is written below)")).to_be_visible()
    secret = page.get_by_test_id("stCode").first.inner_text().replace(" ", "").strip()
    assert len(secret) == 32
    page.get_by_label("Six-digit code from your authenticator app").scroll_into_view_if_needed()
    shot(page, "two-factor-setup")
    page.get_by_label("Six-digit code from your authenticator app").fill(code_now(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    settle(page)
    expect(page.get_by_text("Here are your recovery codes")).to_be_visible()
    codes = page.get_by_test_id("stCode").first.inner_text().split()
    assert len(codes) == 10 and all(len(c) == 11 for c in codes)
    page.get_by_role("button", name="I have saved my recovery codes").click()
    settle(page)
    expect(page.get_by_text("On since")).to_be_visible()
    sign_out(page)

    # an authenticator code (the next step's: the setup used this step's code, which is not accepted twice)
    sign_in(page, own_server.url, "sam", DEMO_PASSWORD)
    shot(page, "two-factor-code-step")
    code_step(page, code_now(secret, 1))
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    sign_out(page)

    # a recovery code, typed in capitals with a space
    sign_in(page, own_server.url, "sam", DEMO_PASSWORD)
    code_step(page, codes[0].upper().replace("-", " "))
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    sign_out(page)
    # used up: refused with the calm words, and nothing opens
    sign_in(page, own_server.url, "sam", DEMO_PASSWORD)
    code_step(page, codes[0])
    expect(page.get_by_text("That code didn't work")).to_be_visible()
    expect(page.get_by_role("heading", name="Your caseload")).to_have_count(0)

    # the re-login cookie written after the password alone opens nothing in another browser
    page.wait_for_timeout(1000)
    cookies = ctx.cookies()
    assert any(c["name"] == "anchorstep_auth" for c in cookies)
    thief = browser.new_context()
    thief.add_cookies(cookies)
    other = thief.new_page()
    other.goto(own_server.url + "/caseload")
    settle(other)
    other.wait_for_timeout(1500)
    settle(other)
    expect(other.get_by_label("Username")).to_be_visible()
    expect(other.get_by_role("heading", name="Your caseload")).to_have_count(0)
    expect(other.get_by_role("heading", name="Two-step sign-in")).to_have_count(0)
    thief.close()
    ctx.close()


def test_two_factor_practice_policy_forces_setup_before_any_page(own_server, browser):
    admin_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_ctx.new_page()
    sign_in(admin, own_server.url, "admin", DEMO_PASSWORD)
    admin.get_by_role("link", name="Practice settings").click()
    settle(admin)
    admin.get_by_text("Require two-factor sign-in for everyone").click()
    admin.get_by_role("button", name="Save two-factor policy").click()
    settle(admin)
    # the admin has no second factor yet either: their own session goes straight to the setup
    expect(admin.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(admin.get_by_role("link", name="Practice settings")).to_have_count(0)
    admin_ctx.close()

    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    sign_in(page, own_server.url, "maya", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("link", name="Caseload")).to_have_count(0)
    # a deep link opens a new session: the cookie of a session that owes its setup opens nothing
    page.goto(own_server.url + "/caseload")
    settle(page)
    page.wait_for_timeout(1500)
    settle(page)
    expect(page.get_by_role("heading", name="Your caseload")).to_have_count(0)
    expect(page.get_by_label("Username")).to_be_visible()
    sign_in(page, own_server.url, "maya", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    secret = page.get_by_test_id("stCode").first.inner_text().replace(" ", "").strip()
    page.get_by_label("Six-digit code from your authenticator app").fill(code_now(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    settle(page)
    expect(page.get_by_text("Here are your recovery codes")).to_be_visible()
    page.get_by_role("button", name="I have saved my recovery codes: open my pages").click()
    settle(page)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    ctx.close()
