"""core/measure_followups.py by hand: due periods and their stages (nudge after 2 days, missed after 4)."""
from datetime import datetime, timedelta, timezone

import pytest

from core import measure_followups as f

A = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # assigned
GAP = f.WEEKLY_GAP


def d(days: float) -> timedelta:
    return timedelta(days=days)


@pytest.mark.parametrize("cadence,last,now,start", [
    ("weekly", None, A, A),                      # due the moment it is assigned
    ("weekly", None, A + d(6.9), A),             # still the first period
    ("weekly", None, A + d(7), A + d(7)),        # unanswered a week: a new period
    ("weekly", None, A + d(15), A + d(14)),
    ("weekly", A + d(1), A + d(6.5), None),      # answered: not due for six days
    ("weekly", A + d(1), A + d(7), A + d(7)),    # due again six days after the answer
    ("weekly", A + d(1), A + d(14), A + d(14)),  # and a week after that if unanswered
    ("once", None, A + d(30), A),                # once: one period, for as long as it is unanswered
    ("once", A + d(1), A + d(30), None),         # once, answered: never again
    ("weekly", None, A - d(1), None),            # not yet assigned
])
def test_nudge_due_period_starts(cadence, last, now, start):
    assert f.period_start(cadence, A, last, now, gap=GAP) == start


@pytest.mark.parametrize("after,stage", [(0, "due"), (1.99, "due"), (2, "nudge"), (3.99, "nudge"), (4, "missed"),
                                         (6.9, "missed")])
def test_nudge_then_missed_stages_at_exactly_two_and_four_days(after, stage):
    assert f.stage(A, A + d(after), nudge_days=2, expire_days=4) == stage
    assert f.stage(None, A, nudge_days=2, expire_days=4) is None
