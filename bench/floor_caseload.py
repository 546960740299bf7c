"""The caseload page's floor: the same elements with no data work (no database, no audit)."""
import pandas as pd
import streamlit as st

st.title("Your caseload")
left, right = st.columns([3, 1])
left.text_input("Search by name", key="caseload_search")
right.selectbox("Status", ["all", "active", "paused", "discharged"], key="caseload_status")
st.dataframe(pd.DataFrame({"Client": [f"Client {i:03d}" for i in range(40)], "Status": ["Active"] * 40,
                           "Time zone": ["Europe/London"] * 40}), hide_index=True)
with st.expander("Add a client"):
    with st.form("add_client"):
        st.text_input("Name the client goes by", key="add_display_name")
        st.text_input("Email for links and reminders", key="add_email")
        st.selectbox("Client's time zone", ["Europe/London"] * 400, key="add_timezone")
        st.form_submit_button("Add client")
with st.expander("Edit a client"):
    st.selectbox("Client", list(range(40)), key="edit_client_id", index=None)
