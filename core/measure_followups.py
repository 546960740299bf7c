"""Following up a questionnaire that is due, gently: its due periods, and which stage a period is in.

A questionnaire is *due* from the start of a period: a new assignment's from when it was assigned; a
weekly one's again `gap` (six days) after its last answer. A weekly questionnaire left unanswered starts
a new period every seven days after that, so a missed week is followed by a fresh one (with its own
mention in a reminder), never by a pile of them. A period is:

- "due" for its first `nudge_days`;
- "nudge" from then until `expire_days`: the client's next reminder may mention, once, that a short
  questionnaire is waiting (neutral words, never the instrument's name);
- "missed" from `expire_days` on: stored, and shown to the clinician until the client answers.

A missed questionnaire stays on the client's check-in page (a late answer is welcome and clears the
mark). The numbers of days are practice settings (MEASURE_NUDGE_DAYS, MEASURE_EXPIRE_DAYS), not clinical
constants: they set how patient the follow-up is, nothing is scored with them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from core.i18n import N_

WEEKLY_GAP = timedelta(days=6)  # a weekly questionnaire is due again six days after the last answer
PERIOD = timedelta(days=7)  # a weekly questionnaire's period after it fell due and went unanswered

# The sentence a reminder adds (once per period): neutral, no instrument, nothing about health.
NUDGE_WORDS = N_("There is also a questionnaire waiting for you when you check in, if you have a "
                 "few minutes.")


def period_start(cadence: str, assigned_at: datetime, last_answer: datetime | None, now: datetime, *,
                 gap: timedelta) -> datetime | None:
    """The start of the due period `now` falls in, or None when the questionnaire is not due."""
    if last_answer is None:
        first = assigned_at
    elif cadence == "weekly":
        first = last_answer + gap
    else:  # "once", answered
        return None
    if now < first:
        return None
    if cadence != "weekly":
        return first
    return first + PERIOD * ((now - first) // PERIOD)


def stage(start: datetime | None, now: datetime, *, nudge_days: int, expire_days: int) -> str | None:
    """"due", "nudge" or "missed" for a period that started at `start` (None: not due)."""
    if start is None:
        return None
    if now >= start + timedelta(days=expire_days):
        return "missed"
    if now >= start + timedelta(days=nudge_days):
        return "nudge"
    return "due"
