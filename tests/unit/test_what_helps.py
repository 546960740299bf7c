"""The "what helps" arithmetic against hand-computed cases: median change, counts, unrated uses counted
as uses but not in the change, the too-few rule, wording of rises and no change, times of day in the
client's zone across a DST change, and the one-tap/rating validation."""
from datetime import date, datetime, timezone

import pytest

from core import skill_uses as rules


def helps(groups, hours=(), skills=None):
    return rules.summarise(list(groups), list(hours), skills or {1: "Breathing", 2: "Grounding"})


def test_helps_median_change_counts_and_the_issue_sentence():
    # 9 uses; 7 rated both times: changes 3,3,3,2,4,1,2 -> sorted 1,2,2,3,3,3,4 -> median 3;
    # befores 7,7,8,6,8,5,7 -> median 7; afters 4,4,5,4,4,4,5 -> median 4; fell by 2+: 6 of 7
    groups = [(1, 7, 4, True, 2), (1, 8, 5, True, 1), (1, 6, 4, None, 1), (1, 8, 4, True, 1), (1, 5, 4, False, 1),
              (1, 7, 5, None, 1), (1, None, None, None, 1), (1, 6, None, True, 1)]
    [h] = helps(groups, [(1, 20, 6), (1, 8, 3)])
    assert (h.uses, h.rated, h.median_change, h.median_before, h.median_after, h.fell_meaningfully) == (9, 7, 3, 7, 4, 6)
    assert h.sentence() == ("Breathing: used 9 times, mostly evenings; rated before and after 7 times; distress fell "
                            "by a median of 3 points (from 7 to 4); 6 of 7 fell by 2 or more.")
    assert (h.helped_yes, h.helped_no) == (5, 1)
    assert "unrated uses count as uses but not in the change" in h.workings()
    assert "evenings 6" in h.workings() and "mornings 3" in h.workings()


def test_helps_unrated_uses_count_as_uses_but_not_in_the_change():
    [h] = helps([(1, None, 3, None, 4), (1, 6, None, None, 2)])
    assert (h.uses, h.rated, h.median_change) == (6, 0, None)
    assert "never rated both before and after" in h.sentence()


def test_helps_too_few_rated_uses_are_said_plainly_and_never_compared():
    [a, b] = helps([(2, 9, 1, True, 4), (1, 7, 6, None, 5)])
    assert a.skill == "Breathing" and b.skill == "Grounding"  # the plan's order, not the effect
    assert b.too_few and "too few rated uses" in b.sentence() and "fell by a median" not in b.sentence()
    assert not a.too_few and "fell by a median of 1 point (from 7 to 6)" in a.sentence()


def test_helps_even_count_median_rise_and_no_change():
    # changes -1, -2 -> median -1.5: a rise
    [h] = helps([(1, 3, 4, None, 3), (1, 3, 5, None, 3)])
    assert h.median_change == -1.5 and "rose by a median of 1.5 points (from 3 to 4.5)" in h.sentence()
    [same] = helps([(1, 5, 5, None, 5)])
    assert "did not change (median)" in same.sentence() and same.fell_meaningfully == 0


def test_helps_a_step_no_longer_on_the_plan_is_still_shown_after_the_current_ones():
    out = helps([(9, 5, 2, None, 1), (1, 5, 2, None, 1)], skills={1: "Breathing", 9: "Old step"})
    assert [h.skill for h in out] == ["Breathing", "Old step"]


@pytest.mark.parametrize("at,expected", [
    # London: BST until 25 Oct 2026 01:00 UTC. 07:30 local is 06:30 UTC before, 07:30 UTC after.
    (datetime(2026, 10, 24, 6, 30, tzinfo=timezone.utc), (date(2026, 10, 24), "07:30")),
    (datetime(2026, 10, 26, 7, 30, tzinfo=timezone.utc), (date(2026, 10, 26), "07:30")),
    # the repeated hour on the change day: 00:30 and 01:30 UTC are both 01:30 local
    (datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), (date(2026, 10, 25), "01:30")),
    (datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc), (date(2026, 10, 25), "01:30")),
    # 23:30 UTC on 31 Dec in New York is the same day's evening, not the next day
    (datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc), (date(2026, 12, 31), "18:30")),
])
def test_helps_times_of_day_are_the_clients_own_across_a_dst_change(at, expected):
    zone = "America/New_York" if at.month == 12 else "Europe/London"
    assert rules.local_stamp(zone, at) == expected


def test_helps_parts_of_day_come_from_the_local_hours():
    [h] = helps([(1, None, None, None, 4)], [(1, 7, 1), (1, 7, 1), (1, 23, 1), (1, 2, 1)])
    assert h.parts == {"mornings": 2, "nights": 2}
    assert "mostly mornings" in h.sentence()  # a tie goes to the earlier part of the day


@pytest.mark.parametrize("value,expected", [("", (None, True)), (None, (None, True)), ("0", (0, True)),
                                            ("10", (10, True)), ("11", (None, False)), ("-1", (None, False)),
                                            ("3.5", (None, False)), ("NaN", (None, False)), ("1e309", (None, False)),
                                            ("０", (None, False))])
def test_skill_ratings_are_optional_whole_numbers_from_0_to_10(value, expected):
    assert rules.rating(value) == expected


def test_skill_one_tap_answer_needs_a_button():
    assert rules.helped("yes") == (True, True) and rules.helped("no") == (False, True)
    assert rules.helped("skip") == (None, True)
    assert rules.helped(None) == (None, False) and rules.helped("") == (None, False)


def test_skill_safety_reasons_at_or_above_the_threshold_before_or_after():
    assert rules.safety_reasons(8, 8, 9) == []
    assert len(rules.safety_reasons(9, None, 9)) == 1 and len(rules.safety_reasons(10, 9, 9)) == 2


def test_skill_guides_by_template():
    assert rules.guide({"template_key": "grounding"}) == "grounding" and rules.screens({"template_key": "grounding"}) == 5
    assert rules.guide({"template_key": "breathing"}) == "breathing" and rules.screens({"template_key": "breathing"}) == 1
    assert rules.guide({"template_key": ""}) == "steps"


def test_skill_small_wins_week_starts_on_monday():
    assert rules.week_start(date(2026, 11, 28)) == date(2026, 11, 23)  # a Saturday
    assert rules.week_start(date(2026, 11, 23)) == date(2026, 11, 23)
