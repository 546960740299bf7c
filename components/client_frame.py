"""The shared frame of every client page: it routes the session's link to its page, whatever path the
link was opened on, and puts "Stop taking part" under every page a usable link opens, so no page can
forget it (the consent checklist promises it on every page a link opens)."""
from __future__ import annotations

import streamlit as st

from components import client_link, stop
from components.frame import forget_requested_path


def serve() -> None:
    forget_requested_path()  # the link may arrive on any path: /caseload?t=…, /link/?t=…
    page = client_link.page_for(client_link.resolution())
    nav = st.navigation([st.Page(page, title="Anchorstep", url_path="link", default=True)], position="hidden")
    nav.run()
    # A page that found the link unusable showed the calm page and marked the session (problem_page);
    # a withdrawn client sees the read-only page. Everyone else can stop from here.
    if client_link.usable():
        stop.offer()
