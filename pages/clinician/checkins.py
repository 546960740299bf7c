"""Check-ins: open safety flags to review (with a note), a client's recent check-ins as a table
(typed text shown as text), their questionnaires, their personal items (up to three of the client's own
questions on the check-in), and a check-in link to copy."""
import pandas as pd
import streamlit as st

from components import client_picker, text
from components.frame import field_error, require_role, utcnow
from components.link_maker import link_maker
from core import checkins as checkin_rules, measures as measure_rules, personal_items as personal_rules
from core import reliable_change as change_rules
from db import checkins, measures, personal_items, reliable_change, safety

EMAIL_STATES = {"sent": "emailed", "failed": "could not be sent", "cancelled": "not needed", "due": "planned",
                "claimed": "planned", "sending": "sending"}
actor = require_role("clinician", "admin")
now = utcnow()
ss = st.session_state

st.title("Check-ins")
if msg := ss.pop("ci_flash", None):
    st.success(text.md("{msg}", msg=msg), icon=":material/check_circle:")

flags = safety.list_for(actor, now=now)
st.markdown("#### Safety flags")
if not flags:
    st.caption("No open safety flags. A flag appears when distress is at or above the practice threshold, or when "
               "PHQ-9 item 9 is answered above \"not at all\". It stays until you review it and write a note.")
flag_errors = ss.get("ci_flag_errors", {})
for flag in flags:
    with st.container(border=True):
        text.show(":red[:material/flag:] **{name}** · raised {at:%d %b %Y %H:%M} UTC", name=flag["display_name"],
                  at=flag["raised_at"])
        text.typed(flag["reason"])
        for sent in flag["emails"]:  # the flag's history: who was emailed about it, and when
            text.show(":material/mail: {what} to {who} · {state} {at:%d %b %Y %H:%M} UTC",
                      what="Safety alert" if sent["kind"] == "safety_alert" else "Escalation (unreviewed)",
                      who=sent["display_name"], state=EMAIL_STATES.get(sent["status"], sent["status"]),
                      at=sent["sent_at"] or sent["created_at"])
        note = st.text_area("What you did or decided (required to clear the flag)", key=f"ci_flag_note_{flag['id']}",
                            max_chars=safety.NOTE_MAX, height=80)
        field_error(flag_errors.get(flag["id"], {}), "note")
        if st.button("Mark reviewed", key=f"ci_flag_review_{flag['id']}", icon=":material/task_alt:"):
            found = safety.review(actor, flag["id"], note, now=now)
            ss["ci_flag_errors"] = {flag["id"]: found} if found else {}
            if not found:
                ss["ci_flash"] = "Flag reviewed; your note is kept with it."
            st.rerun()
st.caption("Nothing here is monitored in real time, and nothing clinical happens automatically.")

client_id, by_id = client_picker.pick(actor, now=now, key="ci_client", include_discharged=False,
                                      empty="Add a client on the caseload first; their check-ins appear here.")

rows = checkins.recent_for(actor, client_id, now=now)
st.markdown("#### Recent check-ins")
if rows:
    table = pd.DataFrame([{
        "Day": r["local_date"].isoformat(), "Submitted (UTC)": f"{r['submitted_at']:%Y-%m-%d %H:%M}",
        "Practice": "; ".join(f"{a['behaviour']}: {checkin_rules.STATUSES[a['status']].lower()}"
                              + (f" ({checkin_rules.REASONS[a['reason']].lower()})" if a["reason"] else "")
                              + (f" [{checkin_rules.DISTORTIONS[a['label']].lower()}]" if a["label"] else "")
                              for a in r["steps"]) or "(no practice planned)",
        "Mood": r["mood"], "Distress": r["distress"],
        "Own questions": "; ".join(f"{w}: {personal_rules.shown_answer(k, v)}" for w, k, v in r["personal"]),
        "Thought": r["thought"], "Where": r["context_where"],
        "With": r["context_with"],
        "Note": "corrected later" if r["corrected"] else ("a correction" if r["corrects_id"] else ""),
    } for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", key="ci_table")
    st.caption(text.md("The latest {n} check-ins, newest first, as the client submitted them (never edited).", n=len(rows)))
    with st.expander("Thoughts as written", expanded=True):
        for r in rows:
            if r["thought"]:
                text.show("**{day:%d %b}:** {thought}", day=r["local_date"], thought=r["thought"])
else:
    st.info("No check-ins yet. Create a check-in link below and send it to the client.")

st.markdown("#### Questionnaires")
view = measures.overview(actor, client_id, now=now)
for a in view["assigned"]:
    c1, c2 = st.columns([3, 1])
    c1.write(text.md("{title}: {cadence}, since {since:%d %b %Y}", title=measure_rules.MEASURES[a["measure"]].title,
                     cadence=measures.CADENCES[a["cadence"]].lower(), since=a["created_at"]))
    if a.get("missed_at"):
        c1.caption(text.md("Questionnaire missed: not answered in time (marked {at:%d %b %Y}). It stays open for "
                           "the client; an answer clears this.", at=a["missed_at"]))
    if c2.button("Stop", key=f"ci_stop_measure_{a['id']}"):
        measures.stop(actor, a["id"], now=now)
        ss["ci_flash"] = "Questionnaire stopped."
        st.rerun()
c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
code = c1.selectbox("Questionnaire", measure_rules.assignable(), key="ci_measure_code",
                    format_func=lambda m: measure_rules.MEASURES[m].title)
cadence = c2.selectbox("How often", list(measures.CADENCES), key="ci_measure_cadence", format_func=measures.CADENCES.get)
if c3.button("Assign", key="ci_assign", icon=":material/assignment_add:"):
    found = measures.assign(actor, client_id, code, cadence, now=now)
    ss["ci_flash"] = next(iter(found.values()), None) or "Assigned. The client answers it through their check-in link."
    st.rerun()
if view["responses"]:
    st.dataframe(pd.DataFrame([{
        "Day": r["local_date"].isoformat(), "Questionnaire": measure_rules.MEASURES[r["measure"]].short,
        "Total": r["total"], "Band": r["band"], "Item scores": " ".join(str(a) for a in r["answers"]),
    } for r in view["responses"]]), hide_index=True, width="stretch", key="ci_measures_table")
    if view["responses"][0]["score"]:
        st.caption(text.md("{how}", how=view["responses"][0]["score"].explain()))
    with st.expander("Item by item (the newest answers of each questionnaire)"):
        for r in {r["measure"]: r for r in reversed(view["responses"])}.values():
            text.show("**{short}, {day:%d %b %Y}**", short=measure_rules.MEASURES[r["measure"]].short, day=r["local_date"])
            # A static table (st.table renders its cells as markdown, so each goes through text.md like any value).
            st.table(pd.DataFrame([{"Item": text.md("{label}", label=label), "Score": score}
                                   for label, score in measure_rules.item_scores(r["measure"], r["answers"])]),
                     hide_index=True)

changes = reliable_change.for_client(actor, client_id, now=now)
if changes["episodes"]:
    st.markdown("##### Reliable change since the baseline")
    st.caption(text.md("Worked out with: {rule}. A practice admin can choose the rule on Practice settings.",
                       rule=change_rules.RULES[changes["rule"]]))
for ep in changes["episodes"]:
    with st.container(border=True):
        sentence, workings = change_rules.latest_sentence(ep)
        text.typed(sentence)
        with st.expander("How this was worked out", icon=":material/calculate:"):
            text.typed(workings)
        answers = changes["answers"][ep.assignment_id]
        ids = [a["id"] for a in answers]
        by_id = {a["id"]: a for a in answers}
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        pick = c1.selectbox("Baseline for this questionnaire", ids, index=ids.index(ep.baseline["id"]),
                            key=f"ci_baseline_{ep.assignment_id}",
                            format_func=lambda i: f"{by_id[i]['day']:%d %b %Y}: {by_id[i]['total']}"
                                                  + (" (first answer)" if i == ids[0] else ""))
        if c2.button("Use as baseline", key=f"ci_baseline_set_{ep.assignment_id}", icon=":material/flag:"):
            found = reliable_change.set_baseline(actor, ep.assignment_id, None if pick == ids[0] else pick, now=now)
            ss["ci_flash"] = next(iter(found.values()), None) or "Baseline saved; the reliable change now counts from it."
            st.rerun()

st.markdown("#### Personal items")
st.caption(text.md("Up to {n} of the client's own questions, asked on every check-in after the standard fields, "
                   "e.g. \"urge to check the door locks\". The client may leave them blank. Changing the words "
                   "starts a new series on the client view; the earlier answers stay with the earlier words.",
                   n=personal_rules.MAX_ACTIVE))
pi_errors = ss.get("ci_pi_errors", (None, {}))
pi_errors = pi_errors[1] if pi_errors[0] == client_id else {}
for item in personal_items.list_for(actor, client_id, now=now):
    with st.container(border=True):
        text.show("**{n}. {wording}**", n=item.position, wording=item.current.wording)
        st.caption(text.md("0 = {low}, 10 = {high}", low=item.current.low_word, high=item.current.high_word)
                   if item.kind == "scale" else "Yes or no")
        with st.expander("Change the words or stop asking"):
            wording = st.text_input("Question", value=item.current.wording, key=f"ci_pi_wording_{item.item_id}",
                                    max_chars=personal_rules.WORDING_MAX)
            field_error(pi_errors.get(item.item_id, {}), "wording")
            low = high = None
            if item.kind == "scale":
                c1, c2 = st.columns(2)
                low = c1.text_input("What 0 means", value=item.current.low_word, key=f"ci_pi_low_{item.item_id}",
                                    max_chars=personal_rules.END_MAX)
                high = c2.text_input("What 10 means", value=item.current.high_word, key=f"ci_pi_high_{item.item_id}",
                                     max_chars=personal_rules.END_MAX)
                field_error(pi_errors.get(item.item_id, {}), "low_word")
                field_error(pi_errors.get(item.item_id, {}), "high_word")
            c1, c2 = st.columns(2)
            if c1.button("Save new words (starts a new series)", key=f"ci_pi_change_{item.item_id}",
                         icon=":material/edit:"):
                found = personal_items.change(actor, item.item_id, wording, low, high, now=now)
                ss["ci_pi_errors"] = (client_id, {item.item_id: found} if found else {})
                if not found:
                    ss["ci_flash"] = "Saved. New answers start a new series on the client view."
                st.rerun()
            if c2.button("Stop asking this", key=f"ci_pi_end_{item.item_id}", icon=":material/block:"):
                personal_items.end(actor, item.item_id, now=now)
                ss["ci_flash"] = "Stopped. Its answers so far stay on the client view."
                st.rerun()
        for earlier in item.earlier:
            st.caption(text.md("Earlier words, {since:%d %b %Y} to {until:%d %b %Y}: {wording}", since=earlier.valid_from,
                               until=earlier.valid_to, wording=earlier.wording))
with st.expander("Add a personal item", expanded=bool(pi_errors.get("add"))):
    kind = st.radio("Answered as", list(personal_rules.KINDS), key="ci_pi_kind", horizontal=True,
                    format_func=personal_rules.KINDS.get)
    new_wording = st.text_input("Question, in the client's words", key="ci_pi_new_wording",
                                max_chars=personal_rules.WORDING_MAX, placeholder="Urge to check the door locks")
    field_error(pi_errors.get("add", {}), "wording")
    new_low = new_high = None
    if kind == "scale":
        c1, c2 = st.columns(2)
        new_low = c1.text_input("What 0 means", key="ci_pi_new_low", max_chars=personal_rules.END_MAX,
                                placeholder="none")
        new_high = c2.text_input("What 10 means", key="ci_pi_new_high", max_chars=personal_rules.END_MAX,
                                 placeholder="overwhelming")
        field_error(pi_errors.get("add", {}), "low_word")
        field_error(pi_errors.get("add", {}), "high_word")
    field_error(pi_errors.get("add", {}), "form")
    if st.button("Add to the check-in", key="ci_pi_add", icon=":material/add:"):
        found = personal_items.add(actor, client_id, kind, new_wording, new_low, new_high, now=now)
        ss["ci_pi_errors"] = (client_id, {"add": found} if found else {})
        if not found:
            ss["ci_flash"] = "Added. The client sees it on their next check-in."
            for k in ("ci_pi_new_wording", "ci_pi_new_low", "ci_pi_new_high"):
                ss.pop(k, None)
        st.rerun()

st.divider()
st.markdown("#### Check-in link")
link_maker(actor, client_id, "checkin", key="ci_link", label="Create a check-in link", now=now,
           caption="Copy this link into a message to the client. It works only while their consent is active.")
st.caption("Reminder emails with check-in links come from the reminder worker.")
