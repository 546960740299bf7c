"""Several workers at once over 10,000 due reminders: three threads on PostgreSQL, two on SQLite
(each thread its own connections, as separate processes would have) -> zero duplicates, zero
missing. The time taken is printed (run with -s to see it)."""
import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

import db
from db import outbox
from demo import builders
from db.clients import clients
from jobs import sender
from tests.conftest import NOW
from tests.db.test_reminders import BREATHING, cfg, plan_for

TOTAL = 10_000
CLIENTS = 20


def seed(people) -> None:
    """20 reachable clients with one step each, and 500 due reminders apiece (distinct local dates)."""
    clara = people["clara"]
    ids = [people["client_clara"]]
    with db.write() as conn:
        for i in range(CLIENTS - 1):
            ids.append(conn.execute(insert(clients).values(
                practice_id=clara.practice_id, clinician_id=clara.clinician_id, display_name=f"Client {i}",
                email=f"c{i}@example.org", timezone="Europe/London", status="active", created_at=NOW,
                updated_at=NOW)).inserted_primary_key[0])
        for cid in ids:
            builders.record_confirmed_in(conn, cid, at=NOW - timedelta(days=1), by="test")
    step_of = {}
    from db import plans
    for cid in ids:
        plan_id, errors = plans.create_plan(clara, cid, goal="Calmer mornings", steps=[BREATHING],
                                            now=NOW - timedelta(days=1))
        assert errors == {}
        step_of[cid] = plans.get(clara, plan_id, now=NOW)["steps"][0]["step_id"]
    per = TOTAL // CLIENTS
    rows = [{"ref": outbox.new_ref(), "client_id": cid, "step_id": step_of[cid],
             "local_date": date(2020, 1, 1) + timedelta(days=d), "slot": BREATHING["window_start"],
             "due_at": NOW - timedelta(minutes=1), "window_end": NOW + timedelta(hours=6),
             "next_attempt_at": NOW - timedelta(minutes=1), "status": "due", "attempts": 0,
             "created_at": NOW, "updated_at": NOW} for cid in ids for d in range(per)]
    with db.write() as conn:
        for i in range(0, len(rows), 1000):
            conn.execute(insert(outbox.reminder_outbox), rows[i:i + 1000])


def run_workers(n: int, c) -> tuple[Counter, float, list]:
    sent, lock, errors = Counter(), threading.Lock(), []

    def deliver(message, cfg):
        with lock:
            sent[str(message["X-Anchorstep-Ref"])] += 1
        return "ok"

    def work(name):
        try:
            sender.drain(lambda: NOW, name, c, deliver=deliver, limit=25)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(n)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent, time.monotonic() - started, errors


@pytest.mark.parametrize("kind,workers", [("sqlite", 2), ("postgres", 3)])
def test_several_workers_send_10000_reminders_exactly_once(request, people_factory, tmp_path, kind, workers):
    people = people_factory(kind)
    seed(people)
    sent, took, errors = run_workers(workers, cfg(tmp_path))
    assert errors == []
    refs = {r for r in _all_refs()}
    assert len(refs) == TOTAL
    duplicates = [ref for ref, n in sent.items() if n > 1]
    missing = refs - set(sent)
    print(f"\n{kind}: {workers} workers sent {sum(sent.values())} of {TOTAL} reminders in {took:.1f} s; "
          f"{len(duplicates)} duplicates, {len(missing)} missing")
    assert duplicates == [] and missing == set()
    with db.read() as conn:
        statuses = dict(conn.execute(select(outbox.reminder_outbox.c.status, func.count())
                                     .group_by(outbox.reminder_outbox.c.status)).all())
    assert statuses == {"sent": TOTAL}


def _all_refs():
    with db.read() as conn:
        return list(conn.execute(select(outbox.reminder_outbox.c.ref)).scalars())


@pytest.fixture
def people_factory(request):
    def make(kind):
        request.getfixturevalue("sqlite_db" if kind == "sqlite" else "postgres_db")
        return request.getfixturevalue("people")
    return make
