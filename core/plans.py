"""Plans and micro-steps: validation of the editor's fields, the card wording, and progression rules.

A step is a plain dict (see FIELDS). Levels start at 1; `levels` holds one instruction per level.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.i18n import N_

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
GOAL_MAX, TEXT_MAX, LEVELS_MAX = 300, 200, 5
OUTCOMES = ("done", "partly", "not")
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

FIELDS = ("anchor", "behaviour", "duration_min", "days", "window_start", "window_end", "level", "levels", "barrier",
          "if_then", "no_barrier", "mastery_k", "mastery_n", "distress_tolerance", "template_key")


def blank_step() -> dict:
    return {"anchor": "", "behaviour": "", "duration_min": 3, "days": [0, 1, 2, 3, 4, 5, 6], "window_start": "08:00",
            "window_end": "08:30", "level": 1, "levels": [""], "barrier": "", "if_then": "", "no_barrier": False,
            "mastery_k": 5, "mastery_n": 7, "distress_tolerance": False, "template_key": ""}


def _clean_text(value, limit: int) -> str:
    text = str(value or "")
    # Drop control characters and bidi overrides; they can disguise what a client reads.
    text = "".join(c for c in text if c in "\n" or (c.isprintable() and c not in "\u202a\u202b\u202c\u202d\u202e"))
    return text.strip()


def strip_after(anchor: str) -> str:
    """People often type the "After I" we already show; keep the routine only."""
    return re.sub(r"^\s*(after i|after)\s+", "", anchor or "", flags=re.I).strip()


def validate_step(form: dict) -> tuple[dict, dict[str, str]]:
    """Clean a step from the editor. Returns (step, {field: calm message}). Audit findings are advice,
    not errors: a plan with findings can be saved (the caseload marks it)."""
    errors: dict[str, str] = {}
    step = blank_step()
    for key in ("anchor", "behaviour", "barrier", "if_then"):
        value = _clean_text(form.get(key), TEXT_MAX)
        if len(value) > TEXT_MAX:
            errors[key] = f"Please keep this under {TEXT_MAX} characters; a short sentence works best."
        step[key] = value
    step["anchor"] = strip_after(step["anchor"])
    if not step["behaviour"]:
        errors["behaviour"] = "Please write what the client will do."
    duration = form.get("duration_min")
    try:
        duration = None if duration in (None, "") else float(duration)
        if duration is not None and (duration != duration or not 0 < duration <= 120 or duration != int(duration)):
            raise ValueError
        step["duration_min"] = None if duration is None else int(duration)
    except (TypeError, ValueError):
        errors["duration_min"] = "Please give whole minutes between 1 and 120."
        step["duration_min"] = None
    days = form.get("days") or []
    if not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
        errors["days"] = "Please choose days of the week."
    step["days"] = sorted({d for d in days if isinstance(d, int) and 0 <= d <= 6})
    for key in ("window_start", "window_end"):
        value = str(form.get(key) or "").strip()
        if value and not TIME.match(value):
            errors[key] = "Please use a 24-hour time such as 07:30."
        step[key] = value if TIME.match(value) else ""
    if step["window_start"] and step["window_end"] and step["window_end"] <= step["window_start"]:
        errors["window_end"] = "The window should end after it starts (on the same day)."
    levels = [_clean_text(x, TEXT_MAX)[:TEXT_MAX] for x in (form.get("levels") or [])][:LEVELS_MAX]
    step["levels"] = levels or [""]
    try:
        level = int(form.get("level") or 1)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= len(step["levels"]):
        errors["level"] = f"The level should be between 1 and {len(step['levels'])}."
        level = 1
    step["level"] = level
    step["no_barrier"] = bool(form.get("no_barrier"))
    step["distress_tolerance"] = bool(form.get("distress_tolerance"))
    try:
        k, n = int(form.get("mastery_k") or 5), int(form.get("mastery_n") or 7)
        if not 1 <= k <= n <= 28:
            raise ValueError
        step["mastery_k"], step["mastery_n"] = k, n
    except (TypeError, ValueError):
        errors["mastery_k"] = "Mastery is \"k of the last n planned days\", with 1 ≤ k ≤ n ≤ 28."
    step["template_key"] = str(form.get("template_key") or "")[:40]
    return step, errors


def card_line(step: dict) -> str:
    """The client's wording: "After I …, I will … (N min)" (a Msg: the client's pages translate the frame,
    never the anchor or behaviour the clinician typed)."""
    behaviour = (step.get("behaviour") or "").rstrip(".")
    behaviour = behaviour[:1].lower() + behaviour[1:] if behaviour[:2] != "I " else behaviour
    anchor = strip_after(step.get("anchor", ""))
    if step.get("duration_min"):
        return N_("After I %(anchor)s, I will %(behaviour)s (%(minutes)s min).", anchor=anchor, behaviour=behaviour,
                  minutes=step["duration_min"])
    return N_("After I %(anchor)s, I will %(behaviour)s.", anchor=anchor, behaviour=behaviour)


def if_then_line(step: dict) -> str:
    if step.get("no_barrier") or not step.get("if_then"):
        return ""
    return step["if_then"]


def instruction(step: dict) -> str:
    levels = step.get("levels") or [""]
    return levels[min(max(int(step.get("level") or 1), 1), len(levels)) - 1]


def days_label(days: list[int], names=None) -> str:
    """"every day", "weekdays" or the days' short names (`names(days)` joins them in another language)."""
    if sorted(days) == list(range(7)):
        return N_("every day")
    if sorted(days) == list(range(5)):
        return N_("weekdays")
    if not days:
        return N_("no days chosen")
    return names(days) if names else ", ".join(DAY_NAMES[d] for d in sorted(days))


@dataclass(frozen=True)
class Mastery:
    met: bool
    done: int
    considered: int
    k: int
    n: int

    @property
    def explanation(self) -> str:
        return (f"Practised on {self.done} of the last {self.considered} planned days "
                f"(the step's aim: {self.k} of {self.n}). \"Partly\" days are not counted as done.")


def mastery(outcomes: list[tuple[date, str]], *, k: int, n: int) -> Mastery:
    """Is the criterion "done on k of the last n planned days" met? `outcomes` holds one entry per
    planned day that has passed ("done", "partly" or "not"); days with no entry count as not done."""
    last = sorted(outcomes, key=lambda o: o[0])[-n:]
    done = sum(1 for _day, outcome in last if outcome == "done")
    return Mastery(met=len(last) >= n and done >= k, done=done, considered=len(last), k=k, n=n)


def suggestion(step: dict, outcomes: list[tuple[date, str]]) -> str:
    """Advice for the clinician, never an action: nothing advances by itself."""
    levels = len(step.get("levels") or [""])
    m = mastery(outcomes, k=step.get("mastery_k", 5), n=step.get("mastery_n", 7))
    if m.met and step.get("level", 1) < levels:
        return f"Ready to consider level {step['level'] + 1}? {m.explanation}"
    if m.met:
        return f"Mastery criterion met at the top level. {m.explanation}"
    return ""


def level_change_label(from_level: int, to_level: int) -> str:
    """Scaling back is a normal part of practice; the words say so."""
    if to_level > from_level:
        return f"Moved up to level {to_level}"
    return f"Adjusted to level {to_level} (a smaller step that fits right now)"


def struggling_first(steps: list[dict]) -> list[dict]:
    """For "I'm struggling right now": distress-tolerance steps (grounding, breathing) come first."""
    return sorted(steps, key=lambda s: not s.get("distress_tolerance"))


def plan_label(goal: str, findings: int) -> str:
    short = goal if len(goal) <= 60 else goal[:57] + "…"
    return short + (f" · {findings} to review" if findings else "")


def asks_label(step: dict) -> bool:
    """Does the step's scaffold ask for a thinking-trap label by its current level? (Levels build on
    each other: once labelling is introduced it stays part of the practice.)"""
    levels = step.get("levels") or [""]
    upto = levels[:max(1, min(int(step.get("level") or 1), len(levels)))]
    return any("label" in (text or "").lower() for text in upto)


def planned_on(step: dict, day: date) -> bool:
    return day.weekday() in (step.get("days") or [])
