"""Plans, their steps and the steps' immutable versions, level changes, and the client's card.

A step never changes in place: every edit adds a version with `valid_from`, so what the client saw
on any day can be rebuilt. Every function takes the acting clinician and is scoped by
`db.clients.scope`; out-of-scope ids raise NotFound, like ids that do not exist.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, insert, select, update

import db
from core import calendar, directive_audit, plans as plan_rules
from db import audit, caseload_figures, links, practices
from db.actors import Actor
from db import clients as clients_mod
from db.clients import clients, scope
from db import replanning, step_versions as step_versions_mod
from db.tables import plans, plan_steps, step_versions, level_changes  # noqa: F401  (this module's tables, re-exported)


def _version_values(step: dict) -> dict:
    return {**{k: step[k] for k in plan_rules.FIELDS if k not in ("days", "levels")},
            "days": ",".join(str(d) for d in step["days"]), "levels": json.dumps(step["levels"])}


def _plan_row(conn, actor: Actor, plan_id: int):
    row = conn.execute(select(plans).join(clients, clients.c.id == plans.c.client_id)
                       .where(scope(actor), plans.c.id == plan_id)).mappings().first()
    if row is None:
        raise db.NotFound("plan")
    return row


def step_plan_in(conn, actor: Actor, step_id: int):
    """The plan a step belongs to, if `actor` may see it (else NotFound), inside the caller's transaction."""
    plan_id = conn.execute(select(plan_steps.c.plan_id).where(plan_steps.c.id == step_id)).scalar()
    if plan_id is None:
        raise db.NotFound("step")
    return _plan_row(conn, actor, plan_id)


def _refresh_findings(conn, plan_id: int, now: datetime) -> None:
    steps = step_versions_mod.as_of(conn, [plan_id], None)
    count = sum(len(directive_audit.audit_step(s)) for s in steps) + (0 if steps else 1)
    conn.execute(update(plans).where(plans.c.id == plan_id).values(finding_count=count, updated_at=now))
    # Every step change passes here: the client's caseload figures (planned days) are out of date.
    caseload_figures.forget_in(conn, select(plans.c.client_id).where(plans.c.id == plan_id).scalar_subquery())


def _add_version(conn, actor: Actor, step_id: int, step: dict, now: datetime, retired: bool = False) -> None:
    conn.execute(insert(step_versions).values(step_id=step_id, valid_from=now, retired=retired,
                                              created_by=actor.clinician_id, **_version_values(step)))


def _validate_goal(goal: str) -> tuple[str, str | None]:
    goal = (goal or "").strip()
    if not goal:
        return goal, "Please write the goal in a sentence: what skill, and why it matters to the client."
    if len(goal) > plan_rules.GOAL_MAX:
        return goal, f"Please keep the goal under {plan_rules.GOAL_MAX} characters."
    return goal, None


def create_plan(actor: Actor, client_id: int, *, goal: str, steps: list[dict], now: datetime
                ) -> tuple[int | None, dict[str, str]]:
    """A new plan with its first steps. Returns (id, {}) or (None, {field: message}); steps' field
    errors are keyed "step<i>.<field>"."""
    goal, goal_error = _validate_goal(goal)
    errors = {"goal": goal_error} if goal_error else {}
    clean = []
    for i, form in enumerate(steps):
        step, step_errors = plan_rules.validate_step(form)
        errors.update({f"step{i}.{k}": v for k, v in step_errors.items()})
        clean.append(step)
    if errors:
        return None, errors
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        plan_id = insert_plan(conn, actor, client_id=client_id, goal=goal, steps=clean, now=now)
        audit.record(conn, now=now, action="plan.create", actor=actor, client_id=client_id,
                     detail=f"plan {plan_id}, {len(clean)} steps")
    return plan_id, {}


def insert_plan(conn, actor: Actor, *, client_id: int, goal: str, steps: list[dict], now: datetime) -> int:
    """Insert a plan of validated steps inside the caller's transaction (the caller checked scope)."""
    plan_id = conn.execute(insert(plans).values(client_id=client_id, goal=goal, created_by=actor.clinician_id,
                                                created_at=now, updated_at=now)).inserted_primary_key[0]
    for pos, step in enumerate(steps):
        step_id = conn.execute(insert(plan_steps).values(plan_id=plan_id, position=pos, created_at=now)
                               ).inserted_primary_key[0]
        _add_version(conn, actor, step_id, step, now)
    _refresh_findings(conn, plan_id, now)
    return plan_id


def list_for_client(actor: Actor, client_id: int, *, now: datetime) -> list[dict]:
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        rows = [dict(r) for r in conn.execute(select(plans).where(plans.c.client_id == client_id)
                                              .order_by(plans.c.status, plans.c.created_at.desc(), plans.c.id.desc())
                                              ).mappings()]
        audit.record(conn, now=now, action="plan.list", actor=actor, client_id=client_id, detail=f"{len(rows)} plans")
    return rows


def get(actor: Actor, plan_id: int, *, now: datetime, as_of: datetime | None = None) -> dict:
    """A plan with its steps as they were at `as_of` (None: now, the current versions)."""
    with db.write() as conn:
        row = _plan_row(conn, actor, plan_id)
        steps = step_versions_mod.as_of(conn, [plan_id], as_of)
        audit.record(conn, now=now, action="plan.read", actor=actor, client_id=row["client_id"],
                     detail=f"plan {plan_id}" + (" as of a past date" if as_of else ""))
    return {**dict(row), "steps": steps}


def update_goal(actor: Actor, plan_id: int, goal: str, *, now: datetime) -> dict[str, str]:
    goal, error = _validate_goal(goal)
    if error:
        return {"goal": error}
    with db.write() as conn:
        row = _plan_row(conn, actor, plan_id)
        conn.execute(update(plans).where(plans.c.id == plan_id).values(goal=goal, updated_at=now))
        audit.record(conn, now=now, action="plan.update", actor=actor, client_id=row["client_id"],
                     detail=f"plan {plan_id}: goal")
    return {}


def save_step(actor: Actor, plan_id: int, step_id: int | None, form: dict, *, now: datetime
              ) -> tuple[int | None, dict[str, str]]:
    """Add a step (step_id None) or save a new version of one. The level is kept as it is: levels
    change through `change_level`, which records a reason."""
    step, errors = plan_rules.validate_step(form)
    if errors:
        return None, errors
    with db.write() as conn:
        row = _plan_row(conn, actor, plan_id)
        if step_id is None:
            pos = conn.execute(select(func.coalesce(func.max(plan_steps.c.position), -1) + 1)
                               .where(plan_steps.c.plan_id == plan_id)).scalar_one()
            step_id = conn.execute(insert(plan_steps).values(plan_id=plan_id, position=pos, created_at=now)
                                   ).inserted_primary_key[0]
            what = "step added"
        else:
            current = {s["step_id"]: s for s in step_versions_mod.as_of(conn, [plan_id], None)}.get(step_id)
            if current is None:
                raise db.NotFound("step")
            step["level"] = min(current["level"], len(step["levels"]))
            what = "step edited"
        _add_version(conn, actor, step_id, step, now)
        _refresh_findings(conn, plan_id, now)
        replanning.replan_in(conn, row["client_id"], now)
        audit.record(conn, now=now, action="plan.update", actor=actor, client_id=row["client_id"],
                     detail=f"plan {plan_id}: {what}")
    return step_id, {}


def remove_step(actor: Actor, step_id: int, *, now: datetime) -> None:
    with db.write() as conn:
        row = step_plan_in(conn, actor, step_id)
        current = {s["step_id"]: s for s in step_versions_mod.as_of(conn, [row["id"]], None)}.get(step_id)
        if current is None:
            raise db.NotFound("step")
        _add_version(conn, actor, step_id, current, now, retired=True)
        _refresh_findings(conn, row["id"], now)
        replanning.replan_in(conn, row["client_id"], now)
        audit.record(conn, now=now, action="plan.update", actor=actor, client_id=row["client_id"],
                     detail=f"plan {row['id']}: step removed")


def change_level(actor: Actor, step_id: int, *, to_level: int, reason: str, now: datetime) -> dict[str, str]:
    """Advance or scale back, with a reason; a clinician's decision, kept in the history."""
    reason = (reason or "").strip()
    if not reason:
        return {"reason": "Please note a short reason (it helps you and the client see the path later)."}
    if len(reason) > 300:
        return {"reason": "Please keep the reason under 300 characters."}
    with db.write() as conn:
        row = step_plan_in(conn, actor, step_id)
        current = {s["step_id"]: s for s in step_versions_mod.as_of(conn, [row["id"]], None)}.get(step_id)
        if current is None:
            raise db.NotFound("step")
        if not isinstance(to_level, int) or not 1 <= to_level <= len(current["levels"]):
            return {"to_level": f"Choose a level between 1 and {len(current['levels'])}."}
        if to_level == current["level"]:
            return {"to_level": "The step is already at this level."}
        conn.execute(insert(level_changes).values(step_id=step_id, at=now, from_level=current["level"],
                                                  to_level=to_level, reason=reason, clinician_id=actor.clinician_id))
        _add_version(conn, actor, step_id, {**current, "level": to_level}, now)
        _refresh_findings(conn, row["id"], now)
        audit.record(conn, now=now, action="plan.level", actor=actor, client_id=row["client_id"],
                     detail=f"plan {row['id']}: level {current['level']} to {to_level}")
    return {}


def level_history(actor: Actor, step_id: int, *, now: datetime) -> list[dict]:
    with db.write() as conn:
        row = step_plan_in(conn, actor, step_id)
        rows = [dict(r) for r in conn.execute(select(level_changes).where(level_changes.c.step_id == step_id)
                                              .order_by(level_changes.c.at, level_changes.c.id)).mappings()]
        audit.record(conn, now=now, action="plan.read", actor=actor, client_id=row["client_id"],
                     detail=f"plan {row['id']}: level history")
    for r in rows:
        r["label"] = plan_rules.level_change_label(r["from_level"], r["to_level"])
    return rows


def _card_in(conn, raw: str, now: datetime):
    """The card link re-checked inside this transaction (a link revoked a moment ago shows nothing),
    with its steps and the client's zone; None when the link no longer works."""
    res = links.resolve_in(conn, raw, now, purpose="card")
    if not res.ok:
        return None
    plan_ids = list(conn.execute(select(plans.c.id).where(plans.c.client_id == res.client_id,
                                                          plans.c.status == "active")).scalars())
    steps = step_versions_mod.as_of(conn, plan_ids, None) if plan_ids else []
    zone = conn.execute(select(clients.c.timezone).where(clients.c.id == res.client_id)).scalar_one()
    return res, steps, zone


def card(raw: str, *, now: datetime) -> dict | None:
    """The coping card behind a card link. None when the link no longer works."""
    with db.write() as conn:
        found = _card_in(conn, raw, now)
        if found is None:
            return None
        res, steps, zone = found
        audit.record(conn, now=now, action="card.view", actor_kind="client", actor_id=res.client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=res.client_id,
                     detail=f"{len(steps)} steps shown")
    crisis = practices.get(res.practice_id)["crisis_resources"]
    return {"client_id": res.client_id, "timezone": zone, "steps": steps, "crisis_resources": crisis}


def card_calendar(raw: str, *, now: datetime) -> bytes | None:
    """The card's steps as an .ics file for the client's own calendar (core.calendar) in the client's
    language, recorded as a download; None when the link no longer works."""
    with db.write() as conn:
        found = _card_in(conn, raw, now)
        if found is None:
            return None
        res, steps, zone = found
        audit.record(conn, now=now, action="card.export", actor_kind="client", actor_id=res.client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=res.client_id,
                     detail=f"{len(steps)} steps as .ics")
    return calendar.build_ics(steps, zone=zone, now=now, language=res.language)
