"""Starting a real `streamlit run` and driving its page in Chromium: start a headless server and wait
for its health check, wait for a run to settle, sign in through the form. Plain functions with no
pytest and no side effects, shared by the browser tests (tests/e2e, tests/reliability) and the
benchmark (bench/browser.py)."""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def start_streamlit(script: Path, port: int, env: dict, log, *, wait: float = 60) -> subprocess.Popen:
    """`streamlit run SCRIPT` headless on 127.0.0.1:`port`, output to `log`; returns once its health
    check answers (the process is killed and RuntimeError raised if it does not within `wait` s)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"streamlit did not start; see {getattr(log, 'name', 'its log')}")


def settle(page, timeout=30_000):
    """Wait until Streamlit is connected and the script has finished running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=timeout)


def choose(page, label: str, option: str) -> None:
    """Pick from a selectbox by typing: long lists are virtualised, so an option below the fold is not
    in the page until the list is filtered (the shared test server's clinician has many clients)."""
    # A rerun that lands while the list is open (the sign-in cookie helper, an expander opening) closes
    # it and detaches the options ("element is not visible" on the click, seen in CI); then open it and
    # type again.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for attempt in range(3):
        settle(page)
        page.get_by_role("combobox", name=label, exact=True).click()
        if attempt:
            page.keyboard.press("Control+A")  # replace what the earlier attempt typed
        page.keyboard.type(option[:12])
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    settle(page)


def sign_in(page, url, username, password, *, timeout=30_000):
    page.goto(url)
    settle(page, timeout)
    # The sign-in cookie helper (an iframe) reruns the script once it has loaded; under load that
    # rerun can redraw the form and drop what was typed (the form then says the fields are empty),
    # so wait for it, and type again if it still happens.
    page.wait_for_selector("iframe", state="attached", timeout=timeout)
    for _attempt in range(3):
        page.wait_for_timeout(500)
        settle(page, timeout)
        page.get_by_label("Username").last.fill(username)
        page.get_by_label("Password", exact=True).last.fill(password)
        page.get_by_role("button", name="Sign in").last.click()
        settle(page, timeout)
        page.wait_for_timeout(300)
        settle(page, timeout)
        if page.get_by_text("Please enter your username and your password").count() == 0:
            break
    # On success the cookie component writes the re-login cookie and then reruns the script itself.
    page.wait_for_function("!document.body.innerText.includes('Opening your pages')", timeout=timeout)
    settle(page, timeout)
