"""Sessions under hostile use, in real Chromium (RELIABILITY.md, "Sessions"): sign out in one of two
tabs, change the password with a second session open, an account deactivated mid-session. Each ends
with the other tab or browser getting no client data at its next action, and its saved re-login
cookie opening only the sign-in form in a fresh browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.reliability.conftest import DEMO_PASSWORD, settle, sign_in

pytestmark = pytest.mark.e2e

CLIENTS = {"maya": ["Alex R.", "Jordan P.", "Casey M.", "Riley T."], "sam": ["Taylor B.", "Jamie K."]}


def signed_in_tab(browser, server, username, password=DEMO_PASSWORD):
    """A fresh browser signed in on the caseload, after the re-login cookie is written."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    sign_in(page, server.url, username, password)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    for _ in range(100):  # the cookie component writes the re-login cookie just after the caseload opens
        if any(c["name"] == "anchorstep_auth" for c in ctx.cookies()):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the re-login cookie was not written")
    return ctx, page


def next_action(page, link="Check-ins"):
    """What the person does next in a tab left open: open a page of client data from the sidebar."""
    page.get_by_role("link", name=link).click()
    settle(page)


def expect_signed_out(page, username):
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("heading", name="Your caseload")).to_have_count(0)
    expect(page.get_by_role("heading", name="My account")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    for name in CLIENTS.get(username, []):
        expect(page.get_by_text(name)).to_have_count(0)


def expect_cookie_opens_nothing(browser, server, cookies, username):
    """The re-login cookie saved earlier, replayed in a fresh browser, gets the sign-in form."""
    thief = browser.new_context()
    thief.add_cookies(cookies)
    page = thief.new_page()
    page.goto(server.url + "/caseload")
    settle(page)
    page.wait_for_timeout(1000)  # the cookie component reads the cookie, then reruns the script
    settle(page)
    expect_signed_out(page, username)
    thief.close()


def audit_count(server, action, username) -> int:
    return int(server.run_python(
        "import db; from sqlalchemy import select, func; from db.audit import audit_events as a\n"
        "with db.read() as conn:\n"
        f"    print(conn.execute(select(func.count()).select_from(a).where(a.c.action == {action!r},"
        f" a.c.actor_label == {username!r})).scalar_one())").strip())


def test_regression_sign_out_in_one_tab_ends_the_tab_the_cookie_opened_and_the_cookie(server, browser):
    ctx, first = signed_in_tab(browser, server, "maya")
    cookies = ctx.cookies()
    second = ctx.new_page()  # a second tab: signed in by the re-login cookie
    second.goto(server.url)
    settle(second)
    expect(second.get_by_role("heading", name="Your caseload")).to_be_visible()
    expect(second.get_by_test_id("stDataFrame")).to_be_visible()

    first.get_by_role("button", name="Sign out").click()
    settle(first)
    expect(first.get_by_text("You have signed out.")).to_be_visible()

    next_action(second)
    expect_signed_out(second, "maya")
    expect(second.get_by_text("You have signed out.")).to_be_visible()
    expect_cookie_opens_nothing(browser, server, cookies, "maya")
    assert audit_count(server, "signout", "maya") == 1
    ctx.close()


def test_regression_a_password_change_signs_the_other_session_out_at_its_next_action(server, browser):
    here_ctx, here = signed_in_tab(browser, server, "sam")
    there_ctx, there = signed_in_tab(browser, server, "sam")
    there_cookies = there_ctx.cookies()
    expect(there.get_by_test_id("stDataFrame")).to_be_visible()

    next_action(here, "My account")
    expect(here.get_by_role("heading", name="My account")).to_be_visible()
    here.get_by_label("Current password").fill(DEMO_PASSWORD)
    here.get_by_label("New password", exact=True).fill("a new passphrase for sam")
    here.get_by_label("New password again").fill("a new passphrase for sam")
    here.get_by_role("button", name="Change password").click()
    settle(here)
    expect(here.get_by_text("Your password has been changed.")).to_be_visible()

    next_action(there)
    expect_signed_out(there, "sam")
    expect(there.get_by_text("password was changed")).to_be_visible()
    expect_cookie_opens_nothing(browser, server, there_cookies, "sam")

    # The session that changed it stays signed in.
    here.get_by_role("link", name="Caseload").click()
    settle(here)
    expect(here.get_by_role("heading", name="Your caseload")).to_be_visible()
    expect(here.get_by_test_id("stDataFrame")).to_be_visible()
    here_ctx.close()
    there_ctx.close()


def test_an_account_deactivated_mid_session_gets_no_data_at_its_next_action_nor_through_its_cookie(server, browser):
    server.run_python(
        "from datetime import datetime, timezone; import db; from db import clinicians, practices\n"
        "from sqlalchemy import select\n"
        "with db.write() as conn:\n"
        "    pid = conn.execute(select(practices.practices.c.id)).scalar()\n"
        "    clinicians.insert_row(conn, practice_id=pid, username='dee', display_name='Dee Leaving',"
        " email='dee@demo.invalid', role='clinician', password='a passphrase for dee', now=datetime.now(timezone.utc))")
    ctx, page = signed_in_tab(browser, server, "dee", "a passphrase for dee")
    cookies = ctx.cookies()
    server.run_python(
        "from datetime import datetime, timezone; import db; from db import clinicians; from db.actors import Actor\n"
        "from sqlalchemy import select\n"
        "c = clinicians.clinicians\n"
        "with db.read() as conn:\n"
        "    admin = conn.execute(select(c).where(c.c.username == 'admin')).mappings().one()\n"
        "    dee = conn.execute(select(c.c.id).where(c.c.username == 'dee')).scalar_one()\n"
        "actor = Actor(admin['id'], admin['practice_id'], admin['role'], admin['username'], admin['display_name'])\n"
        "clinicians.set_active(actor, dee, False, now=datetime.now(timezone.utc))")

    next_action(page)
    expect_signed_out(page, "dee")
    expect(page.get_by_text("no longer active")).to_be_visible()
    expect_cookie_opens_nothing(browser, server, cookies, "dee")
    ctx.close()
