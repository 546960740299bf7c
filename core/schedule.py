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


HORIZON = timedelta(hours=24)  # how far ahead reminders are planned into the outbox
# How far past a planning range a reminder of one of its local days can land: its day ends within a
# day (and a DST hour) of the range's end, and quiet hours move a reminder by less than a day.
MOVE_REACH = timedelta(days=2, hours=1)


def parse_quiet(raw: str | None) -> tuple[time, time] | None:
    """"21:30-07:30" -> (21:30, 07:30); empty -> None."""
    if not raw:
        return None
    start, _, end = raw.partition("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def _both_quiets(items: list[Planned], zone: ZoneInfo, practice, client, window: timedelta) -> list[Planned]:
    """Defer each reminder past the client's and the practice's quiet hours (either may move it into
    the other, so repeat until it settles)."""
    if client is None:
        return items
    out = []
    for p in items:
        due = p.due_at
        for _ in range(4):
            moved = defer(defer(due, zone, client), zone, practice)
            if moved == due:
                break
            due = moved
        out.append(Planned(p.step_id, p.local_date, p.slot, due, due + window))
    return out


def _lead(client_quiet) -> timedelta:
    # Client quiet hours move a reminder by less than a day: look a day back for ones moved into range.
    return timedelta(days=1) if client_quiet else timedelta(0)


def plan_days(zone_name: str, start_utc: datetime, end_utc: datetime, client_quiet) -> set[date]:
    """The local days `plan_client` considers for this range (its answer about other days is silence)."""
    return set(local_days(start_utc - _lead(client_quiet), end_utc, ZoneInfo(zone_name)))


def plan_client(slots: list[Slot], zone_name: str, start_utc: datetime, end_utc: datetime, *,
                practice_quiet: tuple[time, time] | None, client_quiet: tuple[time, time] | None,
                daily_cap: int, window_minutes: int) -> list[Planned]:
    """One client's reminders whose send time (after both quiet hours) falls in [start_utc, end_utc)."""
    items = plan(slots, zone_name, start_utc - _lead(client_quiet), end_utc, quiet=practice_quiet, daily_cap=daily_cap,
                 window_minutes=window_minutes)
    items = _both_quiets(items, ZoneInfo(zone_name), practice_quiet, client_quiet, timedelta(minutes=window_minutes))
    return sorted((p for p in items if start_utc <= p.due_at < end_utc), key=lambda p: (p.due_at, p.step_id))


@dataclass(frozen=True)
class Replan:
    """What re-planning does to a client's queued reminders (see `replan`)."""
    cancel: list[int]  # outbox ids no longer in the plan
    move: list[tuple[int, Planned]]  # (outbox id, its new time): same step, day and slot, another instant
    add: list[Planned]  # new reminders (the caller's key constraint drops any already handled)


def replan(queued: list[dict], planned: list[Planned], now: datetime, horizon_end: datetime, *,
           days: set[date] = frozenset(), current: set[tuple[int, str]] = frozenset()) -> Replan:
    """Match a client's queued reminders (outbox rows: id, step_id, local_date, slot, due_at, status) to
    what the plan says now. `planned` must cover every queued row's time (see `replan_range`); `days`
    are the local days it was planned over (`plan_days`), `current` the (step, "HH:MM") of the
    client's current steps.
    A row whose key (step, local day, slot) is still planned at the same instant stays; at another
    instant still ahead it moves there (so a new zone or quiet hours never leaves the old instant
    queued); at an instant already past, or no longer planned at all, it is cancelled. A row for a
    day outside `days` (the plan says nothing about it) stays while its step and slot are current.
    Plan items with no row are added when due in [now, horizon_end)."""
    by_key = {(p.step_id, p.local_date, p.slot): p for p in planned}
    cancel, move, seen = [], [], set()
    for row in queued:
        key = (row["step_id"], row["local_date"], row["slot"])
        p = by_key.get(key)
        seen.add(key)
        if p is not None and p.due_at == row["due_at"] and row["status"] != "cancelled":
            continue
        if p is None and row["local_date"] not in days and (row["step_id"], row["slot"]) in current:
            continue
        if p is not None and p.due_at >= now:
            move.append((row["id"], p))
        elif row["status"] != "cancelled":
            cancel.append(row["id"])
    add = [p for k, p in by_key.items() if k not in seen and now <= p.due_at < horizon_end]
    return Replan(cancel, move, add)


def replan_range(queued: list[dict], now: datetime, window_minutes: int,
                 horizon: timedelta = HORIZON) -> tuple[datetime, datetime]:
    """The span to plan over when matching `queued`: from the oldest reminder that may still go out
    (its window is open) to the horizon or the latest queued row, whichever is later."""
    start = min([now - timedelta(minutes=window_minutes)] + [r["due_at"] for r in queued])
    end = max([now + horizon] + [r["due_at"] + timedelta(seconds=1) for r in queued])
    return start, end
