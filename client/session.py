"""The link session of the client's pages: the token moves from the address into a cookie, forms carry
a CSRF token bound to that cookie, and the client's address is read from a proxy only when we trust it.

- The cookies (one pair per link purpose, so a card link opened beside a check-in link leaves the
  check-in working) are HttpOnly (no script can read them), Secure when the page came over https, and
  scoped to the client prefix `/c/`: the portal never receives them. Their value is the link's token,
  which the database holds only as a hash. `as_link_<purpose>` is SameSite=Strict and is the only one
  a change (POST) accepts; its twin `as_view_<purpose>` is SameSite=Lax and only shows pages, because
  the first page after a link opened from webmail is reached by a redirect another site started.
- A CSRF token is an HMAC of the link's token and the time the form was drawn, under the deployment's
  secret (`core.settings.cookie_key`). It proves the form came from a page this link session drew;
  it lasts `CSRF_MAX_AGE` so a form left open overnight asks for one more tap, keeping what was typed.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from core import settings as settings_mod

PREFIX = "/c/"
PURPOSES = ("consent", "checkin", "card", "preferences", "checkup")
MAX_TOKEN_CHARS = 200
CSRF_MAX_AGE = 24 * 3600  # seconds a drawn form may be sent from


def cookie_name(purpose: str) -> str:
    """The SameSite=Strict cookie: every change (a POST) needs it."""
    return f"as_link_{purpose}"


def view_cookie_name(purpose: str) -> str:
    """The SameSite=Lax twin that lets a GET show the page right after a link opened from another site."""
    return f"as_view_{purpose}"


def token(request: Request, purpose: str) -> str:
    """The link session's token. A change reads only the Strict cookie, which no other site's request ever
    carries. Showing a page may also read the Lax twin: a link is opened from a mail app or webmail, and a
    browser does not send a Strict cookie on the redirect such a click starts (seen in Chromium), only Lax."""
    strict = request.cookies.get(cookie_name(purpose), "")
    if request.method not in ("GET", "HEAD"):
        return strict[:MAX_TOKEN_CHARS]
    return (strict or request.cookies.get(view_cookie_name(purpose), ""))[:MAX_TOKEN_CHARS]


def is_https(request: Request, cfg: settings_mod.Settings) -> bool:
    if request.url.scheme == "https":
        return True
    return _from_trusted_proxy(request, cfg) and request.headers.get("x-forwarded-proto", "").strip().lower() == "https"


def keep(response: Response, request: Request, cfg: settings_mod.Settings, purpose: str, raw: str) -> None:
    """Put the link's token in its two cookies (session cookies: they end when the browser does)."""
    secure = is_https(request, cfg)
    response.set_cookie(cookie_name(purpose), raw, path=PREFIX, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(view_cookie_name(purpose), raw, path=PREFIX, httponly=True, samesite="lax", secure=secure)


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(("anchorstep-client-csrf|" + secret).encode()).digest()


def csrf_for(raw: str, cfg: settings_mod.Settings, *, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    mac = hmac.new(_key(settings_mod.cookie_key(cfg)), f"{issued}|{raw}".encode(), hashlib.sha256).hexdigest()[:40]
    return f"{issued}.{mac}"


def csrf_ok(raw: str, sent: object, cfg: settings_mod.Settings, *, now: float | None = None) -> bool:
    """The form was drawn for this link session, not long ago. (A replayed form is harmless: every
    change is idempotent by its own key or by the state it sets.)"""
    if not raw or not isinstance(sent, str) or "." not in sent or len(sent) > 80:
        return False
    issued, _, mac = sent.partition(".")
    if not issued.isdigit():
        return False
    now = time.time() if now is None else now
    if not 0 <= now - int(issued) <= CSRF_MAX_AGE:
        return False
    expected = csrf_for(raw, cfg, now=int(issued)).partition(".")[2]
    return hmac.compare_digest(expected, mac)


def _networks(cfg: settings_mod.Settings) -> list:
    out = []
    for part in str(cfg["TRUSTED_PROXIES"]).split(","):
        part = part.strip()
        if part:
            out.append(ipaddress.ip_network(part, strict=False))
    return out


def _trusted(address: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def _from_trusted_proxy(request: Request, cfg: settings_mod.Settings) -> bool:
    peer = request.client.host if request.client else ""
    return _trusted(peer, _networks(cfg))


def client_address(request: Request, cfg: settings_mod.Settings) -> str:
    """The address the request came from. `X-Forwarded-For` is believed only when the direct peer is a
    configured proxy (TRUSTED_PROXIES), and then read from the right: the first address that is not one
    of our proxies is the client (anything left of it was written by the client and may be forged)."""
    peer = request.client.host if request.client else ""
    nets = _networks(cfg)
    if not _trusted(peer, nets):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            return hop
    return peer


def limit_keys(request: Request, cfg: settings_mod.Settings) -> list[str]:
    """Keys the link-lookup limiter counts: the client's address (a local address without a trusted
    proxy in front is everyone on this machine, so it is not counted)."""
    ip = client_address(request, cfg)
    if not ip or ip in ("127.0.0.1", "::1"):
        return []
    return ["ip:" + ip]


def seal(raw: str, value: str, cfg: settings_mod.Settings) -> str:
    """`value` with an HMAC bound to this link session, for state a page carries to the next one in a
    hidden field or a link (a skill use's key, start time and "before" rating): another link session,
    or an edited value, does not unseal."""
    mac = hmac.new(_key(settings_mod.cookie_key(cfg)), f"seal|{raw}|{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{value}~{mac}"


def unseal(raw: str, sealed: object, cfg: settings_mod.Settings) -> str | None:
    if not raw or not isinstance(sealed, str) or "~" not in sealed or len(sealed) > 200:
        return None
    value, _, mac = sealed.rpartition("~")
    return value if hmac.compare_digest(seal(raw, value, cfg), sealed) else None
