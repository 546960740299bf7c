"""Reminder times across two simulated years in several zones: one reminder per planned local day,
at the right local time, whatever daylight saving does."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core import schedule

UTC = timezone.utc
ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Australia/Adelaide", "Asia/Kolkata",
         "America/St_Johns", "Pacific/Chatham", "Asia/Kathmandu"]
TIMES = [time(0, 30), time(1, 30), time(2, 30), time(9, 0)]


def expected_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """What the clock should read: `at`, or later by the gap when `at` does not exist that day."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    roundtrip = aware.astimezone(UTC).astimezone(zone)
    return roundtrip


@pytest.mark.parametrize("zone_name", ZONES)
def test_two_years_hour_by_hour_give_one_reminder_per_day_at_the_right_local_time(zone_name):
    zone = ZoneInfo(zone_name)
    slots = [schedule.Slot(i, frozenset(range(7)), t, priority=i) for i, t in enumerate(TIMES)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    seen: dict[tuple, datetime] = {}
    tick = start
    # The worker plans the next 24 hours on every pass (here every 5 hours, so windows overlap and
    # every instant is covered more than once); the unique key absorbs the overlaps.
    while tick < start + timedelta(days=731):
        for p in schedule.plan(slots, zone_name, tick, tick + timedelta(hours=24), daily_cap=4):
            key = (p.step_id, p.local_date, p.slot)
            assert seen.setdefault(key, p.due_at) == p.due_at, f"{key} planned at two different instants"
        tick += timedelta(hours=5)
    days = {}
    for (step, day, slot), due in seen.items():
        days.setdefault((step, day), []).append(due)
        local = due.astimezone(zone)
        want = expected_local(day, TIMES[step], zone)
        assert local == want, (zone_name, day, slot, local, want)
        assert local.strftime("%H:%M") >= TIMES[step].strftime("%H:%M") or local.date() > day
    first, last = date(2026, 1, 2), date(2027, 12, 30)
    for step in range(len(TIMES)):
        got = sorted(d for (s, d) in days if s == step and first <= d <= last)
        assert got == [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert all(len(v) == 1 for v in days.values())


def test_a_morning_reminder_stays_at_0730_local_across_both_changes():
    for day in (date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), date(2026, 10, 24), date(2026, 10, 25),
                date(2026, 10, 26)):
        assert schedule.to_utc(day, time(7, 30), ZoneInfo("Europe/London")).astimezone(
            ZoneInfo("Europe/London")).strftime("%H:%M") == "07:30"


def test_a_missing_local_time_moves_forward_and_an_ambiguous_one_takes_the_first():
    london = ZoneInfo("Europe/London")
    spring = schedule.to_utc(date(2026, 3, 29), time(1, 30), london)  # 01:00 -> 02:00 jump
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC) and spring.astimezone(london).strftime("%H:%M") == "02:30"
    autumn = schedule.to_utc(date(2026, 10, 25), time(1, 30), london)  # 01:30 happens twice
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_quiet_hours_defer_to_their_end_and_never_drop():
    slots = [schedule.Slot(1, frozenset(range(7)), time(22, 30))]
    out = schedule.plan(slots, "Europe/London", datetime(2026, 6, 1, 12, tzinfo=UTC), datetime(2026, 6, 3, 12, tzinfo=UTC),
                        quiet=(time(22, 0), time(7, 0)))
    assert [p.due_at.astimezone(ZoneInfo("Europe/London")).strftime("%d %H:%M") for p in out] == ["02 07:00", "03 07:00"]
    assert [p.local_date.day for p in out] == [1, 2]


def test_the_daily_cap_keeps_the_most_important_steps():
    slots = [schedule.Slot(1, frozenset(range(7)), time(8), priority=2), schedule.Slot(2, frozenset(range(7)), time(12), priority=0),
             schedule.Slot(3, frozenset(range(7)), time(18), priority=1)]
    out = schedule.plan(slots, "UTC", datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC), daily_cap=2)
    assert [p.step_id for p in out] == [2, 3]


def test_weekdays_are_the_clients_local_weekdays():
    # Monday 08:00 in Sydney is Sunday 21:00 UTC.
    slots = [schedule.Slot(1, frozenset({0}), time(8))]
    out = schedule.plan(slots, "Australia/Sydney", datetime(2026, 6, 7, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC))
    assert [(p.local_date.weekday(), p.due_at) for p in out] == [(0, datetime(2026, 6, 7, 22, 0, tzinfo=UTC))]
