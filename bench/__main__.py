"""`make bench`: generate the large practice on SQLite and on PostgreSQL and time what users wait for."""
from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _databases(tmp: Path):
    yield "sqlite", {"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        eng = create_engine(PG_URL)
        with eng.connect() as c:
            c.execute(text("select 1"))
    except Exception as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); measuring SQLite only.", file=sys.stderr)
        return
    try:
        yield "postgres", {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": schema}
    finally:
        with eng.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


def caseload_runner(username: str):
    from datetime import datetime, timezone
    from streamlit.testing.v1 import AppTest
    from db import signins
    sid, _ = signins.start_session(username, datetime.now(timezone.utc))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["as_sid"] = sid
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    assert not at.exception, at.exception

    def run():
        at.run()
    return run


def checkin_submissions(clinician_id: int, practice_id: int, client_id: int, n: int = 200) -> list[float]:
    """Seconds per check-in submission (validation, consent and link checks, insert), one at a time."""
    import time
    from datetime import datetime, timedelta, timezone
    from core import templates as core_templates
    import db
    from db import checkins, consent, links, plans
    from db.actors import Actor
    now = datetime.now(timezone.utc)
    actor = Actor(clinician_id, practice_id, "clinician", "bench")
    t = core_templates.by_key(core_templates.BUILT_IN)
    plan_id, errors = plans.create_plan(actor, client_id, goal="Calmer days", now=now - timedelta(days=10),
                                        steps=[{**t["breathing"]["step"], "days": [0, 1, 2, 3, 4, 5, 6]}])
    assert errors == {}, errors
    step_id = plans.get(actor, plan_id, now=now)["steps"][0]["step_id"]
    with db.write() as conn:
        consent.record_confirmed_in(conn, client_id, at=now - timedelta(days=10), by="bench")
    ttl = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
    raw = links.issue_for(actor, client_id, "checkin", now=now, ttl_days=ttl)
    zone = __import__("db.clients", fromlist=["x"]).get(actor, client_id, now=now)["timezone"]
    from core.checkins import local_today
    today = local_today(zone, now).isoformat()
    times = []
    for i in range(n):
        form = {"local_date": today, "steps": {step_id: {"status": "done"}}, "mood": 6, "distress": 3,
                "thought": "A short thought.", "idempotency_key": f"bench-{i:06d}-" + "x" * 12}
        t0 = time.perf_counter()
        result = checkins.submit(raw, form, now=datetime.now(timezone.utc), threshold=9, ttl_days=ttl)
        times.append(time.perf_counter() - t0)
        assert result.status == "saved", result
    return times


def floor_runner(script: str):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "bench" / script), default_timeout=60)
    at.run()

    def run():
        at.run()
    return run


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from bench import generate, harness
    import db
    from db import migrate
    from db.clients import clients
    from sqlalchemy import func, select

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATA_DIR"] = tmp
        for name, env in _databases(Path(tmp)):
            os.environ.update(env)
            db.dispose_all()
            migrate.upgrade()
            ids = generate.generate()
            # The clinician with the most clients (40 with 20 clinicians and 400 clients).
            with db.read() as conn:
                busiest = conn.execute(select(clients.c.clinician_id, func.count()).group_by(clients.c.clinician_id)
                                       .order_by(func.count().desc())).first()
            username = f"clin{ids['clinicians'].index(busiest[0]):02d}"
            results.append(harness.measure(f"caseload page, {busiest[1]} clients (AppTest run)", name,
                                           caseload_runner(username), target="≤ 3× floor"))
            results.append(harness.measure("caseload floor (same elements, no data work)", name,
                                           floor_runner("floor_caseload.py")))
            with db.read() as conn:
                client_id = conn.execute(select(clients.c.id).where(clients.c.clinician_id == busiest[0],
                                                                    clients.c.status == "active")).scalar()
            times = sorted(checkin_submissions(busiest[0], ids["practice"], client_id))
            sub = harness.Result("check-in submission p50 (validation + insert, 200 in a row)", name, "s", times,
                                 target="p95 ≤ 50 ms")
            results.append(sub)
            p95 = times[int(0.95 * len(times)) - 1]
            results.append(harness.Result("check-in submission p95", name, "s", [p95], target="≤ 50 ms"))
            db.dispose_all()
    harness.write(results)
    print(harness.table(results))
    by = {(r.name.split(",")[0].split(" (")[0], r.database): r.median for r in results}
    for database in {r.database for r in results}:
        page, floor = by.get(("caseload page", database)), by.get(("caseload floor", database))
        if page and floor:
            print(f"caseload / floor on {database}: {page / floor:.2f}× (target ≤ 3×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
