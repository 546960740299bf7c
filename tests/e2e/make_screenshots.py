"""Regenerate the screenshots README and docs/ show: `make screenshots` (a real server on a fresh demo database)."""
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
            for path in ("audit", "clinicians", "plans", "consent", "templates"):
                page.goto(f"{srv.url}/{path}")
                settle(page)
                page.wait_for_timeout(800)
                page.screenshot(path=str(OUT / f"{path}.png"))
            card_code = ("from datetime import datetime, timezone; import db; from db import links, clients; "
                         "from core import settings; from sqlalchemy import select; "
                         "conn_ctx = db.write(); conn = conn_ctx.__enter__(); "
                         "cid = conn.execute(select(clients.clients.c.id).where(clients.clients.c.display_name == 'Jordan P.')).scalar(); "
                         "raw = links.issue(conn, client_id=cid, purpose='card', now=datetime.now(timezone.utc), "
                         "ttl_days=settings.load().link_ttl_days()); conn_ctx.__exit__(None, None, None); print(raw)")
            raw = srv.run_python(card_code).strip().splitlines()[-1]
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
            phone.goto(f"{srv.url}/?t={raw}")
            settle(phone)
            phone.wait_for_timeout(800)
            phone.screenshot(path=str(OUT / "card-phone.png"))
            for extra in getattr(sys.modules[__name__], "EXTRA", []):
                extra(page, srv)
            browser.close()
    finally:
        srv.stop()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
