"""Outcomes: per questionnaire, how many of the practice's episodes show reliable improvement, no
reliable change or reliable deterioration over a chosen period. Counts only: no client, no clinician,
no ranking (db.reliable_change.practice_counts)."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from components import text
from components.frame import require_role, utcnow
from core import measures as measure_rules, reliable_change as change_rules
from db import reliable_change

actor = require_role("admin")
now = utcnow()

st.title("Outcomes")
st.caption("How many questionnaire episodes in the practice changed reliably. Counts only: no client and no "
           "clinician is named or ranked here.")
picked = st.date_input("Latest answer between (clients' days)", key="outcomes_range",
                       value=(now.date() - timedelta(days=90), now.date()), max_value=now.date() + timedelta(days=1))
if not (isinstance(picked, (list, tuple)) and len(picked) == 2):
    st.info("Choose the first and the last day of the period.")
    st.stop()
start, end = picked
got = reliable_change.practice_counts(actor, start=start, end=end, now=now)
rows = [{"Questionnaire": measure_rules.MEASURES[code].short, "Episodes": c["episodes"],
         "Reliable improvement": c[change_rules.IMPROVED], "No reliable change": c[change_rules.NO_CHANGE],
         "Reliable deterioration": c[change_rules.DETERIORATED], "Reliably recovered": c["reliably recovered"],
         "Recovered (change not reliable)": c["recovered"]} for code, c in got["counts"].items()]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="outcomes_table")
with st.expander("How this was worked out", icon=":material/calculate:"):
    text.show("An episode is one questionnaire assigned to one client; assigning it again starts a new episode. "
              "Each episode counts once: its baseline (the first answer, or the one its clinician chose) against "
              "its latest answer between {start:%d %b %Y} and {end:%d %b %Y}. Episodes with no answer after the "
              "baseline in the period are not counted. Recovered: the baseline was on the clinical side of the "
              "questionnaire's cut-off and the latest answer is not; reliably recovered: that, with a reliable "
              "improvement. Rule: {rule}.", start=start, end=end, rule=change_rules.RULES[got["rule"]])
    for m in measure_rules.MEASURES.values():
        source = m.fixed_points.source if got["rule"] == change_rules.FIXED_POINTS else m.change.source
        text.show("**{short}**: {source}.", short=m.short, source=source)
