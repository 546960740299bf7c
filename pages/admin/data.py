"""Client data: export everything about one client, or erase it (typing the client's name to confirm)."""
import streamlit as st

import db
from components import text
from components.frame import require_role, utcnow
from db import clients, lifecycle, measure_export

actor = require_role("admin")
ss = st.session_state
st.title("Client data")
st.caption("Exports and erasures are recorded in the audit log. An erasure cannot be undone; the audit log keeps "
           "only that it happened, with no health information.")
if ss.get("data_notice"):
    st.success(text.md("{notice}", notice=ss.pop("data_notice")))

rows = clients.list_for(actor, now=utcnow())
by_id = {r["id"]: r for r in rows}
chosen = st.selectbox("Client", list(by_id), index=None, key="data_client", placeholder="Choose a client",
                      format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['clinician_name']})")
if chosen is not None:
    st.subheader("Export")
    st.write("A zip with everything held about this client: one JSON file and a CSV per table.")
    if st.button("Prepare export", key="data_prepare"):
        ss["data_export"] = (chosen, lifecycle.export_client(actor, chosen, now=utcnow()))
    if ss.get("data_export") and ss["data_export"][0] == chosen:
        st.download_button("Download the zip", ss["data_export"][1], file_name=f"client-{chosen}-export.zip",
                           mime="application/zip", key="data_download")

    st.write("Questionnaires only, as FHIR R4 (JSON) for an electronic health record: the definitions, every "
             "answer and every total score with its LOINC code. The client is named by an anonymous identifier "
             "unless you include the name.")
    named = st.checkbox("Include the client's name", key="data_fhir_name", value=False)
    if st.button("Prepare FHIR (JSON)", key="data_fhir_prepare"):
        ss["data_fhir"] = (chosen, measure_export.fhir_json(actor, chosen, include_name=named, now=utcnow()), named)
    if ss.get("data_fhir") and ss["data_fhir"][0] == chosen and ss["data_fhir"][2] == named:
        st.download_button("Download FHIR (JSON)", ss["data_fhir"][1], file_name=f"client-{chosen}-questionnaires.fhir.json",
                           mime="application/fhir+json", key="data_fhir_download")

    st.subheader("Erase")
    st.write("Deletes every record of this client: details, consent, plans, check-ins, links and reminders.")
    with st.form("erase_client", clear_on_submit=False):
        typed = st.text_input("Type the client's name exactly as shown to confirm", key="data_erase_name")
        if st.form_submit_button("Erase this client's data", type="primary"):
            try:
                lifecycle.erase_client(actor, chosen, typed, now=utcnow())
            except ValueError as exc:
                st.error(text.md("{problem}", problem=exc))
            except db.NotFound:
                st.error("That client is no longer in the practice.")
            else:
                ss.pop("data_client", None)
                ss.pop("data_export", None)
                ss.pop("data_fhir", None)
                ss["data_notice"] = "The client's data has been erased."
                st.rerun()
