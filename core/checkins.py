"""Check-in rules: what a client may submit, validated field by field with calm messages.

Everything a client typed comes back in `clean` as typed (text is stored as typed and rendered
escaped), so a form can show it again next to the message.
"""
from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.i18n import N_

STATUSES = {"done": N_("Done"), "partly": N_("Partly"), "not_today": N_("Not today")}
REASONS = {
    "forgot": N_("I forgot"),
    "no_time": N_("No time"),
    "too_distressed": N_("Too distressed"),
    "not_useful": N_("It didn't seem useful"),
    "other": N_("Something else"),
}
DISTORTIONS = {
    "all_or_nothing": N_("All-or-nothing thinking"),
    "catastrophising": N_("Catastrophising"),
    "mind_reading": N_("Mind reading"),
    "fortune_telling": N_("Fortune telling"),
    "should_statements": N_("Should statements"),
    "labelling": N_("Labelling"),
    "emotional_reasoning": N_("Emotional reasoning"),
    "discounting_positive": N_("Discounting the positive"),
    "personalisation": N_("Personalisation"),
    "overgeneralisation": N_("Overgeneralisation"),
    "mental_filter": N_("Mental filter"),
}
THOUGHT_MAX = 500
CONTEXT_MAX = 100


def local_today(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def allowed_dates(zone: str, now: datetime) -> tuple[date, date]:
    """Today and yesterday in the client's own zone (late entries for yesterday are welcome)."""
    today = local_today(zone, now)
    return today, today - timedelta(days=1)


def _score(raw, field: str, label: str, errors: dict) -> int | None:
    if raw is None or raw == "" or isinstance(raw, bool):
        errors[field] = N_("Please choose a number from 0 to 10 for %(what)s.", what=label)
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):
        errors[field] = N_("Please choose a number from 0 to 10 for %(what)s.", what=label)
        return None
    if math.isnan(value) or math.isinf(value) or value != int(value) or not 0 <= value <= 10:
        errors[field] = N_("Please choose a whole number from 0 to 10 for %(what)s.", what=label)
        return None
    return int(value)


def _text(raw, field: str, limit: int, errors: dict, what: str) -> str:
    text = "" if raw is None else str(raw)
    if len(text) > limit:
        errors[field] = N_("Please keep %(what)s to %(limit)s characters (it has %(n)s).", what=what, limit=limit,
                           n=len(text))
    elif "\x00" in text or any(unicodedata.category(c) == "Cs" for c in text):
        errors[field] = N_("This contains a character that can't be saved (%(what)s); please retype that part.",
                           what=what)
    return text


def validate(form: dict, *, planned: dict[int, dict], zone: str, now: datetime) -> tuple[dict, dict[str, str]]:
    """`planned`: {step_id: {"asks_label": bool}} for the steps planned on the chosen local date.

    Returns (clean, errors); errors are keyed by field ("mood", "step:12", "step:12:reason", ...).
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    today, yesterday = allowed_dates(zone, now)
    raw_date = form.get("local_date", today)
    try:
        day = raw_date if isinstance(raw_date, date) else date.fromisoformat(str(raw_date))
    except ValueError:
        day = None
    if day not in (today, yesterday):
        errors["local_date"] = N_("Check-ins can be for today or yesterday.")
    clean["local_date"] = day if day in (today, yesterday) else today

    steps = form.get("steps") or {}
    clean_steps = {}
    for step_id, answer in steps.items():
        try:
            sid = int(step_id)
        except (TypeError, ValueError):
            errors["steps"] = N_("One of the practices isn't part of your plan any more; please reload the page.")
            continue
        if sid not in planned:
            errors["steps"] = N_("One of the practices isn't part of your plan for that day; please reload the page.")
            continue
        answer = answer or {}
        status = answer.get("status")
        if status in (None, ""):
            continue  # unanswered steps are simply not recorded
        if status not in STATUSES:
            errors[f"step:{sid}"] = N_("Please choose done, partly or not today.")
            continue
        reason = answer.get("reason") or None
        if status == "not_today":
            if reason is not None and reason not in REASONS:
                errors[f"step:{sid}:reason"] = N_("Please choose one of the reasons.")
        else:
            reason = None
        label = answer.get("label") or None
        if label is not None and (label not in DISTORTIONS or not planned[sid].get("asks_label")):
            errors[f"step:{sid}:label"] = N_("Please choose one of the listed thinking patterns.")
            label = None
        clean_steps[sid] = {"status": status, "reason": reason, "label": label}
    clean["steps"] = clean_steps

    clean["mood"] = _score(form.get("mood"), "mood", N_("mood"), errors)
    clean["distress"] = _score(form.get("distress"), "distress", N_("distress"), errors)
    clean["thought"] = _text(form.get("thought"), "thought", THOUGHT_MAX, errors, N_("the thought"))
    clean["context_where"] = _text(form.get("context_where"), "context_where", CONTEXT_MAX, errors,
                                   N_("where you were"))
    clean["context_with"] = _text(form.get("context_with"), "context_with", CONTEXT_MAX, errors,
                                  N_("who you were with"))
    key = str(form.get("idempotency_key") or "")
    if not (16 <= len(key) <= 64) or not all(c.isalnum() or c in "-_" for c in key):
        errors["form"] = N_("This form is out of date; please reload the page and try again.")
    clean["idempotency_key"] = key
    return clean, errors


def next_practice(steps: list[dict], zone: str, now: datetime) -> tuple[datetime, dict] | None:
    """The next planned window start after `now`, in the client's zone, with its step (or None)."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    best = None
    for step in steps:
        if not step.get("window_start"):
            continue
        hh, mm = (int(x) for x in step["window_start"].split(":"))
        for ahead in range(8):
            day = local_now.date() + timedelta(days=ahead)
            if day.weekday() not in (step.get("days") or []):
                continue
            at = datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz)
            if at > local_now:
                if best is None or at < best[0]:
                    best = (at, step)
                break
    return best


def warm_words(statuses: list[str]) -> list[str]:
    """What the client reads after submitting: never shaming, whatever they report."""
    words = [N_("Thank you for checking in.")]
    if "done" in statuses:
        words.append(N_("You practised: that is how new habits form, one small step at a time."))
    if "partly" in statuses:
        words.append(N_("Partly counts. A small part done is still practice."))
    if "not_today" in statuses:
        words.append(N_("Noticing you skipped is useful information: it shows what gets in the way, "
                        "and you and your clinician can plan around it."))
    if not statuses:
        words.append(N_("How you feel is worth knowing, even on a day without practice."))
    return words
