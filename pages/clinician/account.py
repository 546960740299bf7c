"""My account: change your own password."""
import streamlit as st

from components import signin, text
from components.frame import field_error, require_role, settings, utcnow
from core import passwords
from db import clinicians

actor = require_role("clinician", "admin")
ss = st.session_state
st.title("My account")
st.write(text.md("Signed in as **{username}**.", username=actor.username))
if ss.pop("account_saved", False):
    st.success("Your password has been changed.")

st.subheader("Change your password")
st.caption(text.md("At least {n} characters; a short phrase of ordinary words is easy to remember and hard to guess.",
                   n=passwords.MIN_CHARS))
errors = ss.get("account_errors", {})
with st.form("change_password", clear_on_submit=False):
    current = st.text_input("Current password", type="password", key="account_current")
    field_error(errors, "current")
    new = st.text_input("New password", type="password", key="account_new")
    field_error(errors, "new")
    again = st.text_input("New password again", type="password", key="account_again")
    field_error(errors, "again")
    if st.form_submit_button("Change password", type="primary"):
        if new != again:
            errors = {"again": "The two new passwords differ."}
        else:
            errors = clinicians.change_password(actor, current, new, now=utcnow(), rounds=settings()["BCRYPT_ROUNDS"],
                                                keep_session=signin.current_session())
        ss["account_errors"] = errors
        if not errors:
            for k in ("account_current", "account_new", "account_again"):
                ss.pop(k, None)
            ss["account_saved"] = True
        st.rerun()
