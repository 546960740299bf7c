"""Real server, real Chromium: the worker sends a reminder to a demo client, the client opens the
pause link from the email's List-Unsubscribe header on a phone, confirms, and reminders stop while
consent stays; the admin sees the worker's heartbeat."""
import email
from email import policy

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link
from tests.e2e.conftest import DEMO_PASSWORD, Server, settle, shot, sign_in

pytestmark = pytest.mark.e2e

SEND_ONE = """
from datetime import datetime, timedelta, timezone
import db
from core import settings
from db import consent, outbox, plans, reminders, step_versions
from core.schedule import Planned
from jobs import sender, worker
now = datetime.now(timezone.utc)
with db.write() as conn:
    s = next(s for s in step_versions.reminder_steps(conn) if consent.is_active(conn, s["client_id"], now)
             and not reminders.is_paused(conn, s["client_id"]))
    outbox.add_planned(conn, s["client_id"], [Planned(s["step_id"], now.date() - timedelta(days=400), "07:00",
                                                      now - timedelta(minutes=1), now + timedelta(hours=1))], now)
print(s["client_id"])
worker.one_pass("e2e-worker", settings.load())
"""


def test_a_reminder_arrives_and_the_client_pauses_from_the_email(tmp_path, browser, phone):
    srv = Server(tmp_path)
    try:
        client_id = int(srv.run_python(SEND_ONE).split()[0])
        # (the demo's open safety flag also gets its clinician's alert in this pass: issue 18)
        (eml,) = [p for p in sorted((srv.data / "outbox").glob("*.eml")) if b"Subject: A reminder" in p.read_bytes()]
        msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert str(msg["Subject"]).startswith("A reminder from Anchorstep")  # neutral by default (issue 12)
        pause = str(msg["List-Unsubscribe"]).strip().strip("<>")
        assert pause in msg.get_body(("plain",)).get_content()

        page = phone.new_page()
        open_link(page, pause)
        expect(page.get_by_role("heading", name="Your reminders")).to_be_visible()
        page.get_by_role("checkbox", name="Pause my email reminders").check()
        page.get_by_role("button", name="Pause reminders").click()
        expect(page.get_by_text("Nothing else has changed")).to_be_visible()
        expect(page.get_by_role("button", name="Resume reminders")).to_be_visible()
        shot(page, "reminders-client-paused")
        state = srv.run_python(
            "from datetime import datetime, timezone\nimport db\nfrom db import consent, reminders\n"
            f"with db.read() as c: print(reminders.is_paused(c, {client_id}), "
            f"consent.is_active(c, {client_id}, datetime.now(timezone.utc)))")
        assert state.split() == ["True", "True"]

        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        admin = desk.new_page()
        sign_in(admin, srv.url, "admin", DEMO_PASSWORD)
        admin.get_by_role("link", name="Reminder worker").click()
        settle(admin)
        expect(admin.get_by_text("Working: last successful pass")).to_be_visible()
        shot(admin, "reminders-admin-worker")
        desk.close()
    finally:
        srv.stop()
