"""AppTest: the clinician's Reminders page (pause and resume, failures shown) and the admin's worker page.
(The client's reminders page and one-click pause are tests/client/test_reminder_pages.py.)"""
from datetime import datetime, timedelta, timezone

import db
from db import reminders
from tests.app.helpers import signed_in, texts
from tests.conftest import make_reachable


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
