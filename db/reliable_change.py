"""Reliable change in storage: each questionnaire episode (the latest assignment of an instrument for a
client) with its baseline (the first answer, or the one a clinician picked) and its later answers; the
practice's choice of rule; the practice-wide counts an admin sees. The arithmetic and the words are
core.reliable_change. Every read and change is scoped through db.clients and audited."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, delete, func, insert, select, update

import db
from core import checkins as checkin_rules, measures as measure_rules, reliable_change as rules, settings as settings_mod
from db import audit, clients as clients_mod
from db.actors import Actor
from db.tables import (clients, clinicians, measure_assignments, measure_baselines, measure_responses,
                       practices)


def default_rule() -> str:
    return settings_mod.load()["RELIABLE_CHANGE_RULE"]


def rule_in(conn, practice_id: int) -> str:
    """The practice's rule, or the RELIABLE_CHANGE_RULE setting."""
    value = conn.execute(select(practices.c.reliable_change_rule).where(practices.c.id == practice_id)).scalar()
    return value if value in rules.RULES else default_rule()


def rule(actor: Actor) -> str:
    with db.read() as conn:
        return rule_in(conn, actor.practice_id)


def set_rule(actor: Actor, value: str, *, now: datetime) -> dict[str, str]:
    """Choose the practice's rule (an admin only); returns {field: message}."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change practice settings.")
    if value not in rules.RULES:
        return {"reliable_change_rule": "Please choose one of the rules in the list."}
    with db.write() as conn:
        conn.execute(update(practices).where(practices.c.id == actor.practice_id).values(reliable_change_rule=value))
        audit.record(conn, now=now, action="practice.update", actor=actor, detail=f"reliable change rule: {value}")
    return {}


def episodes_in(conn, client_id: int, zone: str, rule: str) -> list[rules.Episode]:
    """Per instrument, the client's latest assignment (open or stopped) with at least one answer: its
    baseline and the answers after it, oldest first. Inside the caller's transaction; the caller has
    checked the client's scope."""
    a, r, b = measure_assignments, measure_responses, measure_baselines
    latest = {row.measure: row for row in conn.execute(
        select(a.c.id, a.c.measure, a.c.created_at).where(a.c.client_id == client_id).order_by(a.c.id))}
    if not latest:
        return []
    ids = [row.id for row in latest.values()]
    answers: dict[int, list[dict]] = {}
    for row in conn.execute(select(r.c.id, r.c.assignment_id, r.c.total, r.c.local_date)
                            .where(r.c.client_id == client_id, r.c.assignment_id.in_(ids))
                            .order_by(r.c.submitted_at, r.c.id)):
        answers.setdefault(row.assignment_id, []).append({"id": row.id, "total": row.total, "day": row.local_date})
    chosen = {row.assignment_id: row for row in conn.execute(
        select(b.c.assignment_id, b.c.response_id, clinicians.c.display_name)
        .join(clinicians, clinicians.c.id == b.c.chosen_by).where(b.c.assignment_id.in_(ids)))}
    out = []
    for measure, asg in latest.items():
        mine = answers.get(asg.id, [])
        if not mine:
            continue
        pick = chosen.get(asg.id)
        at = next((i for i, x in enumerate(mine) if pick and x["id"] == pick.response_id), None)
        chosen_by = pick.display_name if at is not None else None
        at = at or 0
        out.append(rules.Episode(measure, asg.id, checkin_rules.local_today(zone, asg.created_at), mine[at],
                                 mine[at + 1:], rule, chosen_by))
    return sorted(out, key=lambda e: list(measure_rules.MEASURES).index(e.measure))


def for_client(actor: Actor, client_id: int, *, now: datetime) -> dict:
    """The client's episodes with their baselines and later answers (for the Check-ins page), audited."""
    with db.write() as conn:
        client = clients_mod.require(conn, actor, client_id)
        chosen_rule = rule_in(conn, client["practice_id"])
        episodes = episodes_in(conn, client_id, client["timezone"], chosen_rule)
        answers = {e.assignment_id: _answers(conn, e.assignment_id) for e in episodes}
        audit.record(conn, now=now, action="measure.read", actor=actor, client_id=client_id,
                     detail=f"reliable change of {len(episodes)} questionnaire(s)")
    return {"rule": chosen_rule, "episodes": episodes, "answers": answers}


def _answers(conn, assignment_id: int) -> list[dict]:
    r = measure_responses
    return [{"id": row.id, "total": row.total, "day": row.local_date} for row in conn.execute(
        select(r.c.id, r.c.total, r.c.local_date).where(r.c.assignment_id == assignment_id)
        .order_by(r.c.submitted_at, r.c.id))]


def set_baseline(actor: Actor, assignment_id: int, response_id: int | None, *, now: datetime) -> dict[str, str]:
    """Use one of the assignment's answers as its baseline (None: back to its first answer). An
    assignment or answer outside the actor's clients is NotFound; returns {field: message}."""
    a, r, b = measure_assignments, measure_responses, measure_baselines
    with db.write() as conn:
        row = conn.execute(select(a.c.client_id, a.c.measure).where(a.c.id == assignment_id)).first()
        if row is None:
            raise db.NotFound("assignment")
        clients_mod.require(conn, actor, row.client_id)
        if response_id is not None and conn.execute(select(r.c.id).where(
                r.c.id == response_id, r.c.assignment_id == assignment_id)).first() is None:
            return {"baseline": "Please choose one of this questionnaire's answers."}
        conn.execute(delete(b).where(b.c.assignment_id == assignment_id))
        if response_id is not None:
            conn.execute(insert(b).values(assignment_id=assignment_id, response_id=response_id,
                                          chosen_by=actor.clinician_id, chosen_at=now))
        audit.record(conn, now=now, action="measure.baseline", actor=actor, client_id=row.client_id,
                     detail=f"{row.measure} baseline: " + (f"response {response_id}" if response_id else "first answer"))
    return {}


def practice_counts(actor: Actor, *, start: date, end: date, now: datetime) -> dict:
    """Per instrument, how many episodes of the practice show reliable improvement, no reliable change or
    reliable deterioration (and recovery) between their baseline and their latest answer in [start, end]
    (client's days). An admin only; counts only, never per clinician or client. SQL reduces the answers
    to one row per episode (baseline total, latest total); core.reliable_change counts them."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can see the practice's outcomes.")
    a, r, b = measure_assignments, measure_responses, measure_baselines
    mine = select(clients.c.id).where(clients.c.practice_id == actor.practice_id)
    first = (select(r.c.assignment_id, r.c.total, r.c.submitted_at,
                    func.row_number().over(partition_by=r.c.assignment_id, order_by=(r.c.submitted_at, r.c.id))
                    .label("n")).where(r.c.client_id.in_(mine)).subquery())
    last = (select(r.c.assignment_id, r.c.total, r.c.submitted_at,
                   func.row_number().over(partition_by=r.c.assignment_id,
                                          order_by=(r.c.submitted_at.desc(), r.c.id.desc())).label("n"))
            .where(r.c.client_id.in_(mine), r.c.local_date >= start, r.c.local_date <= end).subquery())
    chosen = (select(b.c.assignment_id, r.c.total, r.c.submitted_at)
              .join(r, r.c.id == b.c.response_id).where(r.c.client_id.in_(mine)).subquery())
    base_total = func.coalesce(chosen.c.total, first.c.total)
    base_at = func.coalesce(chosen.c.submitted_at, first.c.submitted_at)
    q = (select(a.c.measure, base_total, last.c.total)
         .join(first, and_(first.c.assignment_id == a.c.id, first.c.n == 1))
         .join(last, and_(last.c.assignment_id == a.c.id, last.c.n == 1))
         .outerjoin(chosen, chosen.c.assignment_id == a.c.id)
         .where(a.c.client_id.in_(mine), last.c.submitted_at > base_at))
    with db.write() as conn:
        chosen_rule = rule_in(conn, actor.practice_id)
        rows = [tuple(row) for row in conn.execute(q)]
        audit.record(conn, now=now, action="measure.outcomes", actor=actor,
                     detail=f"{len(rows)} episodes counted, {start} to {end}")
    return {"rule": chosen_rule, "start": start, "end": end, "counts": rules.counts(rows, chosen_rule)}
