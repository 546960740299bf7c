"""Practice settings: name, home time zone and the crisis resources every client page shows."""
import streamlit as st

from components import text
from components.frame import require_role, settings, utcnow
from core import clients as client_rules
from db import practices

actor = require_role("admin")
ss = st.session_state
st.title("Practice settings")
practice = practices.get(actor.practice_id)
if "practice_name" not in ss:
    ss["practice_name"], ss["practice_timezone"], ss["practice_crisis"] = (
        practice["name"], practice["timezone"], practice["crisis_resources"])
    ss["practice_renewal"] = practice["consent_renewal_days"] or settings()["CONSENT_RENEWAL_DAYS"]
if ss.pop("practice_saved", False):
    st.success("Practice settings saved.")
zones = client_rules.zones()
with st.form("practice_settings", clear_on_submit=False):
    name = st.text_input("Practice name (shown in emails and on client pages)", key="practice_name", max_chars=120)
    zone = st.selectbox("Practice time zone", zones, key="practice_timezone")
    crisis = st.text_area("Crisis resources shown to clients", key="practice_crisis", height=160, max_chars=2000,
                          help="Shown after every check-in and on the coping card. Include local emergency numbers.")
    renewal = st.number_input("Ask clients to renew consent every … days", min_value=practices.RENEWAL_MIN,
                              max_value=practices.RENEWAL_MAX, step=1, key="practice_renewal",
                              help="Applies from each client's next confirmation.")
    if st.form_submit_button("Save", type="primary"):
        problems = []
        if not name.strip():
            problems.append("Please enter the practice name.")
        if len(crisis.strip()) < 20:
            problems.append("Please give clients real crisis resources (at least one phone number).")
        if problems:
            for p in problems:
                st.error(text.md("{problem}", problem=p))
        else:
            practices.update_settings(actor, name=name.strip(), timezone=zone, crisis_resources=crisis.strip(),
                                      consent_renewal_days=int(renewal), now=utcnow())
            ss["practice_saved"] = True
            st.rerun()
