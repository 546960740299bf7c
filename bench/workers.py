"""Benchmark: the workers cost curve. 100,000 due reminders planned and sent by 1, 2 and 4 worker
processes sharing one PostgreSQL outbox (target: 4 workers ≤ 60 s on this 2-CPU machine).

`measure()` makes its own throwaway schema at TEST_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test), migrates it, and gives it one practice, one
clinician and 50,000 clients (active, confirmed consent, in eight time zones), each with a plan of
two daily steps. Before each run both steps are set to the same coming whole minute in each client's
own zone (on that local weekday only, so the next day's reminders are not within the planner's 24
hours): 100,000 reminders fall due at once, a large practice's morning burst.

Each run is what the worker does in production, in two passes of N separate OS processes of the
real worker, `python -m jobs.worker --once` (what cron or the systemd unit runs), started together:
- "plan": a pass before the reminders' minute. Every process sweeps, tries to plan (jobs.planner: on
  PostgreSQL one process plans, the others find the planning lock taken and skip), sends staff
  emails, finds nothing due, beats. 100,000 outbox rows are planned.
- (untimed) the wait until the minute comes.
- "send": a pass after it. Every process sweeps, re-plans (one of them: nothing new), and sends
  until nothing is due (jobs.sender.drain: claims with FOR UPDATE SKIP LOCKED and leases). Every
  reminder gets two fresh link tokens stored hashed and a real email through the console backend
  (jobs/email/console.py: one .eml file each, its notice line going to /dev/null).
Each pass is timed from starting the processes until the last one has exited (so it includes
starting Python and importing, about a second of CPU per process); "plan + send" is their sum.

Two choices, said here so the numbers are read rightly:
- DATA_DIR (where the console backend writes) is on tmpfs (/dev/shm) when there is one. On this
  machine's disk creating a small file cost from 0.02 ms to 0.5 ms of kernel time, depending on
  what else was running (the "floor" below): the development backend's disk, not the worker, and a
  real practice hands its emails to SMTP or SendGrid. Both floors are recorded beside the curve.
- The practice's quiet hours are off (REMINDER_QUIET_HOURS=off), so that the clients in zones where
  it is night now are due too; the same number of reminders falls due at any time of day.

After each run the database and the .eml files are counted: sent (rows 'sent'), duplicates (a
reference with two or more .eml files, or a file whose reference is not in the outbox), missing (a
due reminder not 'sent', or 'sent' without its file). Between runs the outbox and the links are
emptied (untimed).

    python -m bench.workers [--total 100000] [--workers 1,2,4] [--runs 1] [--write]

--write puts the measurement into bench/results.json (beside what `make bench` wrote there) and
draws bench/cost-workers.png; `make bench` does both as part of its run.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TOTAL = 100_000
WORKERS = (1, 2, 4)
LIMIT = 60.0  # seconds, 4 workers, 100,000 reminders
PNG = Path(__file__).resolve().parent / "cost-workers.png"
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"]
STEPS = 2  # per client, both at the same minute
LEAD = timedelta(seconds=60)  # at least, from setting the steps' time to that time: the planning passes run meanwhile


def _next_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0) + (timedelta(minutes=1) if t.second or t.microsecond else timedelta(0))
REF = re.compile(rb"^X-Anchorstep-Ref: *([0-9a-f]+)", re.MULTILINE)
NAME = "plan + send {total:,} due reminders, {n} worker process{es} (PostgreSQL)"


class PostgresMissing(RuntimeError):
    """The curve is measured on PostgreSQL only."""


def _slot(at: datetime, zone: str) -> tuple[str, str, str]:
    """(days, window_start, window_end) of a step at `at` in `zone`, on that local weekday only (so the
    next day's reminder is not within the planner's 24 hours)."""
    local = at.astimezone(ZoneInfo(zone))
    end = min(local + timedelta(minutes=60), local.replace(hour=23, minute=59))
    return str(local.weekday()), local.strftime("%H:%M"), end.strftime("%H:%M")


def set_times(at: datetime) -> None:
    """Every client's two steps at `at` (a whole minute), in the client's own zone."""
    from sqlalchemy import select, update
    import db
    from db import plans
    from db.clients import clients
    ps, sv = plans.plan_steps, plans.step_versions
    with db.write() as conn:
        for zone in ZONES:
            days, start, end = _slot(at, zone)
            mine = (select(ps.c.id).join(plans.plans, plans.plans.c.id == ps.c.plan_id)
                    .join(clients, clients.c.id == plans.plans.c.client_id).where(clients.c.timezone == zone))
            conn.execute(update(sv).where(sv.c.step_id.in_(mine)).values(days=days, window_start=start, window_end=end))


def setup(total: int, now: datetime) -> list[int]:
    """One practice, clinician and total/2 clients with consent and a two-step plan each (bench/practice.py);
    the steps' times are set apart (see above)."""
    from bench import practice
    return practice.copies(total // STEPS, now, label="Workers Bench", username="wbench", zones=ZONES)


def _reset() -> None:
    from sqlalchemy import text
    import db
    with db.write() as conn:
        schema = os.environ["DATABASE_SCHEMA"]
        conn.execute(text(f'TRUNCATE "{schema}".reminder_outbox, "{schema}".client_links'))


def _run_workers(n: int, env: dict, log_dir: Path, phase: str) -> tuple[float, list[dict]]:
    """Start n `python -m jobs.worker --once` processes together; seconds until the last has exited,
    and per process its exit code, CPU seconds and what its pass summary says it planned and sent."""
    procs, logs = [], []
    t0 = time.perf_counter()
    for i in range(n):
        log = open(log_dir / f"worker-{n}-{i}-{phase}.log", "w+")
        logs.append(log)
        procs.append(subprocess.Popen([sys.executable, "-m", "jobs.worker", "--once", "--name", f"bench-{phase}-{n}-{i}"],
                                      cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log))
    by_pid = {p.pid: i for i, p in enumerate(procs)}
    out: list[dict] = [{} for _ in procs]
    while len([o for o in out if o]) < n:
        pid, status, usage = os.wait4(-1, 0)
        if pid in by_pid:
            out[by_pid[pid]] = {"exit": os.waitstatus_to_exitcode(status), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                                "seconds": round(time.perf_counter() - t0, 2)}
    took = time.perf_counter() - t0
    for p in procs:
        p.returncode = out[by_pid[p.pid]]["exit"]
    for i, log in enumerate(logs):
        log.seek(0)
        text_ = log.read()
        log.close()
        for key in ("planned", "sent"):
            m = re.search(rf"\b{key} (\d+)", text_)
            out[i][key] = int(m.group(1)) if m else 0
        if out[i]["exit"] != 0:
            out[i]["log"] = text_[-2000:]
    return took, out


def _eml_refs(folder: Path) -> Counter:
    refs: Counter = Counter()
    if folder.exists():
        for entry in os.scandir(folder):
            with open(entry.path, "rb") as fh:
                m = REF.search(fh.read(4096))
            refs[m.group(1).decode() if m else "?"] += 1
    return refs


def count(started: datetime, outbox_dir: Path) -> dict:
    """What the database and the console backend's files say after a run."""
    from sqlalchemy import select
    import db
    from db import outbox
    t = outbox.reminder_outbox
    with db.read() as conn:
        rows = conn.execute(select(t.c.ref, t.c.status, t.c.due_at)).all()
    due = {r.ref: r.status for r in rows if r.due_at <= started}
    refs = _eml_refs(outbox_dir)
    sent = {ref for ref, status in due.items() if status == "sent"}
    duplicates = sum(n - 1 for n in refs.values() if n > 1) + sum(n for ref, n in refs.items() if ref not in due)
    missing = len(due) - len(sent) + sum(1 for ref in sent if ref not in refs)
    return {"planned": len(rows), "due": len(due), "sent": len(sent), "emails": sum(refs.values()),
            "duplicates": duplicates, "missing": missing,
            "not_sent": dict(Counter(s for s in due.values() if s != "sent"))}


def _file_floor(folder: Path, n: int) -> float:
    """Seconds to create n .eml-sized files the console backend's way (O_EXCL, 0600) in `folder`."""
    import secrets
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = b"x" * 3000
    t0 = time.perf_counter()
    for i in range(n):
        fd = os.open(folder / f"{i:06d}-{secrets.token_hex(4)}.eml", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, data)
        os.close(fd)
    took = time.perf_counter() - t0
    shutil.rmtree(folder, ignore_errors=True)
    return took


def _fast_dir() -> Path | None:
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def measure(*, total: int = TOTAL, workers=WORKERS, runs: int = 1, verbose: bool = False) -> tuple[list, dict]:
    """The curve on a throwaway PostgreSQL schema: ([harness.Result], notes for results.json)."""
    from sqlalchemy import create_engine, text
    import db
    from bench import harness
    from db import migrate

    schema = f"bench_workers_{uuid.uuid4().hex[:8]}"
    eng = create_engine(PG_URL)
    try:
        with eng.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        eng.dispose()
        raise PostgresMissing(f"PostgreSQL not reachable at TEST_POSTGRES_URL ({type(exc).__name__})") from None
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATABASE_SCHEMA")}
    fast = _fast_dir()
    data_dir = Path(tempfile.mkdtemp(prefix="workers-bench-", dir=fast))
    curve: list[dict] = []
    results = []
    try:
        os.environ["DATABASE_URL"], os.environ["DATABASE_SCHEMA"] = PG_URL, schema
        db.dispose_all()
        migrate.upgrade()
        t0 = time.perf_counter()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        setup(total, now)
        if verbose:
            print(f"  workers: {total // 2:,} clients set up in {time.perf_counter() - t0:.0f} s", flush=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATA_DIR": str(data_dir), "EMAIL_BACKEND": "console",
               "REMINDER_QUIET_HOURS": "off", "LOG_LEVEL": "info"}
        for k in ("DATABASE_URL", "DATABASE_SCHEMA"):
            env[k] = os.environ[k]
        lead = LEAD
        for n in workers:
            res = harness.Result(NAME.format(total=total, n=n, es="" if n == 1 else "es"), "postgres", "s",
                                 target="≤ 60 s" if n == 4 and total == TOTAL else "",
                                 limit=LIMIT if n == 4 and total == TOTAL else None)
            for run in range(runs):
                _reset()
                shutil.rmtree(data_dir / "outbox", ignore_errors=True)
                db.dispose_all()
                at = _next_minute(datetime.now(timezone.utc) + lead)
                set_times(at)
                plan_s, planners = _run_workers(n, env, data_dir, "plan")
                lead = timedelta(seconds=2 * plan_s + 15)  # the next runs wait less
                if datetime.now(timezone.utc) >= at or any(p["sent"] for p in planners):
                    raise SystemExit(f"the planning passes took {plan_s:.0f} s, past the reminders' time: "
                                     "the measurement would mix planning and sending; raise LEAD")
                time.sleep(max(0.0, (at - datetime.now(timezone.utc)).total_seconds()) + 1)  # untimed: due now
                started = datetime.now(timezone.utc)
                send_s, senders = _run_workers(n, env, data_dir, "send")
                assert all(p["exit"] == 0 for p in planners + senders), planners + senders
                c = count(started, data_dir / "outbox")
                took = plan_s + send_s
                res.runs.append(took)
                res.cpu.append(sum(p["cpu_s"] for p in planners + senders))
                point = {"workers": n, "run": run + 1, "seconds": round(took, 2), "plan_seconds": round(plan_s, 2),
                         "send_seconds": round(send_s, 2),
                         "seconds_per_10000": round(took / (c["due"] / 10_000), 2) if c["due"] else None,
                         **c, "planning_passes": planners, "sending_passes": senders,
                         "load_average_1min": round(os.getloadavg()[0], 2)}
                curve.append(point)
                if verbose:
                    print(f"  {n} worker(s), run {run + 1}: plan {plan_s:.1f} s + send {send_s:.1f} s = {took:.1f} s "
                          f"({point['seconds_per_10000']} s per 10,000); due {c['due']:,}, sent {c['sent']:,}, "
                          f"{c['duplicates']} duplicates, {c['missing']} missing; (planned, sent, CPU s) per process: "
                          f"planning {[(p['planned'], p['sent'], p['cpu_s']) for p in planners]}, sending "
                          f"{[(p['planned'], p['sent'], p['cpu_s']) for p in senders]}; load {point['load_average_1min']}",
                          flush=True)
                assert c["due"] == total, f"{c['due']} due, expected {total}"
            results.append(res)
        floor_n = min(total, 10_000)
        disk = _file_floor(Path(tempfile.mkdtemp(prefix="workers-floor-")), floor_n)
        tmpfs = _file_floor(data_dir / "floor", floor_n) if fast else None
        notes = {"total": total, "console_backend_dir": "tmpfs (/dev/shm)" if fast else "disk",
                 "quiet_hours": "off", "points": curve,
                 "floor_create_10000_files_s": {"disk": round(disk * 10_000 / floor_n, 2),
                                                "tmpfs": round(tmpfs * 10_000 / floor_n, 2) if tmpfs else None}}
    finally:
        db.dispose_all()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
    return results, notes


def table(notes: dict) -> str:
    """The curve as a Markdown table (the median run per number of workers)."""
    lines = ["| worker processes | plan (s) | send (s) | plan + send (s) | s per 10,000 | speed-up | sent | "
             "duplicates | missing | CPU s, all processes | load (1 min) |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    best = _medians(notes)
    one = best.get(min(best), {}).get("seconds") if best else None
    for n, p in sorted(best.items()):
        cpu = sum(q["cpu_s"] for q in p["planning_passes"] + p["sending_passes"])
        lines.append(f"| {n} | {p['plan_seconds']:.1f} | {p['send_seconds']:.1f} | {p['seconds']:.1f} | "
                     f"{p['seconds_per_10000']:.2f} | {one / p['seconds']:.2f}× | {p['sent']:,} | {p['duplicates']} | "
                     f"{p['missing']} | {cpu:.0f} | {p['load_average_1min']:.1f} |")
    return "\n".join(lines)


def _medians(notes: dict) -> dict[int, dict]:
    by: dict[int, list[dict]] = {}
    for p in notes["points"]:
        by.setdefault(p["workers"], []).append(p)
    return {n: sorted(ps, key=lambda p: p["seconds"])[len(ps) // 2] for n, ps in by.items()}


def plot(notes: dict, path: Path = PNG) -> Path:
    from bench.plot import save_curve
    best = _medians(notes)
    return save_curve(path, f"{notes['total']:,} due reminders planned and sent (PostgreSQL, 2 CPUs)",
                      "worker processes", "seconds per 10,000 reminders",
                      {"plan + send": [(n, p["seconds_per_10000"]) for n, p in sorted(best.items())],
                       "send pass": [(n, p["send_seconds"] / (p["due"] / 10_000)) for n, p in sorted(best.items())],
                       "plan pass": [(n, p["plan_seconds"] / (p["due"] / 10_000)) for n, p in sorted(best.items())]})


DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmark.md"
START, END = "<!-- workers:start -->", "<!-- workers:end -->"


def update_doc(notes: dict, doc: Path = DOC) -> bool:
    """Put the curve's table between docs/benchmark.md's workers markers (False without them)."""
    from bench import harness
    loads = [p["load_average_1min"] for p in notes["points"]]
    when = notes.get("measured", {}).get("when") or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return harness.replace_between(doc, START, END, f"{table(notes)}\n\nMeasured {when}, load average "
                                   f"{min(loads):.1f}–{max(loads):.1f} during the runs.")


def merge_into_results(results: list, notes: dict) -> None:
    """Put the curve into bench/results.json, keeping what else the last `make bench` wrote there."""
    from bench import harness
    old = json.loads(harness.RESULTS.read_text()) if harness.RESULTS.exists() else {}
    names = {r.name for r in results}
    new = harness.document(results)
    notes = {**notes, "measured": {"when": new["when"], "machine": new["machine"]}}  # alone, not with the rest
    data = {**old, "workers_curve": notes} if old else {**new, "workers_curve": notes}
    data["results"] = [r for r in old.get("results", []) if r["name"] not in names] + new["results"]
    harness.RESULTS.write_text(json.dumps(data, indent=2, default=str))


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=TOTAL)
    parser.add_argument("--workers", default=",".join(map(str, WORKERS)))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="into bench/results.json, and draw the PNG")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    results, notes = measure(total=args.total, workers=[int(x) for x in args.workers.split(",")], runs=args.runs,
                             verbose=True)
    print(table(notes))
    print(f"floor: creating 10,000 .eml-sized files takes {notes['floor_create_10000_files_s']}")
    if args.write:
        merge_into_results(results, notes)
        update_doc(notes)
        print(f"wrote {plot(notes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
