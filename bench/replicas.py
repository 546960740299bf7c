"""Benchmark: client check-ins per second through nginx with 1, 2 and 4 app replicas on PostgreSQL.

Real parts: `streamlit run app.py` replicas (the same command the systemd units run), Debian's nginx with the
shipped configuration (deploy/nginx/, through tests/e2e/nginx_proxy.py), one PostgreSQL schema. 300 clients
of one clinician, each reachable with a daily step and a check-in link, each with their own cookie jar that
opened the link through the proxy. A run: every client draws a "Check in again" form (untimed), then all 300
forms are posted at once from 32 threads (timed, wall clock); every answer must be "saved" and the database
must then hold exactly 300 more check-ins (the run is refused otherwise). Reported per replica count: the
median seconds for 300 check-ins and check-ins per second.

The load generator runs on the same machine (2 CPUs here): its threads, nginx, PostgreSQL and the replicas
share the CPUs, so the curve shows where the machine, not the design, stops giving more.

    python -m bench.replicas [--runs N] [--replicas 1,2,4]
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLIENTS = 300
THREADS = 32
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NAME = "{n} check-ins at once through nginx, {r} replica{s} (PostgreSQL)"

COUNT = """
import db; from sqlalchemy import func, select
from db.tables import checkins
with db.read() as c:
    print(c.execute(select(func.count()).select_from(checkins)).scalar())
"""


class Site:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.schema = f"bench_{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "DATABASE_URL": PG_URL, "DATABASE_SCHEMA": self.schema,
                    "DATA_DIR": str(tmp / "data"), "PYTHONPATH": str(ROOT)}
        self.procs: list[subprocess.Popen] = []
        self.nginx = None

    def py(self, code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env, check=True, capture_output=True,
                              text=True).stdout

    def up(self, replicas: int) -> str:
        from tests.conftest import free_port
        from tests.e2e import nginx_proxy
        from tests.e2e.streamlit_page import start_streamlit
        self.down()
        ports = [free_port() for _ in range(replicas)]
        for p in ports:
            log = open(self.tmp / f"replica-{p}.log", "w")
            self.procs.append(start_streamlit(ROOT / "app.py", p, self.env, log))
        nginx_dir = self.tmp / f"nginx-{replicas}"
        nginx_dir.mkdir(exist_ok=True)
        listen = free_port()
        self.nginx = nginx_proxy.start(nginx_dir, listen, ports)
        return f"http://127.0.0.1:{listen}"

    def down(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
            p.wait(30)
        self.procs = []
        if self.nginx:
            self.nginx.terminate()
            self.nginx.wait(10)
            self.nginx = None

    def drop(self) -> None:
        from sqlalchemy import create_engine, text
        self.down()
        eng = create_engine(PG_URL)
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        eng.dispose()


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds these processes have used so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
    return total / tick


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (/proc/stat's first line)."""
    tick = os.sysconf("SC_CLK_TCK")
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = v[3] + v[4]
    return (sum(v) - idle) / tick, sum(v) / tick


def _one_run(url: str, raws: list[str], pids: list[int] = (), cpu: dict | None = None) -> float:
    """Open every link through this proxy (each its own cookie jar), draw a form each, then post all at once.
    Returns the wall-clock seconds of the posts; raises if any answer is not "saved". `cpu` gets the replicas'
    CPU seconds and the machine's busy share during the posts."""
    import httpx
    from tests import crowd

    def browser(raw):
        b = httpx.Client(base_url=url, timeout=300, limits=httpx.Limits(max_connections=2))
        r = b.get(f"/c/?t={raw}")
        assert r.status_code == 303, r.status_code
        return b, crowd.form(b.get("/c/checkin?again=1").text)

    with ThreadPoolExecutor(max_workers=16) as pool:
        ready = list(pool.map(browser, raws))

    def post(item):
        b, form = item
        r = b.post("/c/checkin", data=form)
        return r.status_code == 200 and "Thank you" in r.text and "already saved" not in r.text

    c0, m0, t0 = _cpu_seconds(pids), _machine_busy(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        ok = list(pool.map(post, ready))
    took = time.perf_counter() - t0
    if cpu is not None:
        m1 = _machine_busy()
        cpu["replicas_cpu_s"] = cpu.get("replicas_cpu_s", []) + [round(_cpu_seconds(pids) - c0, 2)]
        cpu["machine_busy"] = cpu.get("machine_busy", []) + [round((m1[0] - m0[0]) / max(m1[1] - m0[1], 1e-9), 2)]
    for b, _ in ready:
        b.close()
    if not all(ok):
        raise RuntimeError(f"{ok.count(False)} of {len(ok)} check-ins were not saved: refusing this run")
    return took


def measure(runs: int = 3, counts: tuple[int, ...] = (1, 2, 4)) -> tuple[list, dict]:
    """Results (seconds for CLIENTS check-ins at once, per replica count) and the curve for bench/plot.py."""
    from bench.harness import Result
    from tests import crowd
    results, curve = [], {"x": "replicas", "y": "check-ins per second", "points": []}
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
        site = Site(Path(tmp))
        try:
            site.py("from db import migrate; migrate.upgrade()")
            site.py(crowd.practice_code(username="bench", name="Bench Replicas"))
            raws = crowd.tokens(site.py, CLIENTS, prefix="Bench", username="bench")
            for r in counts:
                url = site.up(r)
                _one_run(url, raws[:20])  # warm: each replica's first requests compile templates and fill pools
                res = Result(NAME.format(n=CLIENTS, r=r, s="" if r == 1 else "s"), "postgres", "s")
                cpu: dict = {}
                for _ in range(runs):
                    before = int(site.py(COUNT).strip())
                    res.runs.append(_one_run(url, raws, [p.pid for p in site.procs], cpu))
                    got = int(site.py(COUNT).strip()) - before
                    if got != CLIENTS:
                        raise RuntimeError(f"{got} check-ins saved for {CLIENTS} posted: refusing this run")
                results.append(res)
                curve["points"].append({"replicas": r, "seconds": res.median, "per_second": CLIENTS / res.median,
                                        "runs": res.runs, **cpu})
                print(f"[replicas] {r}: {res.median:.2f} s for {CLIENTS} check-ins, "
                      f"{CLIENTS / res.median:.0f} per second; replicas' CPU {cpu['replicas_cpu_s']} s, "
                      f"machine busy {cpu['machine_busy']}", flush=True)
        finally:
            site.drop()
    return results, curve


PNG = Path(__file__).resolve().parent / "cost-checkins-replicas.png"


def save_png(curve: dict, path: Path = PNG) -> Path:
    from bench.plot import save_curve
    return save_curve(path, f"{CLIENTS} client check-ins at once through nginx (PostgreSQL)", "app replicas",
                      "check-ins per second", {"check-ins per second": [(p["replicas"], p["per_second"])
                                                                      for p in curve["points"]]})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--replicas", default="1,2,4")
    args = ap.parse_args(argv)
    results, curve = measure(args.runs, tuple(int(x) for x in args.replicas.split(",")))
    print("wrote", save_png(curve))
    for p in curve["points"]:
        print(f"{p['replicas']} replica(s): median {p['seconds']:.2f} s, {p['per_second']:.0f} check-ins/s, "
              f"runs {[round(x, 2) for x in p['runs']]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
