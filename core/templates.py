"""Starting templates for micro-steps, in our own words, and their JSON export and import.

A template is a goal plus one step (see core.plans.FIELDS) with its levels and a suggested barrier
plan. Practices add their own; import validates every field and answers in plain words.
"""
from __future__ import annotations

import json

from core import plans

FORMAT = "anchorstep-templates/1"
MAX_IMPORT_BYTES = 200_000
MAX_TEMPLATES = 100


def _t(key, name, goal, anchor, behaviour, minutes, levels, barrier, if_then, *, start="08:00", end="08:30",
       days=(0, 1, 2, 3, 4, 5, 6), distress=False):
    return {"key": key, "name": name, "goal": goal, "step": {
        **plans.blank_step(), "anchor": anchor, "behaviour": behaviour, "duration_min": minutes, "levels": levels,
        "barrier": barrier, "if_then": if_then, "window_start": start, "window_end": end, "days": list(days),
        "distress_tolerance": distress, "template_key": key}}


BUILT_IN = [
    _t("breathing", "Diaphragmatic breathing",
       "Slow belly breathing, practised when calm so it is there when needed.",
       "pour my morning coffee", "breathe slowly into the belly, out longer than in", 3,
       ["Sit, one hand on the belly; breathe so that hand rises, for 3 minutes.",
        "Breathe in for 4, out for 6, counting quietly.",
        "Use the 4-in, 6-out pattern standing, somewhere mildly busy."],
       "Rushing in the morning", "If I'm running late, then I'll do five slow breaths while the kettle boils.",
       start="07:00", end="08:30", distress=True),
    _t("body_scan", "Body scan", "Notice tension early by moving attention through the body.",
       "get into bed", "scan my body from toes to head", 5,
       ["Move attention from toes to head; just notice, nothing to fix.",
        "Name one area of tension and soften it on the out-breath.",
        "Do a 2-minute scan during the day, after lunch."],
       "Falling asleep before starting", "If I'm too sleepy, then I'll scan sitting on the edge of the bed first.",
       start="21:30", end="23:00"),
    _t("grounding", "5-4-3-2-1 grounding", "A quick way back to the present when feelings run high.",
       "park the car or get off the bus", "name 5 things I see, 4 I hear, 3 I touch, 2 I smell, 1 I taste", 2,
       ["Go through 5-4-3-2-1 out loud or in your head.",
        "Do it somewhere mildly busy, like a shop queue.",
        "Use it at the first sign of rising distress, then rate distress before and after."],
       "Feeling silly doing it in public", "If people are around, then I'll do it silently in my head.",
       start="08:30", end="09:30", days=(0, 1, 2, 3, 4), distress=True),
    _t("thought_record", "Thought record", "Catch, label and re-balance unhelpful thoughts.",
       "finish dinner", "write down one upsetting thought from today", 5,
       ["Notice and log: write the situation and the thought, word for word.",
        "Label it: add which thinking trap it might be (e.g. mind reading, catastrophising).",
        "Balance it: write one more balanced thought and rate belief in it 0-100."],
       "No upsetting thought today", "If nothing comes to mind, then I'll log the most annoying moment instead.",
       start="19:00", end="20:30"),
    _t("activation", "Behavioural activation: one valued activity",
       "Do one small thing that matters to you, before motivation arrives.",
       "get home from work", "do one planned valued activity (walk, call, hobby)", 10,
       ["Do the chosen activity for 10 minutes and tick it off.",
        "Rate enjoyment and achievement 0-10 afterwards.",
        "Plan tomorrow's activity at the same time."],
       "Too tired after work", "If I'm exhausted, then I'll do the 2-minute version (just start it).",
       start="17:30", end="19:00", days=(0, 1, 2, 3, 4)),
    _t("worry_time", "Scheduled worry time", "Give worries a time slot so they take less of the day.",
       "clear the dinner table", "write my worries on a list at the worry slot", 10,
       ["During the day, jot a word for each worry; at the slot, write them out for 10 minutes.",
        "Sort each worry: can I act on it, or is it hypothetical?",
        "For one actionable worry, write the first small step."],
       "Worries won't wait for the slot", "If a worry pops up early, then I'll note one word and postpone it.",
       start="18:30", end="19:30"),
    _t("exposure", "One exposure step", "Approach one feared situation from your hierarchy, in small steps.",
       "finish my lunch break", "do the agreed exposure step, staying until anxiety eases a little", 10,
       ["Do the lowest rung agreed in session, rating anxiety 0-100 before and after.",
        "Do the next rung, without safety behaviours.",
        "Repeat the rung in a new place or at a new time."],
       "Urge to skip when anxiety is high", "If I want to skip, then I'll do it for just 2 minutes and rate it.",
       start="12:30", end="13:30", days=(0, 2, 4)),
    _t("wind_down", "Sleep wind-down", "A steady pre-sleep routine that tells the body the day is over.",
       "brush my teeth at night", "put my phone on its charger outside the bedroom", 5,
       ["Put the phone on its charger outside the bedroom.",
        "Also dim the lights and read a paper book for 5 minutes.",
        "Keep the same wind-down time at weekends too."],
       "Wanting to check the phone", "If I reach for the phone, then I'll put it in the kitchen drawer.",
       start="22:00", end="22:45"),
    _t("opposite_action", "Opposite action", "When an emotion doesn't fit the facts, act opposite to its urge.",
       "get home from work", "do one small act opposite to the urge (e.g. text a friend instead of withdrawing)", 5,
       ["Notice the emotion and its urge; write both down.",
        "Check the facts: does the emotion fit? Write yes or no.",
        "Do one small opposite action all the way."],
       "Not noticing the urge in time", "If I notice I've already withdrawn, then I'll do the opposite action now.",
       start="17:30", end="19:00"),
    _t("self_compassion", "Self-compassion break", "Meet a hard moment with the kindness you'd give a friend.",
       "sit down with my evening tea", "say three kind sentences to myself, hand on heart", 3,
       ["Say: \"This is hard. Hard moments are part of life. May I be kind to myself.\"",
        "Write the sentence a good friend would say to you.",
        "Use the break right after a self-critical thought during the day."],
       "It feels fake", "If it feels fake, then I'll say it anyway; practice, not belief, is the point.",
       start="20:00", end="21:00", distress=True),
]


def by_key(templates: list[dict]) -> dict[str, dict]:
    return {t["key"]: t for t in templates}


def export_json(templates: list[dict]) -> str:
    body = [{"key": t["key"], "name": t["name"], "goal": t["goal"], "step": {k: t["step"].get(k) for k in plans.FIELDS}}
            for t in templates]
    return json.dumps({"format": FORMAT, "templates": body}, indent=2, ensure_ascii=False)


def import_json(text: str | bytes) -> tuple[list[dict], list[str]]:
    """Parse and validate a template file. Returns (templates, problems); any problem means nothing is
    imported, and each problem says which template and which field, in plain words."""
    if isinstance(text, bytes):
        if len(text) > MAX_IMPORT_BYTES:
            return [], ["This file is larger than a template file should be (200 kB at most)."]
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return [], ["This file isn't text (UTF-8). Please choose a template file exported from Anchorstep."]
    if len(text) > MAX_IMPORT_BYTES:
        return [], ["This file is larger than a template file should be (200 kB at most)."]
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return [], ["This file isn't valid JSON, so nothing was imported. Please choose a file exported from Anchorstep."]
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("templates"), list):
        return [], [f"This isn't an Anchorstep template file (it should say \"format\": \"{FORMAT}\")."]
    items = data["templates"]
    if not items or len(items) > MAX_TEMPLATES:
        return [], [f"A template file should hold between 1 and {MAX_TEMPLATES} templates."]
    out, problems = [], []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("step"), dict):
            problems.append(f"Template {i}: it has no step.")
            continue
        name = str(item.get("name") or "").strip()[:80]
        key = str(item.get("key") or "").strip()[:40]
        if not name or not key:
            problems.append(f"Template {i}: it needs a key and a name.")
            continue
        if not all(isinstance(item["step"].get(k), (str, int, float, bool, list, type(None))) for k in plans.FIELDS):
            problems.append(f"Template {i} ({name}): a field has an unexpected kind of value.")
            continue
        step, errors = plans.validate_step(item["step"])
        if errors:
            problems += [f"Template {i} ({name}), {field.replace('_', ' ')}: {msg}" for field, msg in errors.items()]
            continue
        out.append({"key": key, "name": name, "goal": str(item.get("goal") or "").strip()[:plans.GOAL_MAX], "step": step})
    return (out, []) if not problems else ([], problems)
