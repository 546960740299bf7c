"""`PORT=… make run` on a port other than 8501: every link the app and the worker make points at that
port, and a LINK_BASE_URL that cannot reach the app is named in the log of the process that reads it.
The Makefile itself starts the app and the worker here (its install step is skipped with `make -o
install` and the interpreter running the tests stands in for the project's virtualenv)."""
from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, free_port
from tests.e2e.conftest import DEMO_PASSWORD, settle, sign_in, start_streamlit
from tests.e2e.client_pages import minimal_check_in, open_link
from tests.e2e.test_consent import open_consent_page, tick

pytestmark = pytest.mark.e2e

# A client of Maya with consent and one step whose window opened half an hour ago (local time), its
# reminder planned an hour ago: the worker's first pass sends it, building its links as it sends.
DUE_NOW = """
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from core import templates
from db import clients, consent, plans
import db; from sqlalchemy import text
from db.actors import Actor
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
start = (now - timedelta(minutes=30)).astimezone(ZoneInfo('Europe/London'))
step = {**templates.by_key(templates.BUILT_IN)["breathing"]["step"], "days": list(range(7)),
        "window_start": start.strftime('%H:%M'), "window_end": "23:59"}
cid, err = clients.create(maya, {"display_name": "Port Client", "email": "port@example.org",
                                 "timezone": "Europe/London"}, now=now - timedelta(days=2))
assert not err, err
with db.write() as c:
    builders.record_confirmed_in(c, cid, at=now - timedelta(days=2), by="maya")
pid, err = plans.create_plan(maya, cid, goal="Calmer mornings", steps=[step], now=now - timedelta(days=1))
assert not err, err
from core import settings
from jobs import planner
planner.run(now - timedelta(hours=1), settings.load())
"""


def _env(tmp: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("LINK_BASE_URL", "PORT", "DATABASE_SCHEMA")}
    return {**env, "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}", "DATA_DIR": str(tmp / "data"),
            "PYTHONPATH": str(ROOT), "EMAIL_BACKEND": "console", "REMINDER_QUIET_HOURS": "off", "LOG_LEVEL": "info",
            **extra}


def _prepare(env: dict, extra_code: str = "") -> None:
    code = f"from db import migrate; from demo import builders, seed; migrate.upgrade(); seed.run(password={DEMO_PASSWORD!r})\n" + extra_code
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


def _healthy(port: int, proc: subprocess.Popen, log: Path, wait: float = 90) -> None:
    deadline = time.time() + wait
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the app did not answer on port %d:\n%s" % (port, log.read_text()))


def _mails(data: Path) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((data / "outbox").glob("*.eml"))]


def _links(msg) -> list[str]:
    return [w for w in msg.get_body(preferencelist=("plain",)).get_content().split() if "?t=" in w]


def _wait_for(what, timeout: float = 90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.5)
    return what()


def test_regression_make_run_on_another_port_makes_every_link_on_that_port(tmp_path, browser):
    port = free_port()
    base = f"http://localhost:{port}/c/?t="
    env = _env(tmp_path, PORT=str(port))  # the README's way: PORT=8502 make run
    _prepare(env, DUE_NOW)
    log = tmp_path / "make.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["make", "-o", "install", "run", f"BIN={Path(sys.executable).parent}"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _healthy(port, proc, log)
        # The worker: the reminder's check-in link and its List-Unsubscribe (pause) link.
        # Port Client's own reminder: at some hours a demo client's step is due too, and its check-in
        # holds two steps (the regression: this test picked the first reminder and failed in the evening).
        reminders = _wait_for(lambda: [m for m in _mails(tmp_path / "data")
                                       if m["List-Unsubscribe"] and "port@example.org" in str(m["To"])])
        assert reminders, log.read_text()
        reminder = reminders[0]
        checkin_link, pause_link = _links(reminder)  # "check in here", then "to pause these reminders"
        assert checkin_link.startswith(base) and pause_link.startswith(base), (checkin_link, pause_link)
        assert reminder["List-Unsubscribe"].strip().startswith(f"<{base}"), reminder["List-Unsubscribe"]

        # The app: a consent link emailed from the clinician's Consent page.
        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desk.new_page()
        sign_in(page, f"http://127.0.0.1:{port}", "maya", DEMO_PASSWORD)
        open_consent_page(page)  # Alex R. (demo) is first on the list, awaiting consent
        from core.consent import DEFAULT_ITEMS
        for item in DEFAULT_ITEMS:
            tick(page, item["title"])
        tick(page, "I checked with the client")
        page.get_by_role("button", name="Email the consent link").click()
        settle(page)
        expect(page.get_by_text("on its way")).to_be_visible()
        consent_mails = [m for m in _mails(tmp_path / "data")  # (not the demo flag's safety alert: issue 18)
                         if str(m["Subject"]).startswith("A message from")]
        assert len(consent_mails) == 1
        (consent_link,) = _links(consent_mails[0])
        assert consent_link.startswith(base), consent_link
        desk.close()

        # The app again: the check-in (opened from the reminder) offers the coping card's link.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        client = phone.new_page()
        open_link(client, checkin_link.replace("localhost", "127.0.0.1"))
        minimal_check_in(client, mood="6", distress="2")
        card = client.get_by_role("link", name="Open my coping card")
        expect(card).to_be_visible()
        # The card's address is this server's own (its token went into a cookie, not the address).
        assert card.evaluate("a => a.href") == f"http://127.0.0.1:{port}/c/card", card.get_attribute("href")
        card.click()
        expect(client.get_by_role("heading", name="Your coping card")).to_be_visible()
        phone.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, as a person stops `make run`
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "localhost:8501" not in json.dumps([str(m) for m in _mails(tmp_path / "data")])


def test_regression_a_link_base_on_another_port_is_named_in_the_worker_log_at_start(tmp_path):
    env = _env(tmp_path, PORT="8621", LINK_BASE_URL="http://localhost:8501")
    _prepare(env)
    done = subprocess.run([sys.executable, "-m", "jobs.worker", "--once"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if "WARNING" in line and "LINK_BASE_URL" in line]
    assert warning and "8621" in warning[0], done.stderr
    quiet = subprocess.run([sys.executable, "-m", "jobs.worker", "--once"], cwd=ROOT, capture_output=True, text=True,
                           env={**env, "LINK_BASE_URL": "http://localhost:8621"}, timeout=120)
    assert "LINK_BASE_URL" not in quiet.stderr, quiet.stderr


def test_regression_a_link_base_on_another_port_is_named_in_the_app_log_at_start(tmp_path, browser):
    port = free_port()
    env = _env(tmp_path, LINK_BASE_URL="http://localhost:8501")  # streamlit is told another port
    _prepare(env)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = start_streamlit(ROOT / "app.py", port, env, out)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}")
        settle(page)  # the first run of the script in this process
        page.close()
        text = _wait_for(lambda: "LINK_BASE_URL" in log.read_text() and log.read_text(), timeout=20)
        warning = [line for line in log.read_text().splitlines() if "LINK_BASE_URL" in line]
        assert warning and "WARNING" in warning[0] and str(port) in warning[0], text or log.read_text()
    finally:
        proc.terminate()
        proc.wait(15)
