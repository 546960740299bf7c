"""Plans in core: validation keeps bad input calm, the card wording, mastery and the advance suggestion."""
from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from core import calendar, directive_audit, plans, templates

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)


def test_every_built_in_template_is_valid_and_passes_the_audit():
    assert len(templates.BUILT_IN) >= 10
    for t in templates.BUILT_IN:
        step, errors = plans.validate_step(t["step"])
        assert errors == {}, t["key"]
        assert len(step["levels"]) >= 3 and step["barrier"] and step["if_then"], t["key"]
        assert directive_audit.audit_step(step) == [], (t["key"], directive_audit.audit_step(step))


@pytest.mark.parametrize("field,value", [("duration_min", -1), ("duration_min", 3.5), ("duration_min", "NaN"),
                                         ("duration_min", "1e309"), ("duration_min", 500), ("window_start", "25:00"),
                                         ("window_end", "07:00"), ("level", 11), ("mastery_k", 9),
                                         ("anchor", "x" * 1000)])
def test_bad_input_gets_a_message_for_its_field(field, value):
    form = {**templates.BUILT_IN[0]["step"], field: value}
    _step, errors = plans.validate_step(form)
    assert field in errors and errors[field][0].isupper()


def test_the_card_line_reads_as_an_implementation_intention():
    step = {**plans.blank_step(), "anchor": "After I pour my coffee", "behaviour": "Breathe slowly", "duration_min": 3}
    assert plans.card_line(step) == "After I pour my coffee, I will breathe slowly (3 min)."


def _days(outcomes):
    start = date(2026, 11, 1)
    return [(start + timedelta(days=i), o) for i, o in enumerate(outcomes)]


@pytest.mark.parametrize("outcomes,met", [
    (["done"] * 5 + ["not"] * 2, True),
    (["done"] * 4 + ["partly"] * 3, False),
    (["not"] * 10 + ["done"] * 5 + ["not", "partly"], True),
    (["done"] * 5 + ["not"] * 3, False),  # the last 7 hold only 4 done
    (["done"] * 5, False),  # fewer than 7 planned days so far
])
def test_mastery_is_k_of_the_last_n_planned_days(outcomes, met):
    assert plans.mastery(_days(outcomes), k=5, n=7).met is met


def test_a_met_criterion_only_suggests_advancing():
    step = {**templates.BUILT_IN[3]["step"], "level": 1}
    text = plans.suggestion(step, _days(["done"] * 7))
    assert "level 2" in text and "5 of 7" in text
    assert step["level"] == 1
    assert plans.suggestion(step, _days(["not"] * 7)) == ""


def test_scaling_back_is_worded_as_normal():
    label = plans.level_change_label(3, 2)
    assert "fail" not in label.lower() and "back" not in label.lower()


def test_templates_round_trip_through_json():
    out, problems = templates.import_json(templates.export_json(templates.BUILT_IN))
    assert problems == [] and [t["key"] for t in out] == [t["key"] for t in templates.BUILT_IN]


@pytest.mark.parametrize("text", ["", "{", "null", "[]", '{"format": "other"}', "\udcff",
                                  '{"format": "anchorstep-templates/1", "templates": [{"key": "k", "name": "n", '
                                  '"step": {"behaviour": "walk", "duration_min": -4}}]}',
                                  '{"format": "anchorstep-templates/1", "templates": []}', "[" * 5000])
def test_bad_template_files_import_nothing_with_a_calm_message(text):
    out, problems = templates.import_json(text)
    assert out == [] and problems and all("Traceback" not in p for p in problems)


def test_the_ics_has_a_weekly_rule_per_step_in_the_clients_zone():
    steps = [{**templates.BUILT_IN[0]["step"], "days": [0, 2, 4], "window_start": "07:30", "step_id": 1},
             {**templates.BUILT_IN[7]["step"], "days": [5, 6], "window_start": "22:00", "step_id": 2},
             {**templates.BUILT_IN[1]["step"], "days": [], "step_id": 3}]
    cal = Calendar.from_ical(calendar.build_ics(steps, zone="America/New_York", now=NOW))
    events = cal.walk("VEVENT")
    assert len(events) == 2
    first = events[0]
    assert first["RRULE"]["FREQ"] == ["WEEKLY"] and first["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert first["DTSTART"].dt.hour == 7 and first["DTSTART"].dt.minute == 30
    assert str(first["DTSTART"].dt.tzinfo) == "America/New_York"
    assert first["SUMMARY"].startswith("After I pour my morning coffee, I will")
    assert events[1]["RRULE"]["BYDAY"] == ["SA", "SU"]
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == ["America/New_York"]
