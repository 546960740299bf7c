"""A clinician creates a client link in session and copies it into their own message.

One place for the button, the session-state slot (kept per client so switching clients never shows
another client's link) and the copy box, used by the Check-ins and Plans pages.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from components import text

from components.frame import settings
from db import links
from db.actors import Actor


def link_maker(actor: Actor, client_id: int, purpose: str, *, key: str, label: str, caption: str,
               now: datetime) -> None:
    slot = f"{key}_url"
    if st.button(text.md("{label}", label=label), key=key, icon=":material/link:"):
        cfg = settings()
        raw = links.issue_for(actor, client_id, purpose, now=now, ttl_days=cfg.link_ttl_days())
        st.session_state[slot] = (client_id, links.url(cfg["LINK_BASE_URL"], raw))
    if st.session_state.get(slot, (None,))[0] == client_id:
        st.caption(text.md("{caption}", caption=caption))
        st.code(st.session_state[slot][1], language=None)
