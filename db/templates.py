"""Practice templates: the built-in ones plus those a practice saved or imported. Templates hold
no client data (a step saved as a template keeps its wording only, never the client's name)."""
from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import delete, insert, select

import db
from core import plans, templates as core_templates
from db import audit
from db.actors import Actor
from db.tables import plan_templates  # noqa: F401  (this module's tables, re-exported)


def list_for(actor: Actor) -> list[dict]:
    """Built-in templates first, then the practice's own (which may replace a built-in by key)."""
    with db.read() as conn:
        rows = conn.execute(select(plan_templates).where(plan_templates.c.practice_id == actor.practice_id)
                            .order_by(plan_templates.c.name)).mappings().all()
    own = {r["key"]: {"key": r["key"], "name": r["name"], "goal": r["goal"], "step": json.loads(r["step"]),
                      "own": True} for r in rows}
    built = [t for t in core_templates.BUILT_IN if t["key"] not in own]
    return built + list(own.values())


def _key(name: str) -> str:
    return "own_" + (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:30] or "template")


def _upsert(conn, actor: Actor, t: dict, now: datetime) -> None:
    conn.execute(delete(plan_templates).where(plan_templates.c.practice_id == actor.practice_id,
                                              plan_templates.c.key == t["key"]))
    conn.execute(insert(plan_templates).values(practice_id=actor.practice_id, key=t["key"], name=t["name"],
                                               goal=t["goal"], step=json.dumps(t["step"]),
                                               created_by=actor.clinician_id, created_at=now))


def save_from_step(actor: Actor, *, name: str, goal: str, step: dict, now: datetime) -> dict[str, str]:
    """Save a step (already read through the caller's scoped plan) as a practice template."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        return {"name": "Please give the template a short name (up to 80 characters)."}
    clean, errors = plans.validate_step(step)
    if errors:
        return errors
    clean["level"] = 1  # a template starts at the bottom of its scaffold
    with db.write() as conn:
        _upsert(conn, actor, {"key": _key(name), "name": name, "goal": (goal or "")[:plans.GOAL_MAX], "step": clean}, now)
        audit.record(conn, now=now, action="template.save", actor=actor, detail="1 template saved")
    return {}


def export_json(actor: Actor, *, now: datetime) -> str:
    """Every template the actor can use, as JSON (no client data), recorded like every download."""
    with db.write() as conn:
        audit.record(conn, now=now, action="template.export", actor=actor, detail="templates exported as JSON")
    return core_templates.export_json(list_for(actor))


def import_json(actor: Actor, data: str | bytes, *, now: datetime) -> tuple[int, list[str]]:
    """All or nothing: any problem imports nothing and lists what to fix."""
    found, problems = core_templates.import_json(data)
    if problems:
        return 0, problems
    with db.write() as conn:
        for t in found:
            _upsert(conn, actor, t, now)
        audit.record(conn, now=now, action="template.import", actor=actor, detail=f"{len(found)} templates imported")
    return len(found), []
