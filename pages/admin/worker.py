"""The reminder worker: is it alive (last successful pass), and the dead letters to act on."""
import pandas as pd
import streamlit as st

from components import text
from components.frame import require_role, utcnow
from db import reminders

actor = require_role("admin")
now = utcnow()

st.title("Reminder worker")
beats = reminders.heartbeats()
if not beats:
    st.warning("The reminder worker has never run. Start it with `python -m jobs.worker` (or `make run`).")
else:
    last = max((b["last_pass_at"] for b in beats if b["last_pass_at"]), default=None)
    age = (now - last).total_seconds() / 60 if last else None
    if age is None or age > 5:
        st.error("No successful pass in the last 5 minutes: reminders are not going out. Check the worker's log.")
    else:
        st.success(text.md("Working: last successful pass {age:.0f} min ago.", age=age))
    st.dataframe(pd.DataFrame([{"worker": b["worker"], "last successful pass (UTC)": b["last_pass_at"],
                                "last error (UTC)": b["last_error_at"], "error": b["last_error"] or ""}
                               for b in beats]), hide_index=True)

st.subheader("Failed and expired reminders")
st.caption("Each one was not sent, with the reason. No email content is kept.")
dead = reminders.dead_letters(actor, now=now)
if dead:
    st.dataframe(pd.DataFrame([{"client": d["display_name"], "planned for": f"{d['local_date']} {d['slot']}",
                                "status": d["status"], "tries": d["attempts"], "why": d["reason"] or ""}
                               for d in dead]), hide_index=True)
else:
    st.caption("None.")
