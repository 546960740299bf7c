"""The live homework audit next to the step editor: our own rule texts, so markdown is safe here."""
from __future__ import annotations

import streamlit as st

from components import text

from core import directive_audit


def show(step: dict) -> list:
    findings = directive_audit.audit_step(step)
    st.markdown("#### Homework check")
    if not findings:
        st.success("No findings: anchored, observable, small, scheduled and with a barrier plan.",
                   icon=":material/check_circle:")
    for f in findings:
        st.warning(text.md("**{title}.** {why}\n\n*Try:* {fix}", title=f.title, why=f.why, fix=f.fix),
                   icon=":material/lightbulb:")
    return findings
