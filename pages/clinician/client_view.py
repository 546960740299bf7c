"""Client view: since the last session (or any dates), in sentences with their workings, charts
labelled in plain words, the entries behind them, session dates, CSV export and a printable summary."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from core import i18n

from components import client_view_charts as charts, text
from components.frame import require_role, utcnow
from core import metrics, personal_items as personal_rules, session_prep
from db import client_view, clients, sessions, skill_uses

BEHIND_WORDS = {
    "practice": "The check-ins whose answer counted for a planned day (the day's latest answer; 'not today' "
                "too, as it counts towards the planned days). Planned days with no answer have no entry; "
                "one check-in can answer for several steps.",
    "reasons": "The check-ins that gave a reason for practising only partly or not today.",
    "safety": "The check-ins that raised a safety flag still waiting for review, whenever they were made. "
              "Flags raised by a questionnaire or a skill use are on the Check-ins page.",
    "all": "Every check-in in this period.",
}

actor = require_role("clinician", "admin")
now = utcnow()
ss = st.session_state

st.title("Client view")
if msg := ss.pop("cv_flash", None):
    st.success(text.md("{msg}", msg=msg), icon=":material/check_circle:")
caseload = [c for c in clients.list_for(actor, now=now) if c["status"] != "discharged"]
if not caseload:
    st.info("Add a client on the caseload first; their picture appears here.")
    st.stop()
by_id = {c["id"]: c for c in caseload}
if ss.get("cv_client") not in by_id:
    ss["cv_client"] = caseload[0]["id"]
client_id = st.selectbox("Client", list(by_id), key="cv_client", format_func=lambda i: by_id[i]["display_name"])

mode = st.radio("Period", ["since", "dates"], key="cv_mode", horizontal=True,
                format_func={"since": "Since the last session", "dates": "Choose dates"}.get)
start = end = None
if mode == "dates":
    picked = st.date_input("From and to (client's days)", key="cv_range",
                           value=(now.date() - timedelta(days=27), now.date()), max_value=now.date() + timedelta(days=1))
    if isinstance(picked, (list, tuple)) and len(picked) == 2:
        start, end = picked
behind = ss.get("cv_behind")  # (client, which entries) chosen under a sentence
if not behind or behind[0] != client_id:
    behind = None
listing = (client_id, mode, start, end, behind and behind[1])  # a new listing starts at its newest page
page = ss["cv_page"][1] if ss.get("cv_page", (None,))[0] == listing else 0
view = client_view.get(actor, client_id, now=now, start=start, end=end, behind=behind and behind[1], page=page)
summary = session_prep.sentences(view)


def show_behind(spec: str | None) -> None:
    ss["cv_behind"] = (client_id, spec) if spec else None
    ss.pop("cv_page", None)


def turn_page(step: int) -> None:
    ss["cv_page"] = (listing, view.entries_page + step)


since = (f"since the last session on {metrics.fmt_day(view.last_session)}" if view.last_session and mode == "since"
         else f"from {metrics.fmt_day(view.start)} to {metrics.fmt_day(view.end)}")
text.show("#### {start} {start_year} – {end} {end_year} ({since})", start=metrics.fmt_day(view.start),
          start_year=view.start.year, end=metrics.fmt_day(view.end), end_year=view.end.year, since=since)
if view.next_session:
    st.caption(text.md("Next session: {day:%A %d %B %Y}.", day=view.next_session))
if mode == "since" and not view.last_session:
    st.caption("No session recorded yet, so this shows the last 14 days. Record session dates below.")

for sentence in summary:
    with st.container(border=True):
        text.typed(sentence.text)
        with st.expander("How this was worked out", icon=":material/calculate:"):
            text.typed(sentence.workings)
        if sentence.behind and view.behind == sentence.behind:
            text.show(":material/filter_list: The entries table shows the {n} check-in(s) behind this. "
                      "[Go to the entries](#entries)", n=view.entries_total)
        elif sentence.behind:
            st.button("Show the entries behind this", key=f"cv_behind_{sentence.key}", icon=":material/filter_list:",
                      on_click=show_behind, args=(sentence.behind,), type="tertiary")

st.markdown("#### What helps")
st.caption("Skills the client used in the moment from the coping card, with distress before and after when they "
           "rated it. Skills are listed in the plan's order, never ranked.")
for h in view.helps:
    with st.container(border=True):
        text.typed(h.sentence())
        with st.expander("How this was worked out", icon=":material/calculate:"):
            text.typed(h.workings())
        if ss.get("cv_skill_behind") == (client_id, h.step_id):
            rows, total = skill_uses.entries(actor, client_id, now=now, start=view.start, end=view.end,
                                             step_id=h.step_id)
            st.dataframe(pd.DataFrame([{
                "Day": r["local_date"].isoformat(), "Time (client's)": r["local_time"],
                "Before": r["before"], "After": r["after"],
                "Helped": {True: "yes", False: "no", None: ""}[r["helped"]],
                "Minutes": None if r["duration_s"] is None else round(r["duration_s"] / 60, 1),
                "From \"I'm struggling\"": "yes" if r["struggling"] else "", "Step as it was": r["behaviour"]}
                for r in rows]), hide_index=True, width="stretch", key=f"cv_skill_entries_{h.step_id}")
            st.caption(text.md("{n} of {total} use(s), newest first.", n=len(rows), total=total))
            st.button("Hide these entries", key=f"cv_skill_hide_{h.step_id}", type="tertiary",
                      on_click=lambda: ss.pop("cv_skill_behind", None))
        else:
            st.button("Show the entries behind this", key=f"cv_skill_behind_{h.step_id}", icon=":material/filter_list:",
                      type="tertiary", on_click=lambda sid=h.step_id: ss.update(cv_skill_behind=(client_id, sid)))
if not view.helps:
    st.caption("No skill was used from the coping card in this period.")
if (helps_chart := charts.skill_changes(view.helps_chart)) is not None:
    st.altair_chart(helps_chart, width="stretch")
on = st.toggle("Small wins line for this client", value=bool(view.client.get("small_wins", True)),
               key=f"cv_small_wins_{client_id}",
               help="After a check-in or a skill use the client reads one warm line about their week (\"You "
                    "practised on 3 days this week. Every practice counts.\"). Never streaks, never \"you missed\".")
if on != bool(view.client.get("small_wins", True)):
    skill_uses.set_small_wins(actor, client_id, on, now=now)
    st.rerun()

st.markdown("#### Charts")
for chart in [charts.practice_by_week(view.weekly), charts.mood_and_distress(view.daily),
              charts.distress_heatmap(view.heat, view.zone), charts.reasons(view.reasons),
              *charts.scores(view.scores, view.changes)]:
    if chart is not None:
        st.altair_chart(chart, width="stretch")
if not view.daily:
    st.info("No check-ins in this period, so there is nothing to chart.")
for series in view.personal:  # one per version of a personal item: new words, new series
    text.show("**Personal item {n}:** {wording}", n=series["position"], wording=series["wording"])
    st.altair_chart(charts.personal_item(series), width="stretch", key=f"cv_personal_{series['version_id']}")
    st.caption(text.md("How this was computed: {how}", how=personal_rules.how_computed(series)))

st.markdown("#### Entries")
chosen = next((x for x in summary if view.behind and x.behind == view.behind), None)
if view.behind:
    with st.container(border=True):
        text.show("**Showing the {n} check-in(s) behind:**", n=view.entries_total)
        text.typed(chosen.text if chosen else "a figure that is no longer shown for this period")
        st.caption(BEHIND_WORDS.get(view.behind.partition(":")[0], ""))
        st.button("Show all entries", key="cv_behind_clear", icon=":material/filter_list_off:",
                  on_click=show_behind, args=(None,))
if view.entries:
    st.dataframe(pd.DataFrame([{
        "Day": e["local_date"].isoformat(), "Submitted (UTC)": f"{e['submitted_at']:%Y-%m-%d %H:%M}",
        "Mood": e["mood"], "Distress": e["distress"], "Practice": e["practice"], "Thought": e["thought"],
        "Where": e["context_where"], "With": e["context_with"]} for e in view.entries]),
        hide_index=True, width="stretch", key="cv_entries")
    first = view.entries_page * client_view.ENTRIES_LIMIT
    st.caption(text.md("Check-ins {first}–{last} of {total}{period}, newest first, as the client wrote them.",
                       first=first + 1, last=first + len(view.entries), total=view.entries_total,
                       period="" if view.behind else " in this period"))
    if view.entries_total > client_view.ENTRIES_LIMIT:
        c1, c2, _ = st.columns([1, 1, 3])
        c1.button("Newer", key="cv_page_newer", icon=":material/chevron_left:", disabled=view.entries_page == 0,
                  on_click=turn_page, args=(-1,))
        c2.button("Older", key="cv_page_older", icon=":material/chevron_right:",
                  disabled=first + len(view.entries) >= view.entries_total,
                  on_click=turn_page, args=(1,))
    with st.expander("Thoughts as written"):
        for e in view.entries:
            if e["thought"]:
                text.show("{day:%d %b}: {thought}", day=e["local_date"], thought=e["thought"])
else:
    st.caption("No check-ins in this period.")

st.markdown("#### Sessions")
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
# A session is within the last two years or the next one; the field refuses other years as they are typed.
earliest, latest = view.today - timedelta(days=731), view.today + timedelta(days=366)
day = c1.date_input("Session date (past or next)", key="cv_session_date", value=view.today,
                    min_value=earliest, max_value=latest,
                    help=text.md("Any day from {first:%d %b %Y} to {last:%d %b %Y}. The message after saving names the day "
                                 "saved.", first=earliest, last=latest))
if c2.button("Record session", key="cv_session_add", icon=":material/event:"):
    sessions.add(actor, client_id, day, now=now)
    ss["cv_flash"] = f"Session on {day:%d %b %Y} recorded."
    st.rerun()
if view.sessions:
    st.caption(text.md("Recorded: {days}", days=", ".join(f"{d:%d %b %Y}" for d in view.sessions[:12])))
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    gone = c1.selectbox("Remove a session date", view.sessions, key="cv_session_remove_day",
                        format_func=lambda d: f"{d:%d %b %Y}")
    if c2.button("Remove", key="cv_session_remove"):
        sessions.remove(actor, client_id, gone, now=now)
        ss["cv_flash"] = "Session date removed."
        st.rerun()

st.markdown("#### Export and session prep")
c1, c2 = st.columns(2)
if c1.button("Prepare CSV of these check-ins", key="cv_export", icon=":material/table_view:"):
    ss["cv_csv"] = (client_id, client_view.export_csv(actor, client_id, now=now, start=view.start, end=view.end))
if ss.get("cv_csv", (None,))[0] == client_id:
    c1.download_button("Download CSV", ss["cv_csv"][1], file_name=f"checkins-{view.start}-{view.end}.csv",
                       mime="text/csv", key="cv_csv_download", icon=":material/download:")
if c1.button("Prepare CSV of these skill uses", key="cv_skill_export", icon=":material/table_view:"):
    ss["cv_skill_csv"] = (client_id, skill_uses.export_csv(actor, client_id, now=now, start=view.start, end=view.end))
if ss.get("cv_skill_csv", (None,))[0] == client_id:
    c1.download_button("Download skill uses CSV", ss["cv_skill_csv"][1], file_name=f"skill-uses-{view.start}-{view.end}.csv",
                       mime="text/csv", key="cv_skill_csv_download", icon=":material/download:")
if c2.button("Prepare printable session summary", key="cv_prep", icon=":material/print:"):
    ss["cv_prep_html"] = (client_id, client_view.session_summary(actor, client_id, now=now, start=start, end=end))
if ss.get("cv_prep_html", (None,))[0] == client_id:
    c2.download_button("Download summary (HTML, print from the browser)", ss["cv_prep_html"][1],
                       file_name=f"session-prep-{view.end}.html", mime="text/html", key="cv_prep_download",
                       icon=":material/download:")
st.caption(text.md("Days are the client's days in {zone}. Exports are recorded in the audit log. The client's pages "
                    "and emails are in {language}.", zone=view.zone,
                    language=i18n.english_name(by_id[client_id]["language"]) if i18n.is_offered(by_id[client_id]["language"])
                    else "the practice's language"))
