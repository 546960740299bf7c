"""The caseload's kept figures (db/caseload_figures.py): a rerun reads each client's adherence and means
from the database instead of computing them again, and gets exactly what a fresh computation gives;
whatever changes them (a check-in, even at the same moment as the last one; a step's days; the client's
day turning; their zone) makes the caseload compute that client's figures again. Derived health data:
erased with the client, not exported."""
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

import db
from db import adherence, caseload, caseload_figures, checkins, clients, lifecycle, plans
from tests.conftest import NOW
from tests.db.test_checkins import form, setup_client
from tests.db.test_client_view import checkin, plan_for, utc

FIGURES = ("adherence_7", "adherence_28", "mood_7", "mood_previous", "distress_7", "distress_previous")


def figures_of(row) -> tuple:
    return tuple(getattr(row, f) for f in FIGURES)


def kept_rows() -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(caseload_figures.caseload_figures)).scalar_one()


def forget_all() -> None:
    with db.write() as conn:
        conn.execute(delete(caseload_figures.caseload_figures))


@pytest.fixture
def no_computing(monkeypatch):
    """While on, computing figures fails the test: proves a rerun read what was kept."""
    def refuse(*a, **k):
        raise AssertionError("the caseload computed figures it had kept")
    return lambda: monkeypatch.setattr(adherence, "outcomes_in", refuse)


def test_caseload_figures_kept_for_a_rerun_equal_the_figures_computed_afresh(database, people, no_computing):
    cid, sid, vid = plan_for(people, [0, 2, 4])
    for back in range(0, 20):
        d = date(2026, 11, 28) - timedelta(days=back)
        checkin(cid, d, utc(d, 8), step=(sid, vid), status=("done", "partly", "not_today")[back % 3],
                mood=back % 10, distress=(back * 3) % 11)
    first = caseload.rows(people["clara"], now=NOW)
    assert kept_rows() == len(first) == 1
    assert first[0].adherence_28.planned == 12 and first[0].mood_7 is not None
    no_computing()
    again = caseload.rows(people["clara"], now=NOW + timedelta(minutes=5))  # the same day: read, not computed
    assert [figures_of(r) for r in again] == [figures_of(r) for r in first]
    forget_all()
    with pytest.raises(AssertionError, match="computed figures"):
        caseload.rows(people["clara"], now=NOW)  # nothing kept: computed (and the refusal shows it)


def test_caseload_figures_are_computed_again_after_a_check_in_at_the_same_moment(database, people):
    raw, (breathing, _) = setup_client(people)
    assert checkins.submit(raw, form(breathing, key="a" * 24, mood=2), now=NOW).status == "saved"
    before = next(r for r in caseload.rows(people["clara"], now=NOW) if r.id == people["client_clara"])
    assert before.adherence_7.done == 1 and before.mood_7 == 2
    # A second check-in at the very same moment (same submitted_at): the key alone could not tell.
    assert checkins.submit(raw, form(breathing, key="b" * 24, mood=8, local_date="2026-11-27"),
                           now=NOW).status == "saved"
    after = next(r for r in caseload.rows(people["clara"], now=NOW) if r.id == people["client_clara"])
    assert after.adherence_7.done == 2 and after.mood_7 == 5


def test_caseload_figures_are_computed_again_after_a_step_changes_its_days(database, people):
    # Made, read and changed at the same moment: the plan's updated_at does not move, so only the
    # deletion in the plan change's own transaction can tell the caseload.
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6], created=NOW)
    assert caseload.rows(people["clara"], now=NOW)[0].adherence_7.planned == 1  # today, Saturday
    plan_id = plans.list_for_client(people["clara"], cid, now=NOW)[0]["id"]
    step = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]
    _, errors = plans.save_step(people["clara"], plan_id, sid, {**step, "days": [0]}, now=NOW)  # Mondays only
    assert errors == {}
    assert caseload.rows(people["clara"], now=NOW)[0].adherence_7.planned == 0


def test_caseload_figures_are_computed_again_when_the_clients_day_turns_or_their_zone_changes(database, people,
                                                                                              no_computing):
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    checkin(cid, date(2026, 11, 28), utc(date(2026, 11, 28), 8), step=(sid, vid), status="done")
    assert caseload.rows(people["clara"], now=NOW)[0].adherence_7.done == 1
    tomorrow = caseload.rows(people["clara"], now=NOW + timedelta(days=1))[0]
    assert tomorrow.today == date(2026, 11, 29) and tomorrow.adherence_7.start == date(2026, 11, 23)
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == cid).values(timezone="Pacific/Honolulu"))
    # 09:30 UTC on 28 Nov is 23:30 on 27 Nov in Honolulu: the client's last 7 days are 21-27 Nov, without today's.
    moved = caseload.rows(people["clara"], now=NOW)[0]
    assert moved.today == date(2026, 11, 27) and moved.adherence_7.done == 0
    with db.read() as conn:
        kept_for = conn.execute(select(caseload_figures.caseload_figures.c.computed_for)).scalar_one()
    assert kept_for.startswith("2026-11-27|Pacific/Honolulu|")
    no_computing()
    assert figures_of(caseload.rows(people["clara"], now=NOW)[0]) == figures_of(moved)


def test_caseload_figures_written_before_a_racing_check_in_committed_are_seen_as_out_of_date(database, people):
    """A caseload that computed a client's figures and wrote them after a check-in committed (a replica
    reading while another saves) keeps figures without it: the newest check-in's time in the key tells."""
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    checkin(cid, date(2026, 11, 27), utc(date(2026, 11, 27), 8), step=(sid, vid), status="done")
    assert caseload.rows(people["clara"], now=NOW)[0].adherence_7.done == 1
    # Written without going through checkins.submit (nothing deleted the kept row), as the race would leave it.
    checkin(cid, date(2026, 11, 28), utc(date(2026, 11, 28), 9), step=(sid, vid), status="done")
    assert caseload.rows(people["clara"], now=NOW)[0].adherence_7.done == 2


def test_caseload_figures_are_erased_with_the_client_and_left_out_of_the_export(database, people):
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    checkin(cid, date(2026, 11, 27), utc(date(2026, 11, 27), 8), step=(sid, vid), status="done")
    caseload.rows(people["ada"], now=NOW)  # the admin's: every client's figures kept
    assert kept_rows() == 2
    archive = lifecycle.export_client(people["ada"], cid, now=NOW)
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = z.namelist()
        tables = json.loads(z.read(next(n for n in names if n.endswith(".json"))))["tables"]
    assert "caseload_figures" not in tables and not any("caseload_figures" in n for n in names)
    lifecycle.erase_client(people["ada"], cid, clients.get(people["ada"], cid, now=NOW)["display_name"], now=NOW)
    with db.read() as conn:
        left = conn.execute(select(caseload_figures.caseload_figures.c.client_id)).scalars().all()
    assert cid not in left and len(left) == 1
