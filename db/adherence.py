"""Adherence, shared by the caseload and the client view: the active plans' steps with their
versions, the days each step was planned (each day under the version in effect that day), the
newest answer per step and day, and the sums. Aggregated in SQL, so a year of five check-ins a day
is a few hundred rows at most. Reads only, inside the caller's transaction: callers scope first."""
from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

import db
from core import checkins as checkin_rules, metrics
from db import step_versions
from db.tables import checkin_steps, checkins, plan_steps, plans, step_versions as versions_table

COUNTS = ("planned", "done", "partly", "not_today", "no_answer", "unplanned_entries")  # metrics.Adherence's counts


def steps_in(conn, client_ids: list[int]) -> dict[int, list[dict]]:
    """Active plans' steps per client, each as its newest version with all its versions' (saved at,
    days; empty once retired), oldest first, so planned days can be replayed day by day. A step
    removed from the plan comes as its last version before removal, with `removed_at`: its planned
    days before the removal still count. A step has a handful of versions, so this stays small."""
    if not client_ids:
        return {}
    sv, ps, pl = versions_table, plan_steps, plans
    steps: dict[int, dict] = {}
    for row in conn.execute(select(sv, ps.c.position, ps.c.plan_id, pl.c.client_id)
                            .join(ps, ps.c.id == sv.c.step_id).join(pl, pl.c.id == ps.c.plan_id)
                            .where(db.one_of(conn, pl.c.client_id, client_ids), pl.c.status == "active")
                            .order_by(ps.c.position, ps.c.id, sv.c.valid_from, sv.c.id)).mappings():
        step = steps.get(row["step_id"])
        history = step["versions"] if step else []
        if row["retired"]:
            history.append((row["valid_from"], frozenset()))
            if step:
                step["removed_at"] = row["valid_from"]
            continue
        step = {**step_versions.as_dict(row), "plan_id": row["plan_id"], "client_id": row["client_id"],
                "versions": history, "removed_at": None}
        history.append((row["valid_from"], frozenset(step["days"])))
        steps[row["step_id"]] = step
    out: dict[int, list[dict]] = {}
    for step in steps.values():
        out.setdefault(step["client_id"], []).append(step)
    return out


def planned_days(step: dict, zone: str, start: date, end: date) -> tuple[date, ...]:
    """The step's planned local days in [start, end], each day under the version in effect that day."""
    return _replayed(tuple((checkin_rules.local_today(zone, at), days) for at, days in step["versions"]), start, end)


@functools.lru_cache(maxsize=4096)
def _replayed(versions: tuple, start: date, end: date) -> tuple[date, ...]:
    # Depends only on (versions' local days and weekdays, window), which most clients share: computed once each.
    return tuple(metrics.planned_dates_replayed(list(versions), start, end))


def outcomes_in(conn, client_ids: list[int], start: date, end: date, deciding: dict | None = None,
                step_ids: list[int] | None = None) -> dict[tuple[int, int], dict[date, str]]:
    """(client, step) -> {local day: status}, the newest answer of each day (a correction wins).
    `deciding`, when given, is filled with (step, day) -> the id of the check-in whose answer counted.
    `step_ids` limits it to those steps (PostgreSQL then reads their answers by index instead of
    scanning every answer: 10 ms instead of 190 ms for a caseload of 40 with a year of data)."""
    if not client_ids or step_ids == []:
        return {}
    ranked = (select(checkins.c.client_id, checkin_steps.c.step_id, checkins.c.local_date, checkin_steps.c.status,
                     checkins.c.id.label("checkin_id"),
                     func.row_number().over(partition_by=(checkin_steps.c.step_id, checkins.c.local_date),
                                            order_by=(checkins.c.submitted_at.desc(), checkins.c.id.desc()))
                     .label("rn"))
              .join(checkins, checkins.c.id == checkin_steps.c.checkin_id)
              .where(db.one_of(conn, checkins.c.client_id, client_ids), checkins.c.local_date >= start,
                     checkins.c.local_date <= end,
                     *([db.one_of(conn, checkin_steps.c.step_id, step_ids)] if step_ids is not None else [])).subquery())
    out: dict[tuple[int, int], dict[date, str]] = {}
    columns = [ranked.c.client_id, ranked.c.step_id, ranked.c.local_date, ranked.c.status]
    if deciding is None:
        # One row per (client, step) with its days as "YYYY-MM-DD:status,…": a caseload's month of
        # answers is ~80 rows instead of ~1,700 (the rows, not the SQL, were most of the time).
        days = func.aggregate_strings(day_text(ranked.c.local_date) + ":" + ranked.c.status, ",")
        for cid, sid, joined in conn.execute(select(ranked.c.client_id, ranked.c.step_id, days)
                                             .where(ranked.c.rn == 1).group_by(ranked.c.client_id, ranked.c.step_id)):
            out[(cid, sid)] = {date.fromisoformat(day): status
                               for day, _, status in (part.partition(":") for part in joined.split(","))}
        return out
    for cid, sid, day, status, checkin_id in conn.execute(select(*columns, ranked.c.checkin_id)
                                                          .where(ranked.c.rn == 1)):
        out.setdefault((cid, sid), {})[day] = status
        deciding[(sid, day)] = checkin_id
    return out


class day_text(FunctionElement):
    """A DATE column as 'YYYY-MM-DD' text on both databases (SQLite already stores it so; PostgreSQL's
    own text form would follow the session's DateStyle)."""
    type = String()
    inherit_cache = True
    name = "day_text"


@compiles(day_text)
def _day_text_sqlite(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(day_text, "postgresql")
def _day_text_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def summed(steps: list[dict], outcomes: dict, client_id: int, zone: str, start: date, end: date
           ) -> tuple[metrics.Adherence, list[tuple[dict, metrics.Adherence]]]:
    """Adherence summed over the client's steps, and per step. A step counts from the day it was made,
    and each day with the days of the week in effect that day."""
    per = []
    for s in steps:
        planned = planned_days(s, zone, start, end)
        if s["removed_at"] is not None and not planned:
            continue  # removed before this period: not part of it
        per.append((s, metrics.adherence(planned, outcomes.get((client_id, s["step_id"]), {}), start, end)))
    return add_up([a for _, a in per], start, end), per


def summed_over(steps: list[dict], outcomes: dict, client_id: int, zone: str, periods: list[tuple[date, date]]
                ) -> list[metrics.Adherence]:
    """`summed`'s totals over several periods at once (the caseload's 7 days and two fortnights): each
    step's versions are put in the client's days once, not once per period."""
    local = [(s, tuple((checkin_rules.local_today(zone, at), days) for at, days in s["versions"]),
              outcomes.get((client_id, s["step_id"]), {})) for s in steps]
    out = []
    for start, end in periods:
        parts = []
        for s, versions, answered in local:
            planned = _replayed(versions, start, end)
            if s["removed_at"] is not None and not planned:
                continue  # removed before this period: not part of it
            parts.append(metrics.adherence(planned, answered, start, end))
        out.append(add_up(parts, start, end))
    return out


def add_up(parts: list[metrics.Adherence], start: date, end: date) -> metrics.Adherence:
    """Adherence counts added up over steps, or over disjoint periods that together make [start, end]."""
    return metrics.Adherence(*(sum(getattr(a, f) for a in parts) for f in COUNTS), start, end)
