"""Metrics with hand-computed expectations, and flag rules at and around each threshold."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core import metrics

START, END = date(2026, 11, 14), date(2026, 11, 27)  # Sat 14 Nov .. Fri 27 Nov: two full weeks
WEEKDAYS = frozenset({0, 1, 2, 3, 4, 5, 6})


def planned_dates(weekdays, start, end):
    """The one-version case: these weekdays in effect throughout."""
    return metrics.planned_dates_replayed([(date.min, frozenset(weekdays))], start, end)


def test_planned_days_follow_the_steps_weekdays():
    assert len(planned_dates(WEEKDAYS, START, END)) == 14
    mon_wed_fri = planned_dates(frozenset({0, 2, 4}), START, END)
    assert [d.day for d in mon_wed_fri] == [16, 18, 20, 23, 25, 27]
    assert planned_dates(WEEKDAYS, END, START) == []


def test_replayed_planned_days_use_the_version_saved_on_or_before_each_day():
    versions = [(date(2026, 11, 10), frozenset({0, 2, 4})),  # Mon, Wed, Fri
                (date(2026, 11, 20), frozenset({1, 3})),     # Tue, Thu from Friday 20 Nov
                (date(2026, 11, 25), frozenset())]           # retired on Wednesday 25 Nov
    assert [d.day for d in metrics.planned_dates_replayed(versions, START, END)] == [16, 18, 24]
    assert metrics.planned_dates_replayed([(date(2026, 11, 25), frozenset({0, 1, 2, 3, 4, 5, 6}))], START, END) == [
        date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]  # nothing before the step was added
    assert metrics.planned_dates_replayed([], START, END) == []


def test_nine_of_fourteen_with_partly_counting_and_unplanned_days_excluded():
    planned = planned_dates(frozenset({0, 1, 2, 3, 4, 5, 6}), START, END)
    outcomes = {START + timedelta(days=i): "done" for i in range(7)}
    outcomes.update({START + timedelta(days=7 + i): "partly" for i in range(2)})
    outcomes.update({START + timedelta(days=9 + i): "not_today" for i in range(3)})
    a = metrics.adherence(planned, outcomes, START, END)
    assert (a.planned, a.practised, a.not_today, a.no_answer, a.percent) == (14, 9, 3, 2, 64)
    assert a.sentence() == "Practised on 9 of 14 planned days (64%)."
    assert "14 Nov" in a.workings() and "27 Nov" in a.workings() and "'partly' (2)" in a.workings()


def test_answers_on_days_without_a_plan_are_shown_as_excluded():
    planned = planned_dates(frozenset({0}), START, END)  # Mondays 16 and 23
    a = metrics.adherence(planned, {date(2026, 11, 16): "done", date(2026, 11, 17): "done"}, START, END)
    assert (a.planned, a.practised, a.unplanned_entries) == (2, 1, 1)
    assert "1 answer(s) on days with no plan are excluded" in a.workings()


def test_an_empty_window_says_so_instead_of_dividing_by_zero():
    a = metrics.adherence([], {}, START, END)
    assert a.percent is None and a.sentence().startswith("No practice was planned")


@pytest.mark.parametrize("gap,flagged", [(3, False), (4, True), (5, True)])
def test_no_check_in_flag_at_the_threshold(gap, flagged):
    today = date(2026, 11, 28)
    assert (metrics.no_checkin_flag(today - timedelta(days=gap), today, 4) is not None) is flagged


@pytest.mark.parametrize("n,previous_done,recent_done,drop,flagged", [
    (14, 14, 10, 29, False),  # 100% -> 71%
    (14, 14, 9, 36, True),    # 100% -> 64%
    (10, 10, 7, 30, True),    # 100% -> 70%: exactly at the threshold
    (10, 10, 8, 20, False),   # 100% -> 80%
])
def test_adherence_drop_flag_at_thirty_points(n, previous_done, recent_done, drop, flagged):
    planned = planned_dates(WEEKDAYS, START, END)[:n]
    prev = metrics.adherence(planned, {d: "done" for d in planned[:previous_done]}, START, END)
    rec = metrics.adherence(planned, {d: "done" for d in planned[:recent_done]}, START, END)
    assert prev.percent - rec.percent == drop
    flag = metrics.adherence_drop_flag(rec, prev, 30)
    assert (flag is not None) is flagged
    if flag:
        assert f"({drop} points" in flag.words


@pytest.mark.parametrize("days,flagged", [(15, False), (14, True), (0, True), (-1, True)])
def test_consent_due_flag_within_fourteen_days(days, flagged):
    now = datetime(2026, 11, 28, 9, tzinfo=timezone.utc)
    assert (metrics.consent_due_flag(now + timedelta(days=days, hours=1), now, zone="UTC", within_days=14) is not None) is flagged


def test_flags_sort_with_safety_first():
    flags = metrics.sort_flags([metrics.Flag("consent_due", "c", 4), None, metrics.Flag("safety", "s", 0),
                                metrics.Flag("quiet", "q", 2)])
    assert [f.kind for f in flags] == ["safety", "quiet", "consent_due"]


def test_safety_and_failing_reminder_flags_count_in_words_and_only_when_there_are_some():
    assert metrics.safety_flag(0) is None and metrics.reminders_failing_flag(0) is None
    assert metrics.safety_flag(2) == metrics.Flag("safety", "2 safety flag(s) waiting for review.", 1)
    assert metrics.reminders_failing_flag(1) == metrics.Flag("reminders_failing",
                                                             "1 reminder(s) failed in the last 14 days.", 5)
    assert [f.kind for f in metrics.sort_flags([metrics.reminders_failing_flag(1), None, metrics.safety_flag(1)])] == [
        "safety", "reminders_failing"]
