"""`python -m jobs.worker` as a process: --once exits 0 or non-zero for cron, SIGTERM stops the
loop cleanly, a failing pass is logged and the loop lives on; a stop request mid-batch finishes the
current reminder and gives the rest back."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select

import db
from db import outbox, reminders
from jobs import sender, worker
from tests.conftest import NOW, ROOT
from tests.db.test_reminders import Recorder, _due_row, cfg, rows


def _env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "info", **extra}


def test_once_exits_zero_and_beats(sqlite_db, people):
    done = subprocess.run([sys.executable, "-m", "jobs.worker", "--once", "--name", "cron"], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [b["worker"] for b in reminders.heartbeats()] == ["cron"]


def test_once_exits_non_zero_when_the_pass_fails(tmp_path):
    broken = tmp_path / "empty.db"  # never migrated: no outbox table
    done = subprocess.run([sys.executable, "-m", "jobs.worker", "--once"], cwd=ROOT,
                          env=_env(DATABASE_URL=f"sqlite:///{broken}", DATA_DIR=str(tmp_path)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "the pass failed" in done.stderr


def test_sigterm_stops_the_loop(sqlite_db, people):
    proc = subprocess.Popen([sys.executable, "-m", "jobs.worker", "--name", "loop"], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not reminders.heartbeats():
            time.sleep(0.2)
        assert reminders.heartbeats(), "no heartbeat"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "stopping after the current reminder" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_failing_pass_is_logged_and_the_loop_lives_on(sqlite_db, people, tmp_path, monkeypatch, caplog):
    loop = worker.Loop("w", cfg(tmp_path))
    calls = []

    def boom(*a, **k):
        calls.append(1)
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker.planner, "run", boom)
    loop.tick()
    loop.tick()
    assert len(calls) == 2 and "the pass failed" in caplog.text
    (hb,) = reminders.heartbeats()
    assert hb["last_pass_at"] is None and "database went away" in hb["last_error"]


def test_stop_mid_batch_finishes_the_current_reminder_and_gives_back_the_rest(database, people, tmp_path):
    _due_row(people, tmp_path, "clara")
    _due_row(people, tmp_path, "colin")
    rec = Recorder()
    result = sender.run(NOW, "w1", cfg(tmp_path), deliver=rec, stop=lambda: len(rec.sent) >= 1)
    assert result.sent == 1 and len(rec.sent) == 1
    assert sorted(r["status"] for r in rows()) == ["due", "sent"]
