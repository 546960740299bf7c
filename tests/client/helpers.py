"""HTTP helpers for the client's pages: a phone's browser without JavaScript, played by Starlette's
TestClient (httpx) over `client.web.starlette_app()` and a real database. Open a link the way a mail
app does (GET `/c/?t=…`, then the 303 to the clean address), read a page's forms as a browser would send
them, submit, and read what a person sees."""
from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import urlencode

from sqlalchemy import func, select

with warnings.catch_warnings():  # Starlette suggests httpx2; httpx is what is pinned (requirements-dev.txt)
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
PHONE = ("203.0.113.9", 50000)  # a public address: the link-lookup limiter counts it
CALM = "This link isn't working"
AUDITED_READS = ("link.open", "card.view", "card.export")
TRY_AGAIN = "Please try that once more"
WITHDRAWN = "You have stopped taking part"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")


def now() -> datetime:
    """The pages run on the real clock, so the data they read is made at the real time too."""
    return datetime.now(timezone.utc)


def browser(*, base_url: str = "http://testserver", peer: tuple[str, int] = PHONE) -> TestClient:
    """A fresh browser (its own cookie jar) talking to the client pages from `peer`."""
    from client import web
    return TestClient(web.starlette_app(), base_url=base_url, client=peer, follow_redirects=False)


def onward_path(response) -> str:
    """Where opening a link sends the browser: its 303's Location (the page's clean address)."""
    assert response.status_code == 303, (response.status_code, response.text[:500])
    return response.headers["location"]


def open_link(tc: TestClient, raw: str, path: str = "/c/"):
    """Open an emailed link like a phone does: the link's address, then the clean one it redirects to.
    Returns the page the person ends on."""
    first = tc.get(path, params={"t": raw})
    return tc.get(onward_path(first))


def seen(response_or_html) -> str:
    """The text a person reads: tags dropped, entities decoded, whitespace folded."""
    body = getattr(response_or_html, "text", response_or_html)
    body = re.sub(r"<(head|script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


@dataclass
class Form:
    action: str
    method: str
    controls: list[dict] = field(default_factory=list)  # every input/textarea/select, in page order

    def defaults(self) -> list[tuple[str, str]]:
        """What a browser sends when nobody touches the form: hidden and text values, checked boxes."""
        out = []
        for c in self.controls:
            kind = c.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in c:
                continue
            if kind in ("submit", "button") or not c.get("name"):
                continue
            out.append((c["name"], c.get("value", "")))
        return out

    def value(self, name: str) -> str | None:
        """A text field's current value (an input's value, a textarea's text), or a checked radio's."""
        for c in self.controls:
            if c.get("name") == name and (c.get("type") not in ("checkbox", "radio") or "checked" in c):
                return c.get("value", "")
        return None

    def options(self, name: str) -> list[str]:
        return [c.get("value", "") for c in self.controls if c.get("name") == name]

    def fill(self, **changes) -> list[tuple[str, str]]:
        """The defaults with these fields set (a list value sends the name once per value); None drops one."""
        pairs = [(k, v) for k, v in self.defaults() if k not in changes]
        for name, value in changes.items():
            if value is None:
                continue
            for v in value if isinstance(value, (list, tuple)) else [value]:
                pairs.append((name, str(v)))
        return pairs


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._text: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms:
            self.forms[-1].controls.append(a)
        elif tag == "textarea" and self.forms:
            self._text = {**a, "type": "textarea", "value": ""}
            self.forms[-1].controls.append(self._text)
        elif tag == "select" and self.forms:
            self._select = {**a, "type": "select", "value": ""}
            self.forms[-1].controls.append(self._select)
        elif tag == "option" and self.forms and "selected" in a:
            self._select["value"] = a.get("value", "")

    def handle_data(self, data):
        if self._text is not None:
            self._text["value"] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._text is not None and self._text["value"].startswith("\n"):
                self._text["value"] = self._text["value"][1:]  # HTML drops one leading newline
            self._text = None


def forms(response) -> list[Form]:
    parser = _Forms()
    parser.feed(response.text)
    return parser.forms


def form(response, action: str) -> Form:
    """The page's form that posts to `action` (the stop control is a second form on most pages)."""
    found = [f for f in forms(response) if f.action == action]
    assert len(found) == 1, (action, [f.action for f in forms(response)], seen(response)[:300])
    return found[0]


def submit(tc: TestClient, page, action: str, **changes):
    """Fill the form that posts to `action` on `page` and send it, as a browser would (urlencoded)."""
    return post_pairs(tc, action, form(page, action).fill(**changes))


def post_pairs(tc: TestClient, action: str, pairs: list[tuple[str, str]], headers: dict | None = None):
    """POST fields in this order, urlencoded with a Content-Length, like a browser's form submit."""
    return tc.post(action, content=urlencode(pairs).encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def field_error(response, anchor: str) -> str:
    """The message drawn next to a field (`<p class="field-error" id="f-thought-error">`)."""
    m = re.search(rf'<p class="field-error" id="{re.escape(anchor)}-error">(.*?)</p>', response.text, re.S)
    return seen(m.group(1)) if m else ""


def counts() -> dict[str, int]:
    """Rows a client's action could add or change: check-ins, questionnaire answers, consent, pauses,
    safety flags, and the audit log except the rows that record a read (opening a link, viewing or
    downloading the coping card: every read of a client's data is audited, on purpose)."""
    import db
    from db import tables as t
    with db.read() as conn:
        out = {name: conn.execute(select(func.count()).select_from(table)).scalar()
               for name, table in [("checkins", t.checkins), ("checkin_steps", t.checkin_steps),
                                   ("measure_responses", t.measure_responses), ("consent_events", t.consent_events),
                                   ("safety_flags", t.safety_flags), ("reminder_prefs", t.reminder_prefs)]}
        out["consents_confirmed"] = conn.execute(select(func.count()).select_from(t.consents)
                                                 .where(t.consents.c.confirmed_at.is_not(None))).scalar()
        out["consents_withdrawn"] = conn.execute(select(func.count()).select_from(t.consents)
                                                 .where(t.consents.c.withdrawn_at.is_not(None))).scalar()
        out["paused"] = conn.execute(select(func.count()).select_from(t.reminder_prefs)
                                     .where(t.reminder_prefs.c.paused_at.is_not(None))).scalar()
        out["audit_besides_reads"] = conn.execute(select(func.count()).select_from(t.audit_events)
                                                  .where(t.audit_events.c.action.not_in(AUDITED_READS))).scalar()
    return out


def audit_actions(client_id: int | None = None) -> list[tuple[str, str, str]]:
    """(action, actor_label, detail) of the audit log, oldest first."""
    import db
    from db import tables as t
    q = select(t.audit_events.c.action, t.audit_events.c.actor_label, t.audit_events.c.detail).order_by(t.audit_events.c.id)
    if client_id is not None:
        q = q.where(t.audit_events.c.client_id == client_id)
    with db.read() as conn:
        return [tuple(r) for r in conn.execute(q).all()]
