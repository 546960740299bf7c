"""Real server, real Chromium (Debian's /usr/bin/chromium; nothing is downloaded): the server and the
browser the browser measurements share, and the app process's peak memory (VmHWM) while it renders the
client view for the year client (the client's pages: bench/client_pages.py). The waiting and the
sign-in are the browser tests' (tests/e2e/streamlit_page.py)."""
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
