"""Check-in validation: the hostile numbers, dates and text of RELIABILITY.md, one message per field."""
from datetime import date, datetime, timezone

import pytest

from core import checkins, safety

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
PLANNED = {7: {"asks_label": False}, 8: {"asks_label": True}}
KEY = "k" * 24


def form(**kw):
    base = {"local_date": "2026-11-28", "steps": {7: {"status": "done"}}, "mood": 6, "distress": 3,
            "idempotency_key": KEY}
    base.update(kw)
    return base


def test_the_minimal_check_in_is_valid():
    clean, errors = checkins.validate(form(), planned=PLANNED, zone="Europe/London", now=NOW)
    assert errors == {}
    assert clean["steps"] == {7: {"status": "done", "reason": None, "label": None}}
    assert (clean["mood"], clean["distress"]) == (6, 3)


@pytest.mark.parametrize("value", [-1, 11, 3.5, float("nan"), "NaN", 1e309, "1e309", "", None, True, "abc", [3]])
def test_bad_scores_get_a_message_on_their_field(value):
    _, errors = checkins.validate(form(mood=value), planned=PLANNED, zone="Europe/London", now=NOW)
    assert list(errors) == ["mood"]


@pytest.mark.parametrize("value", ["2026-11-26", "2026-02-30", "9999-01-01", "", "yesterday", "2026-11-29"])
def test_only_today_or_yesterday_in_the_clients_zone(value):
    _, errors = checkins.validate(form(local_date=value), planned=PLANNED, zone="Europe/London", now=NOW)
    assert list(errors) == ["local_date"]


def test_yesterday_is_judged_in_the_clients_own_zone():
    # 11:00 UTC on 28 Nov is already 01:00 on 29 Nov in Kiritimati (UTC+14): its yesterday is 28 Nov.
    late = datetime(2026, 11, 28, 11, 0, tzinfo=timezone.utc)
    clean, errors = checkins.validate(form(local_date="2026-11-28"), planned=PLANNED, zone="Pacific/Kiritimati", now=late)
    assert errors == {} and clean["local_date"] == date(2026, 11, 28)
    _, errors = checkins.validate(form(local_date="2026-11-27"), planned=PLANNED, zone="Pacific/Kiritimati", now=late)
    assert "local_date" in errors


def test_not_today_keeps_its_reason_and_done_drops_one():
    clean, errors = checkins.validate(form(steps={7: {"status": "not_today", "reason": "no_time"},
                                                  8: {"status": "done", "reason": "forgot"}}),
                                      planned=PLANNED, zone="Europe/London", now=NOW)
    assert errors == {}
    assert clean["steps"][7]["reason"] == "no_time" and clean["steps"][8]["reason"] is None


def test_a_label_is_accepted_only_where_the_level_asks_for_it():
    _, errors = checkins.validate(form(steps={7: {"status": "done", "label": "catastrophising"}}),
                                  planned=PLANNED, zone="Europe/London", now=NOW)
    assert list(errors) == ["step:7:label"]
    _, errors = checkins.validate(form(steps={8: {"status": "done", "label": "catastrophising"}}),
                                  planned=PLANNED, zone="Europe/London", now=NOW)
    assert errors == {}


def test_unknown_steps_and_statuses_are_refused():
    _, errors = checkins.validate(form(steps={99: {"status": "done"}}), planned=PLANNED, zone="Europe/London", now=NOW)
    assert "steps" in errors
    _, errors = checkins.validate(form(steps={7: {"status": "yes"}}), planned=PLANNED, zone="Europe/London", now=NOW)
    assert list(errors) == ["step:7"]


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
                                  "\u202eevil", "a\u200bb", "e" + "\u0301" * 200, "\\href{javascript:alert(1)}{x}"])
def test_hostile_text_is_kept_exactly_as_typed(text):
    clean, errors = checkins.validate(form(thought=text), planned=PLANNED, zone="Europe/London", now=NOW)
    assert errors == {} and clean["thought"] == text


@pytest.mark.parametrize("text,field", [("x" * 501, "thought"), ("x" * 1_000_000, "thought"), ("a\x00b", "thought"),
                                        ("\ud800", "thought"), ("y" * 101, "context_where")])
def test_too_long_or_unsavable_text_gets_a_message_and_is_kept(text, field):
    clean, errors = checkins.validate(form(**{field: text}), planned=PLANNED, zone="Europe/London", now=NOW)
    assert list(errors) == [field] and clean[field] == text


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "bad key with spaces!!"])
def test_a_missing_or_odd_idempotency_key_asks_for_a_reload(key):
    _, errors = checkins.validate(form(idempotency_key=key), planned=PLANNED, zone="Europe/London", now=NOW)
    assert list(errors) == ["form"]


@pytest.mark.parametrize("distress,flagged", [(8, False), (9, True), (10, True), (None, False)])
def test_distress_at_or_above_the_threshold_raises_a_flag(distress, flagged):
    assert bool(safety.checkin_reasons(distress, 9)) is flagged
