"""The client's consent page and the stop control over HTTP. (Moved from tests/app/test_consent_pages.py
when the page left Streamlit; the clinician's side stays there.)"""
from datetime import timedelta

from db import consent, links, practices
from tests.client.helpers import CALM, TTL, WITHDRAWN, browser, form, now, open_link, seen, submit
from tests.conftest import make_reachable
from tests.db.test_consent import FORM, KEYS, snapshot


def consent_link(people, when=None):
    made, errs = consent.issue_link(people["clara"], people["client_clara"], FORM, now=when or now(), ttl_days=TTL,
                                    via="copy")
    return made["raw"]


def state(people):
    return consent.overview(people["clara"], people["client_clara"], now=now(), notice_days=14)["status"]


def test_opening_the_consent_link_changes_no_consent_row(sqlite_db, people):
    raw = consent_link(people)
    before = snapshot()
    tc = browser()
    page = open_link(tc, raw)
    assert "Before you start" in seen(page)
    f = form(page, "/c/consent")
    assert f.options("item") == KEYS and f.fill() == [("csrf", f.value("csrf")), ("name", "")]  # nothing ticked
    tc.get("/c/consent")
    tc.head("/c/consent")
    assert snapshot() == before


def test_the_client_confirms_and_a_mistake_loses_nothing(sqlite_db, people):
    tc = browser()
    page = open_link(tc, consent_link(people))
    again = submit(tc, page, "/c/consent", item=KEYS[:-1], name="Robin")
    assert "tick its box" in seen(again)
    kept = form(again, "/c/consent")
    assert kept.value("name") == "Robin"
    assert [v for k, v in kept.defaults() if k == "item"] == KEYS[:-1]
    assert state(people).state == "awaiting_client"
    done = submit(tc, again, "/c/consent", item=KEYS)
    assert "Thank you" in seen(done)
    assert state(people).state == "active"


def test_the_same_form_in_two_tabs_confirms_once(sqlite_db, people):
    raw = consent_link(people)
    tabs = [browser(), browser()]
    pages = [open_link(tc, raw) for tc in tabs]
    for tc, page in zip(tabs, pages):
        done = submit(tc, page, "/c/consent", item=KEYS, name="Robin")
        assert done.status_code == 200 and "Thank you" in seen(done)
    assert [r["confirmed_at"] is not None for r in consent.overview(
        people["clara"], people["client_clara"], now=now(), notice_days=14)["rounds"]] == [True]


def test_a_submit_after_the_link_was_replaced_does_nothing(sqlite_db, people):
    tc = browser()
    page = open_link(tc, consent_link(people))
    consent_link(people)  # the clinician sends a new one meanwhile
    done = submit(tc, page, "/c/consent", item=KEYS, name="Robin")
    assert CALM in seen(done)
    assert state(people).state == "awaiting_client"


def test_expired_by_one_second_revoked_and_wrong_purpose_links_show_the_calm_page(sqlite_db, people):
    expired = consent_link(people, now() - timedelta(days=14, seconds=1))
    make_reachable(people["client_clara"], now())
    card = links.issue_for(people["clara"], people["client_clara"], "card", now=now(), ttl_days=TTL)
    revoked = links.issue_for(people["clara"], people["client_clara"], "consent", now=now(), ttl_days=TTL)
    links.revoke_for(people["clara"], people["client_clara"], now=now())
    for raw in (expired, revoked):
        tc = browser()
        page = open_link(tc, raw)
        assert CALM in seen(page) and "set-cookie" not in tc.get("/c/", params={"t": raw}).headers, raw
        assert CALM in seen(tc.get("/c/consent"))
    assert consent.confirm(card, KEYS, "Robin", now=now(), renewal_days=90, grace_days=14)[0] == "invalid"


def test_the_client_stops_taking_part_and_every_old_link_shows_the_withdrawn_page(sqlite_db, people):
    raw = consent_link(people)
    tc = browser()
    page = open_link(tc, raw)
    unticked = submit(tc, page, "/c/consent/stop")
    assert "Nothing has changed yet" in seen(unticked) and state(people).state == "awaiting_client"
    done = submit(tc, page, "/c/consent/stop", sure="yes")
    assert WITHDRAWN in seen(done) and "Samaritans" in seen(done)
    assert state(people).state == "withdrawn"
    again = browser()
    shown = open_link(again, raw)
    assert WITHDRAWN in seen(shown) and "<form" not in shown.text and "<button" not in shown.text


def test_a_get_of_the_stop_address_stops_nothing(sqlite_db, people):
    tc = browser()
    open_link(tc, consent_link(people))
    answer = tc.get("/c/consent/stop")
    assert answer.status_code == 303 and answer.headers["location"] == "/c/consent#stop"
    assert tc.head("/c/consent/stop").status_code == 303
    assert state(people).state == "awaiting_client"


def test_text_typed_by_people_is_shown_as_text(sqlite_db, people):
    hostile = "[click](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)> $\\href{x}{y}$"
    practices.update_settings(people["ada"], name="Practice A", timezone="Europe/London",
                              crisis_resources="Call 999. " + hostile, now=now())
    tc = browser()
    page = open_link(tc, consent_link(people))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<script" not in page.text and "<img" not in page.text and 'href="javascript' not in page.text
    assert hostile in seen(page)  # shown exactly as typed


def test_a_page_left_open_after_stopping_elsewhere_shows_the_withdrawn_page(sqlite_db, people):
    tc = browser()
    page = open_link(tc, consent_link(people))
    consent.withdraw_for(people["clara"], people["client_clara"], now=now())
    done = submit(tc, page, "/c/consent", item=KEYS[:1])
    assert WITHDRAWN in seen(done)
    assert state(people).state == "withdrawn"
