"""Templates: the built-in and practice templates, with JSON export and import."""
import streamlit as st

from components.frame import require_role, utcnow
from components.text import md_escape, typed
from core import plans as rules
from db import templates

actor = require_role("clinician", "admin")
ss = st.session_state
st.title("Templates")
st.caption("Start a plan from any of these on the Plans page. Save your own from a plan's step.")
if msg := ss.pop("templates_flash", None):
    st.success(msg, icon=":material/check_circle:")
for problem in ss.pop("templates_problems", []):
    st.error(problem, icon=":material/error:")

available = templates.list_for(actor)
for t in available:
    with st.expander(md_escape(t["name"]) + (" (practice)" if t.get("own") else ""), icon=":material/description:"):
        typed(t["goal"], prefix="*Goal:* ")
        typed(rules.card_line(t["step"]))
        for i, text in enumerate(t["step"]["levels"], start=1):
            typed(text, prefix=f"**Level {i}.** ")
        if t["step"].get("if_then"):
            typed(t["step"]["if_then"], prefix="*Barrier plan:* ")

st.download_button("Export all as JSON", lambda: templates.export_json(actor, now=utcnow()), file_name="anchorstep-templates.json",
                   mime="application/json", key="templates_export", icon=":material/download:")
upload = st.file_uploader("Import templates (JSON exported from Anchorstep)", type=["json"], key="templates_upload")
if upload is not None and st.button("Import", key="templates_import", type="primary"):
    n, problems = templates.import_json(actor, upload.getvalue(), now=utcnow())
    if problems:
        ss["templates_problems"] = problems
    else:
        ss["templates_flash"] = f"Imported {n} templates."
    st.rerun()
