"""What every signed-in page draws around itself (app.py and the sign-in gate), with no data work:
three fixed slots, the navigation with the same pages, the sidebar's name and sign-out button.
The floors call `run(body)`; `floor_shape` in session state says how many of each element to draw."""
import streamlit as st

TITLES = [("Caseload", "caseload"), ("Client view", "client-view"), ("Check-ins", "checkins"), ("Plans", "plans"),
          ("Consent", "consent"), ("Reminders", "reminders"), ("Templates", "templates")]


def shape(**defaults) -> dict:
    return {**defaults, **st.session_state.get("floor_shape", {})}


def run(body, default: str) -> None:
    st.empty(), st.empty(), st.empty()
    pages = [st.Page(body if path == default else (lambda: None), title=title, url_path=path, default=path == default)
             for title, path in TITLES]
    nav = st.navigation({"Caseload": pages, "You": [st.Page(lambda: None, title="My account", url_path="account")]},
                        expanded=True)
    with st.sidebar:
        st.markdown("**Clinician 01**  \nClinician")
        st.button("Sign out", key="as_signout")
    nav.run()
