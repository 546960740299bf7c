"""What every client response carries (security headers, caching) and the link cookie's attributes;
X-Forwarded-For and X-Forwarded-Proto believed only from TRUSTED_PROXIES."""
import re
from datetime import timedelta

import pytest

from core import templates as core_templates
from db import links, plans
from tests.client.helpers import (CALM, CSP, TTL, audit_actions, browser, counts, form, now, onward_path,
                                  open_link, post_pairs, seen)
from tests.conftest import make_reachable

T = core_templates.by_key(core_templates.BUILT_IN)
UNTRUSTED = ("203.0.113.9", 50000)
PROXY = ("127.0.0.1", 50000)  # the default TRUSTED_PROXIES: nginx on this machine


def link(people, purpose="checkin"):
    cid = people["client_clara"]
    if not plans.list_for_client(people["clara"], cid, now=now()):
        plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                          steps=[{**T["breathing"]["step"], "days": list(range(7))}])
        make_reachable(cid, now() - timedelta(days=3))
    return links.issue_for(people["clara"], cid, purpose, now=now() - timedelta(minutes=1), ttl_days=TTL)


def every_kind_of_response(people):
    """(name, response) for each kind of answer the client pages give."""
    tc = browser()
    raw = link(people)
    out = [("link", tc.get("/c/", params={"t": raw})), ("old link", tc.get("/?t=" + raw))]
    page = tc.get("/c/checkin")
    out += [("page", page), ("head", tc.head("/c/checkin")),
            ("csrf refused", post_pairs(tc, "/c/checkin", form(page, "/c/checkin").fill(csrf="x"))),
            ("too large", post_pairs(tc, "/c/checkin", [("x", "y" * 70_000)])),
            ("saved", post_pairs(tc, "/c/checkin", form(page, "/c/checkin").fill(mood=5, distress=5))),
            ("stop get", tc.get("/c/checkin/stop")), ("calm", tc.get("/c/link-problem")),
            ("unknown", tc.get("/c/nothing")), ("bad link", tc.get("/c/", params={"t": "nope"})),
            ("one-click refused", tc.post("/c/?t=" + raw, content=b"x")),
            ("css", tc.get(re.search(r'href="(/c/static/client\.css\?v=\w+)"', page.text).group(1))),
            ("missing static", tc.get("/c/static/none.css"))]
    card = browser()
    open_link(card, link(people, "card"))
    out += [("card", card.get("/c/card")), ("ics", card.get("/c/card/coping-card.ics"))]
    return out


def test_security_headers_are_on_every_client_response(sqlite_db, people):
    responses = every_kind_of_response(people)
    assert {r.status_code for _, r in responses} >= {200, 303, 400, 404, 413}
    for name, r in responses:
        assert r.headers["content-security-policy"] == CSP, name
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["referrer-policy"] == "no-referrer", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
        assert r.headers.get_list("content-security-policy") == [CSP], name  # one policy, not two


def test_pages_are_never_cached_and_versioned_static_files_are_immutable(sqlite_db, people):
    for name, r in every_kind_of_response(people):
        if name == "css":
            assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
        else:
            assert r.headers.get_list("cache-control") == ["no-store"], name


def test_every_client_page_works_without_javascript_no_script_or_inline_style_the_csp_would_block(sqlite_db, people):
    for name, r in every_kind_of_response(people):
        if r.headers.get("content-type", "").startswith("text/html"):
            assert "<script" not in r.text and " style=" not in r.text and "<style" not in r.text, name


def cookie_header(response, name: str = "as_link_") -> str:
    """The Set-Cookie of the Strict cookie (`as_link_…`) or of its Lax twin (`as_view_…`)."""
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 2, cookies
    (cookie,) = [c for c in cookies if c.startswith(name)]
    return cookie


def test_the_link_cookie_is_httponly_samesite_strict_scoped_to_the_client_pages_and_a_session_cookie(sqlite_db, people):
    raw = link(people)
    opened = browser().get("/c/", params={"t": raw})
    parts = [p.strip() for p in cookie_header(opened).split(";")]
    assert parts[0] == f"as_link_checkin={raw}"
    assert {p.lower() for p in parts[1:]} == {"httponly", "path=/c/", "samesite=strict"}  # no Secure over http
    # Its twin only shows pages after a link clicked on another site (a browser does not send a Strict
    # cookie on that redirect): the same, but SameSite=Lax.
    parts = [p.strip() for p in cookie_header(opened, "as_view_").split(";")]
    assert parts[0] == f"as_view_checkin={raw}"
    assert {p.lower() for p in parts[1:]} == {"httponly", "path=/c/", "samesite=lax"}


def test_a_page_opened_through_the_lax_cookie_shows_but_every_change_needs_the_strict_cookie(sqlite_db, people):
    raw = link(people)
    tc = browser()
    tc.cookies.set("as_view_checkin", raw, path="/c/")  # what a browser sends after a cross-site click
    page = tc.get("/c/checkin")
    assert "Submit check-in" in page.text
    fields = form(page, "/c/checkin")
    pairs = fields.defaults() + [("mood", "5"), ("distress", "2")]
    refused = tc.post("/c/checkin", data=dict(pairs))
    assert "This link isn't working" in refused.text and counts()["checkins"] == 0
    tc.cookies.set("as_link_checkin", raw, path="/c/")  # the same form from this site: the Strict cookie goes too
    assert "Thank you" in tc.post("/c/checkin", data=dict(pairs)).text and counts()["checkins"] == 1


def test_the_link_cookie_is_secure_over_https(sqlite_db, people):
    cookie = cookie_header(browser(base_url="https://testserver").get("/c/", params={"t": link(people)}))
    assert "secure" in cookie.lower().split("; ")


def test_the_link_cookie_is_secure_when_a_trusted_proxy_says_https(sqlite_db, people):
    answer = browser(peer=PROXY).get("/c/", params={"t": link(people)}, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in cookie_header(answer).lower().split("; ")


def test_an_untrusted_peer_cannot_claim_https_for_the_cookie(sqlite_db, people):
    answer = browser(peer=UNTRUSTED).get("/c/", params={"t": link(people)}, headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in cookie_header(answer).lower().split("; ")


def test_trusted_proxies_come_from_the_setting(sqlite_db, people, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    https = {"X-Forwarded-Proto": "https"}
    from_lan = browser(peer=("10.1.2.3", 1)).get("/c/", params={"t": link(people)}, headers=https)
    from_loopback = browser(peer=PROXY).get("/c/", params={"t": link(people)}, headers=https)
    assert "secure" in cookie_header(from_lan).lower().split("; ")
    assert "secure" not in cookie_header(from_loopback).lower().split("; ")


def test_the_card_cookie_a_check_in_hands_over_has_the_same_attributes(sqlite_db, people):
    tc = browser()
    page = open_link(tc, link(people))
    done = post_pairs(tc, "/c/checkin", form(page, "/c/checkin").fill(mood=5, distress=5))
    assert "Thank you" in seen(done)
    (cookie,) = [c for c in done.headers.get_list("set-cookie") if c.startswith("as_link_card=")]
    assert {p.strip().lower() for p in cookie.split(";")[1:]} == {"httponly", "path=/c/", "samesite=strict"}
    assert 'href="/c/card"' in done.text and cookie.split(";")[0].split("=", 1)[1] not in done.text  # no token shown
    assert "Your coping card" in seen(tc.get("/c/card"))


# ---------------------------------------------------------------- X-Forwarded-For and the lookup limit

def spend_the_limit(tc, headers_for):
    for i in range(20):  # core.ratelimit.LINK_LOOKUPS: 20 lookups per address in 10 minutes
        tc.get("/c/", params={"t": f"guess{i}"}, headers=headers_for(i))


def opens(tc, raw, headers=None) -> bool:
    return onward_path(tc.get("/c/", params={"t": raw}, headers=headers or {})) == "/c/checkin"


def test_a_forged_x_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_lookup_limit(sqlite_db, people):
    raw = link(people)
    tc = browser(peer=UNTRUSTED)
    spend_the_limit(tc, lambda i: {"X-Forwarded-For": f"198.51.100.{i}"})
    assert not opens(tc, raw, {"X-Forwarded-For": "198.51.100.250"})  # still counted as the peer itself
    assert CALM in seen(tc.get("/c/link-problem"))
    assert ("link.limited", "unknown link", "too many link lookups from this address") in audit_actions()
    assert opens(browser(peer=("203.0.113.77", 1)), raw)  # another address is not held back


def test_x_forwarded_for_from_a_trusted_proxy_counts_each_client_address(sqlite_db, people):
    raw = link(people)
    tc = browser(peer=PROXY)
    spend_the_limit(tc, lambda i: {"X-Forwarded-For": "198.51.100.7"})
    assert not opens(tc, raw, {"X-Forwarded-For": "198.51.100.7"})
    assert opens(tc, raw, {"X-Forwarded-For": "198.51.100.8"})  # everyone behind nginx is not one address


def test_a_forged_left_hop_behind_a_trusted_proxy_does_not_dodge_the_lookup_limit(sqlite_db, people):
    # nginx appends the address it saw; anything left of it was written by the client.
    raw = link(people)
    tc = browser(peer=PROXY)
    spend_the_limit(tc, lambda i: {"X-Forwarded-For": f"192.0.2.{i}, 198.51.100.7"})
    assert not opens(tc, raw, {"X-Forwarded-For": "192.0.2.99, 198.51.100.7"})


@pytest.mark.parametrize("peer", [UNTRUSTED, PROXY])
def test_a_local_address_is_never_limited_as_one_person(sqlite_db, people, peer):
    # Without a trusted proxy in front, 127.0.0.1 is everyone on this machine: it is not counted;
    # an untrusted peer cannot borrow that exemption by claiming it in X-Forwarded-For.
    raw = link(people)
    tc = browser(peer=peer)
    spend_the_limit(tc, lambda i: {"X-Forwarded-For": "127.0.0.1"})
    assert opens(tc, raw, {"X-Forwarded-For": "127.0.0.1"}) == (peer == PROXY)
