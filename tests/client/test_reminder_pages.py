"""The client's reminders page and RFC 8058 one-click pause over HTTP: opening changes nothing, only a
ticked submit pauses, consent stays; the reminder email's List-Unsubscribe address pauses with one POST.
(The page part moved from tests/app/test_reminder_pages.py when it left Streamlit.)"""
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import db
from db import consent, links, reminders
from db.clients import clients
from jobs import planner, sender
from tests.client.helpers import CALM, TTL, audit_actions, browser, counts, now, open_link, seen, submit
from tests.conftest import make_reachable
from tests.db.test_reminders import Recorder, cfg, plan_for

ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def paused(cid) -> bool:
    with db.read() as conn:
        return reminders.is_paused(conn, cid)


def active(cid) -> bool:
    with db.read() as conn:
        return consent.is_active(conn, cid, now())


def preferences_link(people):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=1))
    with db.write() as conn:
        return links.issue(conn, client_id=cid, purpose="preferences", now=now(), ttl_days=TTL)


def test_the_pause_link_opens_a_confirm_page_and_only_a_ticked_submit_pauses(sqlite_db, people):
    cid = people["client_clara"]
    tc = browser()
    page = open_link(tc, preferences_link(people))
    assert "Your reminders" in seen(page) and not paused(cid)  # opening changed nothing
    unticked = submit(tc, page, "/c/preferences")
    assert "Please tick the box" in seen(unticked) and not paused(cid)
    done = submit(tc, page, "/c/preferences", sure="yes")
    assert "Reminders are paused" in seen(done)
    assert paused(cid) and active(cid)
    resumed = submit(tc, done, "/c/preferences", sure="yes")
    assert "Reminders are on again" in seen(resumed) and not paused(cid)


def test_a_preferences_form_with_a_made_up_choice_changes_nothing(sqlite_db, people):
    cid = people["client_clara"]
    tc = browser()
    page = open_link(tc, preferences_link(people))
    answer = submit(tc, page, "/c/preferences", want="withdraw", sure="yes")
    assert answer.status_code == 400 and not paused(cid) and active(cid)


# ---------------------------------------------------------------- one-click (RFC 8058)

def reminder_email(people, tmp_path):
    """A real reminder, planned and sent at the real time (the client pages check links against it)."""
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=1))
    with db.read() as conn:
        zone = conn.execute(select(clients.c.timezone).where(clients.c.id == cid)).scalar()
    plan_for(people, window_start=(now() - timedelta(minutes=30)).astimezone(ZoneInfo(zone)).strftime("%H:%M"))
    c = cfg(tmp_path)
    planner.run(now() - timedelta(hours=1), c)
    rec = Recorder()
    assert sender.run(now(), "w1", c, deliver=rec).sent == 1
    return rec.sent[0]


def unsubscribe_address(msg) -> str:
    """The path and query of the List-Unsubscribe URL (`<https://…/c/?t=…>`)."""
    url = urlsplit(msg["List-Unsubscribe"].strip("<>"))
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and url.path == "/c/"
    return f"{url.path}?{url.query}"


def test_one_click_pauses_reminders_is_audited_and_keeps_consent(database, people, tmp_path):
    cid = people["client_clara"]
    address = unsubscribe_address(reminder_email(people, tmp_path))
    answer = browser().post(address, content=ONE_CLICK, headers=FORM)
    assert answer.status_code == 200 and "paused" in answer.text and "set-cookie" not in answer.headers
    assert paused(cid) and active(cid)
    assert ("reminders.pause", "client", "from one-click unsubscribe (RFC 8058)") in audit_actions(cid)


def test_one_click_twice_is_the_same_as_once(database, people, tmp_path):
    cid = people["client_clara"]
    address = unsubscribe_address(reminder_email(people, tmp_path))
    for _ in range(2):
        assert browser().post(address, content=ONE_CLICK, headers=FORM).status_code == 200
    assert paused(cid) and active(cid)
    assert [a for a in audit_actions(cid) if a[0] == "reminders.pause"] == [
        ("reminders.pause", "client", "from one-click unsubscribe (RFC 8058)")]


def test_a_get_of_the_one_click_address_shows_the_pause_page_and_changes_nothing(database, people, tmp_path):
    cid = people["client_clara"]
    address = unsubscribe_address(reminder_email(people, tmp_path))
    before = counts()
    tc = browser()
    page = tc.get(address, follow_redirects=True)
    assert "Your reminders" in seen(page) and "Pause reminders" in seen(page)
    assert not paused(cid) and counts() == before


@pytest.mark.parametrize("body,content_type", [
    (b"", FORM["Content-Type"]), (b"List-Unsubscribe=one-click", FORM["Content-Type"]),
    (b"List-Unsubscribe=One-Click&sure=yes", FORM["Content-Type"]), (b"Unsubscribe=One-Click", FORM["Content-Type"]),
    (b'{"List-Unsubscribe": "One-Click"}', "application/json")])
def test_one_click_with_a_wrong_body_pauses_nothing(database, people, tmp_path, body, content_type):
    cid = people["client_clara"]
    address = unsubscribe_address(reminder_email(people, tmp_path))
    answer = browser().post(address, content=body, headers={"Content-Type": content_type})
    assert answer.status_code == 400 and CALM in seen(answer)
    assert not paused(cid) and active(cid)


@pytest.mark.parametrize("purpose", ["checkin", "card", "consent"])
def test_one_click_with_a_check_in_or_card_token_pauses_nothing(database, people, purpose):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=1))
    raw = links.issue_for(people["clara"], cid, purpose, now=now(), ttl_days=TTL)
    before = counts()
    answer = browser().post("/c/?t=" + raw, content=ONE_CLICK, headers=FORM)
    assert answer.status_code == 404 and CALM in seen(answer)
    assert not paused(cid) and active(cid)
    assert counts() == before


def test_one_click_after_withdrawal_pauses_nothing(database, people, tmp_path):
    cid = people["client_clara"]
    address = unsubscribe_address(reminder_email(people, tmp_path))
    consent.withdraw_for(people["clara"], cid, now=now())
    answer = browser().post(address, content=ONE_CLICK, headers=FORM)
    assert answer.status_code == 404 and not paused(cid)
