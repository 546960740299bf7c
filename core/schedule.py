"""Reminder times: local wall-clock times in each client's IANA zone, turned into UTC instants.

Rules (the ones peers get wrong):
- 07:30 local stays 07:30 local across daylight-saving changes (we convert each day separately).
- A local time that does not exist (the spring-forward gap) moves forward by the gap (02:30 -> 03:30).
- An ambiguous local time (the autumn fold) is used once, at its first occurrence (fold=0).
- Quiet hours defer a reminder to the end of the quiet period; they never drop it.
- A daily cap keeps the most important reminders of each local day (lowest priority number first).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a local day; gaps move forward, folds take the first."""
    local = datetime.combine(day, at, tzinfo=zone).replace(fold=0)
    instant = local.astimezone(UTC)
    back = instant.astimezone(zone)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        # Non-existent local time: fold=0 used the offset before the jump, so `instant` is already
        # the moment the clock reads `at` plus the gap (e.g. 02:30 -> 03:30 BST). Keep it.
        return instant
    return instant


def local_days(start_utc: datetime, end_utc: datetime, zone: ZoneInfo) -> list[date]:
    first = start_utc.astimezone(zone).date() - timedelta(days=1)
    last = end_utc.astimezone(zone).date() + timedelta(days=1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def in_quiet(t: time, quiet: tuple[time, time] | None) -> bool:
    if not quiet or quiet[0] == quiet[1]:
        return False
    start, end = quiet
    return start <= t < end if start < end else (t >= start or t < end)


def defer(instant: datetime, zone: ZoneInfo, quiet: tuple[time, time] | None) -> datetime:
    """If the local time falls in quiet hours, move it to the end of the quiet period."""
    local = instant.astimezone(zone)
    if not in_quiet(local.timetz().replace(tzinfo=None), quiet):
        return instant
    end = quiet[1]
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return to_utc(day, end, zone)


@dataclass(frozen=True)
class Slot:
    """One step's reminder time: weekdays (0 = Monday) and a local time."""
    step_id: int
    weekdays: frozenset[int]
    at: time
    priority: int = 0  # lower is more important


@dataclass(frozen=True)
class Planned:
    step_id: int
    local_date: date  # the planned local day (the key), even if quiet hours moved the send time
    slot: str  # "HH:MM" of the planned local time, part of the unique key
    due_at: datetime  # UTC
    window_end: datetime  # UTC: after this the reminder is stale and expires instead of sending


def plan(slots: list[Slot], zone_name: str, start_utc: datetime, end_utc: datetime, *,
         quiet: tuple[time, time] | None = None, daily_cap: int = 2, window_minutes: int = 120) -> list[Planned]:
    """Reminders due in [start_utc, end_utc), keyed by (step, local date, slot)."""
    zone = ZoneInfo(zone_name)
    per_day: dict[date, list[tuple[int, Planned]]] = {}
    for day in local_days(start_utc, end_utc, zone):
        for s in slots:
            if day.weekday() not in s.weekdays:
                continue
            due = defer(to_utc(day, s.at, zone), zone, quiet)
            per_day.setdefault(day, []).append((s.priority, Planned(
                s.step_id, day, s.at.strftime("%H:%M"), due, due + timedelta(minutes=window_minutes))))
    out = []
    for day, items in per_day.items():
        items.sort(key=lambda pair: (pair[0], pair[1].due_at, pair[1].step_id))
        for _, p in items[:daily_cap]:
            if start_utc <= p.due_at < end_utc:
                out.append(p)
    return sorted(out, key=lambda p: (p.due_at, p.step_id))
