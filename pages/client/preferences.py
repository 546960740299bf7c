"""The "pause reminders" link from a reminder email: a confirm page. Opening it changes nothing;
only the button does. Pausing stops reminders and never withdraws consent."""
import streamlit as st

from components import client_link
from components.frame import utcnow
from db import reminders

client_link.require("preferences")
now = utcnow()
ss = st.session_state
state = reminders.link_state(client_link.raw_token(), now)
if state["state"] == "invalid":
    client_link.problem_page()
    st.stop()

st.title("Your reminders")
done = ss.pop("prefs_done", None)
if done == "paused":
    st.success("Reminders are paused. Nothing else has changed: you are still taking part.")
elif done == "resumed":
    st.success("Reminders are on again.")

if state["state"] == "active":
    st.write("You get short email reminders for your practice. You can pause them here; you can still check in "
             "and you are still taking part. Your clinician can see that reminders are paused.")
    if st.button("Pause reminders", key="prefs_pause", type="primary"):
        ss["prefs_done"] = reminders.pause_by_link(client_link.raw_token(), True, now=utcnow())
        st.rerun()
else:
    st.write("Reminders are paused. You can turn them back on at any time.")
    if st.button("Resume reminders", key="prefs_resume", type="primary"):
        ss["prefs_done"] = reminders.pause_by_link(client_link.raw_token(), False, now=utcnow())
        st.rerun()
