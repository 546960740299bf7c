"""Templates: the built-in and practice templates, with JSON export and import."""
import streamlit as st

from components.frame import require_role, utcnow
from components import text
from core import plans as plan_rules
from db import templates

actor = require_role("clinician", "admin")
ss = st.session_state
st.title("Templates")
st.caption("Start a plan from any of these on the Plans page. Save your own from a plan's step.")
if msg := ss.pop("templates_flash", None):
    st.success(text.md("{msg}", msg=msg), icon=":material/check_circle:")
for problem in ss.pop("templates_problems", []):
    st.error(text.md("{problem}", problem=problem), icon=":material/error:")

available = templates.list_for(actor)
for t in available:
    with st.expander(text.md("{name}", name=t["name"]) + (" (practice)" if t.get("own") else ""),
                     icon=":material/description:"):
        text.show("*Goal:* {goal}", goal=t["goal"])
        text.typed(plan_rules.card_line(t["step"]))
        for i, level in enumerate(t["step"]["levels"], start=1):
            text.show("**Level {i}.** {level}", i=i, level=level)
        if t["step"].get("if_then"):
            text.show("*Barrier plan:* {plan}", plan=t["step"]["if_then"])

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
