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
