"""The client view's floor: the same elements as pages/clinician/client_view.py (the frame, picker and
period, the sentence cards with their workings, as many altair charts from components.client_view_charts
as the page drew, fed a few constant rows (and as many personal item charts), the entries table of the same size, the thoughts,
the session and export controls), with no database, no audit and no aggregation."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from bench import floor_frame
from components import client_view_charts as charts

D = date(2026, 11, 2)
WEEKLY = [{"step": s, "week": D, "answer": a, "days": 2} for s in ("breathe", "write") for a in ("done", "no answer")]
DAILY = [{"day": D + timedelta(days=i), "mood": 5.0 + i, "distress": 4.0, "checkins": 3, "practised": i % 2 == 0}
         for i in range(3)]
HEAT = [{"weekday": w, "hour": h, "distress": 4.0, "checkins": 2} for w in (0, 1) for h in (8, 20)]
REASONS = [{"reason": "forgot", "n": 3}, {"reason": "no_time", "n": 2}]
SCORES = [{"day": D + timedelta(days=7 * i), "measure": m, "total": 8 + i, "band": "mild"}
          for m in ("phq9", "gad7", "who5") for i in range(3)]
PERSONAL = [{"position": 1, "kind": kind, "points": [{"day": D + timedelta(days=i), "mean": 5.0, "yes": 1, "answers": 3}
                                                     for i in range(3)]} for kind in ("scale", "yesno")]


def body():
    shape = floor_frame.shape(sentences=9, entries=200, thoughts=60, dates=True, sessions=12, charts=10, personal=0)
    st.title("Client view")
    st.selectbox("Client", [f"Client {i:03d}" for i in range(36)], key="cv_client")
    mode = st.radio("Period", ["since", "dates"], key="cv_mode", horizontal=True,
                    index=1 if shape["dates"] else 0)
    if mode == "dates":
        st.date_input("From and to (client's days)", key="cv_range", value=(D - timedelta(days=27), D))
    st.markdown("#### 2 Nov 2025 – 2 Nov 2026 (from 2 Nov to 2 Nov)")
    st.caption("Next session: Monday 07 December 2026.")
    for _ in range(shape["sentences"]):
        with st.container(border=True):
            st.markdown("Practised on 5 of 7 planned days \\(71%\\)\\.")
            with st.expander("How this was worked out", icon=":material/calculate:"):
                st.markdown("Planned days are the step's days of the week\\.")
    st.markdown("#### Charts")
    standard = [charts.practice_by_week(WEEKLY), charts.mood_and_distress(DAILY),
                charts.distress_heatmap(HEAT, "Europe/London"), charts.reasons(REASONS), *charts.scores(SCORES)]
    for n in range(shape["charts"] - shape["personal"]):  # as many as the page drew (a chart needs its data)
        st.altair_chart(standard[n % len(standard)], width="stretch", key=f"cv_chart_{n}")
    for n in range(shape["personal"]):  # one chart per personal item version, with its words and workings
        st.markdown(f"**Personal item {n + 1}:** Urge to check the door locks")
        st.altair_chart(charts.personal_item(PERSONAL[n % 2]), width="stretch", key=f"cv_personal_{n}")
        st.caption("How this was computed: Each point is the mean of the day's answers from 0 (none) to 10.")
    st.markdown("#### Entries")
    n = shape["entries"]
    st.dataframe(pd.DataFrame({"Day": ["2026-11-02"] * n, "Submitted (UTC)": ["2026-11-02 08:00"] * n,
                               "Mood": [5] * n, "Distress": [4] * n, "Thought": ["A thought."] * n,
                               "Where": ["home"] * n, "With": ["alone"] * n}),
                 hide_index=True, width="stretch", key="cv_entries")
    st.caption(f"The latest {n} check-ins in this period, newest first, as the client wrote them.")
    with st.expander("Thoughts as written"):
        for _ in range(shape["thoughts"]):
            st.markdown("02 Nov: A thought\\.")
    st.markdown("#### Sessions")
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    c1.date_input("Session date (past or next)", key="cv_session_date", value=D)
    c2.button("Record session", key="cv_session_add", icon=":material/event:")
    if shape["sessions"]:
        st.caption("Recorded: " + ", ".join(["02 Nov 2026"] * shape["sessions"]))
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        c1.selectbox("Remove a session date", [D - timedelta(days=14 * i) for i in range(shape["sessions"])],
                     key="cv_session_remove_day")
        c2.button("Remove", key="cv_session_remove")
    st.markdown("#### Export and session prep")
    c1, c2 = st.columns(2)
    c1.button("Prepare CSV of these check-ins", key="cv_export", icon=":material/table_view:")
    c2.button("Prepare printable session summary", key="cv_prep", icon=":material/print:")
    st.caption("Days are the client's days in Europe/London. Exports are recorded in the audit log.")


floor_frame.run(body, "client-view")
