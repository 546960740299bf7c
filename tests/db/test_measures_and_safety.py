"""Questionnaires and safety flags in storage: assigned by the clinician, answered through the check-in
link, stored item by item and scored; a flag stays until a clinician reviews it with a note; scoped."""
from datetime import timedelta

import pytest
from sqlalchemy import select

import db
from db import checkins, measures, safety
from tests.db.test_checkins import form, setup_client
from tests.conftest import NOW, open_flags

PHQ_SAFE = [1, 2, 1, 1, 0, 1, 1, 0, 0]
PHQ_ITEM9 = [1, 2, 1, 1, 0, 1, 1, 0, 1]


def assigned(people, raw, measure="phq9", cadence="weekly"):
    assert measures.assign(people["clara"], people["client_clara"], measure, cadence, now=NOW) == {}
    due = checkins.form_by_link(raw, now=NOW)["due"]
    return next(d["assignment_id"] for d in due if d["measure"] == measure)


def test_an_assigned_phq9_is_due_answered_item_by_item_and_scored(database, people):
    raw, _ = setup_client(people)
    aid = assigned(people, raw)
    result = measures.submit(raw, aid, PHQ_SAFE, "m" * 24, now=NOW)
    assert result.status == "saved" and (result.score.total, result.score.band) == (7, "mild") and not result.flagged
    view = measures.overview(people["clara"], people["client_clara"], now=NOW)
    assert view["responses"][0]["answers"] == PHQ_SAFE and view["responses"][0]["total"] == 7
    assert checkins.form_by_link(raw, now=NOW + timedelta(days=1))["due"] == []  # weekly: not due again yet
    assert [d["assignment_id"] for d in checkins.form_by_link(raw, now=NOW + timedelta(days=6))["due"]] == [aid]


def test_a_once_questionnaire_is_not_due_after_it_is_answered(database, people):
    raw, _ = setup_client(people)
    aid = assigned(people, raw, "gad7", "once")
    assert measures.submit(raw, aid, [3] * 7, "g" * 24, now=NOW).score.band == "severe"
    assert checkins.form_by_link(raw, now=NOW + timedelta(days=5))["due"] == []
    assert measures.submit(raw, aid, [0] * 7, "h" * 24, now=NOW).status == "errors"


def test_the_same_questionnaire_form_twice_makes_one_response(database, people):
    raw, _ = setup_client(people)
    aid = assigned(people, raw)
    assert measures.submit(raw, aid, PHQ_SAFE, "m" * 24, now=NOW).status == "saved"
    assert measures.submit(raw, aid, PHQ_SAFE, "m" * 24, now=NOW).status == "already"
    assert len(measures.overview(people["clara"], people["client_clara"], now=NOW)["responses"]) == 1


@pytest.mark.parametrize("answers", [[], [1] * 8, [1] * 10, [1] * 8 + [4], [1] * 8 + [-1], [1] * 8 + [None],
                                     [1] * 8 + [1.5], [1] * 8 + [True], "111111111", None])
def test_hostile_answers_are_refused(database, people, answers):
    raw, _ = setup_client(people)
    aid = assigned(people, raw)
    result = measures.submit(raw, aid, answers, "m" * 24, now=NOW)
    assert result.status == "errors" and result.errors
    assert measures.overview(people["clara"], people["client_clara"], now=NOW)["responses"] == []


def test_a_card_token_cannot_answer(database, people):
    from db import links
    raw, _ = setup_client(people)
    aid = assigned(people, raw)
    card = links.issue_for(people["clara"], people["client_clara"], "card", now=NOW,
                           ttl_days={"card": 7, "checkin": 7, "consent": 14, "preferences": 7})
    assert measures.submit(card, aid, PHQ_SAFE, "m" * 24, now=NOW).status == "invalid"


def test_phq9_item_9_raises_a_flag_that_stays_until_reviewed_with_a_note(database, people):
    raw, _ = setup_client(people)
    aid = assigned(people, raw)
    result = measures.submit(raw, aid, PHQ_ITEM9, "m" * 24, now=NOW)
    assert result.flagged and result.score.safety_item_positive
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}
    flag = safety.list_for(people["clara"], now=NOW)[0]
    assert "item 9" in flag["reason"]
    assert "note" in safety.review(people["clara"], flag["id"], "   ", now=NOW)  # a note is required
    later = NOW + timedelta(days=3)
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}  # still there days later
    assert safety.review(people["clara"], flag["id"], "Called the client; safety plan reviewed.", now=later) == {}
    assert open_flags(people["clara"]) == {}
    done = safety.list_for(people["clara"], now=later, include_reviewed=True)[0]
    assert done["review_note"] == "Called the client; safety plan reviewed." and done["reviewed_at"] == later
    assert "already" in safety.review(people["clara"], flag["id"], "again", now=later)["note"]


@pytest.mark.parametrize("distress,flagged", [(8, False), (9, True), (10, True)])
def test_distress_at_or_above_the_threshold_raises_a_flag(database, people, distress, flagged):
    raw, (breathing, _) = setup_client(people)
    assert checkins.submit(raw, form(breathing, distress=distress), now=NOW).flagged is flagged
    assert bool(open_flags(people["clara"])) is flagged


def test_the_threshold_is_a_setting(database, people, monkeypatch):
    monkeypatch.setenv("SAFETY_DISTRESS_THRESHOLD", "7")
    raw, (breathing, _) = setup_client(people)
    assert checkins.submit(raw, form(breathing, distress=7), now=NOW).flagged


def test_a_resubmitted_flagged_form_still_reports_the_flag_once(database, people):
    raw, (breathing, _) = setup_client(people)
    checkins.submit(raw, form(breathing, distress=10), now=NOW)
    assert checkins.submit(raw, form(breathing, distress=10), now=NOW).flagged
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}


@pytest.mark.parametrize("who", ["colin", "otto", "bea"])
def test_others_see_no_flags_and_cannot_review_assign_or_read(database, people, who):
    raw, (breathing, _) = setup_client(people)
    checkins.submit(raw, form(breathing, distress=10), now=NOW)
    flag_id = safety.list_for(people["clara"], now=NOW)[0]["id"]
    aid = measures.overview(people["clara"], people["client_clara"], now=NOW)  # nothing assigned yet
    actor = people[who]
    assert open_flags(actor) == {} and safety.list_for(actor, now=NOW) == []
    for call in [lambda: safety.review(actor, flag_id, "not mine", now=NOW),
                 lambda: measures.assign(actor, people["client_clara"], "phq9", "weekly", now=NOW),
                 lambda: measures.overview(actor, people["client_clara"], now=NOW)]:
        with pytest.raises(db.NotFound):
            call()
    measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=NOW)
    assignment = measures.overview(people["clara"], people["client_clara"], now=NOW)["assigned"][0]["id"]
    with pytest.raises(db.NotFound):
        measures.stop(actor, assignment, now=NOW)
    assert aid["responses"] == []
    assert open_flags(people["ada"]) == {people["client_clara"]: 1}  # the practice admin sees it


def test_assign_refuses_unknown_measures_and_cadences_and_stop_ends_it(database, people):
    raw, _ = setup_client(people)
    assert "measure" in measures.assign(people["clara"], people["client_clara"], "beck", "weekly", now=NOW)
    assert "cadence" in measures.assign(people["clara"], people["client_clara"], "phq9", "daily", now=NOW)
    aid = assigned(people, raw)
    measures.stop(people["clara"], aid, now=NOW)
    assert checkins.form_by_link(raw, now=NOW)["due"] == []
    with db.read() as conn:
        assert conn.execute(select(measures.measure_assignments.c.ended_at)).scalar() == NOW
