"""The homework audit: named rules that check a directive is anchored, concrete, small and planned.

Pure functions, no streamlit: the editor reruns them on every keystroke, the caseload counts their
findings, and tests feed them sentences. Each finding explains itself and suggests a fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    why: str
    fix: str


RULES: dict[str, tuple[str, str, str]] = {
    # rule: (title, why, fix)
    "no_anchor": (
        "No anchor",
        "Practice sticks when it follows something the client already does every day; without a cue it "
        "depends on remembering.",
        "Start from an existing routine: \"After I pour my morning coffee, …\"."),
    "abstract_wording": (
        "Abstract wording",
        "Words like \"try to\", \"relax\", \"be more\", \"think positive\", \"work on\" or \"as needed\" name a "
        "wish, not something the client can see themselves do or not do.",
        "Name the concrete action: \"breathe in for 4 and out for 6, five times\"."),
    "no_observable_verb": (
        "No observable action",
        "If nobody watching could tell whether it happened, the client can't tell either, and check-ins mean "
        "little.",
        "Start with a verb you could see: write, breathe, walk, list, name, call, read."),
    "no_duration": (
        "No duration",
        "An open-ended task feels bigger than it is and is easy to put off.",
        "Give it a small number of minutes, e.g. \"for 3 minutes\"."),
    "too_long_for_level_1": (
        "Too long for a first level",
        "At level 1 a step should be small enough to do on a bad day; more than 10 minutes invites avoidance.",
        "Cut it to 10 minutes or less; lengthen it when the client advances a level."),
    "multiple_behaviours": (
        "More than one behaviour",
        "Two actions in one step make \"did I do it?\" hard to answer and double the effort.",
        "Keep one action here and make the other a separate step (or a later level)."),
    "no_time_window": (
        "No time window",
        "Without planned days and a time of day there is no moment to remind or to check in about.",
        "Pick the days and a window in the client's own time, e.g. 07:30–08:00 on weekdays."),
    "no_barrier_plan": (
        "No barrier plan",
        "Planning for the likely obstacle (\"if …, then I will …\") is what makes an intention hold.",
        "Ask \"What is going to get in the way?\" and write the if-then response, or tick \"none expected\"."),
    "trigger_not_routine": (
        "A trigger, not a routine",
        "\"When I feel anxious\" is a trigger: it comes at unpredictable times and the practice is then done "
        "only while distressed, so it is rarely rehearsed calmly. An anchor is a routine that happens every "
        "day anyway (after brushing teeth, after the commute).",
        "Anchor the daily practice to a routine; keep the in-the-moment use for the coping card's "
        "\"I'm struggling\" button."),
}

ABSTRACT = [r"\btry(ing)? to\b", r"\brelax(ing|ed)?\b", r"\bbe more\b", r"\bthink(ing)? positive(ly)?\b",
            r"\bwork(ing)? on\b", r"\bas needed\b", r"\bwhen(ever)? needed\b", r"\bif needed\b",
            r"\bbe (less|calmer|kinder|happier)\b", r"\bstop (worrying|overthinking)\b", r"\bcalm down\b",
            r"\bfocus on (yourself|being)\b"]

# Verbs a bystander could see happen (both spellings where they differ).
OBSERVABLE = {
    "breathe", "write", "jot", "walk", "list", "name", "call", "text", "read", "count", "stretch", "tense",
    "scan", "say", "log", "record", "note", "put", "set", "drink", "cook", "make", "schedule", "look",
    "listen", "place", "tap", "label", "rate", "sit", "stand", "go", "step", "repeat", "send", "tidy", "wash",
    "practise", "practice", "do", "spend", "visit", "stay", "touch", "hold", "open", "close", "switch", "turn",
    "dim", "plan", "meet", "ask", "play", "draw", "sing", "hum", "carry", "eat", "lie", "run", "cycle", "swim",
    "water", "fold", "clean", "pick", "choose", "finish", "start", "tick", "mark", "fill", "complete", "sort",
    "message", "email", "phone", "reply", "move", "enter", "leave", "ride", "order", "book",
}
VERB_FORMS = {f: v for v in OBSERVABLE for f in (v, v + "s", v + "es", v + "ing", v[:-1] + "ing" if v.endswith("e") else v)}

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60, "a": 1, "an": 1,
                "a couple of": 2, "a few": 3, "half an": 0.5}
DURATION = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
                      + r")[\s-]*(minutes?|mins?|hours?|hrs?|seconds?|secs?)\b", re.I)
ANCHOR = re.compile(r"\b(right |straight |just )?(after|once|as soon as|before|when|whenever|while|each time|every time)"
                    r"\b\s+(.*?)(?:,|$| i will | i'll )", re.I)
# Anchors phrased as a feeling or an urge are triggers (unpredictable) rather than routines.
TRIGGER = re.compile(r"\b(feel|feeling|felt|anxious|anxiety|stressed|stress|panic|panicky|upset|overwhelmed|sad|"
                     r"angry|worried|worry|urge|craving|triggered|nervous|tense|irritable|lonely|can't sleep|"
                     r"cannot sleep|bad day|struggling|a thought|thoughts)\b", re.I)
SPLIT = re.compile(r"\s*(?:,?\s+and then\s+|,?\s+then\s+|,?\s+and also\s+|,?\s+and\s+|;\s*|,?\s+plus\s+|,?\s+also\s+)",
                   re.I)


def finding(rule: str) -> Finding:
    title, why, fix = RULES[rule]
    return Finding(rule, title, why, fix)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def minutes_in(text: str) -> float | None:
    """The duration written in a sentence, in minutes ("three minutes" -> 3), or None."""
    m = DURATION.search(text or "")
    if not m:
        return None
    raw, unit = m.group(1).lower(), m.group(2).lower()
    value = float(raw) if raw[0].isdigit() else float(NUMBER_WORDS[raw])
    if unit.startswith("h"):
        return value * 60
    if unit.startswith("s"):
        return value / 60
    return value


def is_abstract(text: str) -> bool:
    return any(re.search(p, text or "", re.I) for p in ABSTRACT)


def has_observable_verb(text: str) -> bool:
    return any(w in VERB_FORMS for w in _words(text))


def behaviour_count(text: str) -> int:
    """Clauses that each start with (or contain as their first verb) a different observable action."""
    verbs = []
    for clause in SPLIT.split(text or ""):
        first = next((VERB_FORMS[w] for w in _words(clause)[:3] if w in VERB_FORMS), None)
        if first and first not in verbs:
            verbs.append(first)
    return len(verbs)


def is_trigger(anchor: str) -> bool:
    return bool(TRIGGER.search(anchor or ""))


def _behaviour_rules(text: str) -> list[str]:
    rules = []
    if is_abstract(text):
        rules.append("abstract_wording")
    if not has_observable_verb(text):
        rules.append("no_observable_verb")
    if behaviour_count(text) > 1:
        rules.append("multiple_behaviours")
    return rules


def audit_directive(text: str, *, level: int = 1) -> list[Finding]:
    """Audit one free-text directive (as said in session). Only what a sentence can show is checked:
    days, time window and barrier plan belong to a step, see `audit_step`."""
    text = (text or "").strip()
    anchor_match = ANCHOR.search(text)
    anchor = anchor_match.group(3) if anchor_match else ""
    behaviour = text.replace(anchor_match.group(0), " ") if anchor_match else text
    rules = []
    if not anchor_match:
        rules.append("no_anchor")
    elif is_trigger(anchor):
        rules.append("trigger_not_routine")
    rules += _behaviour_rules(behaviour)
    minutes = minutes_in(text)
    if minutes is None:
        rules.append("no_duration")
    elif level == 1 and minutes > 10:
        rules.append("too_long_for_level_1")
    return [finding(r) for r in rules]


def audit_step(step: dict) -> list[Finding]:
    """Audit a structured step (the editor's fields); every rule applies."""
    rules = []
    anchor = (step.get("anchor") or "").strip()
    if not anchor:
        rules.append("no_anchor")
    elif is_trigger(anchor):
        rules.append("trigger_not_routine")
    behaviour = (step.get("behaviour") or "").strip()
    rules += _behaviour_rules(behaviour)
    minutes = step.get("duration_min")
    if not minutes or minutes <= 0:
        rules.append("no_duration")
    elif int(step.get("level") or 1) == 1 and minutes > 10:
        rules.append("too_long_for_level_1")
    if not step.get("days") or not step.get("window_start") or not step.get("window_end"):
        rules.append("no_time_window")
    if not step.get("no_barrier") and not ((step.get("barrier") or "").strip() and (step.get("if_then") or "").strip()):
        rules.append("no_barrier_plan")
    return [finding(r) for r in rules]


def rule_names(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}
