"""Benchmark: staff emails (issue 18). 400 clinicians' weekly digests planned and sent (target ≤ 10 s),
and 400 safety alerts (one open flag per clinician) planned and sent in one worker pass.

`measure(database)` works on the database the caller configured (already migrated): its own practice,
400 clinicians who opted in to the digest, five clients each, one open safety flag per clinician.
Each run plans the digests for Monday 08:00 in the practice's zone (`plan_digests`) and sends them
through the real `console` backend (`staff_sender.drain`: each digest counts the clinician's caseload
by the caseload's own rules); then the 400 alerts the same way. Between runs (untimed) the staff
outbox is emptied and the flags made unalerted again.

The alert path adds nothing to a check-in submission: alerts are planned only by the worker (the
check-in's transaction raises the flag as before and writes nothing else), so what an alert costs
is measured here, as worker time.

`python -m bench.staff_alerts [--runs N] [--only sqlite|postgres]` runs it alone.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLINICIANS = 400
CLIENTS_EACH = 5
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # 08:00 in Europe/London (GMT)


def _setup() -> int:
    from sqlalchemy import insert, select
    import db
    from db import practices
    from db.tables import clients, clinicians, safety_flags
    since = MONDAY - timedelta(days=30)
    with db.write() as conn:
        pid = practices.create(conn, name="Digest Bench Practice", timezone="Europe/London", now=since)
        stamp = int(time.time() * 1000) % 10**8
        conn.execute(insert(clinicians), [{
            "practice_id": pid, "username": f"dbench{stamp}_{i}", "display_name": f"Digest Bench {i}",
            "email": f"db{i}@bench.invalid", "role": "clinician", "password_hash": "x", "weekly_digest": True,
            "password_changed_at": since, "created_at": since} for i in range(CLINICIANS)])
        staff = list(conn.execute(select(clinicians.c.id).where(clinicians.c.practice_id == pid)).scalars())
        conn.execute(insert(clients), [{
            "practice_id": pid, "clinician_id": c, "display_name": f"Bench {c}-{j}", "email": f"b{c}-{j}@bench.invalid",
            "timezone": "Europe/London", "status": "active", "created_at": since, "updated_at": since}
            for c in staff for j in range(CLIENTS_EACH)])
        firsts = conn.execute(select(clients.c.clinician_id, db_min(clients.c.id)).where(clients.c.practice_id == pid)
                              .group_by(clients.c.clinician_id)).all()
        conn.execute(insert(safety_flags), [{"client_id": cid, "raised_at": MONDAY - timedelta(minutes=5),
                                             "source": "checkin", "source_id": 0, "reason": "bench"}
                                            for _, cid in firsts])
    return pid


def db_min(column):
    from sqlalchemy import func
    return func.min(column)


def _reset(pid: int) -> None:
    from sqlalchemy import delete, select, update
    import db
    from db.tables import clients, safety_flags, staff_outbox
    with db.write() as conn:
        conn.execute(delete(staff_outbox).where(staff_outbox.c.practice_id == pid))
        conn.execute(update(safety_flags).where(safety_flags.c.client_id.in_(
            select(clients.c.id).where(clients.c.practice_id == pid))).values(alert_id=None, alerted_at=None))


def measure(database: str, *, runs: int = 3, verbose: bool = False) -> list:
    from bench import harness
    from core import settings as settings_mod
    from db import staff_outbox
    from jobs import staff_sender
    cfg = settings_mod.load()
    pid = _setup()
    digests = harness.Result(f"plan + send {CLINICIANS} clinicians' weekly digests (console)", database, "s",
                             target="≤ 10 s", limit=10.0)
    alerts = harness.Result(f"plan + send {CLINICIANS} safety alerts in one worker pass (console)", database, "s",
                            target="(worker time; a check-in submission gains nothing)")
    for run in range(runs):
        _reset(pid)
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            t0 = time.perf_counter()
            planned = staff_outbox.plan_digests(MONDAY)
            sent = staff_sender.drain(lambda: MONDAY, "bench", cfg)
            digests.runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            found = staff_outbox.plan_alerts(MONDAY, cooldown_minutes=15, escalate_hours=24)
            alerted = staff_sender.drain(lambda: MONDAY, "bench", cfg)
            alerts.runs.append(time.perf_counter() - t0)
        assert planned >= CLINICIANS and sent.sent >= CLINICIANS, (planned, sent)
        assert found["alerts"] >= CLINICIANS and alerted.sent >= CLINICIANS, (found, alerted)
        if verbose:
            print(f"[{database}] run {run + 1}: digests {digests.runs[-1]:.2f} s, alerts {alerts.runs[-1]:.2f} s",
                  flush=True)
    _reset(pid)
    return [digests, alerts]


def main(argv: list[str] | None = None) -> int:
    from bench import reminders
    return reminders.standalone(measure, "python -m bench.staff_alerts", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
