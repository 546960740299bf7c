"""Several reminder worker processes on one PostgreSQL outbox (issue 20): four `python -m jobs.worker
--once` processes, started together, send every due reminder exactly once (counted in the database
and in the console backend's .eml files); and when one of them is SIGKILLed mid-batch, its claims
lapse and another worker finishes them, with nothing sent twice. Correctness only: the time is the
benchmark's (bench/workers.py). In CI (CI=true) these fail, not skip, without PostgreSQL."""
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

import db
from db import outbox
from jobs import sender
from tests.conftest import ROOT
from tests.db.test_reminders import cfg

WORKERS = 4
TOTAL = 10_000
BATCH = 20  # REMINDER_SEND_BATCH: the most a killed worker may leave as "interrupted"
REF = re.compile(rb"^X-Anchorstep-Ref: *([0-9a-f]+)", re.MULTILINE)


@pytest.fixture
def due_reminders(postgres_db, people, monkeypatch):
    """TOTAL reminders due now by the real clock (the worker processes use it): 20 reachable clients
    with one step each and 500 reminders apiece (tests/db/test_reminder_concurrency.py's seed)."""
    import tests.db.test_reminder_concurrency as conc
    monkeypatch.setattr(conc, "TOTAL", TOTAL)
    conc.seed(people)
    now = datetime.now(timezone.utc)
    t = outbox.reminder_outbox
    with db.write() as conn:
        conn.execute(update(t).values(due_at=now - timedelta(minutes=1), next_attempt_at=now - timedelta(minutes=1),
                                      window_end=now + timedelta(hours=2)))
        refs = set(conn.execute(select(t.c.ref)).scalars())
    assert len(refs) == TOTAL
    return refs


def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "EMAIL_BACKEND": "console", "LOG_LEVEL": "warning",
            "REMINDER_SEND_BATCH": str(BATCH), **extra}


def _start(name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jobs.worker", "--once", "--name", name], cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _eml_refs() -> Counter:
    folder = Path(os.environ["DATA_DIR"]) / "outbox"
    refs: Counter = Counter()
    for path in folder.glob("*.eml") if folder.exists() else ():
        m = REF.search(path.read_bytes()[:4096])
        refs[m.group(1).decode() if m else "?"] += 1
    return refs


def _seeded():
    """The seeded reminders (their local dates are in 2020-21): the workers' own planning passes may
    add today's reminders of these clients beside them."""
    return outbox.reminder_outbox.c.local_date < date(2022, 1, 1)


def _statuses(by_worker: bool = False) -> dict:
    t = outbox.reminder_outbox
    cols = (t.c.claimed_by, t.c.status) if by_worker else (t.c.status,)
    with db.read() as conn:
        return {(tuple(r[:-1]) if by_worker else r[0]): r[-1]
                for r in conn.execute(select(*cols, func.count()).where(_seeded()).group_by(*cols))}


def _all_refs() -> set[str]:
    with db.read() as conn:
        return set(conn.execute(select(outbox.reminder_outbox.c.ref)).scalars())


def test_four_worker_processes_send_every_due_reminder_exactly_once(due_reminders):
    procs = [_start(f"w{i}") for i in range(WORKERS)]
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-2000:]
    refs = _eml_refs()
    duplicates = {ref: n for ref, n in refs.items() if n > 1}
    strangers = set(refs) - _all_refs()  # an email without an outbox row
    missing = due_reminders - set(refs)
    assert (duplicates, strangers, missing) == ({}, set(), set())
    assert _statuses() == {"sent": TOTAL}
    per_worker = {w: n for (w, status), n in _statuses(by_worker=True).items() if status == "sent"}
    assert sum(per_worker.values()) == TOTAL
    assert len(per_worker) >= 2, f"one worker sent everything: {per_worker}"  # they shared the outbox


def test_a_worker_sigkilled_mid_batch_leaves_its_claims_to_another_worker_after_the_lease(due_reminders):
    procs = {f"w{i}": _start(f"w{i}") for i in range(WORKERS)}
    t = outbox.reminder_outbox
    victim, deadline = procs["w0"], time.monotonic() + 120
    try:
        while time.monotonic() < deadline:  # kill w0 once it has sent some and holds claims it has not
            mine = {s: n for (w, s), n in _statuses(by_worker=True).items() if w == "w0"}
            if mine.get("sent", 0) and mine.get("claimed", 0):
                victim.send_signal(signal.SIGKILL)
                break
            assert victim.poll() is None, "w0 finished before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail("w0 never held claims while sending")
        victim.wait(timeout=30)
        for name, p in procs.items():
            if name != "w0":
                _, err = p.communicate(timeout=240)
                assert p.returncode == 0, err[-2000:]
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
    left = {s: n for (w, s), n in _statuses(by_worker=True).items() if w == "w0" and s in ("claimed", "sending")}
    assert left.get("claimed", 0) > 0, left  # the others did not take w0's rows while its lease ran
    assert left.get("sending", 0) <= BATCH
    # The lease lapses (REMINDER_LEASE_SECONDS, 300 s by default): another worker's pass, its clock that
    # much later, sweeps and sends what w0 had claimed but never handed over.
    later = datetime.now(timezone.utc) + timedelta(seconds=301)
    swept = outbox.sweep(later)
    assert swept["reclaimed"] == left["claimed"] and swept["interrupted"] == left.get("sending", 0)
    finished = sender.drain(lambda: later, "w-after", cfg(Path(os.environ["DATA_DIR"]), EMAIL_BACKEND="console",
                                                           DATA_DIR=os.environ["DATA_DIR"]))
    assert finished.sent >= left["claimed"]
    refs = _eml_refs()
    assert refs.pop("?", 0) <= 1  # the file w0 was writing when it was killed, cut short
    assert max(refs.values()) == 1, "a reminder was sent twice"
    assert set(refs) <= _all_refs()
    with db.read() as conn:
        final = {r.ref: r for r in conn.execute(select(t.c.ref, t.c.status, t.c.reason).where(_seeded()))}
    assert Counter(r.status for r in final.values()) == {"sent": TOTAL - left.get("sending", 0),
                                                         **({"failed": left["sending"]} if left.get("sending") else {})}
    for ref, row in final.items():
        if row.status == "sent":
            assert refs[ref] == 1, ref  # sent exactly once, with its email
        else:  # w0 may or may not have handed it over: visible, never a second email
            assert "interrupted" in row.reason and refs[ref] <= 1


def test_while_one_worker_plans_another_workers_pass_skips_planning_and_plans_once_it_is_free(postgres_db, people,
                                                                                               tmp_path):
    """Four workers used to plan every reminder four times over; on PostgreSQL one plans at a time."""
    from sqlalchemy import text
    from jobs import planner
    from tests.conftest import NOW
    from tests.db.test_reminders import make_reachable, plan_for
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    plan_for(people, window_start="07:30", days=[0, 1, 2, 3, 4, 5, 6])
    c = cfg(tmp_path)
    with db.engine().connect() as other, other.begin():  # another worker, mid-plan, holds the lock
        assert other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": planner.PLAN_LOCK}).scalar()
        assert planner.run(NOW, c) == 0
        assert _count_outbox() == 0
        assert planner.run(NOW, c, client_ids=[people["client_clara"]]) > 0  # a client's own re-plan never waits
    with db.write() as conn:
        conn.execute(outbox.reminder_outbox.delete())
    assert planner.run(NOW, c) > 0 and _count_outbox() > 0  # the lock went with the other's transaction


def _count_outbox() -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(outbox.reminder_outbox)).scalar()
