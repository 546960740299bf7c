"""PHQ-9 and GAD-7 scoring against worked examples at every band edge."""
import pytest

from core import measures


def answers_for(total, n):
    out = []
    for _ in range(n):
        take = min(3, total)
        out.append(take)
        total -= take
    return out


@pytest.mark.parametrize("total,band", [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe"),
])
def test_phq9_bands(total, band):
    s = measures.score("phq9", answers_for(total, 9))
    assert (s.total, s.band) == (total, band)


@pytest.mark.parametrize("total,band", [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "severe"), (21, "severe"),
])
def test_gad7_bands(total, band):
    s = measures.score("gad7", answers_for(total, 7))
    assert (s.total, s.band) == (total, band)


def test_a_worked_phq9_example():
    # 1+2+1+2+0+1+1+0+0 = 8 -> mild, item 9 "not at all"
    s = measures.score("phq9", [1, 2, 1, 2, 0, 1, 1, 0, 0])
    assert (s.total, s.band, s.safety_item_positive) == (8, "mild", False)
    assert "8 of 27" in s.explain() and "5–9" in s.explain()


def test_phq9_item_nine_above_not_at_all_is_a_safety_signal_whatever_the_total():
    s = measures.score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert s.band == "minimal" and s.safety_item_positive


@pytest.mark.parametrize("bad", [[0] * 8, [0] * 10, [0] * 8 + [4], [0] * 8 + [-1], [0] * 8 + [1.5], [0] * 8 + [None],
                                 [0] * 8 + ["3"], [0] * 8 + [True], "000000000", None])
def test_bad_answers_are_refused(bad):
    assert measures.validate("phq9", bad)
    with pytest.raises(ValueError):
        measures.score("phq9", bad)
