"""The benchmark's generator at a tiny scale, so it cannot rot silently: it runs on both databases, makes
the same rows on each (and on a second run), the counts add up, and the app can still insert after it."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import NOW

TINY = dict(n_clinicians=3, n_clients=12, now=NOW, days=21, per_day=3.0, outbox_days=5)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, sqlite_template):
    """The tiny practice generated once on its own SQLite file: (counts, fingerprint)."""
    import db
    from bench import generate
    path = tmp_path_factory.mktemp("reference") / "ref.db"
    shutil.copy(sqlite_template, path)
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", f"sqlite:///{path}")
    try:
        generate.generate(**TINY)
        yield generate.counts(), generate.fingerprint()
    finally:
        db.dispose_all()
        mp.undo()


def test_it_makes_the_same_practice_every_time_and_on_both_databases(database, reference):
    from bench import generate
    generate.generate(**TINY)
    assert (generate.counts(), generate.fingerprint()) == reference


def test_it_makes_a_practice_whose_counts_add_up(database):
    import db
    from bench import generate
    from db.checkins import checkin_steps, checkins
    from db.clients import clients
    from db.measures import measure_responses
    from db.plans import plan_steps, plans
    ids = generate.generate(**TINY)
    n = generate.counts()
    assert n["clinicians"] == 3 and n["clients"] == 12
    with db.read() as conn:
        kept = conn.execute(select(func.count()).select_from(clients).where(clients.c.status != "discharged")).scalar()
        year = conn.execute(select(func.count()).select_from(checkins)
                            .where(checkins.c.client_id == ids["year_client"])).scalar()
        # Every step answer belongs to a step of the same client's plan.
        foreign = conn.execute(select(func.count()).select_from(checkin_steps)
                               .join(checkins, checkins.c.id == checkin_steps.c.checkin_id)
                               .join(plan_steps, plan_steps.c.id == checkin_steps.c.step_id)
                               .join(plans, plans.c.id == plan_steps.c.plan_id)
                               .where(plans.c.client_id != checkins.c.client_id)).scalar()
    assert n["plans"] == n["consents"] == kept and n["plan_steps"] == 2 * kept
    assert 3 * 21 <= year <= 7 * 21  # the year client: about five a day
    assert 1.5 * 21 * kept <= n["checkins"] <= 6 * 21 * kept
    assert foreign == 0
    for table in ("sessions", "checkin_steps", "measure_responses", "measure_answers", "reminder_outbox"):
        assert n[table] > 0, table
    with db.read() as conn:
        by_measure = dict(conn.execute(select(measure_responses.c.measure, func.count())
                                       .group_by(measure_responses.c.measure)).all())
    assert n["measure_answers"] == 9 * by_measure["phq9"] + 7 * by_measure["gad7"] + 5 * by_measure["who5"]
    assert by_measure["who5"] == by_measure["phq9"]  # weekly WHO-5 beside PHQ-9 (issue 17's benchmark)
    # Explicit ids must not block the app's own inserts afterwards (PostgreSQL sequences moved on).
    with db.write() as conn:
        conn.execute(insert(checkins).values(client_id=ids["year_client"], idempotency_key="after-generate",
                                             local_date=NOW.date(), submitted_at=NOW + timedelta(minutes=1),
                                             mood=5, distress=5))


def test_it_gives_the_year_client_three_personal_items_answered_on_every_check_in(database):
    import db
    from bench import generate
    from db.checkins import checkins
    from db.tables import personal_item_versions
    ids = generate.generate(**TINY)
    n = generate.counts()
    with db.read() as conn:
        year = conn.execute(select(func.count()).select_from(checkins)
                            .where(checkins.c.client_id == ids["year_client"])).scalar()
        reworded = conn.execute(select(func.count()).select_from(personal_item_versions)
                                .where(personal_item_versions.c.valid_to.is_not(None))).scalar()
    assert n["personal_items"] == 3 and n["personal_item_versions"] == 4 and reworded == 1
    assert n["personal_item_answers"] == 3 * year > 0
