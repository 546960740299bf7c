"""The benchmark's floors draw what the pages draw: on a small generated practice (made around the run's
own time, as `make bench` makes it), the admin's caseload and the client view, read the way the harness
reads them, have the same shape as their floors built from them, and as much as the practice holds. A
page that grows an element its floor lacks fails here, before a benchmark reports a ratio of unlike work."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

SMALL = dict(n_clinicians=3, n_clients=12, days=40, per_day=3.0, outbox_days=5)


@pytest.fixture
def practice(database):
    from bench import generate
    return generate.generate(now=datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0), **SMALL)


def test_bench_caseload_floor_draws_what_the_admins_caseload_of_the_whole_practice_draws(practice):
    from bench import pages
    _, shape, drawn = pages.caseload("clin00")
    assert shape["rows"] == len(practice["clients"]) and shape["clinicians"] > 1 and shape["flags"]
    _, floor_drawn = pages.floor("floor_caseload.py", shape, pages.caseload_shape)
    assert floor_drawn() == drawn() == shape


@pytest.mark.parametrize("year", [False, True], ids=["default window", "whole span"])
def test_bench_client_view_floor_draws_what_the_client_view_draws(practice, year):
    from bench import pages
    _, shape, drawn = pages.client_view("clin01", practice["year_client"], year=year, days=SMALL["days"])
    assert shape["entries"] and shape["thoughts"] and shape["personal"] >= 3 and shape["charts"] > shape["personal"]
    _, floor_drawn = pages.floor("floor_client_view.py", shape, pages.client_view_shape)
    assert floor_drawn() == drawn() == shape
