"""The caseload page's floor: the same elements as pages/clinician/caseload.py (the frame, filters, the
admin's clinician filter, the table of the same size and columns, the attention cards with their buttons,
the two expanders with the add form and the edit picker), with constant data: no database, no audit, no
computing."""
import pandas as pd
import streamlit as st

from bench import floor_frame

COLUMNS = ["Needs attention", "Client", "Status", "Consent", "Last check-in", "Practice, 7 days", "Skill uses, 7 days",
           "Practice, 28 days", "Mood (7-day mean, trend)", "Distress (7-day mean, trend)", "Safety", "Plans",
           "Reminders failed (14 days)", "Next session", "Clinician"]


def body():
    shape = floor_frame.shape(rows=40, columns=14, flags=[1] * 20, clinicians=0)
    st.title("Your caseload")
    left, mid, right = st.columns([3, 1, 1])
    left.text_input("Search by name", key="caseload_search", placeholder="Type part of a name")
    mid.selectbox("Status", ["all", "active", "paused", "discharged"], key="caseload_status")
    right.selectbox("Needs attention", ["all", "any", "safety", "quiet", "adherence_drop", "consent_due", "checkup",
                                        "measure_missed", "reminders_failing"], key="caseload_flag")
    if shape["clinicians"]:  # the admin's
        st.selectbox("Clinician", [f"Clinician {i:02d}" for i in range(shape["clinicians"])], key="caseload_clinician")
    st.dataframe(pd.DataFrame({c: [f"{c[:6]} {i}" for i in range(shape["rows"])] for c in COLUMNS[:shape["columns"]]}),
                 hide_index=True, width="stretch", key="caseload_table")
    st.caption("Clients who need attention come first.")
    if shape["flags"]:
        st.markdown("#### Needs attention")
    for n, count in enumerate(shape["flags"]):
        with st.container(border=True):
            st.markdown(f"Client {n:03d}")
            for i in range(count):
                c1, c2 = st.columns([4, 1], vertical_alignment="center")
                c1.markdown(":orange[:material/flag:] No check-in for 5 days.")
                c2.button("Open client view", key=f"caseload_go_{n}_{i}")
    with st.expander("Add a client", expanded=False, icon=":material/person_add:"):
        with st.form("add_client", clear_on_submit=False, border=False):
            st.text_input("Name the client goes by", key="add_display_name")
            st.text_input("Email for links and reminders", key="add_email")
            st.selectbox("Client's time zone", [f"Zone/{i:03d}" for i in range(518)], key="add_timezone")
            st.selectbox("Client's language", ["", "en", "es"], key="add_language")
            if shape["clinicians"]:
                st.selectbox("Clinician", list(range(shape["clinicians"] - 1)), key="add_clinician_id")
            st.form_submit_button("Add client", type="primary")
    with st.expander("Edit a client", expanded=False, icon=":material/edit:"):
        st.selectbox("Client", list(range(shape["rows"])), key="edit_client_id", index=None,
                     placeholder="Choose a client to edit")


floor_frame.run(body, "caseload")
