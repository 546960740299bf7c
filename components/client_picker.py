"""The client picker at the top of the per-client clinician pages (one place, one behaviour)."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from components import text

from db import clients
from db.actors import Actor


def pick(actor: Actor, *, now: datetime, key: str, empty: str, include_discharged: bool = True) -> tuple[int, dict]:
    """Draw the selectbox of the actor's clients; stop the page with `empty` when there are none.
    Returns (chosen client id, {id: client row})."""
    rows = clients.list_for(actor, now=now)
    if not include_discharged:
        rows = [r for r in rows if r["status"] != "discharged"]
    if not rows:
        st.info(text.md("{empty}", empty=empty))
        st.stop()
    by_id = {r["id"]: r for r in rows}
    if st.session_state.get(key) not in by_id:
        st.session_state[key] = rows[0]["id"]
    chosen = st.selectbox("Client", list(by_id), key=key, format_func=lambda i: by_id[i]["display_name"])
    return chosen, by_id
