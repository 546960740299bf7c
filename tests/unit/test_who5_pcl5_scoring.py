"""WHO-5 and PCL-5 scoring from hand-worked examples (issue 17), their bands at every edge, refusal to score
with an item missing, and the licence rule: an instrument whose items may not be printed is named "Item N"
to the clinician and is never offered to a client (a test-only instrument, since both real ones allow it)."""
import pytest

from core import measures
from core.i18n import Msg


def who5(*printed: str) -> list[int]:
    """The scores of the answers as a client ticks them on the printed form."""
    return [measures.WHO5.values[measures.WHO5.answers.index(p)] for p in printed]


def test_who5_answers_are_printed_from_all_of_the_time_5_down_to_at_no_time_0():
    m = measures.WHO5
    assert list(zip(m.answers, m.values)) == [
        ("All of the time", 5), ("Most of the time", 4), ("More than half of the time", 3),
        ("Less than half of the time", 2), ("Some of the time", 1), ("At no time", 0)]
    assert "closest to how you have been feeling" in m.stem and m.higher_is_better and m.max_total == 100


def test_a_worked_who5_example_is_four_times_the_raw_score():
    # Most (4) + More than half (3) + Some (1) + At no time (0) + Less than half (2) = raw 10; × 4 = 40.
    answers = who5("Most of the time", "More than half of the time", "Some of the time", "At no time",
                   "Less than half of the time")
    assert answers == [4, 3, 1, 0, 2]
    s = measures.score("who5", answers)
    assert (s.total, s.band, s.safety_item_positive) == (40, "low (screen for depression)", False)
    assert s.explain() == ("WHO-5 total 40 of 100: 4 × the sum of 5 items scored 0–5; 29–50 is the published "
                           "'low (screen for depression)' band.")


@pytest.mark.parametrize("raw,total,band", [
    (0, 0, "very low (likely depression: assess)"), (7, 28, "very low (likely depression: assess)"),
    (8, 32, "low (screen for depression)"), (12, 48, "low (screen for depression)"),
    (13, 52, "not low"), (25, 100, "not low"),
])
def test_who5_bands_at_each_edge(raw, total, band):
    answers = [min(5, max(0, raw - 5 * i)) for i in range(5)]  # e.g. raw 13 -> 5, 5, 3, 0, 0
    assert sum(answers) == raw
    s = measures.score("who5", answers)
    assert (s.total, s.band) == (total, band)


def test_a_worked_pcl_example_at_the_cut_off_and_one_point_below():
    answers = [2, 1, 0, 3, 2, 1, 2, 0, 3, 2, 3, 1, 2, 2, 1, 0, 3, 2, 2, 1]  # 8 + 8 + 9 + 8 = 33
    s = measures.score("pcl5", answers)
    assert (s.total, s.band) == (33, "at or above the provisional PTSD cut-off")
    assert "33 of 80" in s.explain() and "20 items scored 0–4" in s.explain()
    answers[1] = 0
    assert measures.score("pcl5", answers).band == "below the provisional PTSD cut-off"
    assert measures.score("pcl5", answers).total == 32


@pytest.mark.parametrize("answers,total", [([0] * 20, 0), ([4] * 20, 80), ([1] * 20, 20)])
def test_pcl_totals_span_0_to_80_and_raise_no_safety_signal(answers, total):
    s = measures.score("pcl5", answers)
    assert s.total == total and not s.safety_item_positive


def test_pcl_answers_are_not_at_all_0_to_extremely_4():
    m = measures.PCL5
    assert list(zip(m.answers, m.values)) == [("Not at all", 0), ("A little bit", 1), ("Moderately", 2),
                                              ("Quite a bit", 3), ("Extremely", 4)]
    assert len(m.items) == 20 and m.max_total == 80 and not m.higher_is_better


@pytest.mark.parametrize("code,answers", [
    ("who5", [3, 3, 3, 3]), ("who5", [3, 3, None, 3, 3]), ("who5", [3, 3, 3, 3, 6]), ("who5", [3, 3, 3, 3, -1]),
    ("pcl5", [2] * 19), ("pcl5", [2] * 19 + [None]), ("pcl5", [2] * 19 + [5]), ("pcl5", [2] * 21),
    ("pcl5", [2] * 19 + ["2"]),
])
def test_who5_and_pcl_refuse_to_score_with_an_item_missing_or_out_of_range(code, answers):
    assert measures.validate(code, answers)
    with pytest.raises(ValueError):
        measures.score(code, answers)


def test_who5_and_pcl_note_their_licence_and_only_pcl_has_our_introduction():
    assert "Free to use" in measures.WHO5.licence and "Public domain" in measures.PCL5.licence
    assert measures.WHO5.items_may_be_shown and measures.PCL5.items_may_be_shown
    assert measures.WHO5.intro == () and len(measures.PCL5.intro) == 3
    assert all(isinstance(p, Msg) for p in measures.PCL5.intro)  # our words: in the catalog, translated
    assert any("hard to read" in p for p in measures.PCL5.intro)
    assert any("not monitored in real time" in p for p in measures.PCL5.intro)


def test_pcl_item_texts_are_shown_to_the_clinician_because_its_licence_allows():
    assert measures.item_label("pcl5", 1) == "2. Repeated, disturbing dreams of the stressful experience?"
    assert measures.item_scores("who5", [5, 4, 3, 2, 1])[4] == (
        "5. My daily life has been filled with things that interest me", 1)
    assert {"who5", "pcl5"} <= set(measures.assignable())


@pytest.fixture
def closed_instrument(monkeypatch):
    """An instrument whose (imaginary) licence forbids printing its items."""
    m = measures.Measure("closed3", "Closed (test only)", ("Secret item one", "Secret item two", "Secret three"),
                         ((0, 9, "any"),), short="CLOSED-3", items_may_be_shown=False)
    monkeypatch.setitem(measures.MEASURES, "closed3", m)
    return m


def test_pcl_rule_an_instrument_whose_licence_forbids_item_texts_is_item_n_and_never_offered(closed_instrument):
    assert measures.item_scores("closed3", [1, 0, 2]) == [("Item 1", 1), ("Item 2", 0), ("Item 3", 2)]
    assert "closed3" not in measures.assignable()
    assert measures.score("closed3", [1, 0, 2]).total == 3  # still scored like any other


def test_who5_takes_about_two_minutes_and_pcl_up_to_ten():
    assert [measures.minutes(c) for c in ("phq9", "gad7", "who5", "pcl5")] == [2, 2, 2, 10]
