"""Plans: build a client's anchored micro-steps from a template, with the homework check live beside
the fields; progression and the coping-card link for saved steps."""
import streamlit as st

from components import audit_panel, client_picker, step_form, text
from components.frame import field_error, require_role, utcnow
from components.link_maker import link_maker
from core import plans as plan_rules
from db import checkins, plans, templates

actor = require_role("clinician", "admin")
now = utcnow()
ss = st.session_state

st.title("Plans")
client_id, by_id = client_picker.pick(actor, now=now, key="plans_client", include_discharged=False,
                                      empty="Add a client on the caseload first; their plans live here.")

plan_rows = {p["id"]: p for p in plans.list_for_client(actor, client_id, now=now)}
if "plans_select_next" in ss:
    ss["plans_plan"] = ss.pop("plans_select_next")
if ss.get("plans_plan") not in ["new", *plan_rows]:
    ss["plans_plan"] = next(iter(plan_rows), "new")
choice = st.selectbox("Plan", ["new", *plan_rows], key="plans_plan",
                      format_func=lambda o: "New plan…" if o == "new" else
                      plan_rules.plan_label(plan_rows[o]["goal"], plan_rows[o]["finding_count"]))
if msg := ss.pop("plans_flash", None):
    st.success(text.md("{msg}", msg=msg), icon=":material/check_circle:")
errors = ss.get("plans_errors", {})


def editor() -> dict:
    """Fields on the left, the homework check on the right; returns the step as typed."""
    left, right = st.columns([3, 2], gap="large")
    with left:
        typed_step = step_form.fields(errors)
    with right:
        preview, _ = plan_rules.validate_step(typed_step)
        audit_panel.show(preview)
        st.markdown("#### On the client's card")
        text.typed(plan_rules.card_line(preview))
        if plan_rules.if_then_line(preview):
            text.show("*Plan for a hard day:* {plan}", plan=plan_rules.if_then_line(preview))
    return typed_step


if choice == "new":
    available = templates.list_for(actor)
    by_key = {t["key"]: t for t in available}
    tkey = st.selectbox("Start from a template", ["blank", *by_key], key="plans_template",
                        format_func=lambda k: "Blank step" if k == "blank" else by_key[k]["name"])
    if ss.get("plans_loaded") != ("new", client_id, tkey):
        chosen = by_key.get(tkey)
        step_form.prefill(chosen["step"] if chosen else plan_rules.blank_step())
        ss["plans_goal"] = chosen["goal"] if chosen else ""
        ss["plans_loaded"], ss["plans_errors"], errors = ("new", client_id, tkey), {}, {}
    goal = st.text_area("Goal: what skill, and why it matters to the client", key="plans_goal", height=80,
                        max_chars=plan_rules.GOAL_MAX)
    field_error(errors, "goal")
    form = editor()
    if st.button("Create plan", type="primary", key="plans_create", icon=":material/add_task:"):
        plan_id, found = plans.create_plan(actor, client_id, goal=goal, steps=[form], now=now)
        ss["plans_errors"] = {k.removeprefix("step0."): v for k, v in found.items()}
        if plan_id:
            ss["plans_select_next"], ss["plans_flash"] = plan_id, "Plan created."
            ss.pop("plans_loaded", None)
        st.rerun()
    st.stop()

plan = plans.get(actor, choice, now=now)
steps = {s["step_id"]: s for s in plan["steps"]}
if "plans_step_next" in ss:
    ss["plans_step"] = ss.pop("plans_step_next")
if ss.get("plans_step") not in ["add", *steps]:
    ss["plans_step"] = next(iter(steps), "add")
step_id = st.radio("Step", [*steps, "add"], key="plans_step", horizontal=False,
                   format_func=lambda s: "Add a step…" if s == "add" else text.md("{line}", line=plan_rules.card_line(steps[s])))
if ss.get("plans_loaded") != ("plan", choice, step_id, steps[step_id]["version_id"] if step_id in steps else 0):
    step_form.prefill(steps[step_id] if step_id in steps else plan_rules.blank_step())
    ss["plans_goal"] = plan["goal"]
    ss["plans_loaded"] = ("plan", choice, step_id, steps[step_id]["version_id"] if step_id in steps else 0)
    ss["plans_errors"], errors = {}, {}

with st.expander("Goal", icon=":material/flag:"):
    goal = st.text_area("Goal: what skill, and why it matters to the client", key="plans_goal", height=80,
                        max_chars=plan_rules.GOAL_MAX)
    field_error(errors, "goal")
    if st.button("Save goal", key="plans_save_goal"):
        ss["plans_errors"] = plans.update_goal(actor, choice, goal, now=now)
        ss["plans_flash"] = None if ss["plans_errors"] else "Goal saved."
        st.rerun()

form = editor()
if st.button("Save step" if step_id != "add" else "Add step", type="primary", key="plans_save_step",
             icon=":material/save:"):
    new_id, found = plans.save_step(actor, choice, None if step_id == "add" else step_id, form, now=now)
    ss["plans_errors"] = found
    if new_id:
        ss["plans_flash"] = "Saved. The client's card shows the new version from now on."
        ss.pop("plans_loaded", None)
        ss["plans_step_next"] = new_id
    st.rerun()

if step_id in steps:
    step = steps[step_id]
    with st.expander(text.md("Level {level} of {n}: progression", level=step["level"], n=len(step["levels"])),
                     icon=":material/stairs:"):
        text.show("**Now:** {how}", how=plan_rules.instruction(step))
        if advice := plan_rules.suggestion(step, checkins.outcomes(actor, step_id, now=now)):
            st.info(text.md("{advice} It's your call with the client; nothing changes by itself.", advice=advice),
                    icon=":material/trending_up:")
        st.caption(text.md("Moving down a level is an ordinary part of practice: the step should fit the client's week. "
                           "Mastery aim: done on {k} of the last {n} planned days. When check-ins arrive, a "
                           "suggestion to advance appears here; nothing changes by itself.",
                           k=step["mastery_k"], n=step["mastery_n"]))
        for h in plans.level_history(actor, step_id, now=now):
            text.show("- {at:%d %b %Y}: {label}. Reason: {reason}", at=h["at"], label=h["label"], reason=h["reason"])
        c1, c2 = st.columns([1, 3])
        to_level = c1.selectbox("New level", range(1, len(step["levels"]) + 1), key="plans_to_level",
                                index=step["level"] - 1)
        reason = c2.text_input("Reason (for you and the client)", key="plans_level_reason", max_chars=300)
        field_error(errors, "reason")
        field_error(errors, "to_level")
        if st.button("Change level", key="plans_change_level"):
            ss["plans_errors"] = plans.change_level(actor, step_id, to_level=to_level, reason=reason, now=now)
            if not ss["plans_errors"]:
                ss["plans_flash"] = plan_rules.level_change_label(step["level"], to_level) + "."
            st.rerun()
    with st.expander("Save as a practice template", icon=":material/bookmark_add:"):
        name = st.text_input("Template name", key="plans_template_name", max_chars=80)
        field_error(errors, "name")
        if st.button("Save template", key="plans_save_template"):
            ss["plans_errors"] = templates.save_from_step(actor, name=name, goal=plan["goal"], step=step, now=now)
            ss["plans_flash"] = None if ss["plans_errors"] else "Saved as a practice template."
            st.rerun()
    if st.button("Remove this step", key="plans_remove_step", icon=":material/delete:"):
        plans.remove_step(actor, step_id, now=now)
        ss["plans_flash"] = "Step removed. Earlier versions stay in the history."
        st.rerun()

st.divider()
st.markdown("#### Coping card")
link_maker(actor, client_id, "card", key="plans_card_link", label="Create a coping-card link", now=now,
           caption="Copy this link into a message to the client. It opens their card without signing in.")
