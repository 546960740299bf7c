"""Load against a real `streamlit run app.py` server: 20 browser contexts in one Chromium check in at once
(15 clients with a link each, 5 more links for clients already in the crowd), each double-clicking
submit on the client's HTML check-in page; then each opens its link again in a second tab and submits again. The database holds
exactly 20 check-ins, one per link: all saved, none duplicated (RELIABILITY.md: "concurrent
submissions lose nothing"; the 200-thread version below the browser is tests/db/test_checkin_concurrency.py)."""
from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from tests.reliability.setup_data import make_clients

pytestmark = pytest.mark.e2e
N = 20
OWN = 15  # clients with one link; the other 5 links belong to the first 5 clients (a second link each)
TIMEOUT = 180_000  # two shared cores, twenty sessions: be generous


async def pick(page, group, option):
    await page.get_by_role("group", name=group).get_by_label(option, exact=True).check(timeout=TIMEOUT)


async def fill_form(page, url, mood):
    await page.goto(url, timeout=TIMEOUT)
    await page.wait_for_url("**/c/checkin", timeout=TIMEOUT)
    await page.get_by_role("heading", name="Check in", exact=True).wait_for(timeout=TIMEOUT)
    await pick(page, "How did it go?", "Done")
    await pick(page, "Mood right now", str(mood))
    await pick(page, "Distress or urge right now", "2")


async def check_in(ctx, url, mood, start):
    """First tab: fill and double-click submit. Second tab: the same link, filled and submitted again.
    Returns the server errors (5xx answers) the two tabs saw."""
    await start.wait()
    errors = []
    ctx.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page = await ctx.new_page()
    await fill_form(page, url, mood)
    await page.get_by_role("button", name="Submit check-in").dblclick(timeout=TIMEOUT)
    await page.get_by_role("heading", name="Thank you").wait_for(timeout=TIMEOUT)
    second = await ctx.new_page()
    await fill_form(second, url, mood)
    await second.get_by_role("button", name="Submit check-in").click(timeout=TIMEOUT)
    await second.get_by_text("This check-in was already saved", exact=False).wait_for(timeout=TIMEOUT)
    return len(errors)


async def crowd(chromium_path, urls):
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"])
        contexts = [await browser.new_context(viewport={"width": 390, "height": 844}) for _ in urls]
        start = asyncio.Event()
        tasks = [asyncio.create_task(check_in(ctx, url, i % 11, start)) for i, (ctx, url) in enumerate(zip(contexts, urls))]
        start.set()  # all at once
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await browser.close()
        return results


def run_crowd(chromium_path, urls):
    """The sync browser fixture of the other tests owns this thread's loop: run the crowd in its own thread."""
    out = {}
    thread = threading.Thread(target=lambda: out.update(results=asyncio.run(crowd(chromium_path, urls))))
    thread.start()
    thread.join()
    return out["results"]


def test_twenty_concurrent_browsers_check_in_and_replay_and_exactly_twenty_are_saved(server, chromium_path):
    names = [f"RL Load {i:02d}" for i in range(OWN)]
    made = make_clients(server, names)
    extra = json.loads(server.run_python(f"""
import json
from datetime import datetime, timezone
from core import settings
from db import links
import db
ids = {[made[n]["id"] for n in names[:N - OWN]]!r}
now = datetime.now(timezone.utc)
with db.write() as c:
    print(json.dumps([links.issue(c, client_id=i, purpose="checkin", now=now,
                                  ttl_days=settings.load().link_ttl_days()) for i in ids]))
""").strip().splitlines()[-1])
    urls = [f"{server.url}/c/?t={made[n]['checkin']}" for n in names] + [f"{server.url}/c/?t={raw}" for raw in extra]
    assert len(urls) == N

    began = time.monotonic()
    results = run_crowd(chromium_path, urls)
    took = time.monotonic() - began
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == [], failures[:3]
    assert results == [0] * N  # no server error on any page

    rows = json.loads(server.run_python(
        "import json, db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    rows = c.execute(text(\"select c.display_name, k.idempotency_key, k.mood from checkins k join clients c "
        "on c.id = k.client_id where c.display_name like 'RL Load %'\")).all()\n"
        "print(json.dumps([list(r) for r in rows]))").strip().splitlines()[-1])
    assert len(rows) == N, f"{len(rows)} rows for {N} check-ins"
    assert len({r[1] for r in rows}) == N  # one per link: none duplicated
    per_client = {n: sum(r[0] == n for r in rows) for n in names}
    assert per_client == {n: (2 if i < N - OWN else 1) for i, n in enumerate(names)}
    print(f"\n{N} contexts checked in (double click + second tab) in {took:.1f} s")
