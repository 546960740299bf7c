"""Opening a link over HTTP: the hostile token list gets one calm page and no cookie; a real token moves
into its cookie and leaves the address; old `/?t=` links (any path) open the same pages.
(Moved from tests/app/test_client_links.py when the client pages left Streamlit.)"""
from datetime import timedelta

import pytest

from core import tokens
from db import links
from tests.client.helpers import CALM, TTL, browser, now, onward_path, open_link, seen
from tests.conftest import make_reachable

HOSTILE = ["", "a", "x" * 10_000, "%00", "' OR '1'='1", "<script>alert(1)</script>", "а" * 43,
           "%2541" * 9, "../../etc/passwd"]


def checkin_link(people):
    make_reachable(people["client_clara"], now() - timedelta(days=1))
    return links.issue_for(people["clara"], people["client_clara"], "checkin", now=now() - timedelta(minutes=1),
                           ttl_days=TTL)


def assert_calm_without_cookie(tc, first):
    """The link's answer sets no cookie and moves on to the calm page, which says nothing more."""
    assert first.status_code == 303 and "set-cookie" not in first.headers
    assert onward_path(first) == "/c/link-problem"
    page = tc.get("/c/link-problem")
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert CALM in seen(page) and "ask your clinician" in seen(page)
    assert "<form" not in page.text and "Username" not in page.text and "Traceback" not in page.text
    assert not tc.cookies
    return page


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_token_shows_the_calm_page_and_sets_no_cookie(sqlite_db, people, raw):
    tc = browser()
    page = assert_calm_without_cookie(tc, tc.get("/c/", params={"t": raw}))
    assert "<script>" not in page.text


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_token_on_an_old_link_shows_the_calm_page_and_sets_no_cookie(sqlite_db, people, raw):
    tc = browser()
    assert_calm_without_cookie(tc, tc.get("/", params={"t": raw}))


@pytest.mark.parametrize("query", ["t=%00", "t=%FF%FE", "t=%0d%0aSet-Cookie:%20x=1", "t=" + "%" * 50, "t=&t="])
def test_a_hostile_raw_query_shows_the_calm_page_and_sets_no_cookie(sqlite_db, people, query):
    tc = browser()
    assert_calm_without_cookie(tc, tc.get("/c/?" + query))


def test_the_calm_page_is_the_same_for_every_reason(sqlite_db, people):
    # Nothing on it tells a guesser whether a token once existed, expired or was never made.
    expired = links.issue_for(people["clara"], people["client_clara"], "checkin", now=now() - timedelta(days=8),
                              ttl_days=TTL)
    pages = set()
    for raw in (expired, tokens.new_token(), "a"):
        tc = browser()
        pages.add(tc.get(onward_path(tc.get("/c/", params={"t": raw}))).text)
    assert len(pages) == 1


def test_valid_looking_variants_of_a_real_token_show_the_same_page(sqlite_db, people):
    raw = checkin_link(people)
    for variant in [raw + " ", raw + "%00", raw.swapcase(), raw[:-1]]:
        tc = browser()
        assert_calm_without_cookie(tc, tc.get("/c/", params={"t": variant}))


def test_a_repeated_parameter_is_refused(sqlite_db, people):
    raw = checkin_link(people)
    for pair in ([raw, tokens.new_token()], [raw, raw]):
        tc = browser()
        assert_calm_without_cookie(tc, tc.get("/c/", params=[("t", pair[0]), ("t", pair[1])]))


@pytest.mark.parametrize("names", [["T"], ["t", "T"], [" t"]])
def test_a_parameter_name_we_never_write_gets_the_calm_page_and_leaves_the_address(sqlite_db, people, names):
    raw = checkin_link(people)
    tc = browser()
    first = tc.get("/c/", params=[(name, raw) for name in names])
    assert_calm_without_cookie(tc, first)
    assert "?" not in onward_path(first)


def test_a_real_token_moves_into_its_cookie_and_leaves_the_address(sqlite_db, people):
    raw = checkin_link(people)
    tc = browser()
    first = tc.get("/c/", params={"t": raw})
    assert onward_path(first) == "/c/checkin"  # the clean address: no token in the history or a Referer
    assert raw not in first.text and tc.cookies.get("as_link_checkin") == raw
    page = tc.get("/c/checkin")
    assert "Check in" in seen(page) and raw not in page.text


@pytest.mark.parametrize("path", ["/", "/caseload", "//", "/a/b"])
def test_an_old_link_opens_the_same_page(sqlite_db, people, path):
    raw = checkin_link(people)
    tc = browser()
    first = tc.get("http://testserver" + path, params={"t": raw})
    assert onward_path(first) == "/c/checkin"
    assert tc.cookies.get("as_link_checkin") == raw
    assert "Check in" in seen(tc.get("/c/checkin"))


@pytest.mark.parametrize("path", ["/", "/caseload", "//", "/a/b"])
def test_an_old_link_with_a_bad_token_shows_the_calm_page(sqlite_db, people, path):
    tc = browser()
    assert_calm_without_cookie(tc, tc.get("http://testserver" + path, params={"t": "' OR '1'='1"}))


def test_an_unknown_client_address_gets_the_calm_page_not_the_portal(sqlite_db, people):
    tc = browser()
    for path in ("/c", "/c/nothing-here", "/c/checkin/questionnaire/abc", "/c/web.py", "/c/templates/base.html"):
        answer = tc.get(path)
        assert answer.status_code in (200, 404) and CALM in seen(answer), path
    assert tc.put("/c/anything").status_code == 404


def test_a_second_purpose_opened_beside_the_first_leaves_both_working(sqlite_db, people):
    raw = checkin_link(people)
    card = links.issue_for(people["clara"], people["client_clara"], "card", now=now(), ttl_days=TTL)
    tc = browser()
    open_link(tc, raw)
    assert "Your coping card" in seen(open_link(tc, card))
    assert "Check in" in seen(tc.get("/c/checkin"))
