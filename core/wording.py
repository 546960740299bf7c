"""Short words the portal shows beside its numbers: "3 days ago", a 7-day mean with its trend arrow,
one check-in's practice answers. Pure functions (no database, no streamlit), tested beside the
numbers they describe; storage returns the numbers and never the words."""
from __future__ import annotations

from datetime import date

from core import checkins as checkin_rules


def ago(day: date | None, today: date) -> str:
    """"today", "yesterday", "3 days ago" or "never": whole days in the reader's calendar."""
    if day is None:
        return "never"
    n = (today - day).days
    return "today" if n <= 0 else "yesterday" if n == 1 else f"{n} days ago"


def trend_words(recent: float | None, previous: float | None) -> str:
    """A mean to one decimal with its trend against the one before: ↑ or ↓ when it moved by 1 point or
    more, → otherwise; the mean alone when there is nothing to compare; "—" when there is no mean."""
    if recent is None:
        return "—"
    if previous is None:
        return f"{recent:.1f}"
    diff = recent - previous
    arrow = "↑" if diff >= 1 else "↓" if diff <= -1 else "→"
    return f"{recent:.1f} {arrow}"


def practice_answers(answers: list[tuple[str, str, str | None]]) -> str:
    """One check-in's practice answers in words, as the client view's entries show them:
    `answers` are (step behaviour, status, reason or None), in the order given."""
    return "; ".join(f"{behaviour}: {status.replace('_', ' ')}" + (
        f" ({checkin_rules.REASONS.get(reason, reason)})" if reason else "") for behaviour, status, reason in answers)
