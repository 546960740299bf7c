"""A real `streamlit run` server on a real SQLite file with the demo practice, and Debian's Chromium.

The demo is seeded at the real time, so which demo clients' reminders a worker pass sends depends on the
hour the test runs: a test that reads the outbox takes its own client's mail (by address or subject),
never simply the first file (tests/e2e/test_run_port.py failed in the evening that way)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, free_port, need
from tests.e2e.streamlit_page import settle, sign_in, start_streamlit  # noqa: F401  (tests import them from here)

# A rerun on a busy 2-core CI machine can take longer than Playwright's default 5 s; what a test waits
# for is still asserted, just with patience (timings belong in `make bench`, not here).
expect.set_options(timeout=20_000)

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "demo-password-for-tests"
ARTIFACTS = ROOT / "test-artifacts"


class Server:
    def __init__(self, tmp: Path, seed: bool = True, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = tmp / "data"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}", "DATA_DIR": str(self.data),
                    "PYTHONPATH": str(ROOT), "LINK_BASE_URL": self.url, **(extra_env or {})}
        self._prepare(seed)
        self.log = open(tmp / "server.log", "w")
        self.proc = start_streamlit(ROOT / "app.py", self.port, self.env, self.log)

    def _prepare(self, seed: bool):
        code = ("from db import migrate; from demo import seed; migrate.upgrade()"
                + (f"; seed.run(password={DEMO_PASSWORD!r})" if seed else ""))
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env, check=True)

    def run_python(self, code: str) -> str:
        """Run code against this server's database (e.g. to read the outbox or seed more data)."""
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env, check=True, capture_output=True,
                             text=True)
        return out.stdout

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def chromium_path():
    need(Path(CHROMIUM).exists(), f"Debian's Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path):
    srv = Server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


_SHARED: dict = {"users": 0}  # one sync Playwright per process: tests/reliability reuses this fixture


@pytest.fixture(scope="session")
def browser(chromium_path):
    if _SHARED["users"] == 0:
        from playwright.sync_api import sync_playwright
        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(executable_path=chromium_path, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if _SHARED["users"] == 0:
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    yield ctx
    ctx.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
