"""Plans in storage: scoped by the acting clinician, versioned (what the client saw on a past day),
level history, templates, the caseload marker and the card behind a card link."""
from datetime import timedelta

import pytest
from sqlalchemy import select

import db
from core import templates as core_templates
from db import audit, caseload, checkins, links, plans, templates
from tests.conftest import NOW, make_reachable


def findings(actor) -> dict[int, int]:
    """Client id -> plan-check findings across active plans, as the caseload shows them (clients
    without an active plan are left out)."""
    return {r.id: r.findings for r in caseload.rows(actor, now=NOW) if r.findings is not None}

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
BREATHING = core_templates.by_key(core_templates.BUILT_IN)["breathing"]["step"]
GROUNDING = core_templates.by_key(core_templates.BUILT_IN)["grounding"]["step"]


def _plan(people, who="clara", steps=None):
    plan_id, errors = plans.create_plan(people[who], people[f"client_{who}"], goal="Calmer mornings",
                                        steps=steps or [BREATHING], now=NOW)
    assert errors == {}
    return plan_id


def test_clara_creates_reads_and_edits_her_clients_plan(database, people):
    plan_id = _plan(people)
    plan = plans.get(people["clara"], plan_id, now=NOW)
    assert plan["goal"] == "Calmer mornings" and plan["steps"][0]["anchor"] == "pour my morning coffee"
    step_id = plan["steps"][0]["step_id"]
    _, errors = plans.save_step(people["clara"], plan_id, step_id, {**BREATHING, "duration_min": 4},
                                now=NOW + timedelta(days=1))
    assert errors == {}
    assert plans.get(people["clara"], plan_id, now=NOW)["steps"][0]["duration_min"] == 4
    assert [p["id"] for p in plans.list_for_client(people["clara"], people["client_clara"], now=NOW)] == [plan_id]


def test_an_admin_of_the_practice_reaches_the_plan(database, people):
    plan_id = _plan(people)
    assert plans.get(people["ada"], plan_id, now=NOW)["id"] == plan_id


@pytest.mark.parametrize("who", ["colin", "otto", "bea"])
def test_others_get_not_found_for_every_plan_function(database, people, who):
    plan_id = _plan(people)
    step_id = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]["step_id"]
    actor = people[who]
    calls = [
        lambda: plans.create_plan(actor, people["client_clara"], goal="x", steps=[BREATHING], now=NOW),
        lambda: plans.list_for_client(actor, people["client_clara"], now=NOW),
        lambda: plans.get(actor, plan_id, now=NOW),
        lambda: plans.get(actor, plan_id, now=NOW, as_of=NOW),
        lambda: plans.update_goal(actor, plan_id, "mine now", now=NOW),
        lambda: plans.save_step(actor, plan_id, step_id, BREATHING, now=NOW),
        lambda: plans.save_step(actor, plan_id, None, BREATHING, now=NOW),
        lambda: plans.remove_step(actor, step_id, now=NOW),
        lambda: plans.change_level(actor, step_id, to_level=2, reason="ready", now=NOW),
        lambda: plans.level_history(actor, step_id, now=NOW),
        lambda: checkins.outcomes(actor, step_id, now=NOW),
    ]
    for call in calls:
        with pytest.raises(db.NotFound):
            call()
    assert findings(actor).get(people["client_clara"]) is None
    plan = plans.get(people["clara"], plan_id, now=NOW)
    assert plan["goal"] == "Calmer mornings" and len(plan["steps"]) == 1 and plan["steps"][0]["level"] == 1


def test_what_the_client_saw_on_a_past_day_can_be_rebuilt(database, people):
    plan_id = _plan(people, steps=[BREATHING, GROUNDING])
    first = plans.get(people["clara"], plan_id, now=NOW)["steps"]
    breathing_id, grounding_id = first[0]["step_id"], first[1]["step_id"]
    day = timedelta(days=1)
    plans.save_step(people["clara"], plan_id, breathing_id, {**BREATHING, "anchor": "feed the cat"}, now=NOW + 3 * day)
    plans.remove_step(people["clara"], grounding_id, now=NOW + 5 * day)
    plans.save_step(people["clara"], plan_id, None, {**BREATHING, "anchor": "get into bed"}, now=NOW + 6 * day)

    def anchors(at):
        return [s["anchor"] for s in plans.get(people["clara"], plan_id, now=NOW, as_of=at)["steps"]]

    assert anchors(NOW - day) == []
    assert anchors(NOW + day) == ["pour my morning coffee", "park the car or get off the bus"]
    assert anchors(NOW + 4 * day) == ["feed the cat", "park the car or get off the bus"]
    assert anchors(NOW + 5 * day) == ["feed the cat"]
    assert anchors(NOW + 7 * day) == ["feed the cat", "get into bed"]
    assert anchors(None) == anchors(NOW + 7 * day)


def test_level_changes_keep_their_history_and_reasons(database, people):
    plan_id = _plan(people)
    step_id = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]["step_id"]
    c = people["clara"]
    assert plans.change_level(c, step_id, to_level=2, reason="5 of 7 mornings", now=NOW) == {}
    assert plans.change_level(c, step_id, to_level=1, reason="new job, busy weeks", now=NOW + timedelta(days=7)) == {}
    assert "reason" in plans.change_level(c, step_id, to_level=2, reason=" ", now=NOW)
    assert "to_level" in plans.change_level(c, step_id, to_level=9, reason="x", now=NOW)
    history = plans.level_history(c, step_id, now=NOW)
    assert [(h["from_level"], h["to_level"], h["reason"]) for h in history] == [
        (1, 2, "5 of 7 mornings"), (2, 1, "new job, busy weeks")]
    assert "fail" not in history[1]["label"].lower()
    assert plans.get(c, plan_id, now=NOW, as_of=NOW + timedelta(days=1))["steps"][0]["level"] == 2
    assert plans.get(c, plan_id, now=NOW)["steps"][0]["level"] == 1


def test_findings_are_counted_for_the_caseload_and_cleared_by_a_fix(database, people):
    plan_id = _plan(people, steps=[{**BREATHING, "behaviour": "try to relax"}])
    assert findings(people["clara"]) == {people["client_clara"]: 2}
    step_id = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]["step_id"]
    plans.save_step(people["clara"], plan_id, step_id, BREATHING, now=NOW)
    assert findings(people["clara"]) == {people["client_clara"]: 0}


def test_bad_input_saves_nothing_and_says_which_field(database, people):
    plan_id, errors = plans.create_plan(people["clara"], people["client_clara"], goal="",
                                        steps=[{**BREATHING, "duration_min": -1}], now=NOW)
    assert plan_id is None and set(errors) == {"goal", "step0.duration_min"}
    assert plans.list_for_client(people["clara"], people["client_clara"], now=NOW) == []


def test_reads_and_writes_are_audited_without_health_data(database, people):
    plan_id = _plan(people)
    plans.get(people["clara"], plan_id, now=NOW)
    rows, _ = audit.list_events(people["ada"], now=NOW, client_id=people["client_clara"])
    actions = {r["action"] for r in rows}
    assert {"plan.create", "plan.read"} <= actions
    assert all("coffee" not in r["detail"] and "Calmer" not in r["detail"] for r in rows)


def test_the_card_link_shows_current_steps_and_crisis_resources(database, people):
    _plan(people, steps=[BREATHING, GROUNDING])
    make_reachable(people["client_clara"])
    raw = links.issue_for(people["clara"], people["client_clara"], "card", now=NOW, ttl_days=TTL)
    card = plans.card(raw, now=NOW)
    assert [s["template_key"] for s in card["steps"]] == ["breathing", "grounding"]
    assert "Samaritans" in card["crisis_resources"] and card["timezone"] == "Europe/London"
    checkin = links.issue_for(people["clara"], people["client_clara"], "checkin", now=NOW, ttl_days=TTL)
    assert plans.card(checkin, now=NOW) is None
    links.revoke_for(people["clara"], people["client_clara"], now=NOW)
    assert plans.card(raw, now=NOW) is None


def test_templates_save_export_and_import_per_practice(database, people):
    errors = templates.save_from_step(people["clara"], name="Kettle breathing", goal="Calm", step=BREATHING, now=NOW)
    assert errors == {}
    names = [t["name"] for t in templates.list_for(people["colin"])]
    assert "Kettle breathing" in names and len(names) == len(core_templates.BUILT_IN) + 1
    assert "Kettle breathing" not in [t["name"] for t in templates.list_for(people["otto"])]
    exported = templates.export_json(people["clara"], now=NOW)
    n, problems = templates.import_json(people["otto"], exported, now=NOW)
    assert problems == [] and n == len(names)
    assert "Kettle breathing" in [t["name"] for t in templates.list_for(people["otto"])]
    n, problems = templates.import_json(people["otto"], "{not json", now=NOW)
    assert n == 0 and problems
    with db.read() as conn:
        assert conn.execute(select(templates.plan_templates.c.id)).all()


def test_the_demo_seed_shows_plans_in_use(sqlite_db):
    from demo import seed
    from db.actors import Actor
    from sqlalchemy import text
    seed.run(now=NOW, password="demo-password-for-tests")
    with db.read() as conn:
        maya = conn.execute(text("select id, practice_id from clinicians where username='maya'")).one()
        keys = set(conn.execute(text("select distinct template_key from step_versions")).scalars())
        assert conn.execute(text("select count(*) from level_changes")).scalar() >= 1
    assert len(keys - {""}) >= 6
    counts = findings(Actor(maya.id, maya.practice_id, "clinician", "maya"))
    assert sorted(n > 0 for n in counts.values()) == [False, False, False, True]
