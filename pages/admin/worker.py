"""The reminder worker: is it alive (last successful pass), its last alert and digest passes, and the dead
letters to act on (reminders, and staff emails such as safety alerts)."""
import pandas as pd
import streamlit as st

from components import text
from components.frame import require_role, utcnow
from db import reminders

KIND_LABELS = {"safety_alert": "safety alert", "escalation": "escalation", "digest": "weekly digest"}
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
                                "last alert pass (UTC)": b.get("last_alert_pass_at"),
                                "last digest pass (UTC)": b.get("last_digest_pass_at"),
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

st.subheader("Failed staff emails")
st.caption("Safety alerts, escalations and digests that were not sent, with the reason. A failed safety alert "
           "means a clinician may not know a flag is waiting: check the Check-ins page.")
staff_dead = reminders.staff_dead_letters(actor)
if staff_dead:
    st.error(text.md("{n} staff email(s) failed.", n=len(staff_dead)))
    st.dataframe(pd.DataFrame([{"kind": KIND_LABELS.get(d["kind"], d["kind"]), "to": d["display_name"],
                                "planned (UTC)": d["due_at"], "tries": d["attempts"], "why": d["reason"] or ""}
                               for d in staff_dead]), hide_index=True)
else:
    st.caption("None.")
