"""Client links in the browser: the token leaves the URL at once and lives in this tab's session
state; it is resolved once per session (audited, rate limited) and routed by its own purpose."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from db import links
from components.frame import utcnow

MAX_TOKEN_CHARS = 200
ROOT = Path(__file__).resolve().parent.parent
# purpose -> page script. A purpose whose page does not exist yet gets the calm "link problem" page.
CLIENT_PAGES = {
    "consent": "pages/client/consent.py",
    "card": "pages/client/card.py",
    "checkin": "pages/client/checkin.py",
    "preferences": "pages/client/preferences.py",
}
PROBLEM_PAGE = "pages/client/link.py"
WITHDRAWN_PAGE = "pages/client/withdrawn.py"


def active() -> bool:
    """True when this browser session arrived through a client link (?t=...). The query string
    leaves the address bar at once, whatever else it held."""
    keys = [k for k in st.query_params if k.strip().lower() == "t"]
    if keys:
        raw = st.query_params.get_all("t")
        # A repeated or case-flipped parameter (?T=) is not a link we made; keep nothing usable from it.
        st.session_state["client_token"] = raw[0][:MAX_TOKEN_CHARS] if keys == ["t"] and len(raw) == 1 else ""
        st.session_state.pop("client_link", None)
        st.query_params.clear()
        return True
    return "client_token" in st.session_state


# A token in the fragment (`/#t=…`) never reaches the server, and Streamlit keeps the fragment in the
# address bar (on another path it moves to `/` and the fragment is dropped, so the address the page was
# opened with is read too). Our links never use one: the page is swapped for the calm page's address,
# so the token leaves the address bar without being sent anywhere.
_FRAGMENT_TOKEN = """<script>
(function () {
  var opened = (performance.getEntriesByType("navigation")[0] || {}).name || "";
  var hashes = [window.location.hash, opened.indexOf("#") < 0 ? "" : opened.slice(opened.indexOf("#"))];
  if (hashes.some(function (h) { return /(^#|[#&;?])\\s*t=/i.test(h); })) {
    window.location.replace(window.location.pathname + "?t=");
  }
})();
</script>"""


def clear_fragment_token() -> None:
    """Sessions outside a client link (the sign-in page) drop a token given in the fragment."""
    st.html(_FRAGMENT_TOKEN, unsafe_allow_javascript=True)


def _limit_keys() -> list[str]:
    keys = []
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        if ctx is not None:
            keys.append("session:" + ctx.session_id)
    except Exception:  # not in a server run (tests)
        pass
    ip = getattr(st.context, "ip_address", None)
    if ip and ip not in ("127.0.0.1", "::1"):  # behind a local proxy everyone shares one address
        keys.append("ip:" + ip)
    return keys


def resolution() -> links.Resolution:
    """This session's link, resolved once (opening a link changes nothing but the audit log)."""
    ss = st.session_state
    if "client_link" not in ss:
        ss["client_link"] = links.open_link(ss.get("client_token", ""), utcnow(), limit_keys=_limit_keys())
    return ss["client_link"]


def page_for(res: links.Resolution) -> str:
    if res.status == "withdrawn" and (ROOT / WITHDRAWN_PAGE).exists():
        return WITHDRAWN_PAGE
    if res.ok and res.purpose in CLIENT_PAGES and (ROOT / CLIENT_PAGES[res.purpose]).exists():
        return CLIENT_PAGES[res.purpose]
    return PROBLEM_PAGE


def raw_token() -> str:
    return st.session_state.get("client_token", "")


def require(purpose: str) -> links.Resolution:
    """Client pages call this first: the link must be valid and of this page's purpose."""
    res = st.session_state.get("client_link")
    if res is None or not res.ok or res.purpose != purpose:
        problem_page()
        st.stop()
    return res


def usable() -> bool:
    """The session's link still opens a page that can act (not the calm page, not withdrawn)."""
    res = st.session_state.get("client_link")
    return res is not None and res.ok


def problem_page() -> None:
    """The calm page; the session's link counts as unusable from here on (no page, no stop button)."""
    st.session_state["client_link"] = links.INVALID
    st.title("This link isn't working")
    st.write("The link may have expired, or it was replaced by a newer one. Nothing is wrong on your side. "
             "Please ask your clinician to send you a new link.")
