"""Following up due questionnaires (core/measure_followups.py says how, and why gently): which clients'
next reminder mentions one (recorded in the same transaction as that reminder's "sent"), marking a
period missed (the worker), and the missed ones the clinician sees (caseload, check-ins page).

Everything here is the worker's or runs inside a caller's scoped transaction (`_in`): the caseload and
the check-ins page read through their own scoped functions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, select, update

import db
from core import measure_followups as rules
from db import consent
from db.tables import clients, measure_assignments, measure_followups, measure_responses  # noqa: F401

def _open_assignments(conn, where) -> list:
    """Open assignments (with their client and last answer) matching `where`."""
    ma, mr = measure_assignments, measure_responses
    last = select(func.max(mr.c.submitted_at)).where(mr.c.assignment_id == ma.c.id).scalar_subquery()
    return conn.execute(select(ma.c.id, ma.c.client_id, ma.c.cadence, ma.c.created_at, last.label("last"))
                        .where(ma.c.ended_at.is_(None), where).order_by(ma.c.id)).all()


def _marked(conn, assignment_ids: list[int], column) -> set[tuple[int, datetime]]:
    """(assignment, period start) pairs already nudged or already missed (`column`)."""
    if not assignment_ids:
        return set()
    f = measure_followups
    return {(r.assignment_id, r.period_start) for r in conn.execute(
        select(f.c.assignment_id, f.c.period_start).where(db.one_of(conn, f.c.assignment_id, assignment_ids),
                                                          column.is_not(None)))}


def _stages(conn, rows, now: datetime, cfg) -> list[tuple[object, datetime, str]]:
    out = []
    for r in rows:
        start = rules.period_start(r.cadence, r.created_at, r.last, now, gap=rules.WEEKLY_GAP)
        st = rules.stage(start, now, nudge_days=cfg["MEASURE_NUDGE_DAYS"], expire_days=cfg["MEASURE_EXPIRE_DAYS"])
        if st is not None:
            out.append((r, start, st))
    return out


def nudges_in(conn, client_ids, now: datetime, cfg) -> dict[int, list[tuple[int, datetime]]]:
    """Client -> [(assignment, period start)] that their next reminder should mention: due for
    MEASURE_NUDGE_DAYS, not yet missed, not mentioned before in this period."""
    if not client_ids:
        return {}
    rows = _open_assignments(conn, db.one_of(conn, measure_assignments.c.client_id, sorted(set(client_ids))))
    waiting = [(r, start) for r, start, st in _stages(conn, rows, now, cfg) if st == "nudge"]
    done = _marked(conn, [r.id for r, _ in waiting], measure_followups.c.nudged_at)
    out: dict[int, list[tuple[int, datetime]]] = {}
    for r, start in waiting:
        if (r.id, start) not in done:
            out.setdefault(r.client_id, []).append((r.id, start))
    return out


def _row_in(conn, client_id: int, assignment_id: int, start: datetime) -> None:
    db.insert_once(conn, measure_followups, dict(client_id=client_id, assignment_id=assignment_id, period_start=start),
                   ["assignment_id", "period_start"])


def record_nudges_in(conn, nudged: list[tuple[int, int, list[tuple[int, datetime]]]], now: datetime) -> None:
    """[(client, outbox id, [(assignment, period start)])]: these reminders went out mentioning them.
    Inside the transaction that records the reminders as sent, so a reminder that failed or will be
    retried never counts as the mention (its retry mentions it instead)."""
    f = measure_followups
    for client_id, outbox_id, items in nudged:
        for assignment_id, start in items:
            _row_in(conn, client_id, assignment_id, start)
            conn.execute(update(f).where(f.c.assignment_id == assignment_id, f.c.period_start == start,
                                         f.c.nudged_at.is_(None)).values(nudged_at=now, nudge_outbox_id=outbox_id))


def expire(now: datetime, cfg) -> int:
    """The worker's step: mark missed every due period left unanswered for MEASURE_EXPIRE_DAYS, for
    clients who could have answered (active, consent active). Returns how many were marked."""
    f = measure_followups
    with db.write() as conn:
        who = select(clients.c.id).where(clients.c.status == "active", consent.active_clause(clients.c.id, now))
        rows = _open_assignments(conn, measure_assignments.c.client_id.in_(who))
        missed = [(r, start) for r, start, st in _stages(conn, rows, now, cfg) if st == "missed"]
        done = _marked(conn, [r.id for r, _ in missed], f.c.missed_at)
        marked = 0
        for r, start in missed:
            if (r.id, start) in done:
                continue
            _row_in(conn, r.client_id, r.id, start)
            marked += conn.execute(update(f).where(f.c.assignment_id == r.id, f.c.period_start == start,
                                                   f.c.missed_at.is_(None)).values(missed_at=now)).rowcount
    return marked


def _still_missed():
    """Missed marks on open assignments that no answer has followed."""
    f, ma, mr = measure_followups, measure_assignments, measure_responses
    answered = exists().where(mr.c.assignment_id == f.c.assignment_id, mr.c.submitted_at >= f.c.period_start)
    return and_(f.c.missed_at.is_not(None), ~answered,
                exists().where(ma.c.id == f.c.assignment_id, ma.c.ended_at.is_(None)))


def missed_count(client_id_column):
    """A correlated count of the client's questionnaires missed and not answered since (for the caseload
    listing's own query)."""
    f = measure_followups
    return select(func.count(func.distinct(f.c.assignment_id))).where(f.c.client_id == client_id_column,
                                                                      _still_missed())


def missed_in(conn, client_id: int) -> dict[int, datetime]:
    """Assignment -> when its latest unanswered period was marked missed (scoped by the caller)."""
    f = measure_followups
    out: dict[int, datetime] = {}
    for r in conn.execute(select(f.c.assignment_id, f.c.missed_at).where(f.c.client_id == client_id, _still_missed())
                          .order_by(f.c.missed_at)):
        out[r.assignment_id] = r.missed_at
    return out
