"""Chart rows from SQL aggregates, hand-computed: heat-map cells in the client's zone (across a DST
change), planned days per step and week by answer, and each day's means with its practice mark."""
from datetime import date

from core import chart_data


def test_heat_cells_are_the_clients_weekday_and_hour_across_a_dst_change():
    # London leaves summer time at 01:00 UTC on Sunday 25 Oct 2026: 07 UTC is 08:00 BST on Saturday,
    # 07:00 GMT on Monday. Two UTC hours that are the same local hour share one cell.
    buckets = [("2026-10-24 07", 6, 2), ("2026-10-26 07", 3, 1), ("2026-11-02 07", 5, 1)]
    assert chart_data.heat_cells(buckets, "Europe/London") == [
        {"weekday": 0, "hour": 7, "distress": 4.0, "checkins": 2},
        {"weekday": 5, "hour": 8, "distress": 3.0, "checkins": 2}]


def test_a_late_evening_utc_hour_is_the_next_local_day_east_of_utc():
    # 23 UTC on Friday 20 Nov is 12:00 on Saturday 21 Nov in Auckland (UTC+13 in summer).
    assert chart_data.heat_cells([("2026-11-20 23", 7, 1)], "Pacific/Auckland") == [
        {"weekday": 5, "hour": 12, "distress": 7.0, "checkins": 1}]
    assert chart_data.heat_cells([], "Europe/London") == []


def test_weekly_counts_are_planned_days_by_week_and_answer():
    planned = [date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 20), date(2026, 11, 23)]
    answers = {date(2026, 11, 16): "done", date(2026, 11, 18): "not_today", date(2026, 11, 21): "done"}  # 21: unplanned
    assert chart_data.weekly_counts([("Walk", planned, answers), ("Breathe", [date(2026, 11, 17)], {})]) == [
        {"step": "Breathe", "week": date(2026, 11, 16), "answer": "no answer", "days": 1},
        {"step": "Walk", "week": date(2026, 11, 16), "answer": "done", "days": 1},
        {"step": "Walk", "week": date(2026, 11, 16), "answer": "no answer", "days": 1},
        {"step": "Walk", "week": date(2026, 11, 16), "answer": "not today", "days": 1},
        {"step": "Walk", "week": date(2026, 11, 23), "answer": "no answer", "days": 1}]
    assert chart_data.weekly_counts([]) == []


def test_daily_points_round_to_one_decimal_and_mark_practised_days():
    daily = [{"day": date(2026, 11, 16), "mood": 5.25, "distress": 3.0, "checkins": 2},
             {"day": date(2026, 11, 17), "mood": 4, "distress": 6.66, "checkins": 1}]
    assert chart_data.daily_points(daily, [date(2026, 11, 16)]) == [
        {"day": date(2026, 11, 16), "mood": 5.2, "distress": 3.0, "checkins": 2, "practised": True},
        {"day": date(2026, 11, 17), "mood": 4.0, "distress": 6.7, "checkins": 1, "practised": False}]
