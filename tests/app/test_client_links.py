"""The hostile token list through app.py: one calm page, nothing revealed, no traceback."""
import pytest

from core import tokens
from core.ratelimit import LINK_LOOKUPS
from db import links
from tests.app.helpers import fresh_app, texts
from tests.conftest import NOW

HOSTILE = ["", "a", "x" * 10_000, "%00", "' OR '1'='1", "<script>alert(1)</script>", "а" * 43,
           "%2541" * 9, "../../etc/passwd"]


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LINK_LOOKUPS.reset()
    yield
    LINK_LOOKUPS.reset()


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_a_bad_token_shows_the_calm_page(sqlite_db, people, raw):
    at = fresh_app()
    at.query_params["t"] = raw
    at.run()
    assert not at.exception
    assert "This link isn't working" in texts(at)
    assert "ask your clinician" in texts(at)
    assert not at.text_input  # no sign-in form for client links
    assert "t" not in at.query_params


def test_valid_looking_variants_of_a_real_token_show_the_same_page(sqlite_db, people):
    raw = links.issue_for(people["clara"], people["client_clara"], "checkin", now=NOW,
                          ttl_days={"checkin": 7, "consent": 14, "card": 7, "preferences": 7})
    for variant in [raw + " ", raw + "%00", raw.swapcase(), raw[:-1]]:
        at = fresh_app()
        at.query_params["t"] = variant
        at.run()
        assert "This link isn't working" in texts(at), variant


def test_a_repeated_parameter_is_refused(sqlite_db, people):
    at = fresh_app()
    at.query_params["t"] = [tokens.new_token(), tokens.new_token()]
    at.run()
    assert not at.exception and "This link isn't working" in texts(at)


@pytest.mark.parametrize("names", [["T"], ["t", "T"], [" t"]])
def test_a_parameter_name_we_never_write_gets_the_calm_page_and_leaves_the_address(sqlite_db, people, names):
    raw = links.issue_for(people["clara"], people["client_clara"], "checkin", now=NOW,
                          ttl_days={"checkin": 7, "consent": 14, "card": 7, "preferences": 7})
    at = fresh_app()
    for name in names:
        at.query_params[name] = raw
    at.run()
    assert not at.exception and "This link isn't working" in texts(at)
    assert not at.text_input and dict(at.query_params) == {}
