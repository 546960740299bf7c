"""Personal items' rules (core.personal_items): what a clinician may write, what a client may answer."""
import pytest

from core import personal_items as rules
from core.personal_items import Item

SCALE = Item(item_id=1, version_id=11, position=1, kind="scale", wording="Urge to check the door locks",
             low_word="none", high_word="overwhelming")
YESNO = Item(item_id=2, version_id=12, position=2, kind="yesno", wording="Did I leave the house today?",
             low_word=None, high_word=None)


def test_personal_item_scale_needs_its_wording_and_both_end_words():
    clean, errors = rules.validate("scale", "  Urge to check the door locks ", "none", "overwhelming")
    assert errors == {} and clean == {"kind": "scale", "wording": "Urge to check the door locks",
                                      "low_word": "none", "high_word": "overwhelming"}
    clean, errors = rules.validate("scale", "", " ", "the most")
    assert set(errors) == {"wording", "low_word"} and clean["high_word"] == "the most"  # the valid part is kept


def test_personal_item_yes_no_keeps_no_end_words():
    clean, errors = rules.validate("yesno", "Did I leave the house?", "ignored", "ignored")
    assert errors == {} and clean["low_word"] is None and clean["high_word"] is None


@pytest.mark.parametrize("kind", [None, "", "likert", "SCALE"])
def test_personal_item_kind_must_be_scale_or_yes_no(kind):
    _, errors = rules.validate(kind, "Worry", "low", "high")
    assert "kind" in errors


def test_personal_item_length_limits_and_unsavable_characters_get_calm_messages():
    _, errors = rules.validate("scale", "x" * (rules.WORDING_MAX + 1), "y" * (rules.END_MAX + 1), "ok")
    assert "121" in errors["wording"] and f"{rules.END_MAX}" in errors["low_word"]
    assert set(rules.validate("scale", "x" * rules.WORDING_MAX, "y" * rules.END_MAX, "z")[1]) == set()
    _, errors = rules.validate("yesno", "two\nlines")
    assert "line break" in errors["wording"]
    _, errors = rules.validate("yesno", "nul\x00here")
    assert "wording" in errors


def test_personal_item_markup_and_emoji_are_words_like_any_other():
    hostile = "[x](https://e.test) ![i](x.png) $x^2$ :skull: 🙂 <b>"
    clean, errors = rules.validate("yesno", hostile)
    assert errors == {} and clean["wording"] == hostile


def test_personal_item_at_most_three():
    assert rules.room_for_one_more(2) == {}
    assert "3 personal items" in rules.room_for_one_more(3)["form"]


def test_personal_item_answers_are_optional_and_blank_means_not_answered():
    assert rules.validate_answers({}, [SCALE, YESNO]) == ({}, {})
    assert rules.validate_answers({"11": "", "12": ""}, [SCALE, YESNO]) == ({}, {})
    assert rules.validate_answers({"11": "0", "12": "no"}, [SCALE, YESNO]) == ({11: 0, 12: 0}, {})
    assert rules.validate_answers({11: "10", 12: "yes"}, [SCALE, YESNO]) == ({11: 10, 12: 1}, {})


@pytest.mark.parametrize("raw", ["11", "-1", "4.5", "nan", "inf", "four", "1e400", True])
def test_personal_item_scale_answer_must_be_a_whole_number_from_0_to_10(raw):
    clean, errors = rules.validate_answers({"11": raw}, [SCALE])
    assert clean == {} and "0 to 10" in errors["pi_11"]


@pytest.mark.parametrize("raw", ["maybe", "1", "0", "YES", "true"])
def test_personal_item_yes_no_answer_must_be_yes_or_no(raw):
    clean, errors = rules.validate_answers({"12": raw}, [YESNO])
    assert clean == {} and "yes or no" in errors["pi_12"]


def test_personal_item_answer_to_a_version_no_longer_asked_is_refused_calmly():
    clean, errors = rules.validate_answers({"99": "3", "11": "4", "x": "1"}, [SCALE])
    assert clean == {11: 4} and "changed by your clinician" in errors["personal"]


def _rows():
    from datetime import date, datetime, timezone
    base = dict(item_id=1, position=1, kind="scale", low_word="none", high_word="a lot",
                valid_from=datetime(2026, 11, 1, tzinfo=timezone.utc))
    return [
        {**base, "version_id": 11, "wording": "Old words", "valid_to": datetime(2026, 11, 20, tzinfo=timezone.utc),
         "day": date(2026, 11, 19), "mean": 7.333333, "yes": 22, "answers": 3},
        {**base, "version_id": 12, "wording": "New words", "valid_to": None, "valid_from":
         datetime(2026, 11, 20, tzinfo=timezone.utc), "day": date(2026, 11, 21), "mean": 4, "yes": 4, "answers": 1},
        {**base, "version_id": 12, "wording": "New words", "valid_to": None, "valid_from":
         datetime(2026, 11, 20, tzinfo=timezone.utc), "day": date(2026, 11, 22), "mean": 5.25, "yes": 21, "answers": 4},
    ]


def test_personal_item_series_are_one_per_version_never_joined_across_a_rewording():
    from core import chart_data
    series = chart_data.personal_series(_rows())
    assert [(s["version_id"], s["wording"], [p["mean"] for p in s["points"]]) for s in series] == [
        (11, "Old words", [7.3]), (12, "New words", [4.0, 5.2])]


def test_personal_item_how_computed_says_what_each_point_is():
    from core import chart_data
    old, new = chart_data.personal_series(_rows())
    how = rules.how_computed(new)
    assert "mean of the day's answers from 0 (none) to 10 (a lot)" in how and "5 answers on 2 days" in how
    assert "asked from 20 Nov 2026;" in how and "new series" in how
    assert "from 01 Nov 2026 to 20 Nov 2026" in rules.how_computed(old)
    yesno = {**new, "kind": "yesno", "points": [{"day": None, "mean": 0.5, "yes": 1, "answers": 2},
                                                {"day": None, "mean": 1.0, "yes": 1, "answers": 1}]}
    assert "2 yes of 3 answers on 2 days" in rules.how_computed(yesno)
