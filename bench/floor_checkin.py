"""The check-in form's floor for a page load: the same elements the check-in page draws for the bench
client (title, day choice, one bordered card per planned step, mood and distress pills, the button that
opens the optional thought fields, the submit button, the caption and the "Stop taking part"
expander), with no routing, no link lookup and no data work. FLOOR_STEPS: how many step cards."""
import os

import streamlit as st

st.set_page_config(page_title="Anchorstep", layout="wide")
st.title("Check in")
st.segmented_control("Which day?", ["today", "yesterday"], default="today", key="ci_day")
for sid in range(int(os.environ.get("FLOOR_STEPS", "2"))):
    with st.container(border=True):
        st.markdown(f"**Practice {sid + 1}: a few minutes, after breakfast**")
        st.segmented_control("How did it go?", ["Done", "Partly", "Not today"], key=f"ci_status_{sid}",
                             label_visibility="collapsed")
st.pills("Mood right now (0 = very low, 10 = very good)", list(range(11)), key="ci_mood")
st.pills("Distress or urge right now (0 = none, 10 = the most)", list(range(11)), key="ci_distress")
st.button("Add a thought or where you were (optional)", key="ci_more_open", icon=":material/edit_note:",
          width="stretch")
st.button("Submit check-in", type="primary", key="ci_submit", width="stretch")
st.caption("Only your clinician sees this. It is not monitored in real time.")
with st.expander("Stop taking part", icon=":material/front_hand:"):
    st.write("You can stop at any time, and you don't need to give a reason.")
    st.button("Yes, stop taking part", key="client_stop_confirm", type="primary")
