"""The shared page frame: settings, the acting user, role checks, time, calm error messages."""
from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from components import text

from core import settings as settings_mod
from db.actors import Actor

ROLE_LABELS = {"admin": "Practice admin", "clinician": "Clinician"}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def settings() -> settings_mod.Settings:
    """Validated settings, or a clear message naming the bad setting and a stop."""
    try:
        return settings_mod.load()
    except settings_mod.SettingsError as exc:
        st.error(text.md("Anchorstep can't start: {exc}. Fix it in the environment or .streamlit/secrets.toml, then "
                         "restart.", exc=exc))
        st.stop()


def actor() -> Actor | None:
    return st.session_state.get("as_actor")


def require_role(*roles: str) -> Actor:
    """Every page calls this first: the navigation list is the first gate, this is the second."""
    current = actor()
    if current is None or current.role not in roles:
        st.error("This page isn't available. Please sign in with an account that can see it.")
        st.stop()
    return current


def field_error(errors: dict[str, str], field: str) -> None:
    if field in errors:
        st.error(text.md("{message}", message=errors[field]), icon=":material/error:")


def ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return "yesterday" if days == 1 else f"{days} days ago"
