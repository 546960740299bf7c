"""Reliable change in storage: the baseline is an episode's first answer until the clinician picks
another (scoped to the clinician's own clients, audited); the practice-wide counts are for an admin,
counts only, in the admin's practice and period; the practice's rule changes the verdict."""
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

import db
from core import reliable_change as rules, session_prep
from db import client_view, measures, reliable_change
from db.tables import audit_events, measure_responses
from tests.conftest import NOW

PERIOD = (date(2026, 10, 1), date(2026, 11, 30))


def answered(people, who, measure, totals, *, weeks_ago=None):
    """Assign `measure` to `who`'s client and store answers with the given totals, one a week, the last a
    day before NOW (the client's answers themselves are tested in test_measures_and_safety)."""
    actor, client_id = people[who], people[f"client_{who}"]
    assert measures.assign(actor, client_id, measure, "weekly", now=NOW - timedelta(days=60)) == {}
    aid = measures.overview(actor, client_id, now=NOW)["assigned"][-1]["id"]
    ids = []
    start = weeks_ago if weeks_ago is not None else len(totals)
    with db.write() as conn:
        for i, total in enumerate(totals):
            at = NOW - timedelta(days=7 * (start - i) - 6)
            ids.append(conn.execute(insert(measure_responses).values(
                client_id=client_id, assignment_id=aid, measure=measure, idempotency_key=f"{measure}-{who}-{i}" * 2,
                local_date=at.date(), submitted_at=at, total=total, band="x")).inserted_primary_key[0])
    return aid, ids


def actions(action):
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(audit_events).where(audit_events.c.action == action)).mappings()]


def test_reliable_change_baseline_is_the_first_answer_until_the_clinician_picks_another(database, people):
    aid, ids = answered(people, "clara", "phq9", [18, 15, 7])
    episode = reliable_change.for_client(people["clara"], people["client_clara"], now=NOW)["episodes"][0]
    assert (episode.baseline["total"], [x["total"] for x in episode.later], episode.chosen_by) == (18, [15, 7], None)
    assert episode.changes[-1].category == rules.IMPROVED and episode.changes[-1].recovery == "reliably recovered"

    assert reliable_change.set_baseline(people["clara"], aid, ids[1], now=NOW) == {}
    episode = reliable_change.for_client(people["clara"], people["client_clara"], now=NOW)["episodes"][0]
    assert (episode.baseline["total"], [x["total"] for x in episode.later]) == (15, [7])
    assert episode.chosen_by == "Clara Owner" and "chosen by Clara Owner" in rules.latest_sentence(episode)[1]
    row = actions("measure.baseline")[-1]
    assert row["client_id"] == people["client_clara"] and row["detail"] == f"phq9 baseline: response {ids[1]}"

    assert reliable_change.set_baseline(people["clara"], aid, None, now=NOW) == {}  # back to the first answer
    view = client_view.get(people["clara"], people["client_clara"], now=NOW)
    assert view.changes[0].baseline["total"] == 18
    assert "reliable_phq9" in [s.key for s in session_prep.sentences(view)]


def test_reliable_change_baseline_choice_is_scoped_to_the_acting_clinician(database, people):
    aid, ids = answered(people, "clara", "phq9", [18, 15, 7])
    for who in ("colin", "otto", "bea"):  # a colleague, an outsider, another practice's admin
        with pytest.raises(db.NotFound):
            reliable_change.set_baseline(people[who], aid, ids[1], now=NOW)
        with pytest.raises(db.NotFound):
            reliable_change.for_client(people[who], people["client_clara"], now=NOW)
    other_aid, other_ids = answered(people, "clara", "gad7", [12, 8])
    assert "baseline" in reliable_change.set_baseline(people["clara"], aid, other_ids[0], now=NOW)  # not this one's
    assert actions("measure.baseline") == []
    episode = reliable_change.for_client(people["clara"], people["client_clara"], now=NOW)["episodes"][0]
    assert episode.baseline["id"] == ids[0] and episode.chosen_by is None


def test_reliable_change_a_new_assignment_starts_a_new_episode(database, people):
    answered(people, "clara", "phq9", [18, 7])
    assert measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=NOW) == {}
    assert reliable_change.for_client(people["clara"], people["client_clara"], now=NOW)["episodes"] == []


def test_reliable_change_practice_counts_for_an_admin_counts_only(database, people):
    answered(people, "clara", "phq9", [18, 7])           # reliable improvement, reliably recovered
    answered(people, "colin", "phq9", [12, 7])           # 5 points: reliable (JT), not under IAPT's 6
    answered(people, "colin", "gad7", [6, 13])           # reliable deterioration
    answered(people, "otto", "phq9", [20, 2])            # another practice: never counted for Ada
    answered(people, "clara", "gad7", [10])              # one answer: nothing to compare
    got = reliable_change.practice_counts(people["ada"], start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert got["rule"] == rules.JACOBSON_TRUAX
    assert got["counts"]["phq9"] == {rules.IMPROVED: 2, rules.NO_CHANGE: 0, rules.DETERIORATED: 0,
                                     "recovered": 0, "reliably recovered": 2, "episodes": 2}
    assert got["counts"]["gad7"][rules.DETERIORATED] == 1 and got["counts"]["gad7"]["episodes"] == 1
    row = actions("measure.outcomes")[-1]
    assert row["client_id"] is None and row["detail"] == f"3 episodes counted, {PERIOD[0]} to {PERIOD[1]}"

    assert reliable_change.set_rule(people["ada"], rules.FIXED_POINTS, now=NOW) == {}
    got = reliable_change.practice_counts(people["ada"], start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert got["rule"] == rules.FIXED_POINTS
    assert (got["counts"]["phq9"][rules.IMPROVED], got["counts"]["phq9"][rules.NO_CHANGE],
            got["counts"]["phq9"]["recovered"]) == (1, 1, 1)
    bea = reliable_change.practice_counts(people["bea"], start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert bea["rule"] == rules.JACOBSON_TRUAX and bea["counts"]["phq9"][rules.IMPROVED] == 1  # Otto's client only


def test_reliable_change_practice_counts_follow_the_period_and_the_chosen_baseline(database, people):
    aid, ids = answered(people, "clara", "phq9", [18, 13, 12])
    early = reliable_change.practice_counts(people["ada"], start=date(2026, 1, 1), end=date(2026, 9, 1), now=NOW)
    assert early["counts"]["phq9"]["episodes"] == 0  # no answer in that period
    got = reliable_change.practice_counts(people["ada"], start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert got["counts"]["phq9"][rules.NO_CHANGE] == 0 and got["counts"]["phq9"][rules.IMPROVED] == 1  # 18 -> 12
    reliable_change.set_baseline(people["clara"], aid, ids[1], now=NOW)  # 13 -> 12: no reliable change
    got = reliable_change.practice_counts(people["ada"], start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert got["counts"]["phq9"][rules.NO_CHANGE] == 1
    reliable_change.set_baseline(people["clara"], aid, ids[2], now=NOW)  # the latest is the baseline: nothing later
    assert reliable_change.practice_counts(people["ada"], start=PERIOD[0], end=PERIOD[1],
                                           now=NOW)["counts"]["phq9"]["episodes"] == 0


def test_reliable_change_practice_counts_and_rule_are_for_admins_only(database, people):
    with pytest.raises(db.Forbidden):
        reliable_change.practice_counts(people["clara"], start=PERIOD[0], end=PERIOD[1], now=NOW)
    with pytest.raises(db.Forbidden):
        reliable_change.set_rule(people["clara"], rules.FIXED_POINTS, now=NOW)
    assert "reliable_change_rule" in reliable_change.set_rule(people["ada"], "made-up", now=NOW)
    assert reliable_change.rule(people["ada"]) == rules.JACOBSON_TRUAX
