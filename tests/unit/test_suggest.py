"""Suggested reminder time: the hours when distress runs highest, with the data behind it."""
from datetime import datetime, timedelta

from core import suggest


def day(i, hour, minute=0):
    return datetime(2026, 11, 1, hour, minute) + timedelta(days=i)


def test_it_finds_the_evening_window_and_says_why():
    pairs = [(day(i, 20, 30), 8 if i < 6 else 4) for i in range(9)]  # 6 of 9 evenings high
    pairs += [(day(i, 9), 3) for i in range(9)]  # calm mornings
    s = suggest.suggest(pairs)
    assert (s.start_hour, s.end_hour, s.high_days, s.days) == (19, 21, 6, 9) or (s.start_hour, s.high_days) == (20, 6)
    assert "distress ≥ 7 on 6 of 9 evenings between" in s.evidence


def test_the_window_is_the_one_with_most_high_days():
    pairs = [(day(i, 21), 9) for i in range(5)] + [(day(i, 7), 9) for i in range(3)]
    s = suggest.suggest(pairs, width=2)
    assert s.start_hour in (20, 21) and s.high_days == 5 and s.at in ("20:00", "21:00")


def test_too_little_data_suggests_nothing():
    assert suggest.suggest([]) is None
    assert suggest.suggest([(day(0, 20), 9), (day(1, 20), 9)]) is None


def test_odd_values_are_ignored_not_fatal():
    pairs = [(day(i, 13), v) for i, v in enumerate([9, "x", None, float("nan"), 10, 8])]
    s = suggest.suggest(pairs)
    assert s.high_days == 3 and "afternoons" in s.evidence
