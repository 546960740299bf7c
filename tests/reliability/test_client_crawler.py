"""A mail scanner or crawler that opens every link changes nothing (issue 14). The real emails are
made on a real `streamlit run app.py` server's database (a consent invitation through
jobs.invites, reminders through the worker, both with the console backend, so they are the .eml
files under DATA_DIR/outbox); then a scanner follows every link in every email and its
List-Unsubscribe address with GET and HEAD, follows redirects and `<meta http-equiv=refresh>`,
then every same-origin link on every page it reaches, and submits every form it finds as found
(only the values the page itself filled in, as a link-checking scanner does). It does that once
keeping cookies (the worst case) and once without. Afterwards there are zero new check-ins,
questionnaire answers, confirmed consents, pauses and withdrawals (rows counted), and no client
action in the audit log but opening links."""
from __future__ import annotations

import email
import json
import re
from email import policy
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e

MAX_REQUESTS = 1500  # a bound, never reached: the site a link opens is a handful of pages

EMAILS = """
from datetime import datetime, timedelta, timezone
import db
from core import settings
from core.consent import DEFAULT_ITEMS
from core.schedule import Planned
from db import clients, consent, outbox, reminders, step_versions
from db.actors import Actor
from jobs import invites, worker
from sqlalchemy import text
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {"display_name": "Scan Consent", "email": "scan@example.org",
                                 "timezone": "Europe/London"}, now=now)
assert not err, err
got = invites.consent_link(maya, cid, {"discussed": [i["key"] for i in DEFAULT_ITEMS], "tech_ok": True,
                                       "tech_note": ""}, now=now, via="email")
assert got.emailed, got
with db.write() as conn:
    steps = [s for s in step_versions.reminder_steps(conn) if consent.is_active(conn, s["client_id"], now)
             and not reminders.is_paused(conn, s["client_id"])][:3]
    for s in steps:
        outbox.add_planned(conn, s["client_id"], [Planned(s["step_id"], now.date() - timedelta(days=400), "07:00",
                                                          now - timedelta(minutes=1), now + timedelta(hours=1))], now)
assert steps
worker.one_pass("scan-worker", settings.load())
"""

COUNTS = """
import json, db
from sqlalchemy import text
queries = {
    "check-ins": "select count(*) from checkins",
    "questionnaire answers": "select count(*) from measure_responses",
    "consents confirmed": "select count(*) from consents where confirmed_at is not null",
    "pauses": "select count(*) from reminder_prefs where paused_at is not null",
    "withdrawals": "select count(*) from consent_events where event = 'withdrawn'",
    "consents withdrawn": "select count(*) from consents where withdrawn_at is not null",
    "client actions but opening links": "select count(*) from audit_events where actor_kind = 'client' "
                                        "and action not in ('link.open', 'link.refused', 'link.limited')",
}
with db.read() as c:
    print(json.dumps({k: c.execute(text(q)).scalar() for k, q in queries.items()}))
"""


class Page(HTMLParser):
    """What a scanner reads from a page: links, a meta refresh, and forms with their default values."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self.refresh: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        elif tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            m = re.search(r"url=(.+)$", a.get("content") or "", re.I)
            self.refresh = m.group(1).strip() if m else None
        elif tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "fields": []})
        elif self.forms and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:  # only what the page itself ticked
                    self.forms[-1]["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.forms[-1]["fields"].append((a["name"], a.get("value", "")))
        elif self.forms and tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], ""))
        elif self.forms and tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:  # a select sends its first option when none is chosen
            self.forms[-1]["fields"].append((self._select, a.get("value", "")))
            self._select = None

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def email_links(data) -> list[str]:
    found = []
    for path in sorted((data / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["List-Unsubscribe"]:
            found += re.findall(r"<(https?://[^>]+)>", str(msg["List-Unsubscribe"]))
        for part in msg.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                found += re.findall(r"https?://[^\s<>\"')]+", part.get_content())
    return list(dict.fromkeys(found))


class Scanner:
    def __init__(self, origin: str, keep_cookies: bool):
        self.origin, self.keep = origin, keep_cookies
        self.http = httpx.Client(follow_redirects=True, timeout=30, headers={"User-Agent": "LinkScanner/1.0"})
        self.done: set = set()
        self.todo: list[tuple] = []
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.forms_sent = 0

    def queue(self, method: str, url: str, fields=()):
        url = urldefrag(url)[0]
        key = (method, url, tuple(fields))
        if key not in self.done and urlsplit(url).netloc == urlsplit(self.origin).netloc:
            self.done.add(key)
            self.todo.append(key)

    def run(self, start: list[str]) -> None:
        for url in start:
            self.queue("HEAD", url)
            self.queue("GET", url)
        while self.todo:
            assert self.requests < MAX_REQUESTS, "the crawl did not end"
            method, url, fields = self.todo.pop(0)
            if not self.keep:
                self.http.cookies.clear()
            self.requests += 1
            if method == "POST":
                self.forms_sent += 1
                data: dict[str, list[str]] = {}
                for name, value in fields:
                    data.setdefault(name, []).append(value)
                answer = self.http.post(url, data=data)
            else:
                answer = self.http.request(method, url)
            self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
            assert answer.status_code < 500, (method, url, answer.status_code)
            if method == "HEAD" or "html" not in answer.headers.get("content-type", ""):
                continue
            page = Page()
            page.feed(answer.text)
            here = str(answer.url)
            for href in page.links + ([page.refresh] if page.refresh else []):
                self.queue("HEAD", urljoin(here, href))
                self.queue("GET", urljoin(here, href))
            for form in page.forms:
                target = urljoin(here, form["action"])
                if form["method"] == "post":
                    self.queue("POST", target, form["fields"])
                else:
                    self.queue("GET", target + "?" + "&".join(f"{k}={v}" for k, v in form["fields"]))


def _counts(server) -> dict:
    return json.loads(server.run_python(COUNTS).strip().splitlines()[-1])


@pytest.mark.parametrize("keep_cookies", [True, False], ids=["keeping-cookies", "without-cookies"])
def test_a_scanner_crawler_following_every_email_link_and_form_as_found_changes_nothing(server, keep_cookies):
    if not list((server.data / "outbox").glob("*.eml")):
        server.run_python(EMAILS)
    starts = email_links(server.data)
    client_links = [u for u in starts if "/c/?t=" in u]
    assert len(client_links) >= 3, starts  # the consent link; a reminder's check-in and pause links
    before = _counts(server)
    scanner = Scanner(server.url, keep_cookies)
    scanner.run(starts)
    after = _counts(server)
    print(f"\n{'with' if keep_cookies else 'without'} cookies: {scanner.requests} requests "
          f"({scanner.forms_sent} forms sent as found), statuses {sorted(scanner.statuses.items())}")
    assert after == before
    if keep_cookies:  # it reached the pages and their forms: the check-in, consent, pause and stop forms
        posted = {urlsplit(url).path for method, url, _ in scanner.done if method == "POST"}
        assert {"/c/checkin", "/c/consent", "/c/preferences", "/c/checkin/stop", "/c/consent/stop",
                "/c/preferences/stop"} <= posted, posted
