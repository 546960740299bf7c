"""The consent check-up over HTTP, without JavaScript: the form, the corrections right after the
submit, the confirmations a change needs, the offer on the check-in confirmation, and replays."""
from datetime import timedelta

from db import checkups, links
from tests.client.helpers import (CALM, TTL, WITHDRAWN, browser, counts, form, forms, now, open_link, post_pairs, seen,
                                  submit)
from tests.conftest import make_reachable

TTL_ALL = {**TTL, "checkup": 7}
RIGHT = {"s_realtime": "false", "s_emergency": "false", "s_stop": "true"}


def checkup_link(people, when=None):
    make_reachable(people["client_clara"], (when or now()) - timedelta(days=40))
    return checkups.request(people["clara"], people["client_clara"], now=when or now(), ttl_days=TTL_ALL,
                            deliver=None)["raw"]


def test_checkup_form_preselects_nothing_and_puts_the_realtime_statement_first(sqlite_db, people):
    tc = browser()
    page = open_link(tc, checkup_link(people))
    assert page.status_code == 200 and "A short check-up" in seen(page)
    f = form(page, "/c/checkup")
    names = [c["name"] for c in f.controls if c.get("type") == "radio"]
    assert names[0] == "s_realtime"
    assert f.fill() == [("csrf", f.value("csrf")), ("note", "")]  # nothing chosen for the client
    assert seen(page).index("My clinician sees what I enter as soon as I send it") < seen(page).index("True or false?") + 200


def test_misconception_about_realtime_is_corrected_right_after_the_submit(sqlite_db, people):
    tc = browser()
    page = open_link(tc, checkup_link(people))
    done = submit(tc, page, "/c/checkup", **{**RIGHT, "s_realtime": "true"}, usefulness=4, comfort=2)
    text = seen(done)
    assert done.status_code == 200 and "Your answers are saved" in text
    assert "Your clinician does not see entries in real time" in text
    assert "Samaritans" in text  # the practice's crisis resources, because it concerns safety
    assert "fail" not in text.lower() and "wrong" not in text.lower()
    latest = checkups.history(people["clara"], people["client_clara"], now=now(), default_weeks=4)["checkups"][0]
    assert latest["misconceptions"] == 1 and [a["correct"] for a in latest["answers"]] == [False, True, True]


def test_checkup_missing_answers_keep_what_was_chosen(sqlite_db, people):
    tc = browser()
    page = open_link(tc, checkup_link(people))
    again = submit(tc, page, "/c/checkup", s_realtime="false", comfort=3, note="keep me")
    assert again.status_code == 200 and "Please choose True, False or Not sure." in seen(again)
    kept = form(again, "/c/checkup")
    assert kept.value("s_realtime") == "false" and kept.value("comfort") == "3" and kept.value("note") == "keep me"
    assert checkups.history(people["clara"], people["client_clara"], now=now(), default_weeks=4)["checkups"] == []


def test_checkup_double_tap_and_second_tab_save_once(sqlite_db, people):
    raw = checkup_link(people)
    tabs = [browser(), browser()]
    pages = [open_link(tc, raw) for tc in tabs]
    first = submit(tabs[0], pages[0], "/c/checkup", **RIGHT, usefulness=5, comfort=5)
    again = submit(tabs[0], pages[0], "/c/checkup", **RIGHT, usefulness=5, comfort=5)
    other = submit(tabs[1], pages[1], "/c/checkup", **RIGHT, usefulness=1, comfort=1)
    assert "Your answers are saved" in seen(first)
    assert "already saved" in seen(again) and "already saved" in seen(other)
    rows = checkups.history(people["clara"], people["client_clara"], now=now(), default_weeks=4)["checkups"]
    assert [(r["usefulness"], r["comfort"]) for r in rows] == [(5, 5)]


def test_checkup_pause_acts_only_after_the_client_confirms(sqlite_db, people):
    tc = browser()
    page = open_link(tc, checkup_link(people))
    before = counts()["paused"]
    done = submit(tc, page, "/c/checkup", **RIGHT, usefulness=3, comfort=3, change="pause")
    assert "Pause your email reminders?" in seen(done) and counts()["paused"] == before
    refused = submit(tc, done, "/c/checkup")
    assert "Please tick the box" in seen(refused) and counts()["paused"] == before
    paused = submit(tc, done, "/c/checkup", sure="yes")
    assert "Reminders are paused" in seen(paused) and counts()["paused"] == before + 1


def test_checkup_stop_uses_the_existing_withdrawal_after_confirming(sqlite_db, people):
    tc = browser()
    page = open_link(tc, checkup_link(people))
    done = submit(tc, page, "/c/checkup", **RIGHT, usefulness=1, comfort=1, change="stop")
    assert "Stop taking part?" in seen(done) and counts()["consents_withdrawn"] == 0  # a low answer acts on nothing
    mine = [f for f in forms(done) if f.action == "/c/checkup/stop"][0]  # the page's own; the footer's is the same
    stopped = post_pairs(tc, "/c/checkup/stop", mine.fill(sure="yes"))
    assert WITHDRAWN in seen(stopped) and counts()["consents_withdrawn"] == 1


def test_checkup_after_withdrawal_saves_nothing(sqlite_db, people):
    from db import consent
    tc = browser()
    page = open_link(tc, checkup_link(people))
    consent.withdraw_by_link(links.issue_for(people["clara"], people["client_clara"], "checkin", now=now(),
                                             ttl_days=TTL_ALL), now())
    late = submit(tc, page, "/c/checkup", **RIGHT, usefulness=3, comfort=3)
    assert WITHDRAWN in seen(late)
    with __import__("db").read() as conn:
        from sqlalchemy import func, select
        from db.tables import consent_checkups
        assert conn.execute(select(func.count()).select_from(consent_checkups)).scalar() == 0


def test_checkup_link_cannot_check_in_and_a_checkin_link_cannot_answer_a_checkup(sqlite_db, people):
    raw = checkup_link(people)
    tc = browser()
    open_link(tc, raw)
    assert CALM in seen(tc.get("/c/checkin"))
    other = browser()
    open_link(other, links.issue_for(people["clara"], people["client_clara"], "checkin", now=now(), ttl_days=TTL_ALL))
    assert CALM in seen(other.get("/c/checkup"))


def test_checkup_is_offered_on_the_checkin_confirmation_when_due(sqlite_db, people):
    make_reachable(people["client_clara"], now() - timedelta(weeks=5))  # four weeks have passed: due
    tc = browser()
    page = open_link(tc, links.issue_for(people["clara"], people["client_clara"], "checkin", now=now(),
                                         ttl_days=TTL_ALL))
    done = submit(tc, page, "/c/checkin", mood=5, distress=2)
    assert "A short check-up is due" in seen(done)
    assert "A short check-up" in seen(tc.get("/c/checkup"))


def test_checkup_is_not_offered_when_not_due(sqlite_db, people):
    make_reachable(people["client_clara"], now() - timedelta(days=3))
    tc = browser()
    page = open_link(tc, links.issue_for(people["clara"], people["client_clara"], "checkin", now=now(),
                                         ttl_days=TTL_ALL))
    done = submit(tc, page, "/c/checkin", mood=5, distress=2)
    assert "Thank you" in seen(done) and "check-up is due" not in seen(done)
