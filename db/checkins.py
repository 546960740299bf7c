"""Check-ins: what a client reports through a `checkin` link, one immutable row per submit.

A submit re-checks the link and consent inside its own transaction, validates every field on the
server (core.checkins), and inserts with the form's idempotency key under a unique constraint, so a
double click, a resubmission or a second tab never makes a second row. A correction is a new row
pointing at the one it corrects; nothing is updated in place (a trigger refuses UPDATE).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

import db
from core import checkins as checkin_rules, personal_items as personal_rules, plans as plan_rules, safety as safety_rules, settings as settings_mod
from core.i18n import N_
from db import audit, caseload_figures, links, measures, personal_items, plans, practices, safety, step_versions
from db.actors import Actor
from db import clients as clients_mod
from db.clients import clients
from db.tables import checkins, checkin_steps  # noqa: F401  (this module's tables, re-exported)


@dataclass
class Result:
    status: str  # "saved", "already" (this form was saved before), "errors", "invalid" (link or consent)
    errors: dict = field(default_factory=dict)
    checkin_id: int | None = None
    flagged: bool = False
    statuses: list = field(default_factory=list)
    card_token: str | None = None


def _client(conn, client_id: int) -> dict:
    return dict(conn.execute(select(clients.c.timezone, clients.c.practice_id)
                             .where(clients.c.id == client_id)).mappings().one())


def current_steps_in(conn, client_id: int) -> list[dict]:
    """The client's steps as they stand now (active plans, retired steps left out)."""
    active = select(plans.plans.c.id).where(plans.plans.c.client_id == client_id, plans.plans.c.status == "active")
    steps = step_versions.as_of(conn, active, None)  # one query: the plan ids are a subquery
    for s in steps:
        s["asks_label"] = plan_rules.asks_label(s)
    return steps


def form_by_link(raw: object, *, now: datetime) -> dict | None:
    """What the check-in page draws for this link: steps planned today and yesterday (client's zone),
    the client's personal items, due questionnaires, crisis resources. None when the link no longer
    works. Changes nothing."""
    with db.read() as conn:
        res = links.resolve_in(conn, raw, now, purpose="checkin")
        if not res.ok:
            return None
        steps = current_steps_in(conn, res.client_id)
        due = measures.due_in(conn, res.client_id, now)
        personal = personal_items.for_checkin_in(conn, res.client_id)
        crisis = conn.execute(select(practices.practices.c.crisis_resources)
                              .where(practices.practices.c.id == res.practice_id)).scalar_one()
    today, yesterday = checkin_rules.allowed_dates(res.timezone, now)
    return {"client_id": res.client_id, "link_id": res.link_id, "timezone": res.timezone, "today": today, "yesterday": yesterday,
            "planned": {d: [s for s in steps if plan_rules.planned_on(s, d)] for d in (today, yesterday)},
            "steps": steps, "personal": personal, "due": due, "crisis_resources": crisis}


def _existing(conn, client_id: int, key: str) -> Result | None:
    row = conn.execute(select(checkins.c.id).where(checkins.c.client_id == client_id,
                                                   checkins.c.idempotency_key == key)).first()
    if row is None:
        return None
    statuses = list(conn.execute(select(checkin_steps.c.status).where(checkin_steps.c.checkin_id == row.id)).scalars())
    flagged = conn.execute(select(safety.safety_flags.c.id).where(
        safety.safety_flags.c.source == "checkin", safety.safety_flags.c.source_id == row.id)).first() is not None
    return Result("already", checkin_id=row.id, flagged=flagged, statuses=statuses)


def submit(raw: object, form: dict, *, now: datetime, threshold: int | None = None,
           ttl_days: dict | None = None) -> Result:
    """Validate and store one check-in. Nothing is accepted without a working link and active consent,
    both checked inside this transaction."""
    cfg = settings_mod.load()
    threshold = cfg["SAFETY_DISTRESS_THRESHOLD"] if threshold is None else threshold
    ttl_days = ttl_days or cfg.link_ttl_days()
    with db.write() as conn:
        # One query re-checks the link, its purpose, the client's status and active consent
        # (links.reachable) and reads the client's time zone.
        res = links.resolve_in(conn, raw, now, purpose="checkin")
        if not res.ok:
            return Result("invalid")
        client_id = res.client_id
        zone = res.timezone
        steps = current_steps_in(conn, client_id)
        today, yesterday = checkin_rules.allowed_dates(zone, now)
        raw_day = form.get("local_date", today)
        day = yesterday if str(raw_day) == yesterday.isoformat() else today
        planned = {s["step_id"]: s for s in steps if plan_rules.planned_on(s, day)}
        clean, errors = checkin_rules.validate(form, planned={sid: {"asks_label": s["asks_label"]} for sid, s in planned.items()},
                                       zone=zone, now=now)
        # The client's own questions (optional): answers to the versions asked now, saved after the check-in.
        personal, personal_errors = personal_rules.validate_answers(form.get("personal") or {},
                                                                    personal_items.for_checkin_in(conn, client_id))
        errors.update(personal_errors)
        corrects = form.get("corrects")
        if corrects is not None:
            ok = isinstance(corrects, int) and not isinstance(corrects, bool) and conn.execute(
                select(checkins.c.id).where(checkins.c.id == corrects, checkins.c.client_id == client_id)).first()
            if not ok:
                errors["corrects"] = N_("The check-in to correct couldn't be found; please reload the page.")
        if errors:
            return Result("errors", errors=errors)
        # No read first: the unique key answers "saved before?" (ON CONFLICT DO NOTHING, then read what is there).
        checkin_id = db.insert_once(conn, checkins, dict(
            client_id=client_id, idempotency_key=clean["idempotency_key"], local_date=clean["local_date"],
            submitted_at=now, mood=clean["mood"], distress=clean["distress"], thought=clean["thought"],
            context_where=clean["context_where"], context_with=clean["context_with"], corrects_id=corrects),
            ["client_id", "idempotency_key"])
        if checkin_id is None:  # this form was saved before (or another request with this key committed first)
            return _existing(conn, client_id, clean["idempotency_key"])
        if clean["steps"]:  # one multi-row INSERT
            conn.execute(insert(checkin_steps).values([
                {"checkin_id": checkin_id, "step_id": sid, "version_id": planned[sid]["version_id"],
                 "status": answer["status"], "reason": answer.get("reason"), "label": answer.get("label")}
                for sid, answer in clean["steps"].items()]))
        personal_items.save_answers_in(conn, checkin_id, personal)
        caseload_figures.forget_in(conn, client_id)  # its adherence and means include this check-in from now on
        flag = safety.raise_in(conn, client_id, source="checkin", source_id=checkin_id, now=now,
                               reasons=safety_rules.checkin_reasons(clean["distress"], threshold))
        audit.record(conn, now=now, action="checkin.submit", actor_kind="client", actor_id=client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=client_id,
                     detail=f"check-in {checkin_id}" + (", a correction" if corrects else ""))
        card = links.issue(conn, client_id=client_id, purpose="card", now=now, ttl_days=ttl_days)
    return Result("saved", checkin_id=checkin_id, flagged=flag is not None,
                  statuses=[a["status"] for a in clean["steps"].values()], card_token=card)


def recent_for(actor: Actor, client_id: int, *, now: datetime, limit: int = 60) -> list[dict]:
    """The client's latest check-ins, newest first, with their practice answers ("steps") and personal
    item answers ("personal": (wording as asked, kind, value)), for the clinician (scoped, audited)."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        rows = [dict(r) for r in conn.execute(select(checkins).where(checkins.c.client_id == client_id)
                                              .order_by(checkins.c.submitted_at.desc(), checkins.c.id.desc())
                                              .limit(limit)).mappings()]
        ids = [r["id"] for r in rows]
        corrected = set(conn.execute(select(checkins.c.corrects_id).where(checkins.c.corrects_id.in_(ids))).scalars())
        sv = plans.step_versions
        answers: dict[int, list[dict]] = {}
        for a in conn.execute(select(checkin_steps, sv.c.behaviour).join(sv, sv.c.id == checkin_steps.c.version_id)
                              .where(checkin_steps.c.checkin_id.in_(ids)).order_by(checkin_steps.c.id)).mappings():
            answers.setdefault(a["checkin_id"], []).append(dict(a))
        personal = personal_items.answers_in(conn, ids)
        audit.record(conn, now=now, action="checkin.read", actor=actor, client_id=client_id,
                     detail=f"{len(rows)} check-ins shown")
    for r in rows:
        r["steps"] = answers.get(r["id"], [])
        r["personal"] = personal.get(r["id"], [])
        r["corrected"] = r["id"] in corrected
    return rows


def outcomes(actor: Actor, step_id: int, *, now: datetime) -> list[tuple]:
    """Per planned day: (local date, "done" | "partly" | "not"), for the mastery suggestion on the
    plan editor; NotFound unless `actor` may see the step's plan."""
    with db.read() as conn:
        plans.step_plan_in(conn, actor, step_id)
        return outcomes_in(conn, step_id, now=now)


def outcomes_in(conn, step_id: int, *, now: datetime) -> list[tuple[date, str]]:
    """Per planned day of the step that has passed (and today, once reported): done, partly or not.
    The newest report of a day wins (a correction replaces what it corrects); no report counts as not."""
    row = conn.execute(select(plans.plan_steps.c.created_at, plans.plans.c.client_id, plans.plans.c.id.label("plan_id"))
                       .join(plans.plans, plans.plans.c.id == plans.plan_steps.c.plan_id)
                       .where(plans.plan_steps.c.id == step_id)).first()
    zone = _client(conn, row.client_id)["timezone"]
    today = checkin_rules.local_today(zone, now)
    start = checkin_rules.local_today(zone, row.created_at)
    reported: dict[date, str] = {}
    for day, status in conn.execute(
            select(checkins.c.local_date, checkin_steps.c.status)
            .join(checkins, checkins.c.id == checkin_steps.c.checkin_id)
            .where(checkin_steps.c.step_id == step_id, checkins.c.local_date >= start)
            .order_by(checkins.c.submitted_at, checkins.c.id)):
        reported[day] = {"not_today": "not"}.get(status, status)
    days = {s["step_id"]: s for s in step_versions.as_of(conn, [row.plan_id], None)}
    step = days.get(step_id)
    if step is None:
        return []
    out = []
    day = start
    while day <= today:
        if plan_rules.planned_on(step, day) and (day < today or day in reported):
            out.append((day, reported.get(day, "not")))
        day += timedelta(days=1)
    return out
