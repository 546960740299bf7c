"""core.schedule.replan: how queued reminders meet a changed plan (pure, fixed clock)."""
from datetime import date, datetime, time, timedelta, timezone

from core import schedule

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 12, 1)


def row(id_, at, slot="12:00", day=DAY, status="due", step=1):
    return {"id": id_, "step_id": step, "local_date": day, "slot": slot, "due_at": at, "status": status}


def item(at, slot="12:00", day=DAY, step=1):
    return schedule.Planned(step, day, slot, at, at + timedelta(hours=2))


NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
END = NOW + schedule.HORIZON


def test_a_row_still_planned_at_its_instant_stays_and_nothing_is_added_twice():
    assert schedule.replan([row(1, NOON)], [item(NOON)], NOW, END) == schedule.Replan([], [], [])


def test_a_row_whose_instant_changed_moves_and_one_no_longer_planned_is_cancelled():
    later = NOON + timedelta(hours=1)
    change = schedule.replan([row(1, NOON), row(2, NOON, slot="15:00")], [item(later)], NOW, END)
    assert change == schedule.Replan(cancel=[2], move=[(1, item(later))], add=[])


def test_a_new_instant_already_past_cancels_instead_of_sending_late():
    change = schedule.replan([row(1, NOW + timedelta(hours=1))], [item(NOW - timedelta(minutes=5))], NOW, END)
    assert change == schedule.Replan(cancel=[1], move=[], add=[])


def test_a_row_cancelled_by_an_earlier_replan_comes_back_when_its_key_is_planned_again():
    change = schedule.replan([row(1, NOON, status="cancelled")], [item(NOON)], NOW, END)
    assert change == schedule.Replan(cancel=[], move=[(1, item(NOON))], add=[])


def test_new_items_are_added_only_inside_the_horizon():
    soon, late = item(NOON, day=DAY), item(END + timedelta(minutes=1), day=DAY + timedelta(days=1))
    assert schedule.replan([], [soon, late], NOW, END).add == [soon]


def test_a_row_for_a_day_the_plan_did_not_cover_stays_while_its_step_and_slot_are_current():
    old_day = date(2020, 1, 1)
    queued = [row(1, NOW, day=old_day), row(2, NOW, day=old_day, slot="08:00")]
    change = schedule.replan(queued, [], NOW, END, days={DAY}, current={(1, "12:00")})
    assert change.cancel == [2] and change.move == []


def test_client_quiet_hours_that_move_a_reminder_into_range_are_planned():
    slots = [schedule.Slot(1, frozenset(range(7)), time(21, 0))]
    start = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # after last night's 21:00, before its deferred 08:00
    got = schedule.plan_client(slots, "Europe/London", start, start + timedelta(hours=2), practice_quiet=None,
                               client_quiet=(time(20, 0), time(8, 0)), daily_cap=2, window_minutes=120)
    assert [(p.local_date, p.due_at) for p in got] == [(DAY, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))]
