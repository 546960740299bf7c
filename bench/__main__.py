"""`make bench`: generate the large practice on SQLite and on PostgreSQL and time what users wait for.

    python -m bench            both databases, every measurement (about 10 minutes on 2 CPUs)
    python -m bench --quick    fewer runs (or BENCH_QUICK=1)
    python -m bench --only sqlite|postgres   --no-browser   --small (a tenth of the practice, to try it)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

CURVE_CLIENTS = (40, 200, 400)  # the admin's whole practice at each size (400: the generated practice)
CURVE_YEARS = (1, 2, 3)  # a client with that many years of data, the client view over the whole span


def curve_labels(kind: str, x: int) -> tuple[str, str]:
    """(page, floor) result names of one cost-curve point."""
    if kind == "caseload":
        return f"caseload page, admin, {x} clients (AppTest run)", f"caseload floor, {x} clients (same elements, no data work)"
    years = f"{x} year{'s' if x > 1 else ''}"
    return (f"client view, {years} of data, whole span (AppTest run)",
            f"client view floor, {years} of data, whole span")


CASELOAD, CASELOAD_FLOOR = curve_labels("caseload", max(CURVE_CLIENTS))  # the admin's whole generated practice
CASELOAD_AFRESH = (f"caseload page, admin, {max(CURVE_CLIENTS)} clients, every client's figures computed afresh "
                   "(a day's first view; AppTest run)")

VIEW_YEAR, VIEW_YEAR_FLOOR = "client view, year window (AppTest run)", "client view floor, year window"
VIEW_DEFAULT, VIEW_DEFAULT_FLOOR = "client view, default window (AppTest run)", "client view floor, default window"
VIEW_YEAR_SKILLS = "client view, year window, with a year of skill uses at 5 a day (AppTest run)"
SLOW_CHECKIN = "check-in link → usable form, phone, Slow 4G, cold (Chromium)"
SLOW_CARD = "coping-card link → \"I'm struggling right now\" usable, phone, Slow 4G, cold (Chromium)"
LINK = "check-in link → usable form, unthrottled, cold (Chromium, bench/serve_static.py)"
STATIC = "static HTML file of the same size → usable, unthrottled, cold (same server)"


def _databases(tmp: Path, only: str | None):
    if only in (None, "sqlite"):
        yield "sqlite", {"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}
    if only not in (None, "postgres"):
        return
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


def checkin_submissions(clinician_id: int, practice_id: int, client_id: int, n: int = 200) -> list[float]:
    """Seconds per check-in submission (validation, consent and link checks, insert), one at a time."""
    from datetime import datetime, timezone
    from core.checkins import local_today
    from db import checkins, clients, links
    from db.actors import Actor
    now = datetime.now(timezone.utc)
    actor = Actor(clinician_id, practice_id, "clinician", "bench")
    ttl = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
    raw = links.issue_for(actor, client_id, "checkin", now=now, ttl_days=ttl)
    form = checkins.form_by_link(raw, now=now)
    today = local_today(clients.get(actor, client_id, now=now)["timezone"], now)
    steps = {s["step_id"]: {"status": "done"} for s in form["planned"][today]}
    times = []
    for i in range(n):
        body = {"local_date": today.isoformat(), "steps": steps, "mood": 6, "distress": 3,
                "thought": "A short thought.", "idempotency_key": f"bench-{uuid.uuid4().hex}"}
        t0 = time.perf_counter()
        result = checkins.submit(raw, body, now=datetime.now(timezone.utc), threshold=9, ttl_days=ttl)
        times.append(time.perf_counter() - t0)
        assert result.status == "saved", result
    return times


def _open_flags_for(clinician_id: int) -> None:
    """One open safety flag on each of this clinician's clients (as if none had been reviewed yet)."""
    from datetime import datetime, timezone
    from sqlalchemy import insert, select
    import db
    from db.tables import clients, safety_flags
    now = datetime.now(timezone.utc)
    with db.write() as conn:
        ids = conn.execute(select(clients.c.id).where(clients.c.clinician_id == clinician_id)).scalars().all()
        conn.execute(insert(safety_flags), [{"client_id": c, "raised_at": now, "source": "checkin", "source_id": 0,
                                             "reason": "bench"} for c in ids])


def measure_database(name: str, args, results: list, notes: dict, tmp: Path) -> None:
    from sqlalchemy import func, select
    import db
    from bench import generate, harness, pages
    from db import migrate
    from db.clients import clients
    H = harness
    repeat = 3 if args.quick else 7
    db.dispose_all()
    migrate.upgrade()
    t0 = time.perf_counter()
    scale = dict(n_clients=40, days=60) if args.small else {}
    # The pages are measured at the real time, so the practice is generated around it (made around a
    # fixed day, the "since the last session" window emptied as the days passed and the ratio measured
    # a page that drew less than its floor).
    ids = generate.generate(now=datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0), **scale)
    took = time.perf_counter() - t0
    counts = generate.counts()
    notes.setdefault("generated", {})[name] = {"seconds": round(took, 1), "rows": counts}
    print(f"[{name}] generated in {took:.0f} s: {counts['checkins']} check-ins", flush=True)
    results.append(H.Result("generate the practice", name, "s", [took], target="well under 2 min", limit=120))
    with db.read() as conn:
        busiest = conn.execute(select(clients.c.clinician_id, func.count()).group_by(clients.c.clinician_id)
                               .order_by(func.count().desc(), clients.c.clinician_id)).first()
    username = f"clin{ids['clinicians'].index(busiest[0]):02d}"
    notes.setdefault("caseload_clients", {})[name] = len(ids["clients"])  # the admin's: the whole practice

    # The admin's caseload is the practice's: every generated client (the target is for this one).
    measure_caseload(name, results, notes, len(ids["clients"]), repeat)
    for label, floor_label, year in ((VIEW_DEFAULT, VIEW_DEFAULT_FLOOR, False), (VIEW_YEAR, VIEW_YEAR_FLOOR, True)):
        # The year client checks in about five times a day up to yesterday with three personal items
        # (one reworded half-way): the default window ("since the last session") and the year both hold
        # entries, thoughts and every item (the year the reworded one too); the page shows the latest 200.
        expected = {"entries": 200, "thoughts": 1, "personal": 4} if year else {"entries": 1, "thoughts": 1,
                                                                                "personal": 3}
        measure_client_view(name, results, notes, username, ids["year_client"], (label, floor_label), repeat,
                            expected, year=year)
    print(f"[{name}] pages measured", flush=True)
    cost_curves(name, args, results, notes, tmp, repeat)
    print(f"[{name}] cost curves measured", flush=True)

    from bench import skills
    from db.actors import Actor
    bench_actor = Actor(busiest[0], ids["practice"], "clinician", "bench")
    times = sorted(skills.submissions(bench_actor, ids["year_client"], n=100 if args.quick else 200))
    results.append(H.Result("skill use recorded p95 (link, consent and step checks + insert + audit)", name, "s",
                            [times[int(0.95 * len(times)) - 1]], target="≤ 25 ms", limit=0.025))
    added = skills.add_year(ids["year_client"])
    notes.setdefault("skill_uses_added", {})[name] = added
    run, shape, _ = pages.client_view(username, ids["year_client"], year=True)
    results.append(H.measure(VIEW_YEAR_SKILLS, name, run, repeat=repeat, target="≤ 1.5× without skill uses"))
    notes["shapes"][f"{VIEW_YEAR_SKILLS}/{name}"] = shape

    times = sorted(checkin_submissions(busiest[0], ids["practice"], ids["year_client"], n=100 if args.quick else 200))
    results.append(H.Result("check-in submission p50 (validation + insert, one at a time)", name, "s",
                            [times[len(times) // 2]], target="(p95 is the target)"))
    results.append(H.Result("check-in submission p95", name, "s", [times[int(0.95 * len(times)) - 1]],
                            target="≤ 50 ms", limit=0.050))

    # Safety alerts are planned by the worker only: the same submissions with an open flag waiting on every
    # one of the busiest clinician's clients show what the alert path adds to a submission (issue 18).
    _open_flags_for(busiest[0])
    times = sorted(checkin_submissions(busiest[0], ids["practice"], ids["year_client"], n=100 if args.quick else 200))
    results.append(H.Result("check-in submission p95, open safety flags waiting", name, "s",
                            [times[int(0.95 * len(times)) - 1]], target="≤ 5 ms above the p95 without", limit=0.055))

    from bench import reminders, staff_alerts
    results.extend(reminders.measure(name, runs=2 if args.quick else 3))
    results.extend(staff_alerts.measure(name, runs=2 if args.quick else 3))
    from bench import fhir_export
    results.extend(fhir_export.measure(name, runs=2 if args.quick else 3))

    if not args.no_browser:
        browser_measurements(name, args, results, notes, tmp, username, ids["year_client"])
    db.dispose_all()


def measure_caseload(name, results, notes, n_clients, repeat, labels=(CASELOAD, CASELOAD_FLOOR)) -> None:
    """The admin's caseload (clin00 sees the whole practice) against its floor, refused unless the page drew
    a row for every client the generator made and the floor the same shape."""
    from bench import harness as H, pages
    run, shape, drawn = pages.caseload("clin00")
    floor, floor_drawn = pages.floor("floor_caseload.py", shape, pages.caseload_shape)
    results.extend(H.measure_pair(labels, name, run, floor, repeat=repeat, target="≤ 2× floor",
                                  shapes=(drawn, floor_drawn), expected={"rows": n_clients}))
    notes.setdefault("shapes", {})[f"{labels[0]}/{name}"] = shape
    if labels[0] == CASELOAD:
        # A rerun reads each client's kept figures (db/caseload_figures.py); the day's first view, or one
        # after every client checked in, computes them all: measured too, with the kept rows emptied first.
        from sqlalchemy import delete
        import db
        from db.caseload_figures import caseload_figures

        def afresh():
            with db.write() as conn:
                conn.execute(delete(caseload_figures))
            run()
        results.append(H.measure(CASELOAD_AFRESH, name, afresh, repeat=repeat,
                                 target="shown (includes emptying the kept figures)"))


def measure_client_view(name, results, notes, username, client_id, labels, repeat, expected, *, year: bool,
                        days: int = 365) -> None:
    from bench import harness as H, pages
    run, shape, drawn = pages.client_view(username, client_id, year=year, days=days)
    floor, floor_drawn = pages.floor("floor_client_view.py", shape, pages.client_view_shape)
    results.extend(H.measure_pair(labels, name, run, floor, repeat=repeat, target="≤ 3× floor",
                                  shapes=(drawn, floor_drawn), expected=expected))
    notes.setdefault("shapes", {})[f"{labels[0]}/{name}"] = shape


def cost_curves(name, args, results, notes, tmp: Path, repeat: int) -> None:
    """The caseload at 40 and 200 clients (400: the main practice, measured above) and the client view with
    1, 2 and 3 years of data: each in a practice generated at that size, in a database of its own (a SQLite
    file, or a PostgreSQL schema dropped afterwards), the same generator with the same per-client data.
    The client-view practices have 40 clients (a caseload), every one with the span's years of data; the
    page is asked for the whole span and shows at most its longest window (db.client_view.MAX_DAYS, 400
    days), so past a year what grows is the history beside the window, not what the page reads."""
    import db
    from bench import generate
    from db import migrate
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATABASE_SCHEMA")}
    scale = 10 if args.small else 1  # --small: a tenth of the clients
    points = [("caseload", n, dict(n_clients=n // scale)) for n in CURVE_CLIENTS if n != max(CURVE_CLIENTS)]
    points += [("client view", k, dict(n_clients=40 // scale, days=365 * k)) for k in CURVE_YEARS]
    try:
        for kind, x, how in points:
            db.dispose_all()
            if saved["DATABASE_URL"].startswith("sqlite"):
                os.environ["DATABASE_URL"] = f"sqlite:///{tmp / f'curve-{name}-{kind[0]}{x}.db'}"
            else:
                os.environ["DATABASE_SCHEMA"] = f"{saved['DATABASE_SCHEMA']}_{kind[0]}{x}"
            migrate.upgrade()
            ids = generate.generate(now=datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0), **how)
            labels = curve_labels(kind, x)
            if kind == "caseload":
                measure_caseload(name, results, notes, len(ids["clients"]), repeat, labels)
            else:
                measure_client_view(name, results, notes, "clin01", ids["year_client"], labels, repeat,
                                    {"entries": 200, "thoughts": 1, "personal": 4}, year=True, days=how["days"])
            if not saved["DATABASE_URL"].startswith("sqlite"):
                with db.engine().begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{os.environ["DATABASE_SCHEMA"]}" CASCADE'))
    finally:
        db.dispose_all()
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def browser_measurements(name, args, results, notes, tmp, username, client_id) -> None:
    from bench import browser, client_pages as cp, generate, harness as H
    if not Path(browser.CHROMIUM).exists():
        notes.setdefault("missing", []).append(f"browser measurements: no Chromium at {browser.CHROMIUM}")
        return
    runs = 3 if args.quick else 7
    app = browser.Server(ROOT / "app.py", tmp / f"server-{name}.log")
    try:
        import httpx
        n = 40 if args.quick else 200
        for how, client in (("in-process", cp.in_process()),
                            # A new connection per request: on a kept-alive loopback connection every answer
                            # of this server waits about 44 ms for a delayed TCP acknowledgement (even
                            # /_stcore/health), which would hide the server's own time.
                            ("HTTP to streamlit run app.py", httpx.Client(
                                base_url=app.url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)))):
            times, cpu = cp.server_times(client, client_id, n=n)
            notes.setdefault("client_server_times", {}).setdefault(name, {})[how] = cp.summary(times, cpu)
            for label, samples in times.items():
                results.append(H.Result(f"server time p95, {how}: {label}", name, "s", [cp.p95(samples)],
                                        cpu=[cp.p95(cpu[label])],
                                        target="≤ 25 ms" if how == "in-process" else "(see in-process)",
                                        limit=0.025 if how == "in-process" else None))
        print(f"[{name}] client pages' server times measured", flush=True)
        for label, by_code in cp.language_times(cp.in_process(), client_id, n=n).items():
            en, es = statistics.median(by_code["en"]), statistics.median(by_code["es"])
            results.append(H.Result(f"server time p50, in-process: {label} in Spanish ÷ in English", name, "×",
                                    [es / en], target="≤ 1.1×", limit=1.1))
        print(f"[{name}] client pages in Spanish measured", flush=True)
        slow = cp.slow_4g(app.url, client_id, runs)
        notes.setdefault("client_slow_4g_requests", {})[name] = {k: v[0]["urls"] for k, v in slow.items()}
        for label, purpose, limit in ((SLOW_CHECKIN, "checkin", 1.5), (SLOW_CARD, "card", 1.0)):
            got = slow[purpose]
            results.append(H.Result(label, name, "s", [g["seconds"] for g in got], target=f"≤ {limit:g} s",
                                    limit=limit))
            what = "check-in link" if purpose == "checkin" else "coping-card link"
            results.append(H.Result(f"{what}: requests, click to quiet (Slow 4G, cold)", name, "requests",
                                    [g["requests"] for g in got], target="≤ 6", limit=6))
            results.append(H.Result(f"{what}: bytes on the wire, click to quiet (Slow 4G, cold)", name, "KiB",
                                    [g["bytes"] / 1024 for g in got], target="≤ 60 KiB", limit=60))
        print(f"[{name}] Slow 4G measured", flush=True)
        mem = browser.client_view_memory(app, username, generate.PASSWORD)
        notes.setdefault("memory", {})[name] = mem
        results.append(H.Result("app process peak memory (VmHWM), client view with a year", name, "MB",
                                [mem["peak_kb"] / 1024], target="≤ 400 MB", limit=400))
    finally:
        app.stop()
    static_dir = tmp / f"static-{name}"
    static_dir.mkdir(exist_ok=True)
    bench_server = browser.Server(ROOT / "bench" / "serve_static.py", tmp / f"serve-static-{name}.log",
                                  env={"BENCH_STATIC_DIR": str(static_dir)})
    try:
        pair = cp.unthrottled_vs_static(bench_server.url, static_dir, client_id, runs=5 if args.quick else 15)
        notes.setdefault("static_file_bytes", {})[name] = pair["static_bytes"][0]
        results.append(H.Result(LINK, name, "s", pair["link"], target="≤ 1.5× static file"))
        results.append(H.Result(STATIC, name, "s", pair["static"]))
    finally:
        bench_server.stop()


def replica_measurements(args, results, notes) -> None:
    """Check-ins per second through nginx with 1, 2 and 4 app replicas on PostgreSQL (bench/replicas.py)."""
    import shutil
    from bench import replicas
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        notes.setdefault("missing", []).append("check-ins through nginx with replicas: no nginx")
        return
    got, curve = replicas.measure(runs=2 if args.quick else 3)
    results.extend(got)
    notes["replicas_curve"] = curve
    print("wrote", replicas.save_png(curve).relative_to(ROOT))


def curves(results) -> dict:
    """The cost curves' points per database: [x, page median s, floor median s, page ÷ floor]."""
    by = {(r.name, r.database): r for r in results if r.runs}
    out = {}
    for kind, xs, x_label in (("caseload", CURVE_CLIENTS, "clients in the admin's practice"),
                              ("client view", CURVE_YEARS, "years of the client's data (the page asked for all of them)")):
        points = {}
        for database in dict.fromkeys(r.database for r in results):
            got = [(x, by.get((p, database)), by.get((f, database))) for x in xs for p, f in [curve_labels(kind, x)]]
            points[database] = [[x, p.median, f.median, p.median / f.median] for x, p, f in got if p and f]
        out[kind] = {"x_label": x_label, "points": {k: v for k, v in points.items() if v}}
    return out


def plot_curves(data: dict, folder: Path) -> list[Path]:
    """bench/cost-caseload.png and bench/cost-client-view.png: page and floor medians per database."""
    from bench.plot import save_curve
    paths = []
    for kind, curve in data.items():
        series = {}
        for database, points in curve["points"].items():
            series[f"page, {database}"] = [(x, page * 1000) for x, page, _, _ in points]
            series[f"floor, {database}"] = [(x, floor * 1000) for x, _, floor, _ in points]
        if series:
            paths.append(save_curve(folder / f"cost-{kind.replace(' ', '-')}.png", f"Cost curve: {kind} (AppTest run)",
                                    curve["x_label"], "median time per run (ms)", series))
    return paths


def workers_curve(args, results: list, notes: dict) -> None:
    """The workers cost curve (bench/workers.py): 100,000 due reminders planned and sent by 1, 2 and 4
    worker processes on PostgreSQL, in a schema of its own; the table goes into results.json's
    "workers_curve", the plot into bench/cost-workers.png."""
    from bench import workers
    try:
        got, curve = workers.measure(runs=1)
    except workers.PostgresMissing as exc:
        notes.setdefault("missing", []).append(f"workers cost curve: {exc}")
        return
    results.extend(got)
    notes["workers_curve"] = curve
    workers.plot(curve)
    if not (args.only or args.no_browser):
        workers.update_doc(curve)  # docs/benchmark.md shows the latest full run
    print(workers.table(curve), flush=True)


def ratios(results) -> list:
    from bench import harness as H
    out = []
    for database in dict.fromkeys(r.database for r in results):
        out += [H.ratio("caseload (admin, 400 clients) / floor", results, database, CASELOAD, CASELOAD_FLOOR, 2),
                H.ratio("client view, default window / floor", results, database, VIEW_DEFAULT, VIEW_DEFAULT_FLOOR, 3),
                H.ratio("client view, year window / floor", results, database, VIEW_YEAR, VIEW_YEAR_FLOOR, 3),
                H.ratio("client view, year window: with a year of skill uses / without", results, database,
                        VIEW_YEAR_SKILLS, VIEW_YEAR, 1.5, same_shape=False),
                H.ratio("check-in link → form / static file of the same size (unthrottled)", results, database,
                        LINK, STATIC, 1.5)]
        for n in CURVE_CLIENTS[:-1]:
            out.append(H.ratio(f"cost curve: caseload (admin, {n} clients) / floor", results, database,
                               *curve_labels("caseload", n), 2))
        for k in CURVE_YEARS:
            out.append(H.ratio(f"cost curve: client view ({k} year{'s' if k > 1 else ''} of data) / floor", results,
                               database, *curve_labels("client view", k), 3))
        # Sublinear: ten times the clients in less than ten times the time (the page's fixed work is shared).
        lo, hi = min(CURVE_CLIENTS), max(CURVE_CLIENTS)
        out.append(H.ratio(f"cost curve: caseload time at {hi} clients ÷ at {lo} (sublinear: < {hi // lo}×)", results,
                           database, curve_labels("caseload", hi)[0], curve_labels("caseload", lo)[0], hi / lo,
                           same_shape=False))
    return [q for q in out if q is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--small", action="store_true", help="a tenth of the practice: to try the harness")
    parser.add_argument("--no-replicas", action="store_true", help="skip check-ins through nginx with 1, 2, 4 replicas")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from bench import harness
    results: list = []
    notes: dict = {"args": vars(args)}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATA_DIR"] = tmp
        for name, env in _databases(Path(tmp), args.only):
            os.environ.update(env)
            measure_database(name, args, results, notes, Path(tmp))
            for k in env:
                os.environ.pop(k, None)
        if args.only in (None, "postgres") and not args.small:
            workers_curve(args, results, notes)
        if args.only in (None, "postgres") and not (args.no_replicas or args.small):
            replica_measurements(args, results, notes)
    notes["total_seconds"] = round(time.perf_counter() - started)
    qs = ratios(results)
    notes["cost_curves"] = curves(results)
    for path in plot_curves(notes["cost_curves"], ROOT / "bench"):
        print("wrote", path.relative_to(ROOT))
    data = harness.write(results, qs, notes)
    print(harness.markdown(data))
    if not (args.small or args.only or args.no_browser):
        harness.update_readme(data)  # docs/benchmark.md shows the latest full run
    for m in notes.get("missing", []):
        print("not measured:", m)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
