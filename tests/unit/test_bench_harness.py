"""The benchmark harness refuses a ratio that measures nothing: a page and its floor that drew different
shapes, or a page that drew less than the generated practice holds (issue 20: a window emptied as the days
passed, the client view drew 4 charts instead of 9 and its 0.34× "ratio" passed)."""
from __future__ import annotations

import pytest

from bench import harness as H
from bench import pages

CASELOAD = {"rows": 400, "columns": 15, "flags": [1, 2, 1], "clinicians": 20}


def _pair(page_shape, floor_shape, expected=None, page_s=0.031, floor_s=0.093):
    page, floor = H.measure_pair(("page", "floor"), "sqlite", lambda: None, lambda: None, repeat=3,
                                 shapes=(lambda: page_shape, lambda: floor_shape), expected=expected)
    page.runs, floor.runs = [page_s] * 3, [floor_s] * 3  # the times do not matter here, only the verdict
    return [page, floor]


def test_bench_refuses_a_ratio_when_the_page_drew_less_than_its_floor():
    results = _pair({**CASELOAD, "rows": 40, "flags": [1]}, CASELOAD)
    q = H.ratio("caseload / floor", results, "sqlite", "page", "floor", 2)
    assert q.value < 2 and q.refused and not q.passed
    assert "rows: page 40, floor 400" in q.refused and "flags" in q.refused
    row = H.markdown(H.document(results, [q])).splitlines()[-3]
    assert "**refused**" in row and "met" not in row


def test_bench_refuses_a_ratio_when_the_page_drew_less_than_the_generated_practice_holds():
    # The case: the "since the last session" window held 0 entries; floor built with the same shape.
    empty = {"sentences": 9, "entries": 0, "thoughts": 0, "dates": False, "sessions": 12, "charts": 4, "personal": 0}
    results = _pair(empty, dict(empty), expected={"entries": 1, "thoughts": 1, "personal": 3})
    q = H.ratio("client view / floor", results, "sqlite", "page", "floor", 3)
    assert q.refused and not q.passed
    assert "entries: 0 < 1" in q.refused and "personal: 0 < 3" in q.refused
    assert H.document(results, [q])["ratios"][0]["refused"] == q.refused


def test_bench_passes_a_ratio_only_when_the_page_and_its_floor_drew_the_same_full_shape():
    results = _pair(CASELOAD, dict(CASELOAD), expected={"rows": 400})
    q = H.ratio("caseload / floor", results, "sqlite", "page", "floor", 2)
    assert q.refused is None and q.passed
    slow = H.ratio("caseload / floor", _pair(CASELOAD, dict(CASELOAD), page_s=0.3), "sqlite", "page", "floor", 2)
    assert slow.refused is None and not slow.passed  # missed, not refused


def test_bench_reads_the_shape_after_the_timed_runs_so_a_page_that_changed_while_timed_is_refused():
    drawn = {"rows": 400}
    def page():
        drawn["rows"] -= 1  # what the page draws changes between the runs (a window emptying)
    results = list(H.measure_pair(("page", "floor"), "sqlite", page, lambda: None, repeat=3,
                                  shapes=(lambda: dict(drawn), lambda: {"rows": 400})))
    q = H.ratio("caseload / floor", results, "sqlite", "page", "floor", 2)
    assert q.refused and "rows: page 396, floor 400" in q.refused


def test_bench_cost_curve_compares_sizes_but_refuses_a_point_that_drew_less_than_generated():
    big = _pair(CASELOAD, dict(CASELOAD), expected={"rows": 400})[0]
    small = _pair({**CASELOAD, "rows": 40}, {**CASELOAD, "rows": 40}, expected={"rows": 40})[0]
    small.name = "small"
    q = H.ratio("cost curve: 400 ÷ 40", [big, small], "sqlite", "page", "small", 10, same_shape=False)
    assert q.refused is None
    small.shape = {**small.shape, "rows": 39}
    q = H.ratio("cost curve: 400 ÷ 40", [big, small], "sqlite", "page", "small", 10, same_shape=False)
    assert q.refused and "rows: 39 < 40" in q.refused and not q.passed


@pytest.mark.parametrize("script, read, shape", [
    ("floor_caseload.py", pages.caseload_shape, CASELOAD),
    ("floor_caseload.py", pages.caseload_shape, {"rows": 40, "columns": 14, "flags": [2, 1], "clinicians": 0}),
    ("floor_client_view.py", pages.client_view_shape, {"sentences": 13, "entries": 200, "thoughts": 54,
                                                        "dates": True, "sessions": 12, "charts": 14, "personal": 4}),
])
def test_bench_floor_draws_the_shape_it_was_built_with(script, read, shape):
    """Read the way the page's shape is read: a floor that ignored part of its shape would be refused."""
    _, drawn = pages.floor(script, shape, read)
    assert drawn() == shape
