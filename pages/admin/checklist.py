"""Consent checklist: the practice's wording of each part; publishing a new version asks every
client to confirm again (their current consent keeps counting meanwhile)."""
import streamlit as st

from components import text
from components.frame import field_error, require_role, utcnow
from core import consent as consent_rules
from db import consent_templates

actor = require_role("admin")
ss = st.session_state
st.title("Consent checklist")
current = consent_templates.current(actor, now=utcnow())
st.caption(text.md("Version {version}. Use {{practice}} for the practice's name and {{crisis}} where its crisis "
                    "resources belong. Every part stays; you can change its wording.", version=current["version"]))
if ss.get("checklist_notice"):
    st.success(text.md("{notice}", notice=ss.pop("checklist_notice")))
errors = ss.get("checklist_errors", {})
with st.form("checklist", clear_on_submit=False):
    items = []
    for it in current["items"]:
        title = st.text_input("Title", value=it["title"], key=f"checklist_{it['key']}_title",
                              max_chars=consent_rules.ITEM_TITLE_MAX)
        field_error(errors, f"{it['key']}:title")
        wording = st.text_area("Text", value=it["text"], key=f"checklist_{it['key']}_text", height=140)
        field_error(errors, f"{it['key']}:text")
        st.divider()
        items.append({"key": it["key"], "title": title, "text": wording})
    sure = st.checkbox("I understand that every client will be asked to confirm the new version.", key="checklist_sure")
    if st.form_submit_button(text.md("Publish as version {next}", next=current["version"] + 1), type="primary"):
        errors = consent_rules.check_items(items)
        if not sure:
            errors["sure"] = "Please tick the box above to confirm."
        ss["checklist_errors"] = errors
        if not errors:
            version = consent_templates.publish(actor, items, now=utcnow())
            ss["checklist_notice"] = f"Version {version} published. Clients will be asked to confirm it."
        st.rerun()
field_error(errors, "sure")
