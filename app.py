"""Anchorstep's entrypoint and router: the page list per role, and the shared frame. No computing here."""
from pathlib import Path

import streamlit as st

# A local icon: a Material icon name makes every browser fetch it from a Google font server.
st.set_page_config(page_title="Anchorstep", page_icon=str(Path(__file__).parent / "static" / "favicon.png"), layout="wide")

from components import client_frame, client_link, frame  # noqa: E402

cfg = frame.settings()
frame.note_start(cfg)  # once per process: a LINK_BASE_URL that cannot reach this app is logged

# Client links (?t=...) never meet the clinician sign-in: they get only the client pages, in one frame.
if client_link.active():
    client_frame.serve()
    st.stop()

from components import signin  # noqa: E402  (streamlit-authenticator: only sessions that may sign in load it)

actor = signin.gate(cfg)  # makes the one authenticator instance only when the run needs it

if actor is None:
    client_link.clear_fragment_token()
    frame.forget_requested_path()
    nav = st.navigation([st.Page(lambda: None, title="Sign in", url_path="signin", default=True)], position="hidden")
    nav.run()
    st.stop()

caseload = st.Page("pages/clinician/caseload.py", title="Caseload", icon=":material/groups:", url_path="caseload",
                   default=True)
consent = st.Page("pages/clinician/consent.py", title="Consent", icon=":material/handshake:", url_path="consent")
checkins_page = st.Page("pages/clinician/checkins.py", title="Check-ins", icon=":material/monitor_heart:",
                        url_path="checkins")
plans_page = st.Page("pages/clinician/plans.py", title="Plans", icon=":material/checklist:", url_path="plans")
templates_page = st.Page("pages/clinician/templates.py", title="Templates", icon=":material/library_books:",
                         url_path="templates")
reminders_page = st.Page("pages/clinician/reminders.py", title="Reminders", icon=":material/notifications:",
                         url_path="reminders")
between_page = st.Page("pages/clinician/between.py", title="Client view", icon=":material/insights:",
                       url_path="client-view")
account = st.Page("pages/clinician/account.py", title="My account", icon=":material/person:", url_path="account")
if actor.role == "admin":
    pages = {
        "Practice": [caseload, between_page, checkins_page, plans_page, consent, reminders_page, templates_page,
                     st.Page("pages/admin/clinicians.py", title="Clinicians", icon=":material/badge:", url_path="clinicians"),
                     st.Page("pages/admin/practice.py", title="Practice settings", icon=":material/settings:",
                             url_path="practice"),
                     st.Page("pages/admin/checklist.py", title="Consent checklist", icon=":material/fact_check:",
                             url_path="checklist"),
                     st.Page("pages/admin/worker.py", title="Reminder worker", icon=":material/schedule_send:",
                             url_path="worker"),
                     st.Page("pages/admin/audit.py", title="Audit log", icon=":material/policy:", url_path="audit"),
                     st.Page("pages/admin/data.py", title="Client data", icon=":material/folder_zip:", url_path="data")],
        "You": [account],
    }
else:
    pages = {"Caseload": [caseload, between_page, checkins_page, plans_page, consent, reminders_page, templates_page],
             "You": [account]}

nav = st.navigation(pages, expanded=True)  # admins have more than ten pages: show them all
with st.sidebar:
    st.markdown(f"**{actor.display_name}**  \n{frame.ROLE_LABELS[actor.role]}")
    st.button("Sign out", key="as_signout", on_click=signin.request_sign_out, icon=":material/logout:")
nav.run()
