"""Caseload: the clinician's clients (the admin's: the practice's), with add and edit."""
import pandas as pd
import streamlit as st

from components import client_form, navigation, text
from components.frame import require_role, settings, utcnow
from core import clients as client_rules
from db import caseload, clients, clinicians, practices

actor = require_role("clinician", "admin")
now = utcnow()
practice = practices.get(actor.practice_id)
ss = st.session_state

st.title("Practice caseload" if actor.is_admin else "Your caseload")
if ss.pop("caseload_saved", None):
    st.success(text.md("{saved}", saved=ss.pop("caseload_saved_text", "Saved.")), icon=":material/check_circle:")

TARGETS = {  # flag kind -> (the page that acts on it, button words)
    "safety": (navigation.CHECKINS.path, "Review the flag"),
    "quiet": (navigation.CLIENT_VIEW.path, "Open client view"),
    "adherence_drop": (navigation.CLIENT_VIEW.path, "Open client view"),
    "consent_due": (navigation.CONSENT.path, "Open consent"),
    "checkup": (navigation.CONSENT.path, "Open consent"),
    "measure_missed": (navigation.CHECKINS.path, "Open check-ins"),
    "reminders_failing": (navigation.REMINDERS.path, "Open reminders"),
}
FLAG_LABELS = {"safety": "Safety flag waiting", "quiet": "No recent check-in", "adherence_drop": "Practice fell",
               "consent_due": "Consent renewal due", "checkup": "Consent check-up",
               "measure_missed": "Questionnaire missed", "reminders_failing": "Reminders failing"}


def go(kind: str, client_id: int) -> None:
    page, _ = TARGETS[kind]
    navigation.preselect_client(page, client_id)
    ss["caseload_goto"] = page


if target := ss.pop("caseload_goto", None):
    st.switch_page(target)

left, mid, right = st.columns([3, 1, 1])
search = left.text_input("Search by name", key="caseload_search", placeholder="Type part of a name")
status = mid.selectbox("Status", ["all", *client_rules.STATUSES], key="caseload_status",
                       format_func=lambda s: "All statuses" if s == "all" else client_rules.STATUS_LABELS[s])
flag_filter = right.selectbox("Needs attention", ["all", "any", *FLAG_LABELS], key="caseload_flag",
                              format_func=lambda f: {"all": "Everyone", "any": "Any flag"}.get(f) or FLAG_LABELS[f])
cfg = settings()
rows = caseload.rows(actor, now=now, search=search, status=None if status == "all" else status,
                     no_checkin_days=cfg["ATTENTION_NO_CHECKIN_DAYS"], notice_days=cfg["CONSENT_NOTICE_DAYS"],
                     measure_expire_days=cfg["MEASURE_EXPIRE_DAYS"])
all_rows = rows
if actor.is_admin and rows:
    names = sorted({r.clinician_name for r in rows})
    who = st.selectbox("Clinician", ["all", *names], key="caseload_clinician",
                       format_func=lambda n: "All clinicians" if n == "all" else n)
    if who != "all":
        rows = [r for r in rows if r.clinician_name == who]
if flag_filter == "any":
    rows = [r for r in rows if r.flags]
elif flag_filter != "all":
    rows = [r for r in rows if any(f.kind == flag_filter for f in r.flags)]


def pct(a) -> str:
    return "no plan" if a.percent is None else f"{a.percent}% ({a.practised}/{a.planned})"


if rows:
    table = pd.DataFrame([{
        "Needs attention": " · ".join(f.words for f in r.flags) or "—",
        "Client": r.display_name, "Status": client_rules.STATUS_LABELS[r.status], "Consent": r.consent,
        "Last check-in": r.last_checkin_ago,
        "Practice, 7 days": pct(r.adherence_7), "Skill uses, 7 days": r.skill_uses_7,
        "Practice, 28 days": pct(r.adherence_28),
        "Mood (7-day mean, trend)": r.mood, "Distress (7-day mean, trend)": r.distress,
        "Safety": f"⚑ {r.open_flags} to review" if r.open_flags else "",
        "Plans": (f"⚠ {r.findings} to review" if r.findings else
                  "✓ checked" if r.findings is not None else "no plan"),
        "Reminders failed (14 days)": str(r.reminders_failed or ""),  # one type per column: Arrow
        "Next session": f"{r.next_session:%a %d %b}" if r.next_session else "",
        **({"Clinician": r.clinician_name} if actor.is_admin else {}),
    } for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", key="caseload_table")
    st.caption(text.md("Clients who need attention come first. Last check-in is counted in your days ({zone}, the "
                       "practice's time zone). Trends compare the last 7 days with the 7 before (↑ or ↓ when the "
                       "mean moved by 1 point or more). Practice counts 'done' and 'partly' on planned days. Skill uses "
                       "are skills the client used in the moment from the coping card, in their last 7 days.",
                       zone=rows[0].clinician_zone))
    flagged = [r for r in rows if r.flags]
    if flagged:
        st.markdown("#### Needs attention")
    for r in flagged:
        with st.container(border=True):
            text.typed(r.display_name)
            for i, f in enumerate(r.flags):
                c1, c2 = st.columns([4, 1], vertical_alignment="center")
                c1.markdown(text.md(":orange[:material/flag:] {words}", words=f.words))
                c2.button(TARGETS[f.kind][1], key=f"caseload_go_{r.id}_{i}", on_click=go, args=(f.kind, r.id))
elif search or status != "all" or flag_filter != "all":
    st.info("No clients match this search.")
else:
    st.info("No clients yet. Add your first client below; it takes a minute.")
rows = all_rows

colleague_options = None
if actor.is_admin:
    colleague_options = {c["id"]: c["display_name"] for c in clinicians.list_for(actor, include_inactive=False)}

with st.expander("Add a client", expanded=bool(ss.get("caseload_add_errors")) or not rows, icon=":material/person_add:"):
    with st.form("add_client", clear_on_submit=False, border=False):
        values = client_form.fields("caseload_add", clinician_options=colleague_options, default_zone=practice["timezone"],
                                    errors=ss.get("caseload_add_errors", {}), show_status=False)
        submitted = st.form_submit_button("Add client", type="primary")
    if submitted:
        new_id, errors = clients.create(actor, values, now=now)
        ss["caseload_add_errors"] = errors
        if errors:
            st.rerun()
        for k in ("display_name", "email"):
            ss.pop(f"caseload_add_{k}", None)
        ss["caseload_saved"], ss["caseload_saved_text"] = True, f"Added {values['display_name']} to the caseload."
        st.rerun()

if rows:
    with st.expander("Edit a client", expanded=bool(ss.get("caseload_edit_errors")), icon=":material/edit:"):
        by_id = {r.id: r for r in rows}
        chosen = st.selectbox("Client", list(by_id), key="caseload_edit_client_id", format_func=lambda i: by_id[i].display_name,
                              index=None, placeholder="Choose a client to edit")
        if chosen is not None:
            if ss.get("caseload_edit_loaded_for") != chosen:
                client_form.prefill("caseload_edit", clients.get(actor, chosen, now=now))
                ss["caseload_edit_loaded_for"], ss["caseload_edit_errors"] = chosen, {}
            with st.form("edit_client", clear_on_submit=False, border=False):
                values = client_form.fields("caseload_edit", clinician_options=colleague_options,
                                            default_zone=practice["timezone"], errors=ss.get("caseload_edit_errors", {}),
                                            show_status=True)
                if not actor.is_admin:
                    values["clinician_id"] = by_id[chosen].clinician_id
                saved = st.form_submit_button("Save changes", type="primary")
            if saved:
                errors = clients.update_client(actor, chosen, values, now=now)
                ss["caseload_edit_errors"] = errors
                if not errors:
                    ss["caseload_saved"], ss["caseload_saved_text"] = True, "Changes saved."
                    ss.pop("caseload_edit_loaded_for", None)
                st.rerun()
