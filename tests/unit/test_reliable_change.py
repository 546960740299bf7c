"""Reliable and clinically significant change, from examples worked by hand (Jacobson & Truax 1991 and
the published fixed points), for each instrument. The constants are the ones in core.measures:
PHQ-9 and GAD-7 SD 3.5, r 0.89: S_diff = 3.5 · √(2 · 0.11) = 1.6416, threshold 1.96 · 1.6416 = 3.22 points;
WHO-5 SD 21.04, r 0.87: S_diff = 21.04 · √(2 · 0.13) = 10.728, threshold 21.03 points;
PCL-5 published threshold 15 points (S_diff = 15 / 1.96 = 7.653)."""
from datetime import date

import pytest

from core import measures, reliable_change as rc
from core.reliable_change import DETERIORATED, FIXED_POINTS, IMPROVED, JACOBSON_TRUAX, NO_CHANGE

D1, D2 = date(2026, 10, 5), date(2026, 11, 30)


def change(measure, first, last, rule=JACOBSON_TRUAX):
    return rc.Change(measure, rule, first, D1, last, D2)


def test_reliable_change_constants_are_cited_for_every_instrument():
    for m in measures.MEASURES.values():
        assert m.change and m.fixed_points, m.code
        assert "(20" in m.change.source, m.code  # a paper and its year
        assert str(m.fixed_points.points) in m.fixed_points.source and str(m.change.clinical_at) in m.change.source
        assert (m.change.sd is not None and m.change.reliability is not None) or m.change.published_points


@pytest.mark.parametrize("measure, s_diff, threshold", [("phq9", 1.6416, 3.22), ("gad7", 1.6416, 3.22),
                                                       ("who5", 10.728, 21.03), ("pcl5", 7.653, 15.0)])
def test_reliable_change_s_diff_matches_the_hand_worked_value(measure, s_diff, threshold):
    c = change(measure, 10, 10)
    assert c.s_diff == pytest.approx(s_diff, abs=0.001)
    assert rc.Z * c.s_diff == pytest.approx(threshold, abs=0.01)


@pytest.mark.parametrize("measure, first, last, rci, category, recovery", [
    # PHQ-9 (lower is better, cut-off 10 and above)
    ("phq9", 18, 7, -6.70, IMPROVED, "reliably recovered"),     # -11 / 1.6416
    ("phq9", 12, 9, -1.83, NO_CHANGE, "recovered"),             # crossed the cut-off, change too small
    ("phq9", 8, 3, -3.05, IMPROVED, None),                      # baseline already below the cut-off
    ("phq9", 10, 14, 2.44, DETERIORATED, None),
    ("phq9", 14, 11, -1.83, NO_CHANGE, None),                   # 3 points: below the 3.22 threshold
    ("phq9", 14, 10, -2.44, IMPROVED, None),                    # 4 points reliable, but 10 is still clinical
    # GAD-7 (cut-off 10)
    ("gad7", 12, 8, -2.44, IMPROVED, "reliably recovered"),
    ("gad7", 5, 2, -1.83, NO_CHANGE, None),
    ("gad7", 6, 13, 4.26, DETERIORATED, None),
    # WHO-5 (higher is better, 50 and below is clinical)
    ("who5", 28, 52, 2.24, IMPROVED, "reliably recovered"),     # +24 / 10.728
    ("who5", 40, 60, 1.86, NO_CHANGE, "recovered"),             # +20: not reliable, crossed 50
    ("who5", 60, 36, -2.24, DETERIORATED, None),                # a fall is a deterioration
    ("who5", 56, 80, 2.24, IMPROVED, None),                     # baseline above 50: nothing to recover from
    # PCL-5 (published 15 points, cut-off 33 and above)
    ("pcl5", 48, 30, -2.35, IMPROVED, "reliably recovered"),    # -18 / 7.653
    ("pcl5", 50, 35, -1.96, IMPROVED, None),                    # exactly 15: reliable; 35 still clinical
    ("pcl5", 45, 31, -1.83, NO_CHANGE, "recovered"),            # 14 points
    ("pcl5", 20, 40, 2.61, DETERIORATED, None),
])
def test_reliable_change_jacobson_truax_hand_worked(measure, first, last, rci, category, recovery):
    c = change(measure, first, last)
    assert c.rci == pytest.approx(rci, abs=0.01)
    assert (c.category, c.recovery) == (category, recovery)


@pytest.mark.parametrize("measure, first, last, category, recovery", [
    ("phq9", 16, 10, IMPROVED, None),                  # exactly 6: reliable; 10 is caseness, still clinical
    ("phq9", 15, 9, IMPROVED, "reliably recovered"),
    ("phq9", 15, 10, NO_CHANGE, None),                 # 5 points
    ("phq9", 12, 9, NO_CHANGE, "recovered"),
    ("gad7", 12, 8, IMPROVED, None),                   # IAPT caseness for GAD-7 is 8: 8 is still a case
    ("gad7", 11, 7, IMPROVED, "reliably recovered"),   # exactly 4
    ("gad7", 7, 10, NO_CHANGE, None),                  # baseline below caseness; +3
    ("gad7", 3, 7, DETERIORATED, None),
    ("who5", 40, 50, IMPROVED, None),                  # exactly +10: reliable; 50 still clinical
    ("who5", 40, 52, IMPROVED, "reliably recovered"),
    ("who5", 44, 52, NO_CHANGE, "recovered"),
    ("who5", 72, 60, DETERIORATED, None),
    ("pcl5", 40, 30, IMPROVED, "reliably recovered"),  # exactly 10
    ("pcl5", 40, 31, NO_CHANGE, "recovered"),
    ("pcl5", 20, 31, DETERIORATED, None),
])
def test_reliable_change_fixed_points_hand_worked(measure, first, last, category, recovery):
    c = change(measure, first, last, FIXED_POINTS)
    assert c.rci is None
    assert (c.category, c.recovery) == (category, recovery)


def test_reliable_change_workings_show_formula_constants_citations_scores_and_dates():
    c = change("phq9", 18, 7)
    text = c.workings()
    for part in ("RCI = (x2 − x1) / S_diff", "√(2 · (3.5 · √(1 − 0.89))²)", "1.64", "-6.70", "Kocalevent",
                 "Kroenke", "Jacobson & Truax (1991)", "18 on 5 Oct 2026", "7 on 30 Nov 2026", "10 and above"):
        assert part in text, part
    assert c.sentence() == "PHQ-9: reliable improvement, and reliably recovered (now on the other side of the " \
                           "cut-off), from 18 on 5 Oct to 7 on 30 Nov."


def test_reliable_change_workings_say_a_healthy_baseline_cannot_recover():
    text = change("who5", 56, 80).workings()
    assert "already on the healthy side" in text and "50 and below is the clinical side" in text


def test_reliable_change_fixed_points_workings_cite_the_manual():
    text = change("gad7", 12, 8, FIXED_POINTS).workings()
    assert "4 points or more" in text and "IAPT" in text and "8 and above" in text


def test_reliable_change_episode_sentence_uses_the_newest_answer_and_names_the_baseline():
    ep = rc.Episode("phq9", 1, D1, {"id": 1, "total": 18, "day": D1},
                    [{"id": 2, "total": 15, "day": date(2026, 10, 12)}, {"id": 3, "total": 7, "day": D2}],
                    JACOBSON_TRUAX, chosen_by="Clara")
    text, workings = rc.latest_sentence(ep)
    assert "from 18 on 5 Oct to 7 on 30 Nov" in text and "chosen by Clara" in workings
    alone = rc.Episode("gad7", 1, D1, {"id": 1, "total": 12, "day": D1}, [], JACOBSON_TRUAX)
    assert "needs a second answer" in rc.latest_sentence(alone)[0]


def test_reliable_change_counts_per_instrument():
    rows = [("phq9", 18, 7), ("phq9", 12, 9), ("phq9", 10, 14), ("who5", 28, 52), ("who5", 60, 36)]
    got = rc.counts(rows, JACOBSON_TRUAX)
    assert got["phq9"] == {IMPROVED: 1, NO_CHANGE: 1, DETERIORATED: 1, "recovered": 1, "reliably recovered": 1,
                           "episodes": 3}
    assert (got["who5"][IMPROVED], got["who5"][DETERIORATED], got["gad7"]["episodes"]) == (1, 1, 0)


def test_reliable_change_is_marked_on_the_measure_chart():
    from components import client_view_charts as charts
    ep = rc.Episode("phq9", 1, D1, {"id": 1, "total": 18, "day": D1},
                    [{"id": 2, "total": 15, "day": date(2026, 10, 12)}, {"id": 3, "total": 7, "day": D2}],
                    JACOBSON_TRUAX)
    rows = [{"day": d, "measure": "phq9", "total": t, "band": "x"} for d, t in
            ((D1, 18), (date(2026, 10, 12), 15), (D2, 7))]
    spec = charts.scores(rows, [ep])[0].to_dict()
    marks = [layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "line", "rule", "point"]  # bands, totals, the baseline, the verdicts
    verdicts = spec["layer"][3]["encoding"]["shape"]["scale"]["domain"]
    assert verdicts == [IMPROVED, NO_CHANGE, DETERIORATED]
    data = spec["datasets"][spec["layer"][3]["data"]["name"]]
    assert [(r["total"], r["verdict"]) for r in data] == [(15, NO_CHANGE), (7, IMPROVED)]
    assert "reliable change from the baseline" in str(spec["title"])
    assert len(charts.scores(rows)[0].to_dict()["layer"]) == 2  # no episode: bands and totals only


def test_reliable_change_chart_names_a_baseline_outside_the_period():
    from components import client_view_charts as charts
    ep = rc.Episode("phq9", 1, D1, {"id": 1, "total": 18, "day": D1}, [{"id": 3, "total": 7, "day": D2}],
                    JACOBSON_TRUAX)
    spec = charts.scores([{"day": D2, "measure": "phq9", "total": 7, "band": "x"}], [ep])[0].to_dict()
    assert "baseline of 05 Oct 2026 (18, outside this period)" in str(spec["title"])
    assert [la["mark"]["type"] if isinstance(la["mark"], dict) else la["mark"] for la in spec["layer"]] == \
        ["rect", "line", "point"]  # no rule for a baseline the chart does not show
