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
