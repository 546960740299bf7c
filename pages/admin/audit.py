"""Audit log: every sign-in and every read or change of client data, newest first."""
from datetime import datetime, time, timedelta, timezone

import pandas as pd
import streamlit as st

from components import text
from components.frame import require_role, utcnow
from db import audit

actor = require_role("admin")
now = utcnow()
st.title("Audit log")
st.caption("Append-only. Times are UTC. Details never contain health information or link tokens.")

c1, c2, c3, c4 = st.columns(4)
action = c1.selectbox("What happened", ["", *audit.ACTIONS], key="audit_action",
                      format_func=lambda a: "Everything" if not a else audit.ACTIONS[a])
who = c2.selectbox("Who", ["", *audit.actor_labels(actor)], key="audit_who", format_func=lambda w: w or "Anyone")
dates = c3.date_input("Between (UTC dates)", value=(now.date() - timedelta(days=30), now.date()), key="audit_dates")
start, end = (tuple(dates) + (None, None))[:2]  # while a range is half chosen it has one date
client_id = c4.number_input("Client number", min_value=0, step=1, value=0, key="audit_client",
                            help="0 means any client.")
page = st.number_input("Page", min_value=1, step=1, value=1, key="audit_page")
page_size = 100
since = datetime.combine(start, time.min, tzinfo=timezone.utc) if start else None
until = datetime.combine(end, time.min, tzinfo=timezone.utc) + timedelta(days=1) if end else None
rows, total = audit.list_events(actor, now=now, action=action or None, actor_label=who or None,
                                client_id=int(client_id) or None, since=since, until=until,
                                limit=page_size, offset=(int(page) - 1) * page_size)
st.write(text.md("{total} matching events; showing {shown} (page {page} of {pages}).", total=total, shown=len(rows),
                 page=int(page), pages=max(1, -(-total // page_size))))
if rows:
    st.dataframe(pd.DataFrame([{
        "When (UTC)": r["at"].strftime("%Y-%m-%d %H:%M:%S"), "Who": r["actor_label"], "Kind": r["actor_kind"],
        "What": audit.ACTIONS.get(r["action"], r["action"]), "Client": r["client_id"] or "", "Detail": r["detail"],
    } for r in rows]), hide_index=True, width="stretch")
