"""The client's coping card (phone first): their steps as "After I …, I will …", the plan for a hard
day, the practice's crisis resources, "I'm struggling right now", and add-to-calendar."""
import streamlit as st

from components import client_link, text
from components.frame import utcnow
from core import plans as plan_rules
from db import plans

client_link.require("card")
now = utcnow()
card = plans.card(client_link.raw_token(), now=now)  # re-checked on every run: a revoked link shows nothing
if card is None:
    client_link.problem_page()
    st.stop()
ss = st.session_state


def crisis() -> None:
    with st.container(border=True):
        st.markdown("**If you need help now**")
        text.typed(card["crisis_resources"])


def step_card(step: dict, *, first: bool = False) -> None:
    with st.container(border=True):
        text.show("#### {line}" if first else "**{line}**", line=plan_rules.card_line(step))
        if plan_rules.instruction(step):
            text.show("How: {how}", how=plan_rules.instruction(step))
        if plan_rules.if_then_line(step):
            text.show("*Plan for a hard day:* {plan}", plan=plan_rules.if_then_line(step))
        st.caption(text.md("{days}, {start}–{end} your time", days=plan_rules.days_label(step["days"]), start=step["window_start"],
                           end=step["window_end"]))


st.title("Your coping card")
struggling = ss.get("card_struggling", False)
if not struggling:
    if st.button("I'm struggling right now", key="card_struggling_btn", type="primary", width="stretch",
                 icon=":material/favorite:"):
        ss["card_struggling"] = True
        st.rerun()
else:
    st.markdown("**That's okay. Start with this one small step, right where you are.**")
    if st.button("Back to my card", key="card_back", width="stretch"):
        ss["card_struggling"] = False
        st.rerun()

steps = plan_rules.struggling_first(card["steps"]) if struggling else card["steps"]
if struggling:
    if steps:
        step_card(steps[0], first=True)
    crisis()
    steps = steps[1:]
if not card["steps"]:
    st.info("Your clinician hasn't added steps to your card yet.")
for step in steps:
    step_card(step)
if not struggling:
    crisis()
if card["steps"]:
    token = client_link.raw_token()
    st.download_button("Add to my calendar (.ics)", lambda: plans.card_calendar(token, now=utcnow()) or b"",
                       file_name="coping-card.ics", mime="text/calendar", key="card_ics", width="stretch",
                       icon=":material/event:")
    st.caption("Your phone's calendar can then remind you at these times. No email needed.")
