"""Standard questionnaires (PHQ-9, GAD-7): the clinician assigns one (weekly or once), the client
answers through their check-in link, answers are stored item by item and scored by core.measures.
A PHQ-9 item 9 above "not at all" raises a safety flag (db.safety); nothing else happens by itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, update

import db
from core import checkins as checkin_rules, measure_followups as followup_rules, measures as measure_rules, safety as safety_rules
from db import audit, consent, links, measure_followups, safety
from db.actors import Actor
from db import clients as clients_mod
from db.clients import clients, scope
from db.tables import measure_assignments, measure_responses, measure_answers  # noqa: F401  (this module's tables, re-exported)

CADENCES = {"weekly": "Every week", "once": "Once"}
WEEKLY_GAP = followup_rules.WEEKLY_GAP  # a weekly questionnaire is due again six days after the last answer


@dataclass
class Result:
    status: str  # "saved", "already", "errors", "invalid"
    errors: dict = field(default_factory=dict)
    score: measure_rules.Score | None = None
    flagged: bool = False


def due_in(conn, client_id: int, now: datetime) -> list[dict]:
    """Open assignments that are due: never answered, or (weekly) last answered six or more days ago."""
    mine = select(measure_assignments.c.id).where(measure_assignments.c.client_id == client_id)
    last = (select(measure_responses.c.assignment_id, func.max(measure_responses.c.submitted_at).label("last"))
            .where(measure_responses.c.assignment_id.in_(mine))  # this client's answers only, not every client's
            .group_by(measure_responses.c.assignment_id).subquery())
    rows = conn.execute(select(measure_assignments, last.c.last)
                        .outerjoin(last, last.c.assignment_id == measure_assignments.c.id)
                        .where(measure_assignments.c.client_id == client_id, measure_assignments.c.ended_at.is_(None))
                        .order_by(measure_assignments.c.id)).mappings().all()
    out = []
    for r in rows:
        m = measure_rules.MEASURES[r["measure"]]
        if not m.items_may_be_shown:  # its licence forbids showing the items: a client cannot be asked it
            continue
        if r["last"] is None or (r["cadence"] == "weekly" and now - r["last"] >= WEEKLY_GAP):
            out.append({"assignment_id": r["id"], "measure": r["measure"], "title": m.title, "items": list(m.items)})
    return out


def assign(actor: Actor, client_id: int, measure: str, cadence: str, *, now: datetime) -> dict[str, str]:
    """Assign (or re-assign with a new cadence) a questionnaire; returns {field: message}."""
    if measure not in measure_rules.assignable():  # unknown, or its licence does not let a client read its items
        return {"measure": "Please choose one of the questionnaires."}
    if cadence not in CADENCES:
        return {"cadence": "Please choose weekly or once."}
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        conn.execute(update(measure_assignments).where(measure_assignments.c.client_id == client_id,
                                                       measure_assignments.c.measure == measure,
                                                       measure_assignments.c.ended_at.is_(None)).values(ended_at=now))
        conn.execute(insert(measure_assignments).values(client_id=client_id, measure=measure, cadence=cadence,
                                                        created_by=actor.clinician_id, created_at=now))
        audit.record(conn, now=now, action="measure.assign", actor=actor, client_id=client_id,
                     detail=f"{measure}, {cadence}")
    return {}


def stop(actor: Actor, assignment_id: int, *, now: datetime) -> None:
    with db.write() as conn:
        row = conn.execute(select(measure_assignments.c.client_id, measure_assignments.c.measure)
                           .join(clients, clients.c.id == measure_assignments.c.client_id)
                           .where(scope(actor), measure_assignments.c.id == assignment_id)).first()
        if row is None:
            raise db.NotFound("assignment")
        conn.execute(update(measure_assignments).where(measure_assignments.c.id == assignment_id,
                                                       measure_assignments.c.ended_at.is_(None)).values(ended_at=now))
        audit.record(conn, now=now, action="measure.stop", actor=actor, client_id=row.client_id, detail=row.measure)


def overview(actor: Actor, client_id: int, *, now: datetime, limit: int = 50) -> dict:
    """Open assignments and scored responses (newest first, items included), for the clinician."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        open_rows = [dict(r) for r in conn.execute(select(measure_assignments).where(
            measure_assignments.c.client_id == client_id, measure_assignments.c.ended_at.is_(None))
            .order_by(measure_assignments.c.id)).mappings()]
        responses = [dict(r) for r in conn.execute(select(measure_responses).where(
            measure_responses.c.client_id == client_id).order_by(measure_responses.c.submitted_at.desc(),
                                                                 measure_responses.c.id.desc()).limit(limit)).mappings()]
        missed = measure_followups.missed_in(conn, client_id)
        for a in open_rows:
            a["missed_at"] = missed.get(a["id"])  # marked missed and not answered since
        items: dict[int, list[int]] = {}
        for a in conn.execute(select(measure_answers).where(measure_answers.c.response_id.in_([r["id"] for r in responses]))
                              .order_by(measure_answers.c.item)).mappings():
            items.setdefault(a["response_id"], []).append(a["answer"])
        audit.record(conn, now=now, action="measure.read", actor=actor, client_id=client_id,
                     detail=f"{len(responses)} questionnaires shown")
    for r in responses:
        r["answers"] = items.get(r["id"], [])
        r["score"] = measure_rules.score(r["measure"], r["answers"]) if len(r["answers"]) == len(
            measure_rules.MEASURES[r["measure"]].items) else None
    return {"assigned": open_rows, "responses": responses}


def _coerce(answers) -> list:
    out = []
    for a in answers if isinstance(answers, (list, tuple)) else []:
        if isinstance(a, str) and a.strip().isdigit():
            a = int(a.strip())
        out.append(a)
    return out if isinstance(answers, (list, tuple)) else answers


def submit(raw: object, assignment_id: int, answers: list, idempotency_key: str, *, now: datetime) -> Result:
    """Score and store one questionnaire answered through a check-in link (link and consent re-checked here)."""
    key = str(idempotency_key or "")
    if not (16 <= len(key) <= 64) or not all(c.isalnum() or c in "-_" for c in key):
        return Result("errors", errors={"form": "This form is out of date; please reload the page and try again."})
    answers = _coerce(answers)
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now, purpose="checkin")
        if not res.ok or not consent.is_active(conn, res.client_id, now):
            return Result("invalid")
        client_id = res.client_id
        existing = conn.execute(select(measure_responses).where(measure_responses.c.client_id == client_id,
                                                                measure_responses.c.idempotency_key == key)
                                ).mappings().first()
        if existing is not None:
            return _already(conn, existing)
        assignment = conn.execute(select(measure_assignments).where(
            measure_assignments.c.id == assignment_id, measure_assignments.c.client_id == client_id,
            measure_assignments.c.ended_at.is_(None))).mappings().first()
        if assignment is None or assignment_id not in [d["assignment_id"] for d in due_in(conn, client_id, now)]:
            # Perhaps this very form was saved a moment ago by a concurrent request (a double click).
            again = conn.execute(select(measure_responses).where(measure_responses.c.client_id == client_id,
                                                                 measure_responses.c.idempotency_key == key)
                                 ).mappings().first()
            if again is not None:
                return _already(conn, again)
            return Result("errors", errors={"form": "This questionnaire isn't waiting for you any more."})
        problems = measure_rules.validate(assignment["measure"], answers)
        if problems:
            return Result("errors", errors={f"item:{i}": msg for i, msg in problems.items()})
        score = measure_rules.score(assignment["measure"], answers)
        zone = conn.execute(select(clients.c.timezone).where(clients.c.id == client_id)).scalar_one()
        response_id = db.insert_once(conn, measure_responses, dict(
            client_id=client_id, assignment_id=assignment_id, measure=assignment["measure"], idempotency_key=key,
            local_date=checkin_rules.local_today(zone, now), submitted_at=now, total=score.total, band=score.band),
            ["client_id", "idempotency_key"])
        if response_id is None:  # another request with this key committed first
            return _already(conn, conn.execute(select(measure_responses).where(
                measure_responses.c.client_id == client_id, measure_responses.c.idempotency_key == key)).mappings().one())
        conn.execute(insert(measure_answers), [{"response_id": response_id, "item": i + 1, "answer": a}
                                               for i, a in enumerate(answers)])
        flag = safety.raise_in(conn, client_id, source="measure", source_id=response_id, now=now,
                               reasons=safety_rules.measure_reasons(score))
        audit.record(conn, now=now, action="measure.submit", actor_kind="client", actor_id=client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=client_id,
                     detail=f"{assignment['measure']} response {response_id}")
    return Result("saved", score=score, flagged=flag is not None)


def _already(conn, row) -> Result:
    answers = list(conn.execute(select(measure_answers.c.answer).where(measure_answers.c.response_id == row["id"])
                                .order_by(measure_answers.c.item)).scalars())
    flagged = conn.execute(select(safety.safety_flags.c.id).where(safety.safety_flags.c.source == "measure",
                                                                  safety.safety_flags.c.source_id == row["id"])
                           ).first() is not None
    return Result("already", score=measure_rules.score(row["measure"], answers), flagged=flagged)
