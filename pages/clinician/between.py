"""Client view: since the last session (or any dates), in sentences with their workings, charts
labelled in plain words, the entries behind them, session dates, CSV export and a printable summary."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from components import between_charts as charts, text
from components.frame import require_role, utcnow
from core import metrics, session_prep
from db import between, clients, sessions

BEHIND_WORDS = {
    "practice": "The check-ins whose answer counted for a planned day (the day's latest answer; 'not today' "
                "too, as it counts towards the planned days). Planned days with no answer have no entry; "
                "one check-in can answer for several steps.",
    "reasons": "The check-ins that gave a reason for practising only partly or not today.",
    "safety": "The check-ins that raised a safety flag still waiting for review, whenever they were made. "
              "Flags raised by a questionnaire are on the Check-ins page.",
    "all": "Every check-in in this period.",
}

actor = require_role("clinician", "admin")
now = utcnow()
ss = st.session_state

st.title("Client view")
if msg := ss.pop("bv_flash", None):
    st.success(text.md("{msg}", msg=msg), icon=":material/check_circle:")
caseload = [c for c in clients.list_for(actor, now=now) if c["status"] != "discharged"]
if not caseload:
    st.info("Add a client on the caseload first; their picture appears here.")
    st.stop()
by_id = {c["id"]: c for c in caseload}
if ss.get("bv_client") not in by_id:
    ss["bv_client"] = caseload[0]["id"]
client_id = st.selectbox("Client", list(by_id), key="bv_client", format_func=lambda i: by_id[i]["display_name"])

mode = st.radio("Period", ["since", "dates"], key="bv_mode", horizontal=True,
                format_func={"since": "Since the last session", "dates": "Choose dates"}.get)
start = end = None
if mode == "dates":
    picked = st.date_input("From and to (client's days)", key="bv_range",
                           value=(now.date() - timedelta(days=27), now.date()), max_value=now.date() + timedelta(days=1))
    if isinstance(picked, (list, tuple)) and len(picked) == 2:
        start, end = picked
behind = ss.get("bv_behind")  # (client, which entries) chosen under a sentence
if not behind or behind[0] != client_id:
    behind = None
listing = (client_id, mode, start, end, behind and behind[1])  # a new listing starts at its newest page
page = ss["bv_page"][1] if ss.get("bv_page", (None,))[0] == listing else 0
view = between.client_view(actor, client_id, now=now, start=start, end=end, behind=behind and behind[1], page=page)
summary = session_prep.sentences(view)


def show_behind(spec: str | None) -> None:
    ss["bv_behind"] = (client_id, spec) if spec else None
    ss.pop("bv_page", None)


def turn_page(step: int) -> None:
    ss["bv_page"] = (listing, view["entries_page"] + step)


since = (f"since the last session on {metrics.fmt_day(view['last_session'])}" if view["last_session"] and mode == "since"
         else f"from {metrics.fmt_day(view['start'])} to {metrics.fmt_day(view['end'])}")
text.show("#### {start} {start_year} – {end} {end_year} ({since})", start=metrics.fmt_day(view["start"]),
          start_year=view["start"].year, end=metrics.fmt_day(view["end"]), end_year=view["end"].year, since=since)
if view["next_session"]:
    st.caption(text.md("Next session: {day:%A %d %B %Y}.", day=view["next_session"]))
if mode == "since" and not view["last_session"]:
    st.caption("No session recorded yet, so this shows the last 14 days. Record session dates below.")

for sentence in summary:
    with st.container(border=True):
        text.typed(sentence.text)
        with st.expander("How this was worked out", icon=":material/calculate:"):
            text.typed(sentence.workings)
        if sentence.behind and view["behind"] == sentence.behind:
            text.show(":material/filter_list: The entries table shows the {n} check-in(s) behind this. "
                      "[Go to the entries](#entries)", n=view["entries_total"])
        elif sentence.behind:
            st.button("Show the entries behind this", key=f"bv_behind_{sentence.key}", icon=":material/filter_list:",
                      on_click=show_behind, args=(sentence.behind,), type="tertiary")

st.markdown("#### Charts")
for chart in [charts.practice_by_week(view["weekly"]), charts.mood_and_distress(view["daily"]),
              charts.distress_heatmap(view["heat"], view["zone"]), charts.reasons(view["reasons"]),
              *charts.scores(view["scores"])]:
    if chart is not None:
        st.altair_chart(chart, width="stretch")
if not view["daily"]:
    st.info("No check-ins in this period, so there is nothing to chart.")

st.markdown("#### Entries")
chosen = next((x for x in summary if view["behind"] and x.behind == view["behind"]), None)
if view["behind"]:
    with st.container(border=True):
        text.show("**Showing the {n} check-in(s) behind:**", n=view["entries_total"])
        text.typed(chosen.text if chosen else "a figure that is no longer shown for this period")
        st.caption(BEHIND_WORDS.get(view["behind"].partition(":")[0], ""))
        st.button("Show all entries", key="bv_behind_clear", icon=":material/filter_list_off:",
                  on_click=show_behind, args=(None,))
if view["entries"]:
    st.dataframe(pd.DataFrame([{
        "Day": e["local_date"].isoformat(), "Submitted (UTC)": f"{e['submitted_at']:%Y-%m-%d %H:%M}",
        "Mood": e["mood"], "Distress": e["distress"], "Practice": e["practice"], "Thought": e["thought"],
        "Where": e["context_where"], "With": e["context_with"]} for e in view["entries"]]),
        hide_index=True, width="stretch", key="bv_entries")
    first = view["entries_page"] * between.ENTRIES_LIMIT
    st.caption(text.md("Check-ins {first}–{last} of {total}{period}, newest first, as the client wrote them.",
                       first=first + 1, last=first + len(view["entries"]), total=view["entries_total"],
                       period="" if view["behind"] else " in this period"))
    if view["entries_total"] > between.ENTRIES_LIMIT:
        c1, c2, _ = st.columns([1, 1, 3])
        c1.button("Newer", key="bv_page_newer", icon=":material/chevron_left:", disabled=view["entries_page"] == 0,
                  on_click=turn_page, args=(-1,))
        c2.button("Older", key="bv_page_older", icon=":material/chevron_right:",
                  disabled=first + len(view["entries"]) >= view["entries_total"],
                  on_click=turn_page, args=(1,))
    with st.expander("Thoughts as written"):
        for e in view["entries"]:
            if e["thought"]:
                text.show("{day:%d %b}: {thought}", day=e["local_date"], thought=e["thought"])
else:
    st.caption("No check-ins in this period.")

st.markdown("#### Sessions")
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
# A session is within the last two years or the next one; the field refuses other years as they are typed.
earliest, latest = view["today"] - timedelta(days=731), view["today"] + timedelta(days=366)
day = c1.date_input("Session date (past or next)", key="bv_session_date", value=view["today"],
                    min_value=earliest, max_value=latest,
                    help=text.md("Any day from {first:%d %b %Y} to {last:%d %b %Y}. The message after saving names the day "
                                 "saved.", first=earliest, last=latest))
if c2.button("Record session", key="bv_session_add", icon=":material/event:"):
    sessions.add(actor, client_id, day, now=now)
    ss["bv_flash"] = f"Session on {day:%d %b %Y} recorded."
    st.rerun()
if view["sessions"]:
    st.caption(text.md("Recorded: {days}", days=", ".join(f"{d:%d %b %Y}" for d in view["sessions"][:12])))
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    gone = c1.selectbox("Remove a session date", view["sessions"], key="bv_session_remove_day",
                        format_func=lambda d: f"{d:%d %b %Y}")
    if c2.button("Remove", key="bv_session_remove"):
        sessions.remove(actor, client_id, gone, now=now)
        ss["bv_flash"] = "Session date removed."
        st.rerun()

st.markdown("#### Export and session prep")
c1, c2 = st.columns(2)
if c1.button("Prepare CSV of these check-ins", key="bv_export", icon=":material/table_view:"):
    ss["bv_csv"] = (client_id, between.export_csv(actor, client_id, now=now, start=view["start"], end=view["end"]))
if ss.get("bv_csv", (None,))[0] == client_id:
    c1.download_button("Download CSV", ss["bv_csv"][1], file_name=f"checkins-{view['start']}-{view['end']}.csv",
                       mime="text/csv", key="bv_csv_download", icon=":material/download:")
if c2.button("Prepare printable session summary", key="bv_prep", icon=":material/print:"):
    ss["bv_prep_html"] = (client_id, between.session_summary(actor, client_id, now=now, start=start, end=end))
if ss.get("bv_prep_html", (None,))[0] == client_id:
    c2.download_button("Download summary (HTML, print from the browser)", ss["bv_prep_html"][1],
                       file_name=f"session-prep-{view['end']}.html", mime="text/html", key="bv_prep_download",
                       icon=":material/download:")
st.caption(text.md("Days are the client's days in {zone}. Exports are recorded in the audit log.", zone=view["zone"]))
