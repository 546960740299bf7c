"""The client's pages as a phone meets them (issue 14's acceptance measurements), against a real
`streamlit run app.py` on the benchmark's year of data:

- **Slow 4G, cold** (Debian's Chromium, 390×844 phone viewport, a fresh browser context per run, Chrome's
  "Slow 4G" profile set with the DevTools protocol): a real check-in link, opened by clicking it on a
  page of another site (as from webmail; that is the path a link really takes), until the form can be
  used (the "Submit check-in" button visible and enabled); a coping-card link until "I'm struggling
  right now" can be used; and for each, every request and its bytes on the wire (the sum of
  `Network.loadingFinished`'s `encodedDataLength`) from the click until the network is quiet.
- **Unthrottled**: the same check-in link against a static HTML file of the same size (the check-in
  page as the server drew it, saved to a file), both served by one process: `bench/serve_static.py`,
  the server app.py builds plus one static folder, so no bench route is added to the product.
- **Server time** of each client page and each POST, requests one at a time, p50 and p95, measured
  twice: in-process (`client.web`'s Starlette app, the routes and middleware app.py mounts, through
  Starlette's test client: the server's own work; the target applies to this one) and over HTTP to the
  real server (a new connection per request: on a kept-alive loopback connection each answer of
  `streamlit run` waited about 44 ms for a delayed TCP acknowledgement, /_stcore/health included;
  from sending the request to the answer's last byte, so it also holds the TCP handshake, uvicorn,
  httpx and, on a shared machine, the wait for a CPU).

Times in the browser are the page's own clocks (`performance.timeOrigin + performance.now()`): the
click is stamped by a listener on the webmail page, "usable" by the first animation frame in which the
button is laid out, visible and enabled (a script added through the DevTools protocol; the client
pages themselves run none). Playwright's own waits poll every 100–500 ms, too coarse for a 1 s target.
"""
from __future__ import annotations

import html
import json
import logging
import re
import secrets
import statistics
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request in the bench's output

SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
SUBMIT, STRUGGLING = "Submit check-in", "I'm struggling right now"
OPEN = "GET /c/?t= (open a link: resolve, audit, set the cookie)"

_INIT = """(() => {
  const stamp = () => performance.timeOrigin + performance.now();
  if (location.port === WEBMAIL_PORT) {
    addEventListener('click', () => console.log('bench:click ' + stamp()), true);
    return;
  }
  const want = TARGET;
  const usable = () => {
    for (const el of document.querySelectorAll('button, a')) {
      if (el.textContent.trim() !== want || el.disabled) continue;
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden') return true;
    }
    return false;
  };
  const tick = () => {
    if (usable()) console.log('bench:usable ' + stamp() + ' ' + location.pathname);
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""


# ---------------------------------------------------------------- "webmail": a page on another site

class _Mail(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        to = parse_qs(urlparse(self.path).query).get("to", [""])[0]
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inbox</title>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
                f'<p>Your practice reminder</p><p><a id="link" href="{html.escape(to)}" '
                f'style="display:block;padding:20px">Open your page</a></p></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class WebMail:
    """A page on another site (http://localhost:PORT, while the app is http://127.0.0.1:PORT: another
    site for the browser's SameSite rules) with one link on it, as a webmail shows an email."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Mail)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def page_for(self, url: str) -> str:
        return f"http://localhost:{self.port}/?to={quote(url, safe='')}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- links and data

def issue(client_id: int, purpose: str) -> str:
    """A fresh link (each run opens a new one, as each email carries its own), made by the client's clinician."""
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
    return links.issue_for(actor, client_id, purpose, now=datetime.now(timezone.utc),
                           ttl_days=settings.load().link_ttl_days())


def consent_rounds(n: int, skip: int) -> list[str]:
    """`n` clients of the practice (not `skip`, not discharged) with a new consent round discussed and its
    link copied, as a clinician does at renewal: their consent pages show the open form. Raw tokens."""
    from sqlalchemy import select
    import db
    from core import settings
    from db import consent
    from db.actors import Actor
    from db.clients import clients
    from db.clinicians import clinicians
    from db.consent_templates import current_in
    now = datetime.now(timezone.utc)
    with db.read() as conn:
        rows = conn.execute(select(clients.c.id, clients.c.clinician_id, clients.c.practice_id, clinicians.c.username)
                            .join(clinicians, clinicians.c.id == clients.c.clinician_id)
                            .where(clients.c.status != "discharged", clients.c.id != skip)
                            .order_by(clients.c.id).limit(n)).all()
        keys = [it["key"] for it in current_in(conn, rows[0].practice_id, now)["items"]]
    out = []
    for r in rows:
        made, errors = consent.issue_link(Actor(r.clinician_id, r.practice_id, "clinician", r.username), r.id,
                                          {"discussed": keys, "tech_ok": True}, now=now, via="copy",
                                          ttl_days=settings.load().link_ttl_days())
        assert not errors, errors
        out.append(made["raw"])
    return out


# ---------------------------------------------------------------- Chromium

def click_through(browser, mail: WebMail, url: str, target: str, *, slow: bool, timeout: float = 30) -> dict:
    """One cold visit: a fresh context opens the webmail page, clicks the link to `url`, and waits until
    `target` (a button's or link's text) can be used, then until the network is quiet. Returns the
    seconds from the click to usable, the requests after the click and their bytes on the wire."""
    from playwright.sync_api import expect
    ctx = browser.new_context(**PHONE)
    ctx.add_init_script(_INIT.replace("WEBMAIL_PORT", json.dumps(str(mail.port))).replace("TARGET", json.dumps(target)))
    try:
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Runtime.enable")
        if slow:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        page.goto(mail.page_for(url))
        marks: dict[str, tuple[float, str]] = {}
        sent: dict[str, str] = {}
        finished: dict[str, int] = {}
        failed: set[str] = set()
        cached: set[str] = set()
        mail_origin = f"http://localhost:{mail.port}/"

        def request(e):
            if not e["request"]["url"].startswith(mail_origin):  # the webmail tab's own icon, say
                sent.setdefault(e["requestId"], e["request"]["url"])

        def response(e):
            if e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache"):
                cached.add(e["requestId"])

        def console(e):
            text = " ".join(str(a.get("value", "")) for a in e.get("args", []))
            if text.startswith("bench:"):
                kind, stamp, *where = text[6:].split(" ")
                marks.setdefault(kind, (float(stamp), where[0] if where else ""))

        cdp.on("Runtime.consoleAPICalled", console)
        cdp.on("Network.requestWillBeSent", request)
        cdp.on("Network.responseReceived", response)
        cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
        cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        cdp.on("Network.loadingFailed", lambda e: failed.add(e["requestId"]))
        page.click("#link")
        deadline = time.monotonic() + timeout
        while "usable" not in marks and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        assert "click" in marks and "usable" in marks, f"never usable: {marks} {page.url}"
        element = page.get_by_role("button" if target == SUBMIT else "link", name=target)
        expect(element).to_be_visible()  # what the stamp claimed, checked the usual way (not timed)
        expect(element).to_be_enabled()
        page.wait_for_load_state("load")
        quiet_for = 1.0 if slow else 0.3  # after the page's load: nothing new and nothing in flight (the icon)
        last, count = time.monotonic(), len(sent)
        while time.monotonic() - last < quiet_for and time.monotonic() < deadline:
            page.wait_for_timeout(50)
            if len(sent) != count or any(r not in finished and r not in failed for r in sent):
                last, count = time.monotonic(), len(sent)
        took = (marks["usable"][0] - marks["click"][0]) / 1000
        wire = [r for r in sent if r not in cached]  # a memory- or disk-cache hit puts nothing on the wire
        return {"seconds": took, "requests": len(wire), "bytes": sum(finished.get(r, 0) for r in wire),
                "from_cache": len(sent) - len(wire), "usable_at": marks["usable"][1],
                "urls": [re.sub(r"t=[^&]+", "t=…", sent[r]) + ("" if r in finished else " (not finished)")
                         for r in wire]}
    finally:
        ctx.close()


def slow_4g(app_url: str, client_id: int, runs: int) -> dict[str, list[dict]]:
    """Check-in and card links, alternating, each run cold; the first round warms the server and is not kept."""
    from playwright.sync_api import sync_playwright
    from bench.browser import _browser
    mail = WebMail()
    out: dict[str, list[dict]] = {"checkin": [], "card": []}
    try:
        with sync_playwright() as p:
            b = _browser(p)
            try:
                for i in range(runs + 1):
                    for purpose in (("checkin", "card") if i % 2 == 0 else ("card", "checkin")):
                        url = f"{app_url}/c/?t={issue(client_id, purpose)}"
                        got = click_through(b, mail, url, SUBMIT if purpose == "checkin" else STRUGGLING, slow=True)
                        assert got["usable_at"] == f"/c/{purpose}", got
                        if i:
                            out[purpose].append(got)
            finally:
                b.close()
    finally:
        mail.stop()
    return out


def unthrottled_vs_static(server_url: str, static_dir: Path, client_id: int, runs: int) -> dict[str, list[float]]:
    """On the bench server (bench/serve_static.py): the check-in link against the check-in page as the
    server drew it, saved as a static file of the same size; alternating, cold, unthrottled."""
    import httpx
    from playwright.sync_api import sync_playwright
    from bench.browser import _browser
    with httpx.Client(base_url=server_url, timeout=30) as h:
        opened = h.get(f"/c/?t={issue(client_id, 'checkin')}")
        assert opened.status_code == 303, opened.status_code
        page = h.get("/c/checkin")
        page.raise_for_status()
    (static_dir / "checkin.html").write_bytes(page.content)
    static_url = f"{server_url}/bench-static/checkin.html"
    mail = WebMail()
    out: dict[str, list[float]] = {"link": [], "static": [], "static_bytes": [len(page.content)]}
    try:
        with sync_playwright() as p:
            b = _browser(p)
            try:
                for i in range(runs + 1):
                    for which in (("link", "static") if i % 2 == 0 else ("static", "link")):
                        url = f"{server_url}/c/?t={issue(client_id, 'checkin')}" if which == "link" else static_url
                        got = click_through(b, mail, url, SUBMIT, slow=False)
                        if i:
                            out[which].append(got["seconds"])
            finally:
                b.close()
    finally:
        mail.stop()
    return out


# ---------------------------------------------------------------- server time over HTTP

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _field(page: str, name: str) -> str:
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert m, f"no {name} field"
    return html.unescape(m.group(1))


class _Timer:
    def __init__(self):
        self.samples: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}  # this process's CPU seconds (in-process: the server's work)

    def __call__(self, name: str, send, expect_status: int = 200, contains: str = ""):
        c0, t0 = time.process_time(), time.perf_counter()
        r = send()
        took = time.perf_counter() - t0
        self.cpu.setdefault(name, []).append(time.process_time() - c0)
        assert r.status_code == expect_status, (name, r.status_code, r.text[:300])
        assert not contains or contains in r.text, (name, r.text[:500])
        self.samples.setdefault(name, []).append(took)
        return r


def in_process():
    """The client pages' own Starlette app (client.web: the routes and middleware app.py mounts) in this
    process, through Starlette's test client: the server's work without the wait for a CPU that a second
    process meets on a shared machine (the test client adds well under a millisecond)."""
    from starlette.testclient import TestClient
    from client import web
    # From 127.0.0.1, as the HTTP requests come: a local address is not counted by the link-lookup limiter.
    return TestClient(web.starlette_app(), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))


def server_times(client, client_id: int, n: int, warmup: int = 5) -> tuple[dict[str, list[float]], dict]:
    """Seconds per request through `client` (an httpx client: HTTP to the real server, or `in_process()`),
    by what was asked: GET of each client page and each POST a client makes; and this process's CPU
    seconds for each (in-process, that is the server's work without any wait for a CPU)."""
    timer = _Timer()
    scratch = _Timer()  # warm-up requests, not kept
    with client as h:
        raws = {p: issue(client_id, p) for p in ("checkin", "card", "preferences")}
        for raw in raws.values():
            timer(OPEN, lambda: h.get(f"/c/?t={raw}", follow_redirects=False), expect_status=303)
        form = h.get("/c/checkin").text
        csrf = _CSRF.search(form).group(1)
        steps = sorted(set(re.findall(r'name="status_(\d+)"', form)))
        day = _field(form, "local_date")
        due = re.findall(r'href="(/c/checkin/questionnaire/\d+)"', form)
        gets = [("GET /c/checkin (the form)", "/c/checkin", SUBMIT), ("GET /c/card", "/c/card", STRUGGLING),
                ("GET /c/card?struggling=1", "/c/card?struggling=1", "Back to my card"),
                ("GET /c/preferences", "/c/preferences", "Your reminders")]
        if due:
            gets.append(("GET /c/checkin/questionnaire/ID", due[0], "Send my answers"))
        for i in range(warmup + n):
            t = timer if i >= warmup else scratch
            for name, path, text in gets:
                t(name, lambda: h.get(path), contains=text)
            body = {"csrf": csrf, "local_date": day, "idempotency_key": f"bench-{uuid.uuid4().hex}", "mood": "6",
                    "distress": "3", **{f"status_{s}": "done" for s in steps}}
            t("POST /c/checkin (a check-in saved)", lambda: h.post("/c/checkin", data=body), contains="Thank you")
            pcsrf = _CSRF.search(h.get("/c/preferences").text).group(1)
            t("POST /c/preferences (pause or resume)",
              lambda: h.post("/c/preferences", data={"csrf": pcsrf, "want": "pause", "sure": "yes"}),
              contains="Reminders are paused")
            t("POST /c/preferences (pause or resume)",
              lambda: h.post("/c/preferences", data={"csrf": pcsrf, "want": "resume", "sure": "yes"}),
              contains="Reminders are on again")
            t("POST /c/?t= one-click pause (RFC 8058)",
              lambda: h.post(f"/c/?t={raws['preferences']}", content=b"List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}), contains="paused")
            scratch("resume", lambda: h.post("/c/preferences", data={"csrf": pcsrf, "want": "resume", "sure": "yes"}))
        for i, raw in enumerate(consent_rounds(warmup + n, skip=client_id)):
            t = timer if i >= warmup else scratch
            h.cookies.clear()  # each client its own browser
            t(OPEN, lambda: h.get(f"/c/?t={raw}", follow_redirects=False), expect_status=303)
            page = t("GET /c/consent (the open form)", lambda: h.get("/c/consent"), contains="I agree").text
            items = re.findall(r'name="item" value="([^"]+)"', page)
            t("POST /c/consent (consent confirmed)",
              lambda: h.post("/c/consent", data={"csrf": _CSRF.search(page).group(1), "item": items,
                                                 "name": "Bench Client"}), contains="Thank you")
    return timer.samples, timer.cpu


def _set_language(client_id: int, code: str | None) -> None:
    from sqlalchemy import update
    import db
    from db.clients import clients
    with db.write() as conn:
        conn.execute(update(clients).where(clients.c.id == client_id).values(language=code))


def language_times(client, client_id: int, n: int, warmup: int = 5) -> dict[str, dict[str, list[float]]]:
    """Issue 16: the same client's check-in form and coping card in English and in Spanish, by turns of ten
    requests (so both languages meet the same machine), seconds per request: {page: {"en": [...], "es": [...]}}.
    The client's language is read with the link on every request, so switching it in the database is enough."""
    out: dict[str, dict[str, list[float]]] = {}
    pages = (("GET /c/checkin (the form)", "/c/checkin", "checkin"), ("GET /c/card", "/c/card", "card"))
    try:
        with client as h:
            for _, _, purpose in pages:
                h.get(f"/c/?t={issue(client_id, purpose)}", follow_redirects=False)
            for turn in range((warmup + n) // 10 + 1):
                for code in ("en", "es"):
                    _set_language(client_id, code)
                    for _ in range(10):
                        for label, path, _ in pages:
                            t0 = time.perf_counter()
                            r = h.get(path)
                            took = time.perf_counter() - t0
                            assert r.status_code == 200 and f'<html lang="{code}">' in r.text, (label, code)
                            if turn * 10 >= warmup:
                                out.setdefault(label, {}).setdefault(code, []).append(took)
    finally:
        _set_language(client_id, None)
    return out


def p95(samples: list[float]) -> float:
    s = sorted(samples)
    return s[max(0, int(round(0.95 * len(s))) - 1)]


def summary(samples: dict[str, list[float]], cpu: dict[str, list[float]]) -> dict[str, dict]:
    return {k: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000, 2), "p95_ms": round(p95(v) * 1000, 2),
                "max_ms": round(max(v) * 1000, 2), "cpu_p50_ms": round(statistics.median(cpu[k]) * 1000, 2),
                "cpu_p95_ms": round(p95(cpu[k]) * 1000, 2)} for k, v in samples.items()}
