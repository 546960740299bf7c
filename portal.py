"""The clinician portal (Streamlit): the page list per role and the shared frame. No computing here.
`app.py` serves it beside the client's pages; client links never reach this script (client.web)."""
from pathlib import Path

import streamlit as st

# A local icon: a Material icon name makes every browser fetch it from a Google font server.
st.set_page_config(page_title="Anchorstep", page_icon=str(Path(__file__).parent / "static" / "favicon.png"), layout="wide")

from components import frame, navigation, signin_fragment, text  # noqa: E402

cfg = frame.settings()
frame.note_start(cfg)  # once per process: a LINK_BASE_URL that cannot reach this app is logged

from components import signin  # noqa: E402  (streamlit-authenticator: only sessions that may sign in load it)

actor = signin.gate(cfg)  # makes the one authenticator instance only when the run needs it

if actor is None:
    signin_fragment.clear_fragment_token()
    frame.forget_requested_path()
    nav = st.navigation([st.Page(lambda: None, title="Sign in", url_path="signin", default=True)], position="hidden")
    nav.run()
    st.stop()

pages = navigation.st_pages(actor.role)
nav = st.navigation(pages, expanded=True)  # admins have more than ten pages: show them all
with st.sidebar:
    text.show("**{name}**  \n{role}", name=actor.display_name, role=frame.ROLE_LABELS[actor.role])
    st.button("Sign out", key="as_signout", on_click=signin.request_sign_out, icon=":material/logout:")
nav.run()
