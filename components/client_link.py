"""Client links: the token leaves the URL at once and lives in session state for this tab."""
from __future__ import annotations

import streamlit as st

MAX_TOKEN_CHARS = 200


def active() -> bool:
    """True when this browser session arrived through a client link (?t=...)."""
    if "t" in st.query_params:
        raw = st.query_params.get_all("t")
        # A repeated parameter is not a valid link; keep nothing usable from it.
        st.session_state["client_token"] = raw[0][:MAX_TOKEN_CHARS] if len(raw) == 1 else ""
        st.query_params.clear()
        return True
    return "client_token" in st.session_state
