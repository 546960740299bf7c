"""The shared page frame: settings, the acting user, role checks, time, calm error messages."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

import streamlit as st

from components import text

from core import settings as settings_mod
from db.actors import Actor

ROLE_LABELS = {"admin": "Practice admin", "clinician": "Clinician"}
log = logging.getLogger("anchorstep.app")
_started = threading.Event()


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


def note_start(cfg: settings_mod.Settings) -> None:
    """Once per app process (its first script run): set up logging as the worker does, and say in the
    log when client links built from LINK_BASE_URL cannot reach the port this server listens on."""
    if _started.is_set():
        return
    _started.set()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=cfg["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for line in settings_mod.link_base_warnings(cfg, serving_port=int(st.get_option("server.port"))):
        log.warning(line)


def forget_requested_path() -> None:
    """For a run whose navigation has one page (a client link, the sign-in page), whatever path the
    browser asked for: Streamlit would look that path up among the pages, find none, and lay its
    "Page not found" dialog over the page. (Streamlit has no public way to say this.)"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.pages_manager.set_script_intent("", "")


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

