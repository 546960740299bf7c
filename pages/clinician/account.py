"""My account: change your own password; set up, renew or turn off two-factor sign-in; where safety alerts go
and whether to get the weekly digest."""
import streamlit as st

from components import signin, text, two_factor as two_factor_ui
from components.frame import field_error, require_role, settings, utcnow
from core import passwords
from db import clinicians, two_factor

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

st.subheader("Two-factor sign-in")
status = two_factor.status_for(actor)
message = ss.pop("account_tf_message", None)
if message:
    st.success(text.md("{m}", m=message))
if two_factor_ui.show_recovery_codes():
    pass
elif status.enabled:
    st.write(text.md("On since {day}: each sign-in asks for a code from your authenticator app. "
                     "{left} of your recovery codes are unused.", day=f"{status.since:%d %b %Y}", left=status.codes_left))
    with st.form("tf_manage", clear_on_submit=True):
        typed = st.text_input("A current code from your app (or a recovery code)", key="account_tf_code",
                              max_chars=64, autocomplete="one-time-code")
        problem = ss.pop("account_tf_problem", None)
        if problem:
            st.error(text.md("{p}", p=problem))
        left, right = st.columns(2)
        renew = left.form_submit_button("Make new recovery codes")
        off = right.form_submit_button("Turn off two-factor sign-in", disabled=status.required)
        if renew:
            codes = two_factor.new_recovery_codes(actor, typed, now=utcnow(), keys=two_factor_ui.keys())
            if codes:
                ss[two_factor_ui.CODES_KEY] = codes
            else:
                ss["account_tf_problem"] = "That code didn't work. Enter the code your app shows now, or a recovery code."
            st.rerun()
        if off:
            problem = two_factor.turn_off_own(actor, typed, now=utcnow(), keys=two_factor_ui.keys())
            if problem:
                ss["account_tf_problem"] = problem
            else:
                ss["account_tf_message"] = "Two-factor sign-in is off. Your password alone signs you in."
            st.rerun()
    if status.required:
        st.caption("Your practice requires two-factor sign-in, so it stays on. Lost your phone? Use a recovery "
                   "code, or ask a practice admin to reset it.")
else:
    st.write("Add a second step to your sign-in: after your password, a six-digit code from an app on your phone. "
             "Someone who learns your password still can't open your clients' records.")
    with st.expander("Set up two-factor sign-in", icon=":material/phonelink_lock:"):
        two_factor_ui.setup(actor, keep_session=signin.current_session(), prefix="account_tf_setup")

st.subheader("Safety alerts and the weekly digest")
st.caption("When a safety flag opens for one of your clients, Anchorstep emails you within minutes: no client "
           "details, just a link to sign in. Safety alerts can't be turned off.")
mine = clinicians.alert_settings(actor)
if "account_alert_email" not in ss:
    ss["account_alert_email"] = mine["alert_email"] or ""
    ss["account_digest"] = bool(mine["weekly_digest"])
alert_errors = ss.get("account_alert_errors", {})
with st.form("account_alerts", clear_on_submit=False):
    st.text_input("Alert address", key="account_alert_email", max_chars=254,
                  help=text.md("Leave empty to use your account email ({email}).", email=mine["email"]))
    field_error(alert_errors, "alert_email")
    st.checkbox("Send me a weekly digest (Monday 08:00, counts only, no names)", key="account_digest")
    if st.form_submit_button("Save alert settings"):
        ss["account_alert_errors"] = clinicians.set_alert_settings(actor, ss["account_alert_email"],
                                                                   ss["account_digest"], now=utcnow())
        ss["account_alert_saved"] = not ss["account_alert_errors"]
        st.rerun()
if ss.pop("account_alert_saved", False):
    st.success("Alert settings saved.")
