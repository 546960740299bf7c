"""RFC 8058 one-click pause, end to end: the worker sends a real reminder (console backend, .eml file),
`curl -X POST -d 'List-Unsubscribe=One-Click' <its List-Unsubscribe URL>` against a real `streamlit run
app.py` pauses that client's reminders, the next worker pass sends them nothing, and consent is still
active (pausing never withdraws)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port, need
from tests.e2e.conftest import start_streamlit
from tests.e2e.test_run_port import DUE_NOW, _env, _healthy, _mails, _prepare

pytestmark = pytest.mark.e2e

STATE = """
import db
from datetime import datetime, timezone
from sqlalchemy import text
from db import consent, reminders
now = datetime.now(timezone.utc)
with db.read() as c:
    cid = c.execute(text("select id from clients where email='port@example.org'")).scalar_one()
    paused = reminders.is_paused(c, cid)
    active = consent.is_active(c, cid, now)
    statuses = sorted(r[0] for r in c.execute(text("select status from reminder_outbox where client_id=:c"), {"c": cid}))
    audits = [r[0] for r in c.execute(text("select detail from audit_events where action='reminders.pause' and client_id=:c"), {"c": cid})]
print(paused, active, statuses, audits, sep="|")
"""

# A reminder for the paused client that is due right now (as if planned before the pause).
DUE_AGAIN = """
import db, secrets
from datetime import date, datetime, timedelta, timezone
from sqlalchemy import text, insert
from db.tables import reminder_outbox
now = datetime.now(timezone.utc)
with db.write() as c:
    row = c.execute(text("select o.client_id, o.step_id, o.local_date from reminder_outbox o join clients k "
                         "on k.id = o.client_id where k.email='port@example.org' and o.status='sent'")).one()
    c.execute(insert(reminder_outbox).values(ref=secrets.token_hex(16), client_id=row.client_id, step_id=row.step_id,
              local_date=date.fromisoformat(str(row.local_date)), slot="late", due_at=now - timedelta(minutes=1),
              window_end=now + timedelta(hours=1), next_attempt_at=now - timedelta(minutes=1), status="due",
              created_at=now, updated_at=now))
"""


def _python(env: dict, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _worker_pass(env: dict) -> None:
    subprocess.run([sys.executable, "-m", "jobs.worker", "--once"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)


def test_one_click_post_from_curl_pauses_reminders_the_next_worker_pass_sends_none_and_consent_stays(tmp_path):
    need(shutil.which("curl") is not None, "curl")
    port = free_port()
    env = _env(tmp_path, PORT=str(port))
    _prepare(env, DUE_NOW)
    _worker_pass(env)
    # the prepared client's reminder (a demo client may have one due at this hour too)
    (reminder,) = [m for m in _mails(tmp_path / "data") if m["List-Unsubscribe"] and m["To"] == "port@example.org"]
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = reminder["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith(f"http://localhost:{port}/c/?t="), url
    assert _python(env, STATE).split("|")[:2] == ["False", "True"]

    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = start_streamlit(ROOT / "app.py", port, env, log)
        try:
            _healthy(port, proc, log_path)
            # A GET of the same address (a person, or a mail scanner) only shows the pause page.
            subprocess.run(["curl", "-sS", "-o", "/dev/null", url], check=True, timeout=30)
            assert _python(env, STATE).split("|")[0] == "False"
            done = subprocess.run(["curl", "-sS", "-X", "POST", "-d", "List-Unsubscribe=One-Click", "-w", "\n%{http_code}",
                                   url], check=True, capture_output=True, text=True, timeout=30).stdout
            assert done.splitlines()[-1] == "200" and "paused" in done.lower(), done
            again = subprocess.run(["curl", "-sS", "-X", "POST", "-d", "List-Unsubscribe=One-Click", "-o", "/dev/null",
                                    "-w", "%{http_code}", url], check=True, capture_output=True, text=True,
                                   timeout=30).stdout
            assert again == "200"  # saying it twice is the same
        finally:
            proc.terminate()
            proc.wait(20)
    token = url.rsplit("t=", 1)[1]
    assert token not in log_path.read_text()

    paused, active, _, audits = _python(env, STATE).split("|")
    assert (paused, active) == ("True", "True")  # paused, and still taking part
    assert "one-click" in audits and audits.count("one-click") == 1  # audited once: the second POST changed nothing

    _python(env, DUE_AGAIN)
    before = len(_mails(tmp_path / "data"))
    _worker_pass(env)
    assert len(_mails(tmp_path / "data")) == before  # the next pass sends that client nothing
    statuses = _python(env, STATE).split("|")[2]
    assert "'due'" not in statuses and statuses.count("'sent'") == 1, statuses
