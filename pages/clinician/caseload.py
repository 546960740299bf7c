"""Caseload: the clinician's clients (the admin's: the practice's), with add and edit."""
import pandas as pd
import streamlit as st

from components import client_form
from components.frame import require_role, settings, utcnow
from core import clients as rules
from db import clients, clinicians, consent, plans, practices, safety

actor = require_role("clinician", "admin")
now = utcnow()
practice = practices.get(actor.practice_id)
ss = st.session_state

st.title("Practice caseload" if actor.is_admin else "Your caseload")
if ss.pop("caseload_saved", None):
    st.success(ss.pop("caseload_saved_text", "Saved."), icon=":material/check_circle:")

left, right = st.columns([3, 1])
search = left.text_input("Search by name", key="caseload_search", placeholder="Type part of a name")
status = right.selectbox("Status", ["all", *rules.STATUSES], key="caseload_status",
                         format_func=lambda s: "All statuses" if s == "all" else rules.STATUS_LABELS[s])
rows = clients.list_for(actor, now=now, search=search, status=None if status == "all" else status)
consent_states = consent.states_for(actor, [r["id"] for r in rows], now=now,
                                    notice_days=settings()["CONSENT_NOTICE_DAYS"])

if rows:
    findings = plans.finding_counts(actor)  # homework-check findings across each client's active plans
    flags = safety.open_counts(actor)  # open safety flags come first; review them on the Check-ins page
    rows = sorted(rows, key=lambda r: not flags.get(r["id"]))
    table = pd.DataFrame([{
        "Safety": f"⚑ {flags[r['id']]} to review" if flags.get(r["id"]) else "",
        "Client": r["display_name"], "Status": rules.STATUS_LABELS[r["status"]],
        "Consent": consent_states[r["id"]].label, "Time zone": r["timezone"],
        "Plans": (f"⚠ {findings[r['id']]} to review" if findings.get(r["id"]) else
                  "✓ checked" if r["id"] in findings else "no plan"),
        **({"Clinician": r["clinician_name"]} if actor.is_admin else {}),
    } for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", key="caseload_table")
elif search or status != "all":
    st.info("No clients match this search.")
else:
    st.info("No clients yet. Add your first client below; it takes a minute.")

colleague_options = None
if actor.is_admin:
    colleague_options = {c["id"]: c["display_name"] for c in clinicians.list_for(actor, include_inactive=False)}

with st.expander("Add a client", expanded=bool(ss.get("add_errors")) or not rows, icon=":material/person_add:"):
    with st.form("add_client", clear_on_submit=False, border=False):
        values = client_form.fields("add", clinician_options=colleague_options, default_zone=practice["timezone"],
                                    errors=ss.get("add_errors", {}), show_status=False)
        submitted = st.form_submit_button("Add client", type="primary")
    if submitted:
        new_id, errors = clients.create(actor, values, now=now)
        ss["add_errors"] = errors
        if errors:
            st.rerun()
        for k in ("display_name", "email"):
            ss.pop(f"add_{k}", None)
        ss["caseload_saved"], ss["caseload_saved_text"] = True, f"Added {values['display_name']} to the caseload."
        st.rerun()

if rows:
    with st.expander("Edit a client", expanded=bool(ss.get("edit_errors")), icon=":material/edit:"):
        by_id = {r["id"]: r for r in rows}
        chosen = st.selectbox("Client", list(by_id), key="edit_client_id", format_func=lambda i: by_id[i]["display_name"],
                              index=None, placeholder="Choose a client to edit")
        if chosen is not None:
            if ss.get("edit_loaded_for") != chosen:
                client_form.prefill("edit", clients.get(actor, chosen, now=now))
                ss["edit_loaded_for"], ss["edit_errors"] = chosen, {}
            with st.form("edit_client", clear_on_submit=False, border=False):
                values = client_form.fields("edit", clinician_options=colleague_options,
                                            default_zone=practice["timezone"], errors=ss.get("edit_errors", {}),
                                            show_status=True)
                if not actor.is_admin:
                    values["clinician_id"] = by_id[chosen]["clinician_id"]
                saved = st.form_submit_button("Save changes", type="primary")
            if saved:
                errors = clients.update_client(actor, chosen, values, now=now)
                ss["edit_errors"] = errors
                if not errors:
                    ss["caseload_saved"], ss["caseload_saved_text"] = True, "Changes saved."
                    ss.pop("edit_loaded_for", None)
                st.rerun()
