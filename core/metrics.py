"""Between-session figures, each with its workings in words (clinicians distrust numbers they
cannot check). Inputs are small aggregates from SQL (one row per planned step-day at most), never
raw rows; every function is pure and takes the dates it needs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core import consent
from core.days import in_days


def fmt_day(d: date) -> str:
    return f"{d.day} {d.strftime('%b')}"


def planned_dates_replayed(versions: list[tuple[date, frozenset[int]]], start: date, end: date) -> list[date]:
    """Local dates in [start, end] on which a step was planned, replaying its versions.

    `versions`: (the client's local day the version was saved, its weekdays; empty when the version
    retired the step), oldest first. Each day takes the newest version saved on or before it, so a
    change of days counts from the day it was saved; before the first version nothing is planned."""
    out = []
    for i in range(max(0, (end - start).days + 1)):
        day = start + timedelta(days=i)
        weekdays = None
        for saved_on, days in versions:
            if saved_on > day:
                break
            weekdays = days
        if weekdays and day.weekday() in weekdays:
            out.append(day)
    return out


@dataclass(frozen=True)
class Adherence:
    planned: int
    done: int
    partly: int
    not_today: int
    no_answer: int
    unplanned_entries: int  # answers on days the step was not planned: shown, not counted
    start: date
    end: date

    @property
    def practised(self) -> int:
        return self.done + self.partly

    @property
    def percent(self) -> int | None:
        return None if self.planned == 0 else round(100 * self.practised / self.planned)

    def sentence(self) -> str:
        if self.planned == 0:
            return f"No practice was planned between {fmt_day(self.start)} and {fmt_day(self.end)}."
        return f"Practised on {self.practised} of {self.planned} planned days ({self.percent}%)."

    def workings(self) -> str:
        parts = [f"Planned days are the step's days of the week in effect on each day between "
                 f"{fmt_day(self.start)} and {fmt_day(self.end)}, in the client's time zone (a change to the "
                 f"days counts from the day it was saved): {self.planned}.",
                 f"Practised counts 'done' ({self.done}) and 'partly' ({self.partly}); "
                 f"'not today' ({self.not_today}) and days with no answer ({self.no_answer}) are not practised."]
        if self.unplanned_entries:
            parts.append(f"{self.unplanned_entries} answer(s) on days with no plan are excluded.")
        return " ".join(parts)


def adherence(planned: list[date], outcomes: dict[date, str], start: date, end: date) -> Adherence:
    """`outcomes`: the day's answer for one step ("done", "partly", "not_today"), latest per day."""
    planned_set = set(planned)
    counts = {"done": 0, "partly": 0, "not_today": 0}
    for d in planned_set:
        status = outcomes.get(d)
        if status in counts:
            counts[status] += 1
    answered = sum(counts.values())
    unplanned = sum(1 for d in outcomes if d not in planned_set and start <= d <= end)
    return Adherence(len(planned_set), counts["done"], counts["partly"], counts["not_today"],
                     len(planned_set) - answered, unplanned, start, end)


@dataclass(frozen=True)
class Flag:
    kind: str  # safety | quiet | adherence_drop | consent_due | checkup | measure_missed | reminders_failing
    words: str
    order: int  # lower sorts first


def safety_flag(open_flags: int) -> Flag | None:
    """Safety flags (from check-ins or questionnaires) still waiting for a clinician's review."""
    return Flag("safety", f"{open_flags} safety flag(s) waiting for review.", 1) if open_flags else None


def no_checkin_flag(last_checkin: date | None, today: date, threshold_days: int = 4) -> Flag | None:
    if last_checkin is None:
        return Flag("quiet", "No check-in yet.", 2)
    gap = (today - last_checkin).days
    if gap >= threshold_days:
        return Flag("quiet", f"No check-in for {gap} days (the practice flags {threshold_days} or more).", 2)
    return None


def adherence_drop_flag(recent: Adherence, previous: Adherence, points: int = 30) -> Flag | None:
    """Adherence over the last 14 days against the 14 before, in percentage points."""
    if recent.percent is None or previous.percent is None:
        return None
    drop = previous.percent - recent.percent
    if drop >= points:
        return Flag("adherence_drop", f"Practice fell from {previous.percent}% to {recent.percent}% of planned days "
                                      f"({drop} points; flagged at {points} or more).", 3)
    return None


def consent_due_flag(renews_at: datetime | None, now: datetime, *, zone: str, within_days: int) -> Flag | None:
    """Renewal overdue, or due within `within_days` (the CONSENT_NOTICE_DAYS setting) calendar days of
    `zone` (the practice's): the same count and window as the consent column (core.consent)."""
    if renews_at is None:
        return None
    if now >= renews_at:
        return Flag("consent_due", "Consent renewal is overdue.", 4)
    days = consent.renewal_notice(renews_at, now, zone, within_days)
    if days is not None:
        return Flag("consent_due", f"Consent renewal due {in_days(days)}.", 4)
    return None


def measure_missed_flag(missed: int, expire_days: int) -> Flag | None:
    """Questionnaires marked missed (unanswered `expire_days` after falling due, MEASURE_EXPIRE_DAYS) and
    not answered since (core/measure_followups.py)."""
    if not missed:
        return None
    what = "Questionnaire missed" if missed == 1 else f"{missed} questionnaires missed"
    return Flag("measure_missed", f"{what} (not answered within {expire_days} days of falling due).", 4)


def reminders_failing_flag(failed: int) -> Flag | None:
    """Reminders that failed for good (dead letters) in the last 14 days."""
    return Flag("reminders_failing", f"{failed} reminder(s) failed in the last 14 days.", 5) if failed else None


def sort_flags(flags: list[Flag | None]) -> list[Flag]:
    return sorted((f for f in flags if f is not None), key=lambda f: f.order)
