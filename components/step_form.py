"""The step editor's fields. They sit outside any form so each change reruns the page and the
audit updates at once; values live in keyed widgets, so a rejected save keeps everything typed."""
from __future__ import annotations

from datetime import time

import streamlit as st

from components.frame import field_error
from core import plans

P = "step_"


def _time(value: str) -> time | None:
    try:
        h, m = (int(x) for x in value.split(":"))
        return time(h, m)
    except (AttributeError, ValueError):
        return None


def prefill(step: dict) -> None:
    """Load a step (or a template's step) into the widgets."""
    ss = st.session_state
    ss[P + "anchor"], ss[P + "behaviour"] = step.get("anchor", ""), step.get("behaviour", "")
    ss[P + "duration"] = int(step.get("duration_min") or 0)
    ss[P + "days"] = list(step.get("days") or [])
    ss[P + "start"], ss[P + "end"] = _time(step.get("window_start", "")), _time(step.get("window_end", ""))
    ss[P + "levels"] = "\n".join(step.get("levels") or [])
    ss[P + "barrier"], ss[P + "if_then"] = step.get("barrier", ""), step.get("if_then", "")
    ss[P + "no_barrier"], ss[P + "distress"] = bool(step.get("no_barrier")), bool(step.get("distress_tolerance"))
    ss[P + "mastery_k"], ss[P + "mastery_n"] = int(step.get("mastery_k") or 5), int(step.get("mastery_n") or 7)
    ss[P + "template_key"], ss[P + "level"] = step.get("template_key", ""), int(step.get("level") or 1)


def fields(errors: dict[str, str]) -> dict:
    """Draw the fields; return the step as typed (not yet validated)."""
    ss = st.session_state
    anchor = st.text_input("After I … (an existing daily routine)", key=P + "anchor", max_chars=plans.TEXT_MAX,
                           placeholder="pour my morning coffee")
    field_error(errors, "anchor")
    behaviour = st.text_input("I will … (one action you could see)", key=P + "behaviour", max_chars=plans.TEXT_MAX,
                              placeholder="breathe in for 4 and out for 6")
    field_error(errors, "behaviour")
    c1, c2, c3 = st.columns(3)
    duration = c1.number_input("Minutes", min_value=0, max_value=120, step=1, key=P + "duration",
                               help="0 means no duration set.")
    start = c2.time_input("From (client's time)", key=P + "start", step=300)
    end = c3.time_input("Until", key=P + "end", step=300)
    field_error(errors, "duration_min")
    field_error(errors, "window_end")
    days = st.multiselect("Days", list(range(7)), key=P + "days", format_func=lambda d: plans.DAY_NAMES[d])
    levels = st.text_area("Levels, one instruction per line (level 1 first)", key=P + "levels", height=110)
    field_error(errors, "level")
    st.markdown("**What is going to get in the way?**")
    no_barrier = st.checkbox("None expected (we talked it through)", key=P + "no_barrier")
    barrier = st.text_input("Likely barrier", key=P + "barrier", max_chars=plans.TEXT_MAX, disabled=no_barrier,
                            placeholder="running late in the morning")
    if_then = st.text_input("If … then I will …", key=P + "if_then", max_chars=plans.TEXT_MAX, disabled=no_barrier,
                            placeholder="If I'm late, then I'll do three breaths by the kettle")
    field_error(errors, "if_then")
    m1, m2, m3 = st.columns([1, 1, 2])
    k = m1.number_input("Mastery: done on", min_value=1, max_value=28, key=P + "mastery_k")
    n = m2.number_input("of the last … planned days", min_value=1, max_value=28, key=P + "mastery_n")
    field_error(errors, "mastery_k")
    distress = m3.checkbox("Usable in the moment (distress tolerance)", key=P + "distress",
                           help="Grounding, breathing or any step the client can use in a hard moment: offered under "
                                "\"Use a skill now\" on the coping card and shown first when the client taps "
                                "\"I'm struggling right now\".")
    return {"anchor": anchor, "behaviour": behaviour, "duration_min": duration or None, "days": days,
            "window_start": start.strftime("%H:%M") if start else "", "window_end": end.strftime("%H:%M") if end else "",
            "levels": [x for x in (levels or "").splitlines() if x.strip()], "barrier": barrier, "if_then": if_then,
            "no_barrier": no_barrier, "mastery_k": k, "mastery_n": n, "distress_tolerance": distress,
            "level": ss.get(P + "level", 1), "template_key": ss.get(P + "template_key", "")}
