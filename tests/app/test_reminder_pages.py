"""AppTest: the client's pause page (opening changes nothing, the button pauses, consent stays),
the clinician's Reminders page (pause and resume, failures shown) and the admin's worker page."""
from datetime import datetime, timedelta, timezone

import pytest

import db
from core.ratelimit import LINK_LOOKUPS
from db import consent, links, outbox, reminders
from tests.app.helpers import fresh_app, signed_in, texts
from tests.conftest import NOW, make_reachable

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LINK_LOOKUPS.reset()
    yield
    LINK_LOOKUPS.reset()


def test_the_pause_link_opens_a_confirm_page_and_only_the_button_pauses(sqlite_db, people):
    cid = people["client_clara"]
    real_now = datetime.now(timezone.utc)
    make_reachable(cid, real_now - timedelta(days=1))
    with db.write() as conn:
        raw = links.issue(conn, client_id=cid, purpose="preferences", now=real_now, ttl_days=TTL)
    at = fresh_app()
    at.query_params["t"] = raw
    at.run()
    assert not at.exception and "Your reminders" in texts(at)
    with db.read() as conn:
        assert not reminders.is_paused(conn, cid)  # opening changed nothing
    at.button(key="prefs_pause").click().run()
    assert "Reminders are paused" in texts(at)
    with db.read() as conn:
        assert reminders.is_paused(conn, cid) and consent.is_active(conn, cid, datetime.now(timezone.utc))
    at.button(key="prefs_resume").click().run()
    with db.read() as conn:
        assert not reminders.is_paused(conn, cid)


def test_the_clinician_pauses_and_resumes_and_sees_failures(sqlite_db, people):
    cid = people["client_clara"]
    make_reachable(cid, datetime.now(timezone.utc) - timedelta(days=1))
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/reminders.py").run()
    assert not at.exception and "Europe/London" in texts(at) + str([m.value for m in at.metric])
    at.button(key="rem_pause").click().run()
    with db.read() as conn:
        assert reminders.is_paused(conn, cid)
    at.button(key="rem_resume").click().run()
    with db.read() as conn:
        assert not reminders.is_paused(conn, cid)


def test_the_admin_sees_the_heartbeat_and_dead_letters(sqlite_db, people):
    at = signed_in("ada").run()
    at.switch_page("pages/admin/worker.py").run()
    assert "never run" in texts(at)
    reminders.beat("host:1", datetime.now(timezone.utc))
    at.run()
    assert not at.exception and "Working" in texts(at)
