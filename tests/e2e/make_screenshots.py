"""Regenerate README screenshots: `make screenshots` (a real server on a fresh demo database)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, DEMO_PASSWORD, Server, settle, sign_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    srv = Server(Path(tempfile.mkdtemp()))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(srv.url)
            settle(page)
            page.screenshot(path=str(OUT / "signin.png"))
            sign_in(page, srv.url, "admin", DEMO_PASSWORD)
            page.goto(srv.url + "/caseload")
            settle(page)
            page.wait_for_timeout(800)
            page.screenshot(path=str(OUT / "caseload.png"))
            for path in ("audit", "clinicians"):
                page.goto(f"{srv.url}/{path}")
                settle(page)
                page.wait_for_timeout(800)
                page.screenshot(path=str(OUT / f"{path}.png"))
            for extra in getattr(sys.modules[__name__], "EXTRA", []):
                extra(page, srv)
            browser.close()
    finally:
        srv.stop()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
