"""Several app replicas behind nginx on one PostgreSQL (issue 20; docs/deploy.md "Running several replicas").

Two real `streamlit run app.py` replicas share one PostgreSQL schema and one DATA_DIR, with Debian's nginx in
front running the shipped configuration (deploy/nginx/: affinity for the portal by nginx's route cookie, any
replica for the client's pages). The tests:

- 20 link guesses from one address, spread over both replicas, use up the shared limit: the 21st lookup is
  refused even for a real link (the limit lives in the database, not in one process);
- the replica that served a signed-in clinician stops: the clinician's next click is answered by the other
  replica, still signed in, and a CSV export downloads through the proxy with what was saved before;
- 500 clients check in at once through the proxy, across both replicas: exactly 500 rows;
- 500 more check-ins at once while one replica is killed with SIGKILL: each is saved once or answered with
  an error, none twice (counted in the database); the ones answered with an error, sent again as a person
  would (the same form), are then saved, still once each.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests import crowd as crowd_seed
from tests.conftest import PG_URL, ROOT, free_port, need, postgres_up
from tests.e2e import nginx_proxy
from tests.e2e.conftest import DEMO_PASSWORD, shot
from tests.e2e.streamlit_page import choose, settle, sign_in, start_streamlit

pytestmark = pytest.mark.e2e

CROWD_SIZE = 500
ALREADY = "This check-in was already saved"

# Check-ins of the crowd per (client, idempotency key), and how many check-ins each client has.
COUNTS = """
import json
from sqlalchemy import func, select
import db
from db.tables import checkins, clients
with db.read() as c:
    rows = c.execute(select(clients.c.display_name, checkins.c.idempotency_key, func.count())
                     .join(clients, clients.c.id == checkins.c.client_id)
                     .where(clients.c.display_name.like(PREFIX + " %"))
                     .group_by(clients.c.display_name, checkins.c.idempotency_key)).all()
print(json.dumps([[r[0], r[1], r[2]] for r in rows]))
"""


class Cluster:
    """Two replicas of the app on one PostgreSQL schema and one DATA_DIR, and nginx in front of them."""

    def __init__(self, tmp: Path, replicas: int = 2):
        self.tmp = tmp
        self.schema = f"t_{uuid.uuid4().hex[:10]}"
        self.nginx_dir = tmp / "nginx"
        self.nginx_dir.mkdir()
        self.listen = free_port()
        self.url = f"http://127.0.0.1:{self.listen}"
        self.env = {**os.environ, "DATABASE_URL": PG_URL, "DATABASE_SCHEMA": self.schema,
                    "DATA_DIR": str(tmp / "data"), "PYTHONPATH": str(ROOT), "LINK_BASE_URL": self.url}
        self.run_python("from db import migrate; migrate.upgrade()")
        self.run_python(crowd_seed.practice_code(password=DEMO_PASSWORD, name="Replica Practice"))
        # "Replica Client 000": a check-in is saved through the proxy before a replica stops, then read in a CSV after.
        self.client_token = crowd_seed.tokens(self.run_python, 1, prefix="Replica Client")[0]
        self.ports = [free_port() for _ in range(replicas)]
        self.procs: dict[int, subprocess.Popen] = {}
        self.logs: dict[int, object] = {}
        for port in self.ports:
            self.start(port)
        self.nginx = nginx_proxy.start(self.nginx_dir, self.listen, self.ports)

    def run_python(self, code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env, check=True, capture_output=True,
                              text=True).stdout

    def start(self, port: int) -> None:
        log = open(self.tmp / f"replica-{port}.log", "a")
        self.logs[port] = log
        self.procs[port] = start_streamlit(ROOT / "app.py", port, self.env, log)

    def stop(self, port: int, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(port)
        proc.send_signal(sig)
        proc.wait(30)
        self.logs.pop(port).close()

    def all_up(self) -> None:
        """Every replica running, and nginx sending requests to each again (a replica that failed is
        left alone for fail_timeout, 10 s: ask until both have answered)."""
        for port in self.ports:
            if port not in self.procs:
                self.start(port)
        deadline = time.time() + 40
        while time.time() < deadline:
            mark = len(self.access())
            for _ in range(6):
                httpx.get(self.url + "/c/link-problem", timeout=10)
            if {self.port_of(e) for e in self.access()[mark:]} == set(self.ports):
                return
            time.sleep(1)
        raise AssertionError("nginx did not send requests to every replica again")

    def access(self) -> list[dict]:
        return nginx_proxy.access_log(self.nginx_dir)

    def wait_for_log(self, mark: int, which, count: int) -> list[dict]:
        """The `count` access-log lines after `mark` that match `which` (nginx writes a line just after
        the response, so a test that has its answer may read the log a moment too soon)."""
        deadline = time.time() + 10
        while True:
            got = [e for e in self.access()[mark:] if which(e)]
            if len(got) >= count or time.time() > deadline:
                return got
            time.sleep(0.1)

    @staticmethod
    def port_of(entry: dict) -> int | None:
        """The replica that answered (the last address when nginx had to try another first)."""
        last = entry["upstream"].split(",")[-1].strip()
        return int(last.rsplit(":", 1)[1]) if ":" in last else None

    def counts(self, prefix: str) -> list[list]:
        return json.loads(self.run_python(f"PREFIX = {prefix!r}\n" + COUNTS).strip().splitlines()[-1])

    def close(self) -> None:
        for port in list(self.procs):
            self.stop(port)
        self.nginx.terminate()
        self.nginx.wait(10)
        eng = create_engine(PG_URL)
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        eng.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, chromium_path):
    need(postgres_up(), f"PostgreSQL at {PG_URL}")
    need(nginx_proxy.available(), "Debian's nginx")
    c = Cluster(tmp_path_factory.mktemp("replicas"))
    yield c
    c.close()


def test_replica_link_guesses_spread_over_both_replicas_hit_the_shared_limit(cluster):
    cluster.all_up()
    real = crowd_seed.tokens(cluster.run_python, 1, prefix="Replica Guess")[0]
    mark = len(cluster.access())
    # A phone beyond the proxy (nginx appends the address it saw; the app believes nginx: TRUSTED_PROXIES).
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(20):
        r = httpx.get(f"{cluster.url}/c/?t={secrets.token_urlsafe(32)}", headers=guesser, timeout=30)
        assert r.headers.get("location") != "/c/checkin"  # a guess opens nothing
    served = [cluster.port_of(e) for e in cluster.wait_for_log(mark, lambda e: e["path"] == "/c/", 20)]
    assert len(served) == 20 and set(served) == set(cluster.ports), f"the guesses were not spread: {served}"
    refused = httpx.get(f"{cluster.url}/c/?t={real}", headers=guesser, timeout=30, follow_redirects=True)
    assert refused.url.path != "/c/checkin" and "This link isn't working" in refused.text, \
        "the 21st lookup from the address opened a real link: the limit did not hold across replicas"
    elsewhere = httpx.get(f"{cluster.url}/c/?t={real}", headers={"X-Forwarded-For": "203.0.113.8"}, timeout=30)
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/c/checkin"  # only that address
    limited = cluster.run_python(
        "import db; from sqlalchemy import func, select\nfrom db.tables import audit_events\nwith db.read() as c:\n"
        "    print(c.execute(select(func.count()).where(audit_events.c.action == 'link.limited')).scalar())")
    assert int(limited) >= 1


def _replica_of(page, cluster) -> int:
    """Which replica this browser's requests reach: a request from the page (with its route cookie),
    looked up in nginx's access log."""
    probe = f"/replica-probe-{uuid.uuid4().hex}"
    page.evaluate(f"fetch({probe!r}).then(r => r.status)")
    deadline = time.time() + 10
    while time.time() < deadline:
        hits = [e for e in cluster.access() if e["path"] == probe]
        if hits:
            return cluster.port_of(hits[-1])
        time.sleep(0.2)
    raise AssertionError("the probe never reached nginx's log")


def test_replica_stopped_under_a_clinician_the_next_click_is_answered_by_the_other_still_signed_in(cluster, browser):
    cluster.all_up()
    with httpx.Client(base_url=cluster.url, timeout=60) as phone:  # saved before the replica stops
        assert phone.get(f"/c/?t={cluster.client_token}").status_code == 303
        form = {**crowd_seed.form(phone.get("/c/checkin").text), "mood": "7", "distress": "1",
                "thought": "Saved before the replica stopped"}
        assert "Thank you" in phone.post("/c/checkin", data=form).text
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        sign_in(page, cluster.url, "maya", DEMO_PASSWORD)
        expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
        assert any(c["name"] == "anchorstep_route" for c in ctx.cookies()), "nginx gave no route cookie"
        first = _replica_of(page, cluster)
        assert _replica_of(page, cluster) == first  # affinity: the same replica every time
        other = next(p for p in cluster.ports if p != first)
        # A little unsaved widget state on the page, which may be lost (docs/deploy.md says so).
        cluster.stop(first)
        # The browser notices the closed websocket and reconnects through nginx; the other replica signs the
        # clinician straight back in by the re-login cookie (the login session lives in the database).
        page.wait_for_function("document.querySelector(\"[data-testid='stApp']\")"
                               ".getAttribute('data-test-connection-state') !== 'CONNECTED'", timeout=20_000)
        settle(page, 60_000)
        expect(page.get_by_role("heading", name="Your caseload")).to_be_visible(timeout=60_000)
        settle(page, 60_000)
        page.get_by_role("link", name="Client view").click()
        settle(page, 60_000)
        choose(page, "Client", "Replica Client 000")
        expect(page.get_by_role("button", name="Prepare CSV of these check-ins")).to_be_visible(timeout=60_000)
        assert page.get_by_role("button", name="Sign in").count() == 0, "the clinician was signed out"
        assert _replica_of(page, cluster) == other
        page.get_by_role("button", name="Prepare CSV of these check-ins").click()
        settle(page, 60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()  # the file lives in the other replica's memory
        body = open(download.value.path(), encoding="utf-8").read()
        assert body.startswith("local_date,submitted_at_utc,mood,distress,thought")
        assert "Saved before the replica stopped" in body  # nothing saved was lost
        errors = [e for e in cluster.access() if e["status"] >= 500]
        assert errors == [], errors
    except Exception:
        shot(page, "replica-lost-failure")
        raise
    finally:
        ctx.close()
        cluster.all_up()


@pytest.fixture(scope="module")
def crowd(cluster):
    """500 clients, each with their own browser (a cookie jar) that has opened its link through the proxy."""
    cluster.all_up()
    raws = crowd_seed.tokens(cluster.run_python, CROWD_SIZE)

    def open_one(raw):
        b = httpx.Client(base_url=cluster.url, timeout=120, limits=httpx.Limits(max_connections=2))
        opened = b.get(f"/c/?t={raw}")
        assert opened.status_code == 303 and opened.headers["location"] == "/c/checkin", opened.text[:300]
        return b

    with ThreadPoolExecutor(max_workers=16) as pool:
        browsers = list(pool.map(open_one, raws))
    yield browsers
    for b in browsers:
        b.close()


def _send(item):
    n, b, body = item
    try:
        r = b.post("/c/checkin", data=body)
    except httpx.HTTPError as exc:
        return n, body["idempotency_key"], f"error: {exc.__class__.__name__}"
    if r.status_code == 200 and "Thank you" in r.text:
        return n, body["idempotency_key"], "already" if ALREADY in r.text else "saved"
    calm = "calm" if "Please try again in a moment" in r.text and "nothing is saved twice" in r.text else "bare"
    return n, body["idempotency_key"], f"error: {r.status_code} {calm}"


def test_replica_500_concurrent_check_ins_through_the_proxy_across_both_replicas_save_exactly_500(cluster, crowd):
    cluster.all_up()
    with ThreadPoolExecutor(max_workers=16) as pool:
        forms = list(pool.map(lambda b: crowd_seed.form(b.get("/c/checkin").text), crowd))
    mark = len(cluster.access())
    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(_send, [(n, b, f) for n, (b, f) in enumerate(zip(crowd, forms))]))
    assert [a for a in answers if a[2] != "saved"] == []
    posts = [cluster.port_of(e) for e in cluster.wait_for_log(mark, lambda e: e["method"] == "POST", CROWD_SIZE)]
    assert len(posts) == CROWD_SIZE and set(posts) == set(cluster.ports), "the check-ins did not reach both replicas"
    rows = cluster.counts("Crowd")
    assert len(rows) == CROWD_SIZE and all(r[2] == 1 for r in rows)
    assert {r[1] for r in rows} == {f["idempotency_key"] for f in forms}


def test_replica_killed_with_sigkill_during_500_check_ins_each_saved_once_or_answered_with_an_error(cluster, crowd):
    cluster.all_up()
    before = {(r[0], r[1]) for r in cluster.counts("Crowd")}
    with ThreadPoolExecutor(max_workers=16) as pool:  # "Check in again": a new form (and key) each
        forms = list(pool.map(lambda b: crowd_seed.form(b.get("/c/checkin?again=1").text), crowd))
    victim = cluster.ports[1]
    answered = []
    killed_at = {}

    def send_and_count(item):
        out = _send(item)
        answered.append(out)
        if len(answered) == CROWD_SIZE // 5 and not killed_at:  # a fifth answered: the rest are in flight or queued
            killed_at["answered"] = len(answered)
            cluster.procs[victim].send_signal(signal.SIGKILL)
        return out

    mark = len(cluster.access())
    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(send_and_count, [(n, b, f) for n, (b, f) in enumerate(zip(crowd, forms))]))
    cluster.procs[victim].wait(10)
    cluster.procs.pop(victim)
    cluster.logs.pop(victim).close()
    assert killed_at and killed_at["answered"] < CROWD_SIZE
    served = [cluster.port_of(e) for e in cluster.access()[mark:] if e["method"] == "POST"]
    assert victim in served, "the killed replica had served none of the check-ins: the test proved nothing"

    assert all(said == "saved" or said == "error: 502 calm" for _, _, said in answers), \
        {said for _, _, said in answers}  # an error is nginx's calm page (deploy/nginx/anchorstep-unavailable.html)
    saved_keys = {k for _, k, said in answers if said == "saved"}
    failed = [(n, k) for n, k, said in answers if said.startswith("error")]
    assert len(saved_keys) + len(failed) == CROWD_SIZE, [a for a in answers if a[2] not in ("saved",) and
                                                         not a[2].startswith("error")]
    rows = {(r[0], r[1]): r[2] for r in cluster.counts("Crowd") if (r[0], r[1]) not in before}
    assert all(count == 1 for count in rows.values()), "a check-in was saved twice"
    keys_in_db = {k for (_, k) in rows}
    assert saved_keys <= keys_in_db, "a check-in answered 'saved' is not in the database"
    print(f"\nSIGKILL after {killed_at['answered']} answers: {len(saved_keys)} saved, {len(failed)} answered with an "
          f"error ({len({k for _, k in failed} & keys_in_db)} of those had been saved before the replica died)")

    # A person whose submit failed sends the same form again (the page kept it): saved, or "already saved".
    cluster.all_up()
    by_key = {f["idempotency_key"]: (crowd[n], f) for n, f in enumerate(forms)}
    again = [_send((n, *by_key[k])) for n, k in failed]
    assert all(said in ("saved", "already") for _, _, said in again), again
    rows = {(r[0], r[1]): r[2] for r in cluster.counts("Crowd") if (r[0], r[1]) not in before}
    assert len(rows) == CROWD_SIZE and all(count == 1 for count in rows.values())
