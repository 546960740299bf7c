"""The client's consent page (phone first): read each part, tick it, type a name, submit.
Opening it changes nothing; only the submit acts."""
import streamlit as st

from components import client_link, text
from components.frame import field_error, settings, utcnow
from db import consent, links

res = client_link.require("consent")
cfg = settings()
ss = st.session_state
page = consent.for_link(client_link.raw_token(), utcnow())


def thanks() -> None:
    st.title("Thank you")
    st.success("You're all set. Your clinician can see that you've agreed.", icon=":material/check_circle:")
    st.write("You'll get an email with a link when there is something to do. You can close this page now.")


def nothing_waiting() -> None:
    st.title("Nothing to confirm right now")
    st.write("There is nothing waiting for you here. If you expected something, please ask your clinician.")


def checklist() -> None:
    errors = ss.get("consent_errors", {})
    st.title("Before you start")
    st.write("Please read each part below and tick its box. It takes about five minutes. If anything is unclear, "
             "you can ask your clinician before you agree.")
    with st.form("client_consent", clear_on_submit=False, border=False):
        confirmed = []
        for item in page["items"]:
            with st.container(border=True):
                st.subheader(text.md("{title}", title=item["title"]))
                text.typed(item["text"])
                if st.checkbox("I have read this and I understand", key=f"consent_item_{item['key']}"):
                    confirmed.append(item["key"])
        field_error(errors, "items")
        name = st.text_input("Type your name to agree", key="consent_name", max_chars=80, help="A first name is fine.")
        field_error(errors, "name")
        submitted = st.form_submit_button("I agree", type="primary", width="stretch")
    if submitted:
        result, errors = consent.confirm(client_link.raw_token(), confirmed, name, now=utcnow(),
                                         renewal_days=cfg["CONSENT_RENEWAL_DAYS"], grace_days=cfg["CONSENT_GRACE_DAYS"])
        ss["consent_errors"] = errors
        if result == "invalid":
            ss["client_link"] = links.INVALID
        ss["consent_just_confirmed"] = result in ("confirmed", "already")
        st.rerun()
    st.divider()


# No st.stop() below: a run that ends early can leave the previous screen's widgets on the page.
if page["state"] == "withdrawn":
    ss["client_link"] = links.Resolution("withdrawn", res.client_id, res.practice_id, res.link_id, res.purpose)
    st.rerun()
elif page["state"] == "invalid":
    client_link.problem_page()
else:
    if ss.pop("consent_just_confirmed", False) or page["state"] == "confirmed":
        thanks()
    elif page["state"] == "none":
        nothing_waiting()
    else:
        checklist()
