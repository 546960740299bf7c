"""The "Stop taking part" control every client page offers: one confirmation, then withdrawal."""
from __future__ import annotations

import streamlit as st

from components.client_link import raw_token
from components.frame import utcnow
from db import consent, links


def offer() -> None:
    with st.expander("Stop taking part", icon=":material/front_hand:"):
        st.write("You can stop at any time, and you don't need to give a reason. If you stop, the emails end "
                 "and your links stop working straight away. Your therapy carries on as before, and you can "
                 "talk with your clinician about it whenever you like.")
        if st.button("Yes, stop taking part", key="client_stop_confirm", type="primary"):
            result = consent.withdraw_by_link(raw_token(), utcnow())
            res = st.session_state.get("client_link")
            if result in ("withdrawn", "already") and res is not None:
                # From now on this session shows the read-only "you have stopped" page.
                st.session_state["client_link"] = links.Resolution("withdrawn", res.client_id, res.practice_id,
                                                                   res.link_id, res.purpose)
            else:
                st.session_state["client_link"] = links.INVALID
            st.rerun()
