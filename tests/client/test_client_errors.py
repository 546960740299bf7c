"""When something fails on the server, a client sees one calm page with the client pages' security
headers, never a traceback; the log names the error's type and place, never its message (a database's
message can quote what a client typed) and never the token."""
import logging

from starlette.testclient import TestClient

from client import web


def test_a_server_failure_shows_a_calm_page_and_logs_no_message_and_no_token(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")  # every query fails
    token = "A" * 43
    client = TestClient(web.starlette_app())
    with caplog.at_level(logging.ERROR, logger="anchorstep.client"):
        for address in (f"/c/?t={token}", f"/caseload?t={token}"):  # a new link, and one from an older email
            page = client.get(address)
            assert page.status_code == 500
            assert "Something went wrong on our side" in page.text and "Traceback" not in page.text
            assert "no such table" not in page.text
            assert page.headers["content-security-policy"].startswith("default-src 'none'")
            assert page.headers["cache-control"] == "no-store"
    assert [r.getMessage().split(" failed: ")[1].split(" at ")[0] for r in caplog.records] == ["OperationalError"] * 2
    assert all(token not in r.getMessage() and "no such table" not in r.getMessage() for r in caplog.records)


def test_cookies_that_open_nothing_count_as_guesses_and_a_guessing_address_is_refused_without_a_lookup(
        sqlite_db, monkeypatch):
    from core.ratelimit import LINK_LOOKUPS
    from db import ratelimit
    client = TestClient(web.starlette_app(), client=("203.0.113.9", 50000))
    for i in range(LINK_LOOKUPS.limit):
        client.cookies.set("as_link_checkin", f"{i:043d}", path="/c/")
        assert "This link isn't working" in client.get("/c/checkin").text
    assert ratelimit.over(["ip:203.0.113.9"], web.utcnow())
    # From now on this address's cookies are not even looked up; another address's still are.
    lookups = []
    real = web.links.current
    monkeypatch.setattr(web.links, "current", lambda raw, now: lookups.append(raw) or real(raw, now))
    assert "This link isn't working" in client.get("/c/checkin").text
    assert lookups == []
    other = TestClient(web.starlette_app(), client=("203.0.113.10", 50000))
    other.cookies.set("as_link_checkin", "x" * 43, path="/c/")
    assert "This link isn't working" in other.get("/c/checkin").text
    assert lookups == ["x" * 43]
