"""The client's check-in (phone first): each practice planned for the day (done / partly / not today,
and why), mood and distress, an optional thought; then warm words, the next practice time, the coping
card and the crisis resources. Questionnaires the clinician assigned are answered here too.
Opening the page changes nothing; only a submit acts, once per form (idempotency key)."""
import secrets

import streamlit as st

from components import client_link, text
from components.frame import field_error, settings, utcnow
from core import checkins as checkin_rules, measures as measure_rules, plans as plan_rules
from db import checkins, links, measures

res = client_link.require("checkin")
now = utcnow()
ss = st.session_state
cfg = settings()
page = checkins.form_by_link(client_link.raw_token(), now=now)  # re-checked each run: a revoked link shows nothing


def crisis(prominent: bool) -> None:
    with st.container(border=True):
        if prominent:
            st.markdown("### :red[:material/emergency: If you need help now]")
            st.markdown("**What you told us sounds hard. Please use one of these now if you might not be safe.**")
        else:
            st.markdown("**If you need help now**")
        text.typed(page["crisis_resources"])
        st.caption("Your check-ins are not monitored in real time: your clinician reads them before your next "
                   "session, not as they arrive.")


def form_key(name: str, what: str) -> str:
    """The idempotency key of the form being drawn. The first form of a link and day gets a key
    derived from them, so a double click, a resubmission or the same link in a second tab saves once;
    "Check in again" draws a random one."""
    if name not in ss:
        ss[name] = f"link{res.link_id}-{what}"
    return ss[name]


def questionnaire_offer() -> None:
    for due in page["due"]:
        with st.container(border=True):
            text.show("**Your clinician asked for a short questionnaire:** {title} ({n} questions, about two minutes).",
                      title=due["title"], n=len(due["items"]))
            if st.button("Answer it now", key=f"ci_open_measure_{due['assignment_id']}", width="stretch"):
                ss["ci_measure"] = due["assignment_id"]
                st.rerun()


def questionnaire(due: dict) -> None:
    errors = ss.get("ci_measure_errors", {})
    mkey = form_key(f"ci_mkey_{due['assignment_id']}", f"m{due['assignment_id']}-{page['today'].isoformat()}")
    st.title("Questionnaire")
    st.write(measure_rules.STEM)
    answers = []
    for i, item in enumerate(due["items"]):
        answers.append(st.radio(text.md("{n}. {item}", n=i + 1, item=item), range(4), index=None, key=f"ci_m_{due['assignment_id']}_{i}",
                                format_func=lambda a: measure_rules.ANSWERS[a]))
        field_error(errors, f"item:{i}")
    field_error(errors, "item:-1")
    field_error(errors, "form")
    if st.button("Send my answers", type="primary", key="ci_measure_submit", width="stretch"):
        result = measures.submit(client_link.raw_token(), due["assignment_id"], answers, mkey, now=now)
        if result.status == "invalid":
            ss["client_link"] = links.INVALID
        elif result.status == "errors":
            ss["ci_measure_errors"] = result.errors
        else:
            ss["ci_measure_errors"] = {}
            ss["ci_measure_done"] = {"flagged": result.flagged}
            ss.pop("ci_measure", None)
            ss.pop(f"ci_mkey_{due['assignment_id']}", None)
        st.rerun()
    if st.button("Back to my check-in", key="ci_measure_back", width="stretch"):
        ss.pop("ci_measure", None)
        st.rerun()


def confirmation(done: dict) -> None:
    if done["flagged"]:
        crisis(prominent=True)
    st.title("Thank you")
    if done.get("already"):
        st.info("This check-in was already saved (perhaps from another tab), so it was kept as it was. "
                "To add another one, use \"Check in again\" below.")
    for line in checkin_rules.warm_words(done["statuses"]):
        text.typed(line)
    upcoming = checkin_rules.next_practice(page["steps"], page["timezone"], now)
    if upcoming:
        at, step = upcoming
        text.show("**Next practice:** {at:%A %H:%M} (your time). {line}", at=at, line=plan_rules.card_line(step))
    if done.get("card_url"):
        st.link_button("Open my coping card", done["card_url"], icon=":material/style:", width="stretch")
    questionnaire_offer()
    if not done["flagged"]:
        crisis(prominent=False)
    again = st.button("Check in again", key="ci_again", width="stretch")
    fix = st.button("Correct this check-in", key="ci_correct", width="stretch")
    if again or fix:
        ss.pop("ci_done", None)
        ss["ci_corrects"] = done.get("checkin_id") if fix else None
        for k in [k for k in ss if str(k).startswith(("ci_status_", "ci_reason_", "ci_label_"))] + [
                "ci_mood", "ci_distress", "ci_thought", "ci_where", "ci_with", "ci_more"]:
            ss.pop(k, None)
        st.rerun()


def show_more() -> None:
    ss["ci_more"] = True


def checkin_form() -> None:
    errors = ss.get("ci_errors", {})
    st.title("Check in")
    if ss.get("ci_corrects"):
        st.info("You're correcting the check-in you just sent. Both are kept; your clinician sees this one as "
                "the correction.")
    choice = st.segmented_control("Which day?", ["today", "yesterday"], default="today", key="ci_day",
                                  format_func=lambda d: "Today" if d == "today" else "Yesterday")
    day = page["yesterday"] if choice == "yesterday" else page["today"]
    key = form_key(f"ci_key_{day.isoformat()}", day.isoformat())
    field_error(errors, "local_date")
    steps = page["planned"][day]
    answers = {}
    if not steps:
        st.info("No practice was planned for this day. You can still note how you feel.")
    for step in steps:
        sid = step["step_id"]
        with st.container(border=True):
            text.show("**{line}**", line=plan_rules.card_line(step))
            status = st.segmented_control("How did it go?", list(checkin_rules.STATUSES), key=f"ci_status_{sid}",
                                          format_func=checkin_rules.STATUSES.get, label_visibility="collapsed")
            field_error(errors, f"step:{sid}")
            answer = {"status": status}
            if status == "not_today":
                answer["reason"] = st.pills("What got in the way? (one tap, optional)", list(checkin_rules.REASONS),
                                            key=f"ci_reason_{sid}", format_func=checkin_rules.REASONS.get)
                field_error(errors, f"step:{sid}:reason")
            if step["asks_label"] and status in ("done", "partly"):
                answer["label"] = st.selectbox("Thinking trap (optional)", list(checkin_rules.DISTORTIONS), index=None,
                                               key=f"ci_label_{sid}", format_func=checkin_rules.DISTORTIONS.get,
                                               placeholder="Choose if one fits")
                field_error(errors, f"step:{sid}:label")
            answers[sid] = answer
    field_error(errors, "steps")
    mood = st.pills("Mood right now (0 = very low, 10 = very good)", list(range(11)), key="ci_mood")
    field_error(errors, "mood")
    distress = st.pills("Distress or urge right now (0 = none, 10 = the most)", list(range(11)), key="ci_distress")
    field_error(errors, "distress")
    # The optional fields are drawn once asked for (a collapsed expander would still draw them, and the
    # browser fetches the text fields' code before the form is usable: about 0.13 s on a phone link).
    if ss.get("ci_more") or {"thought", "context_where", "context_with"} & set(errors):
        with st.container(border=True):
            thought = st.text_area("A thought that came up, in your own words", key="ci_thought",
                                   max_chars=checkin_rules.THOUGHT_MAX)
            field_error(errors, "thought")
            where = st.text_input("Where were you?", key="ci_where", max_chars=checkin_rules.CONTEXT_MAX)
            field_error(errors, "context_where")
            with_whom = st.text_input("Who were you with?", key="ci_with", max_chars=checkin_rules.CONTEXT_MAX)
            field_error(errors, "context_with")
    else:
        thought = where = with_whom = ""
        st.button("Add a thought or where you were (optional)", key="ci_more_open", icon=":material/edit_note:",
                  width="stretch", on_click=show_more)
    field_error(errors, "form")
    field_error(errors, "corrects")
    if st.button("Submit check-in", type="primary", key="ci_submit", width="stretch"):
        form = {"local_date": day.isoformat(), "steps": answers, "mood": mood, "distress": distress,
                "thought": thought, "context_where": where, "context_with": with_whom,
                "idempotency_key": key, "corrects": ss.get("ci_corrects")}
        result = checkins.submit(client_link.raw_token(), form, now=now)
        if result.status == "invalid":
            ss["client_link"] = links.INVALID
        elif result.status == "errors":
            ss["ci_errors"] = result.errors  # every widget keeps what was typed
        else:
            ss["ci_errors"] = {}
            ss["ci_corrects"] = None
            ss["ci_done"] = {"flagged": result.flagged, "statuses": result.statuses, "checkin_id": result.checkin_id,
                             "already": result.status == "already",
                             "card_url": links.url(cfg["LINK_BASE_URL"], result.card_token) if result.card_token
                             else ss.get("ci_done", {}).get("card_url")}
            ss[f"ci_key_{day.isoformat()}"] = secrets.token_urlsafe(18)  # the next check-in is a new form
        st.rerun()
    st.caption("Only your clinician sees this. It is not monitored in real time.")
    questionnaire_offer()


# No st.stop() below: a run that ends early can leave the previous screen's widgets on the page.
if page is None:
    client_link.problem_page()
else:
    due_by_id = {d["assignment_id"]: d for d in page["due"]}
    if ss.get("ci_measure") in due_by_id:
        questionnaire(due_by_id[ss["ci_measure"]])
    elif (mdone := ss.pop("ci_measure_done", None)) is not None:
        if mdone["flagged"]:
            crisis(prominent=True)
        st.title("Thank you")
        st.write("Your answers are saved. Your clinician will look at them with you.")
        if not mdone["flagged"]:
            crisis(prominent=False)
        if st.button("Back to my check-in", key="ci_measure_return", width="stretch"):
            st.rerun()
    elif "ci_done" in ss:
        confirmation(ss["ci_done"])
    else:
        checkin_form()
