"""Benchmark: plan and send 10,000 reminders through the console backend (target ≤ 20 s).

`measure(database)` works on the database the caller configured (DATABASE_URL / DATABASE_SCHEMA,
already migrated). It makes its own practice, clinician and 5,000 clients (active, with confirmed
consent, in eight time zones), each with an active plan of two daily steps, so that one planner run
over the next 24 hours (what the worker does every minute) adds exactly 10,000 outbox rows. Then:

- "plan 10,000 reminders": `jobs.planner.run(now, cfg, client_ids=<ours>)`, timed;
- (untimed) those rows are made due now, as they would be when their times come;
- "send 10,000 reminders (console)": `jobs.sender.drain(...)` with one worker and the real
  `console` backend, which writes one .eml file per reminder under DATA_DIR/outbox/ (a fresh
  temporary folder inside DATA_DIR here, removed afterwards) and prints one line per email (sent to
  /dev/null while timing, so the terminal's speed is not measured);
- "plan + send 10,000 reminders": the two together, per run;
- "floor: create 10,000 .eml-sized files": the same number of files written the console backend's
  way with no email or database work, so a slow or busy disk shows as such.

Between runs the benchmark's outbox rows and links are deleted (untimed), so every run plans and
sends 10,000 new reminders, each with two fresh hashed link tokens.

`python -m bench.reminders [--runs N] [--only sqlite|postgres]` runs it alone: SQLite in a
temporary folder, and PostgreSQL at TEST_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test) in a throwaway schema, dropped afterwards.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOTAL = 10_000
CLIENTS = TOTAL // 2          # two daily steps each: one reminder per step in the next 24 hours
TARGET = "≤ 20 s"
WORKERS = 2                   # the side-by-side measurement: one worker process per CPU here
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"]
STEP_KEYS = ("breathing", "thought_record")  # both every day, at 07:00 and 19:00 local


def _setup(now: datetime) -> list[int]:
    """Our own practice, clinician and clients with consent and a two-step plan each (bench/practice.py)."""
    from bench import practice
    return practice.copies(CLIENTS, now, label="Reminder Bench", username=f"rbench{int(time.time() * 1000) % 10**9}",
                           zones=ZONES, step_keys=STEP_KEYS)


def _reset(ids: list[int]) -> None:
    from sqlalchemy import delete
    import db
    from db import outbox
    from db.links import client_links
    with db.write() as conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            conn.execute(delete(outbox.reminder_outbox).where(outbox.reminder_outbox.c.client_id.in_(chunk)))
            conn.execute(delete(client_links).where(client_links.c.client_id.in_(chunk)))


def _make_due(ids: list[int], now: datetime) -> int:
    from sqlalchemy import update
    import db
    from db import outbox
    t = outbox.reminder_outbox
    n = 0
    with db.write() as conn:
        for i in range(0, len(ids), 500):
            n += conn.execute(update(t).where(t.c.client_id.in_(ids[i:i + 500]), t.c.status == "due").values(
                due_at=now - timedelta(minutes=1), next_attempt_at=now - timedelta(minutes=1),
                window_end=now + timedelta(hours=2))).rowcount
    return n


def _sent(ids: list[int]) -> int:
    from sqlalchemy import func, select
    import db
    from db import outbox
    t = outbox.reminder_outbox
    with db.read() as conn:
        return sum(conn.execute(select(func.count()).where(t.c.client_id.in_(ids[i:i + 500]), t.c.status == "sent")
                                ).scalar() for i in range(0, len(ids), 500))


def measure(database: str, *, runs: int = 3, verbose: bool = False) -> list:
    """Plan and send 10,000 reminders `runs` times on the configured database: plan, send, both, and
    the file-creation floor."""
    from bench import harness
    from core import settings as settings_mod
    from jobs import planner, sender

    base = settings_mod.load()
    base.data_dir.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="reminders-bench-", dir=base.data_dir))
    cfg = settings_mod.load({**os.environ, "DATA_DIR": str(data_dir)})
    assert cfg["EMAIL_BACKEND"] == "console", "the benchmark sends through the console backend only"
    now = datetime.now(timezone.utc).replace(microsecond=0)
    ids = _setup(now)
    plan = harness.Result(f"plan {TOTAL:,} reminders", database, "s", target=TARGET)
    send = harness.Result(f"send {TOTAL:,} reminders (console)", database, "s", target=TARGET)
    both = harness.Result(f"plan + send {TOTAL:,} reminders, one worker", database, "s", target=TARGET, limit=20.0)
    floor = harness.Result(f"floor: create {TOTAL:,} .eml-sized files (no email work)", database, "s")
    pair = harness.Result(f"plan + send {TOTAL:,} reminders, {WORKERS} workers side by side", database, "s",
                          target=TARGET, limit=20.0)
    try:
        for run in range(runs):
            _reset(ids)
            shutil.rmtree(data_dir / "outbox", ignore_errors=True)
            t0, c0 = time.perf_counter(), time.process_time()
            planned = planner.run(now, cfg, client_ids=ids)
            t_plan, c_plan = time.perf_counter() - t0, time.process_time() - c0
            assert planned == TOTAL, f"planned {planned}, expected {TOTAL}"
            send_now = now + timedelta(minutes=1)
            assert _make_due(ids, send_now) == TOTAL
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
                t0, c0 = time.perf_counter(), time.process_time()
                result = sender.drain(lambda: send_now, "bench-worker", cfg)
                t_send, c_send = time.perf_counter() - t0, time.process_time() - c0
            files = list((data_dir / "outbox").glob("*.eml"))
            assert result.sent == TOTAL and len(files) == TOTAL and _sent(ids) == TOTAL, (result, len(files))
            t_floor = _file_floor(data_dir / "floor", files[0].read_bytes())
            # The same reminders again, sent by WORKERS worker processes at once (how a practice scales
            # the worker: each claims its own rows, none twice; tests/db/test_reminder_concurrency.py).
            _reset(ids)
            shutil.rmtree(data_dir / "outbox", ignore_errors=True)
            t0 = time.perf_counter()
            assert planner.run(now, cfg, client_ids=ids) == TOTAL
            t_plan2 = time.perf_counter() - t0
            assert _make_due(ids, send_now) == TOTAL
            t_pair = t_plan2 + _send_side_by_side(send_now, cfg)
            assert _sent(ids) == TOTAL and len(list((data_dir / "outbox").glob("*.eml"))) == TOTAL
            pair.runs.append(t_pair)
            plan.runs.append(t_plan)
            send.runs.append(t_send)
            both.runs.append(t_plan + t_send)
            floor.runs.append(t_floor)
            if verbose:
                print(f"  {database} run {run + 1}: plan {t_plan:.2f} s (this process's CPU {c_plan:.2f} s), "
                      f"send {t_send:.2f} s (CPU {c_send:.2f} s; creating the files alone takes {t_floor:.2f} s)",
                      flush=True)
                print(f"  {database} run {run + 1}: plan + send with {WORKERS} workers {t_pair:.2f} s", flush=True)
    finally:
        _reset(ids)
        shutil.rmtree(data_dir, ignore_errors=True)
    return [plan, send, both, pair, floor]


def _drain_in_child(send_now: datetime, name: str, cfg) -> None:
    import db
    from jobs import sender
    db.dispose_all()  # a forked child opens its own connections
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        sender.drain(lambda: send_now, name, cfg)


def _send_side_by_side(send_now: datetime, cfg) -> float:
    """Seconds until WORKERS forked worker processes have drained everything that is due."""
    import multiprocessing
    import db
    db.dispose_all()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_drain_in_child, args=(send_now, f"bench-worker-{i}", cfg)) for i in range(WORKERS)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    took = time.perf_counter() - t0
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return took


def _file_floor(folder: Path, data: bytes) -> float:
    """What the console backend's files alone cost on this disk: TOTAL files created the same way
    (O_EXCL, mode 0600) with a real message's bytes. Noisy machines show it here, not in our code."""
    import secrets
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    for i in range(TOTAL):
        fd = os.open(folder / f"{i:06d}-{secrets.token_hex(4)}.eml", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    took = time.perf_counter() - t0
    shutil.rmtree(folder, ignore_errors=True)
    return took


def main(argv: list[str] | None = None) -> int:
    return standalone(measure, "python -m bench.reminders", __doc__.splitlines()[0], argv)


def standalone(measure_fn, prog: str, description: str, argv: list[str] | None = None) -> int:
    """Run `measure_fn(database, runs=, verbose=True)` alone: SQLite in a temporary folder, and
    PostgreSQL at TEST_POSTGRES_URL in a throwaway schema (dropped afterwards); print the table."""
    import argparse
    import uuid
    from sqlalchemy import create_engine, text

    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    import db
    from bench import harness
    from db import migrate

    pg_url = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    results = []
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATABASE_SCHEMA", "DATA_DIR", "EMAIL_BACKEND")}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DATA_DIR"] = tmp
            os.environ["EMAIL_BACKEND"] = "console"
            if args.only in (None, "sqlite"):
                os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'reminders.db'}"
                os.environ.pop("DATABASE_SCHEMA", None)
                db.dispose_all()
                migrate.upgrade()
                results += measure_fn("sqlite", runs=args.runs, verbose=True)
                db.dispose_all()
            if args.only in (None, "postgres"):
                schema = f"bench_rem_{uuid.uuid4().hex[:8]}"
                eng = create_engine(pg_url)
                try:
                    with eng.connect() as c:
                        c.execute(text("select 1"))
                except Exception as exc:
                    print(f"PostgreSQL not reachable ({type(exc).__name__}); SQLite only.", file=sys.stderr)
                else:
                    try:
                        os.environ["DATABASE_URL"], os.environ["DATABASE_SCHEMA"] = pg_url, schema
                        db.dispose_all()
                        migrate.upgrade()
                        results += measure_fn("postgres", runs=args.runs, verbose=True)
                    finally:
                        db.dispose_all()
                        with eng.begin() as c:
                            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                finally:
                    eng.dispose()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    print(harness.table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
