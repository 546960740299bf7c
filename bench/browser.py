"""Real server, real Chromium (Debian's /usr/bin/chromium; nothing is downloaded):
- from opening a check-in link to an interactive form, against a bare one-line page (floor_bare.py);
- the app process's peak memory (VmHWM) while it renders the client view for the year client.
The waiting and the sign-in are the browser tests' (tests/e2e/streamlit_page.py)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.e2e.streamlit_page import settle as _settle, sign_in, start_streamlit  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def settle(page, timeout=60_000) -> None:
    _settle(page, timeout)  # the benchmark's data is large: a longer wait than the tests'



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run SCRIPT` headless on a free port with the current environment (DATABASE_URL ...)."""

    def __init__(self, script: Path, log: Path, env: dict | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "LINK_BASE_URL": self.url, **(env or {})}
        self.log = open(log, "w")
        try:
            self.proc = start_streamlit(script, self.port, self.env, self.log, wait=90)
        except RuntimeError:
            self.log.close()
            raise

    def memory_kb(self, field: str = "VmHWM") -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise LookupError(field)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])


def checkin_link(server: Server, client_id: int) -> str:
    """A real check-in token (db.links.issue_for), issued by the client's clinician."""
    from datetime import datetime, timezone
    from sqlalchemy import select
    import db
    from core import settings
    from db import links
    from db.actors import Actor
    from db.clients import clients
    from db.clinicians import clinicians
    with db.read() as conn:
        row = conn.execute(select(clients.c.clinician_id, clients.c.practice_id, clinicians.c.username)
                           .join(clinicians, clinicians.c.id == clients.c.clinician_id)
                           .where(clients.c.id == client_id)).one()
    actor = Actor(row.clinician_id, row.practice_id, "clinician", row.username)
    raw = links.issue_for(actor, client_id, "checkin", now=datetime.now(timezone.utc),
                          ttl_days=settings.load().link_ttl_days())
    return links.url(server.url, raw)


def link_vs_bare(app: Server, bare: Server, link: str, runs: int,
                 floor: Server | None = None) -> tuple[list[float], ...]:
    """Seconds from goto to a usable page, each run in a fresh browser context, the pages in rotating
    order. With `floor` (floor_checkin.py: the form's elements, no routing or data work) a third list."""
    from playwright.sync_api import expect, sync_playwright
    took_by: dict[str, list[float]] = {"link": [], "bare": [], "floor": []}
    kinds = ["link", "bare"] + (["floor"] if floor is not None else [])
    with sync_playwright() as p:
        b = _browser(p)
        try:
            for i in range(runs + 1):  # the first round warms the servers up and is not counted
                for which in kinds[i % len(kinds):] + kinds[:i % len(kinds)]:
                    ctx = b.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                    page = ctx.new_page()
                    t0 = time.perf_counter()
                    if which == "bare":
                        page.goto(bare.url)
                        settle(page)
                        expect(page.get_by_text("hello")).to_be_visible(timeout=60_000)
                    else:
                        page.goto(link if which == "link" else floor.url)
                        button = page.get_by_role("button", name="Submit check-in")
                        expect(button).to_be_enabled(timeout=60_000)
                        settle(page)
                    took = time.perf_counter() - t0
                    if i:
                        took_by[which].append(took)
                    ctx.close()
        finally:
            b.close()
    return (took_by["link"], took_by["bare"]) + ((took_by["floor"],) if floor is not None else ())


def client_view_memory(app: Server, username: str, password: str) -> dict:
    """Sign in, open the client view (the year client is first in the list), choose a year of dates,
    and read the server's VmHWM (peak resident memory) from /proc."""
    from datetime import date
    from playwright.sync_api import expect, sync_playwright
    before = app.memory_kb("VmRSS")
    with sync_playwright() as p:
        b = _browser(p)
        try:
            ctx = b.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            sign_in(page, app.url, username, password, timeout=60_000)
            page.get_by_role("link", name="Client view").click()
            settle(page)
            page.get_by_text("Choose dates").click()
            settle(page)
            # Streamlit's range field is a set of spinbuttons: move the start a year back (the page caps a
            # window at 400 days), then leave the field so the new range is sent.
            year = page.get_by_role("spinbutton", name="year, From and to (client's days) start date")
            year.click()
            page.keyboard.type(str(date.today().year - 1))
            page.keyboard.press("Tab")
            page.locator("h1").first.click()
            settle(page)
            page.wait_for_timeout(500)
            settle(page)
            expect(page.get_by_text("Mood and distress per day").first).to_be_attached(timeout=60_000)
            heading = page.locator("h4").first.inner_text()
            ctx.close()
        finally:
            b.close()
    return {"rss_before_kb": before, "peak_kb": app.memory_kb("VmHWM"), "heading": heading}
