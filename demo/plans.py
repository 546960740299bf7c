"""Demo plans for the seed: several templates in use, one plan with homework-check findings, a step
that moved up a level (with its reason) and an edit history, so a newcomer sees the feature at work."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from core import plans as plan_rules, templates
from db import plans, step_versions
from db.actors import Actor
from db.clinicians import clinicians

T = templates.by_key(templates.BUILT_IN)


def _actor(conn, clinician_id: int, practice_id: int) -> Actor:
    username = conn.execute(select(clinicians.c.username).where(clinicians.c.id == clinician_id)).scalar_one()
    return Actor(clinician_id, practice_id, "clinician", username)


def _step(key: str, **changes) -> dict:
    step, errors = plan_rules.validate_step({**T[key]["step"], **changes})
    assert not errors, errors
    return step


def step(conn, ids, now, rng) -> None:
    pid = ids["practice"]
    maya = _actor(conn, ids["clinicians"]["maya"], pid)
    sam = _actor(conn, ids["clinicians"]["sam"], pid)
    weeks_ago = now - timedelta(days=60)  # two months of practice, so check-ins have history
    c = ids["clients"]

    # Alex: breathing moved up to level 2 after a good fortnight; a thought record alongside.
    alex = plans.insert_plan(conn, maya, client_id=c["Alex R."], now=weeks_ago,
                             goal="Notice anxious thoughts early and calm the body before work, so mornings feel "
                                  "manageable again.",
                             steps=[_step("breathing"), _step("thought_record", window_start="19:30",
                                                              window_end="20:30")])
    first = step_versions.as_of(conn, [alex], None)[0]
    later = now - timedelta(days=7)
    conn.execute(insert(plans.level_changes).values(
        step_id=first["step_id"], at=later, from_level=1, to_level=2, clinician_id=maya.clinician_id,
        reason="Practised on 6 of the last 7 mornings; Alex felt ready for the 4-6 count."))
    plans._add_version(conn, maya, first["step_id"], {**first, "level": 2}, later)

    # Jordan: behavioural activation and a sleep wind-down; the activity was edited once.
    jordan = plans.insert_plan(conn, maya, client_id=c["Jordan P."], now=weeks_ago,
                               goal="Rebuild energy with one valued activity a day and a steadier bedtime.",
                               steps=[_step("activation", behaviour="walk to the park and back"),
                                      _step("wind_down")])
    ba = step_versions.as_of(conn, [jordan], None)[0]
    plans._add_version(conn, maya, ba["step_id"], {**ba, "behaviour": "walk to the corner shop and back",
                                                   "duration_min": 8}, now - timedelta(days=10))
    plans._refresh_findings(conn, jordan, now - timedelta(days=10))

    # Casey: a first draft written the way homework often is, so the check has something to say.
    plans.insert_plan(conn, maya, client_id=c["Casey M."], now=now - timedelta(days=2),
                      goal="Feel less overwhelmed at work.",
                      steps=[_step("breathing", anchor="feel anxious at work", behaviour="try to relax",
                                   duration_min=None, barrier="", if_then="", template_key="")])

    # Riley: one exposure step with grounding as the distress-tolerance step.
    plans.insert_plan(conn, maya, client_id=c["Riley T."], now=weeks_ago,
                      goal="Take the bus again: one rung of the hierarchy at a time.",
                      steps=[_step("exposure", behaviour="ride the bus one stop, staying until anxiety eases a little"),
                             _step("grounding")])

    plans.insert_plan(conn, sam, client_id=c["Taylor B."], now=weeks_ago,
                      goal="Give worries a time slot so evenings are freer.", steps=[_step("worry_time")])
    plans.insert_plan(conn, sam, client_id=c["Jamie K."], now=weeks_ago,
                      goal="Answer self-criticism the way a friend would.",
                      steps=[_step("self_compassion"), _step("opposite_action")])
