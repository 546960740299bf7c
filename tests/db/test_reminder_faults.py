"""The worker SIGKILLed at random points 20 times, then a clean pass after the leases lapse:
no reminder is sent twice, and every due reminder ends sent or dead-lettered with a reason."""
import email as email_lib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from email import policy

from sqlalchemy import insert, select, update

import db
from db import outbox
from jobs import sender
from tests.conftest import ROOT
from tests.db.test_reminder_concurrency import seed
from tests.db.test_reminders import cfg

KILLS = 20


def _eml_refs(folder) -> Counter:
    refs = Counter()
    for path in folder.glob("*.eml"):
        msg = email_lib.message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["X-Anchorstep-Ref"]:
            refs[str(msg["X-Anchorstep-Ref"])] += 1
    return refs


def test_sigkill_twenty_times_then_nothing_twice_and_nothing_lost(sqlite_db, people, tmp_path, monkeypatch):
    import tests.db.test_reminder_concurrency as conc
    monkeypatch.setattr(conc, "TOTAL", 2000)  # enough that kills land mid-batch (the worker sends ~1,000/s)
    seed(people)
    real_now = datetime.now(timezone.utc)
    t = outbox.reminder_outbox
    with db.write() as conn:  # due by the real clock, which the worker processes use
        conn.execute(update(t).values(due_at=real_now - timedelta(minutes=1),
                                      next_attempt_at=real_now - timedelta(minutes=1),
                                      window_end=real_now + timedelta(hours=2)))
        seeded = set(conn.execute(select(t.c.ref)).scalars())
    env = {**os.environ, "EMAIL_BACKEND": "console", "REMINDER_LEASE_SECONDS": "30", "PYTHONPATH": str(ROOT),
           "LOG_LEVEL": "warning"}
    rng = random.Random(6)
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-m", "jobs.worker", "--once"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 3.5))  # imports take about a second; then it is mid-batch
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with db.read() as conn:
        mid = dict(conn.execute(select(t.c.status, db_count()).where(t.c.ref.in_(seeded)).group_by(t.c.status)).all())
    later = datetime.now(timezone.utc) + timedelta(seconds=31)  # every lease has lapsed
    swept = outbox.sweep(later)
    sender.drain(lambda: later, "cleanup", cfg(tmp_path, EMAIL_BACKEND="console",
                                                DATA_DIR=os.environ["DATA_DIR"]))
    refs = _eml_refs(db_outbox_dir())
    with db.read() as conn:
        final = {r.ref: r for r in conn.execute(select(t.c.ref, t.c.status, t.c.reason).where(t.c.ref.in_(seeded)))}
    print(f"\nafter {KILLS} kills: {mid}; sweep {swept}; final "
          f"{Counter(r.status for r in final.values())}")
    assert max(refs.values()) == 1, "a reminder was sent twice"
    assert {r.status for r in final.values()} <= {"sent", "failed"}
    for ref, row in final.items():
        if row.status == "sent":
            assert refs[ref] == 1
        else:
            assert "interrupted" in row.reason and refs[ref] <= 1
    assert mid.get("due", 0) < len(seeded)  # the killed workers did get somewhere


def db_count():
    from sqlalchemy import func
    return func.count()


def db_outbox_dir():
    from core import settings as settings_mod
    from jobs import email as mail
    return mail.outbox_dir(settings_mod.load())
