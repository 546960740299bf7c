"""Which version of each step is in force at a moment, and the steps the reminder planner plans from.

Below db.plans (which writes steps) so that re-planning reminders and reading check-ins need not
import the plan editor's module. Reads only; no actor (callers scope first)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, func, select

from core import plans as plan_rules
from db.tables import clients, plan_steps, plans, step_versions


def as_dict(row) -> dict:
    step = {k: row[k] for k in plan_rules.FIELDS if k not in ("days", "levels")}
    step["days"] = [int(d) for d in row["days"].split(",") if d != ""]
    step["levels"] = json.loads(row["levels"])
    step["step_id"], step["version_id"], step["valid_from"] = row["step_id"], row["id"], row["valid_from"]
    step["position"] = row["position"]
    return step


def as_of(conn, plan_ids: list[int], as_of: datetime | None) -> list[dict]:
    """The version of each step in force at `as_of` (None: the newest), retired steps left out."""
    v = step_versions
    cond = [plan_steps.c.plan_id.in_(plan_ids)]
    if as_of is not None:
        cond.append(v.c.valid_from <= as_of)
    newest = (select(v.c.id, func.row_number().over(partition_by=v.c.step_id,
                                                    order_by=(v.c.valid_from.desc(), v.c.id.desc())).label("rn"))
              .join(plan_steps, plan_steps.c.id == v.c.step_id).where(*cond).subquery())
    rows = conn.execute(select(v, plan_steps.c.position, plan_steps.c.plan_id)
                        .join(plan_steps, plan_steps.c.id == v.c.step_id)
                        .join(newest, and_(newest.c.id == v.c.id, newest.c.rn == 1))
                        .where(v.c.retired.is_(False))
                        .order_by(plan_steps.c.position, plan_steps.c.id)).mappings().all()
    return [{**as_dict(r), "plan_id": r["plan_id"]} for r in rows]


def reminder_steps(conn, client_ids=None) -> list[dict]:
    """For the reminder planner: the current steps of active plans of active clients, with each
    client's zone. (Consent and pause are checked by the planner.) No actor: the worker is the system."""
    q = (select(plans.c.id, plans.c.client_id, clients.c.timezone).join(clients, clients.c.id == plans.c.client_id)
         .where(plans.c.status == "active", clients.c.status == "active"))
    if client_ids is not None:
        q = q.where(plans.c.client_id.in_(client_ids))
    owner = {r.id: (r.client_id, r.timezone) for r in conn.execute(q)}
    if not owner:
        return []
    out = []
    for s in as_of(conn, list(owner), None):
        client_id, zone = owner[s["plan_id"]]
        out.append({"client_id": client_id, "timezone": zone, "step_id": s["step_id"], "days": s["days"],
                    "window_start": s["window_start"], "window_end": s["window_end"], "position": s["position"]})
    return out
