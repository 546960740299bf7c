"""Benchmark: FHIR export of a year of weekly questionnaires for one client (issue 17; target ≤ 2 s).

`measure(database)` works on the database the caller configured (already migrated): its own practice,
an admin, one client with 52 weeks of every instrument the database accepts (PHQ-9 and GAD-7 always;
WHO-5 and PCL-5 once their migration allows them), stored item by item as the client's answers are.
Each run is what the admin's "Prepare FHIR (JSON)" button does: the scoped read, the audit row, the
Bundle built and serialised (db.measure_export.fhir_json).

`python -m bench.fhir_export [--runs N] [--only sqlite|postgres]` runs it alone.
"""
from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
WEEKS = 52


def _setup() -> tuple[object, int, int]:
    """(admin actor, client id, administrations stored)."""
    from sqlalchemy import exc, insert
    import db
    from core import measures as measure_rules
    from db import practices
    from db.actors import Actor
    from db.tables import clients, clinicians, measure_answers, measure_assignments, measure_responses
    since = NOW - timedelta(days=7 * WEEKS + 2)
    stamp = int(time.time() * 1000) % 10**8
    with db.write() as conn:
        pid = practices.create(conn, name="FHIR Bench Practice", timezone="Europe/London", now=since)
        admin = conn.execute(insert(clinicians).values(
            practice_id=pid, username=f"fbench{stamp}", display_name="FHIR Bench Admin", email="f@bench.invalid",
            role="admin", password_hash="x", password_changed_at=since, created_at=since)).inserted_primary_key[0]
        cid = conn.execute(insert(clients).values(
            practice_id=pid, clinician_id=admin, display_name="FHIR Bench Client", email="c@bench.invalid",
            timezone="Europe/London", status="active", created_at=since, updated_at=since)).inserted_primary_key[0]
    rng, stored = random.Random(17), 0
    for code, m in measure_rules.MEASURES.items():
        try:
            with db.write() as conn:
                aid = conn.execute(insert(measure_assignments).values(
                    client_id=cid, measure=code, cadence="weekly", created_by=admin, created_at=since)
                ).inserted_primary_key[0]
                for week in range(WEEKS):
                    at = since + timedelta(days=7 * week + 1, hours=rng.randint(0, 8))
                    answers = [rng.choice(m.values) for _ in m.items]
                    s = measure_rules.score(code, answers)
                    rid = conn.execute(insert(measure_responses).values(
                        client_id=cid, assignment_id=aid, measure=code, idempotency_key=f"bench-{code}-{week}-{stamp}",
                        local_date=at.date(), submitted_at=at, total=s.total, band=s.band)).inserted_primary_key[0]
                    conn.execute(insert(measure_answers), [{"response_id": rid, "item": i + 1, "answer": a}
                                                           for i, a in enumerate(answers)])
            stored += WEEKS
        except exc.IntegrityError:  # an instrument this database's tables do not take yet
            continue
    return Actor(admin, pid, "admin", "fhir bench", "FHIR Bench Admin"), cid, stored


def measure(database: str, *, runs: int = 3, verbose: bool = False) -> list:
    from bench import harness
    from db import measure_export
    actor, cid, stored = _setup()
    res = harness.Result(f"FHIR export of a year of weekly questionnaires for one client ({stored} administrations)",
                         database, "s", target="≤ 2 s", limit=2.0)
    size = 0
    for run in range(runs + 1):  # the first is a warm-up
        t0 = time.perf_counter()
        data = measure_export.fhir_json(actor, cid, include_name=False, now=NOW, key="bench")
        took = time.perf_counter() - t0
        size = len(data)
        if run:
            res.runs.append(took)
        if verbose:
            print(f"[{database}] run {run}: {took:.3f} s, {size / 1e6:.1f} MB", flush=True)
    return [res]


def main(argv: list[str] | None = None) -> int:
    from bench import reminders
    return reminders.standalone(measure, "python -m bench.fhir_export", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
