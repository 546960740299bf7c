"""AppTest helpers: the real Streamlit portal (portal.py; app.py joins it with the client pages) run against a real SQLite file, signed in through a real login session."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from components import navigation
from tests.conftest import NOW, ROOT

APP = str(ROOT / "portal.py")

PAGES = {role: navigation.page_paths(role) for role in ("clinician", "admin")}  # what portal.py registers


def fresh_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def signed_in(username: str) -> AppTest:
    """An AppTest whose session holds a live login session for `username` (as after the form)."""
    from datetime import datetime, timezone
    from db import signins
    sid, _ = signins.start_session(username, datetime.now(timezone.utc))
    at = fresh_app()
    at.session_state["as_sid"] = sid
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    return at


def shown(markdown: str) -> str:
    """What a reader sees of components.text's markdown: without its empty `:small[]` splits and escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown).replace(":small[]", ""))


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error", "warning", "success"):
        parts += [shown(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]
