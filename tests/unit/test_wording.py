"""The words beside the numbers: "3 days ago", trend arrows at and around one point, practice answers."""
from datetime import date

import pytest

from core import exports, wording

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize("back,words", [(0, "today"), (1, "yesterday"), (2, "2 days ago"), (3, "3 days ago"),
                                        (-1, "today")])  # a day after today (a zone ahead) is still "today"
def test_ago_counts_whole_days(back, words):
    assert wording.ago(date.fromordinal(TODAY.toordinal() - back), TODAY) == words


def test_ago_with_no_day_says_never():
    assert wording.ago(None, TODAY) == "never"


@pytest.mark.parametrize("recent,previous,words", [
    (6.0, 5.0, "6.0 ↑"),   # up by exactly 1: an arrow
    (4.0, 5.0, "4.0 ↓"),   # down by exactly 1
    (5.9, 5.0, "5.9 →"),   # less than 1 either way: steady
    (4.1, 5.0, "4.1 →"),
    (8.0, 2.0, "8.0 ↑"),
    (5.25, None, "5.2"),   # nothing to compare: the mean alone, one decimal
    (None, 5.0, "—"),      # no mean this week
    (None, None, "—"),
])
def test_trend_words_show_an_arrow_from_one_point(recent, previous, words):
    assert wording.trend_words(recent, previous) == words


def test_practice_answers_in_words_for_the_page_and_raw_for_the_csv():
    answers = [("Breathe", "done", None), ("Walk", "not_today", "forgot"), ("Stretch", "partly", "someone's reason")]
    assert wording.practice_answers(answers) == "Breathe: done; Walk: not today (I forgot); Stretch: partly (someone's reason)"
    assert exports.practice_cell(answers) == "Breathe: done; Walk: not_today (forgot); Stretch: partly (someone's reason)"
    assert wording.practice_answers([]) == exports.practice_cell([]) == ""
