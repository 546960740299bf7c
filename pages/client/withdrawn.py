"""Read-only page for any link of a client who has stopped taking part."""
import streamlit as st

from components import client_link, text
from db import practices

res = st.session_state.get("client_link")
if res is None or res.status != "withdrawn":
    client_link.problem_page()
    st.stop()
practice = practices.get(res.practice_id)
st.title("You have stopped taking part")
st.write("Your links are switched off and no more emails will come. Thank you for the practice you did. "
         "If you'd like to start again one day, just tell your clinician.")
with st.container(border=True):
    st.markdown("**If you need help now**")
    text.typed(practice["crisis_resources"])
