"""Regenerate the screenshots README and docs/ show: `make screenshots` (a real server on a fresh demo database).
The portal at 1280×800; the client's pages on a phone (390×844, what the screen shows first), each
reached the way a client reaches it: by opening a real link."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, DEMO_PASSWORD, Server, settle, sign_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# A link for a demo client, made the way `python -m db link` makes one (audited as the command line).
LINK = """
from datetime import datetime, timezone
from sqlalchemy import select
import db
from core import settings
from db import links
from db.clients import clients
with db.read() as conn:
    cid = conn.execute(select(clients.c.id).where(clients.c.display_name == NAME)).scalar_one()
raw, _ = links.issue_by_command(cid, PURPOSE, now=datetime.now(timezone.utc), ttl_days=settings.load().link_ttl_days())
print(raw)
"""


def link(srv: Server, name: str, purpose: str) -> str:
    raw = srv.run_python(f"NAME = {name!r}\nPURPOSE = {purpose!r}\n" + LINK).strip().splitlines()[-1]
    return f"{srv.url}/c/?t={raw}"


def client_pages(phone, srv: Server) -> None:
    """Check-in (empty, then its confirmation), the coping card and its "I'm struggling right now" view,
    consent (Alex R. has a round awaiting them) and the reminder pause about to be sent, for demo clients
    of Maya."""
    def snap(name: str) -> None:
        phone.wait_for_load_state("load")
        phone.screenshot(path=str(OUT / f"{name}.png"))

    phone.goto(link(srv, "Jordan P.", "checkin"))
    phone.wait_for_url("**/c/checkin")
    snap("checkin-phone")
    for done in phone.locator("input[name^='status_'][value='done']").all():
        done.check()
    phone.locator("#f-mood-7").check()
    phone.locator("#f-distress-3").check()
    phone.get_by_role("button", name="Submit check-in").click()
    phone.get_by_role("heading", name="Thank you").wait_for()
    snap("checkin-done-phone")
    phone.goto(link(srv, "Jordan P.", "card"))
    phone.wait_for_url("**/c/card")
    snap("card-phone")
    phone.get_by_role("link", name="I'm struggling right now").click()
    phone.wait_for_url("**/c/card?struggling=1")
    snap("card-struggling-phone")
    phone.goto(link(srv, "Alex R.", "consent"))
    phone.wait_for_url("**/c/consent")
    snap("consent-phone")
    phone.goto(link(srv, "Casey M.", "preferences"))  # Jordan paused reminders in the demo; Casey gets them
    phone.wait_for_url("**/c/preferences")
    phone.get_by_label("Pause my email reminders").check()
    snap("pause-phone")


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
            phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True)
            client_pages(phone.new_page(), srv)
            phone.close()
            for extra in getattr(sys.modules[__name__], "EXTRA", []):
                extra(page, srv)
            browser.close()
    finally:
        srv.stop()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
