"""WHO-5 and PCL-5 in storage, on SQLite and PostgreSQL (migration 0020_more_measures): they can be
assigned, their answers (WHO-5 up to 5, PCL-5 up to 4) and long band labels are stored item by item,
and the answers stay immutable once submitted (on SQLite the migration copies the tables, which drops
their triggers: it makes them again)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

import db
from core import measures as measure_rules
from db import measures
from tests.conftest import NOW
from tests.db.test_checkins import setup_client
from tests.db.test_measures_and_safety import assigned

WHO5_ALL_OF_THE_TIME = [5, 5, 5, 5, 5]
PCL5_MIXED = [4, 3, 2, 1, 0] * 4


@pytest.mark.parametrize("code, answers, total, band", [
    ("who5", WHO5_ALL_OF_THE_TIME, 100, "not low"),
    ("pcl5", PCL5_MIXED, 40, "at or above the provisional PTSD cut-off"),
])
def test_who5_and_pcl_answers_are_stored_item_by_item_with_their_band(database, people, code, answers, total, band):
    raw, _ = setup_client(people)
    aid = assigned(people, raw, measure=code)
    result = measures.submit(raw, aid, answers, "k" * 24, now=NOW)
    assert result.status == "saved" and (result.score.total, result.score.band) == (total, band)
    response = measures.overview(people["clara"], people["client_clara"], now=NOW)["responses"][0]
    assert (response["answers"], response["total"], response["band"]) == (answers, total, band)
    assert measure_rules.MEASURES[code].max_total >= total


@pytest.mark.parametrize("table", ["measure_answers", "measure_responses"])
def test_who5_answers_stay_immutable_after_the_migration_copied_their_tables(database, people, table):
    raw, _ = setup_client(people)
    aid = assigned(people, raw, measure="who5")
    assert measures.submit(raw, aid, WHO5_ALL_OF_THE_TIME, "k" * 24, now=NOW).status == "saved"
    t = db.metadata.tables[table]
    column = "answer" if table == "measure_answers" else "total"
    with pytest.raises(Exception, match="immutable"):
        with db.write() as conn:
            conn.execute(update(t).values({column: 0}))
    with db.read() as conn:
        assert 0 not in conn.execute(select(t.c[column])).scalars().all()
