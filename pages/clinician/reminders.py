"""Reminders for one client: the schedule in their local time, last sent and failed, pause and resume,
client quiet hours, and a suggested time from check-ins (applied only when the clinician accepts)."""
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from components import client_picker, text

from components.frame import require_role, utcnow
from db import plans, reminders

actor = require_role("clinician", "admin")
now = utcnow()
ss = st.session_state

st.title("Reminders")
st.caption("Reminders go out at each step's time in the client's own time zone, at most a few a day, never "
           "during quiet hours. The email says only \"A reminder from\" the practice, with a check-in link.")
client_id, by_id = client_picker.pick(actor, now=now, key="rem_client",
                                      empty="No clients yet. Add one on the caseload page first.")
view = reminders.client_view(actor, client_id, now=now)
zone = ZoneInfo(view["timezone"])


def local(dt):
    return dt.astimezone(zone).strftime("%a %d %b %H:%M") if dt else "—"


flash = ss.pop("rem_flash", None)
if flash:
    st.success(text.md("{flash}", flash=flash))

a, b, c = st.columns(3)
a.metric("Client's time zone", view["timezone"])
a.caption(text.md("Their time now: {now:%H:%M}", now=now.astimezone(zone)))
state = "Paused" if view["paused_at"] else ("On" if view["consent_active"] and view["client_status"] == "active"
                                            else "Off")
b.metric("Reminders", state)
if view["paused_at"]:
    b.caption(text.md("Paused by the {who} on {when}", who=view["paused_by"], when=local(view["paused_at"])))
elif not view["consent_active"]:
    b.caption("No active consent: nothing is sent.")
c.metric("Sent (recent)", len(view["sent"]))

if view["paused_at"]:
    if st.button("Resume reminders", key="rem_resume", type="primary"):
        reminders.pause_for(actor, client_id, False, now=now)
        ss["rem_flash"] = "Reminders are on again from the next planned time."
        st.rerun()
elif st.button("Pause reminders", key="rem_pause"):
    reminders.pause_for(actor, client_id, True, now=now)
    ss["rem_flash"] = "Reminders are paused. Consent is unchanged."
    st.rerun()

st.subheader("Schedule (client's local time)")
from core import plans as plan_rules  # noqa: E402
if view["steps"]:
    st.dataframe(pd.DataFrame([{"step": f"Step {s['position'] + 1}", "days": plan_rules.days_label(s["days"]),
                                "time": s["at"]} for s in view["steps"]]), hide_index=True)
    st.caption("Each reminder is sent at the step's start time in the client's zone, moved past quiet hours.")
else:
    st.caption("No active plan steps, so no reminders.")

st.subheader("Coming up (client's local time)")
if view["upcoming"]:
    st.dataframe(pd.DataFrame([{"when": local(r["due_at"]), "planned for": f"{r['local_date']} {r['slot']}",
                                "status": r["status"]} for r in view["upcoming"]]), hide_index=True)
else:
    st.caption("Nothing planned in the next 24 hours.")

st.subheader("Last sent")
if view["sent"]:
    st.dataframe(pd.DataFrame([{"sent": local(r["sent_at"]), "planned for": f"{r['local_date']} {r['slot']}"}
                               for r in view["sent"]]), hide_index=True)
else:
    st.caption("None yet.")

st.subheader("Failed or expired")
if view["problems"]:
    st.dataframe(pd.DataFrame([{"planned for": f"{r['local_date']} {r['slot']}", "status": r["status"],
                                "tries": r["attempts"], "why": r["reason"] or ""} for r in view["problems"]]),
                 hide_index=True)
else:
    st.caption("None.")

with st.expander("Client's own quiet hours", icon=":material/bedtime:"):
    q = view["quiet"] or ("", "")
    with st.form("rem_quiet", border=False):
        left, right = st.columns(2)
        start = left.text_input("From (HH:MM)", value=q[0] or "", key="rem_quiet_start")
        end = right.text_input("Until (HH:MM)", value=q[1] or "", key="rem_quiet_end")
        if st.form_submit_button("Save quiet hours"):
            import re
            ok = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
            if not start and not end:
                reminders.set_quiet_hours(actor, client_id, None, None, now=now)
                ss["rem_flash"] = "Client quiet hours removed."
                st.rerun()
            elif ok.match(start.strip()) and ok.match(end.strip()):
                reminders.set_quiet_hours(actor, client_id, start.strip(), end.strip(), now=now)
                ss["rem_flash"] = "Quiet hours saved: reminders inside them wait until they end."
                st.rerun()
            else:
                st.error("Please write both times as HH:MM, e.g. 21:30 and 07:30 (or leave both empty).")

st.subheader("Suggested reminder time")
suggestion = reminders.suggestion(actor, client_id, now=now)
if suggestion is None:
    st.caption("Not enough data yet to suggest a time (it needs high distress or a skill used in the moment on at "
               "least three days).")
else:
    st.write(text.md("{lead} around **{start:02d}:00–{end:02d}:00**: {evidence}. A suggestion only: nothing "
                     "changes unless you accept it.",
                     lead="Hard moments have clustered" if suggestion.skill_days else "Distress has been highest",
                     start=suggestion.start_hour, end=suggestion.end_hour % 24, evidence=suggestion.evidence))
    plan_rows = [p for p in plans.list_for_client(actor, client_id, now=now) if p["status"] == "active"]
    options = [(p["id"], s["step_id"], f"{s['behaviour'][:40]} ({s['window_start']})")
               for p in plan_rows for s in plans.get(actor, p["id"], now=now)["steps"]]
    if options:
        pick = st.selectbox("Move this step's time", range(len(options)), key="rem_suggest_step",
                            format_func=lambda i: options[i][2])
        if st.button(text.md("Accept: remind at {at}", at=suggestion.at), key="rem_suggest_accept"):
            errs = reminders.accept_suggestion(actor, options[pick][0], options[pick][1], suggestion.at, now=now)
            if errs:
                st.error(text.md("{problems}", problems="; ".join(errs.values())))
            else:
                ss["rem_flash"] = f"The step now starts at {suggestion.at} in the client's time."
                st.rerun()
