"""One client's view over a period of their own days: the figures, chart rows, one page of the
entries behind a chosen sentence, the CSV export and the printable session summary. Aggregated in
SQL (latest answer per step and day, per-day means, counts per reason, per-hour buckets), so a year
of five check-ins a day still yields a few hundred rows at most. Every function takes the acting
clinician, checks the client's scope (db.clients.require) and is audited."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

import db
from core import chart_data, checkins as checkin_rules, exports, session_prep, wording
from core.client_view import ClientView
from db import adherence, audit, checkups, clients as clients_mod, personal_items, reliable_change, sessions, skill_uses
from db.actors import Actor
from db.tables import checkin_steps, checkins, measure_responses, safety_flags, step_versions

MAX_DAYS = 400  # the longest window a client view aggregates
ENTRIES_LIMIT = 200
EXPORT_LIMIT = 5000


def _hour_buckets(conn, client_id: int, start: date, end: date):
    if db.is_postgres(conn):
        bucket = func.to_char(func.timezone("UTC", checkins.c.submitted_at), "YYYY-MM-DD HH24")
    else:
        bucket = func.strftime("%Y-%m-%d %H", checkins.c.submitted_at)
    q = (select(bucket.label("b"), func.sum(checkins.c.distress), func.count())
         .where(checkins.c.client_id == client_id, checkins.c.local_date >= start, checkins.c.local_date <= end)
         .group_by(bucket))
    return conn.execute(q).all()


def _behind(behind: str | None, client_id: int, start: date, end: date, steps: list[dict], zone: str,
            deciding: dict) -> list:
    """The conditions that pick the check-ins behind one summary sentence (see core.session_prep):
    "practice" (or "practice:<step id>"): the check-ins whose answer counted for a planned day, the
    day's latest; "reasons": those that gave a reason for 'partly' or 'not today'; "safety": those that
    raised a flag still waiting for review (whenever raised); "all" or None: every check-in."""
    in_window = [checkins.c.client_id == client_id, checkins.c.local_date >= start, checkins.c.local_date <= end]
    kind, _, step = (behind or "all").partition(":")
    if kind == "practice":
        chosen = [s for s in steps if not step or str(s["step_id"]) == step]
        ids = sorted({deciding[(s["step_id"], d)] for s in chosen
                      for d in adherence.planned_days(s, zone, start, end)
                      if (s["step_id"], d) in deciding})  # at most steps x days, both bounded
        return [*in_window, checkins.c.id.in_(ids)]
    if kind == "reasons":
        return [*in_window, checkins.c.id.in_(select(checkin_steps.c.checkin_id).where(
            checkin_steps.c.status != "done", checkin_steps.c.reason.is_not(None)))]
    if kind == "safety":
        f = safety_flags
        return [checkins.c.client_id == client_id, checkins.c.id.in_(select(f.c.source_id).where(
            f.c.client_id == client_id, f.c.source == "checkin", f.c.reviewed_at.is_(None)))]
    return in_window


def _step_answers(conn, checkin_ids: list[int]) -> dict[int, list[tuple[str, str, str | None]]]:
    """Check-in id -> its practice answers as (step behaviour, status, reason or None), in the order
    given. The caller puts them in words (core.wording) or in the CSV's raw form (core.exports)."""
    sv = step_versions
    answers: dict[int, list[tuple[str, str, str | None]]] = {}
    for cid, behaviour, status, reason in conn.execute(
            select(checkin_steps.c.checkin_id, sv.c.behaviour, checkin_steps.c.status, checkin_steps.c.reason)
            .join(sv, sv.c.id == checkin_steps.c.version_id).where(checkin_steps.c.checkin_id.in_(checkin_ids))
            .order_by(checkin_steps.c.id)):
        answers.setdefault(cid, []).append((behaviour, status, reason))
    return answers


def _entries(conn, cond: list, page: int) -> tuple[list[dict], int, int]:
    """One page (ENTRIES_LIMIT rows, newest first) of the check-ins matching `cond`, each with its
    practice answers in words; the total; the page actually shown."""
    total = conn.execute(select(func.count()).select_from(checkins).where(*cond)).scalar_one()
    page = min(max(0, page), max(0, (total - 1) // ENTRIES_LIMIT))
    rows = [dict(r) for r in conn.execute(
        select(checkins.c.id, checkins.c.local_date, checkins.c.submitted_at, checkins.c.mood,
               checkins.c.distress, checkins.c.thought, checkins.c.context_where, checkins.c.context_with)
        .where(*cond).order_by(checkins.c.submitted_at.desc(), checkins.c.id.desc())
        .limit(ENTRIES_LIMIT).offset(page * ENTRIES_LIMIT)).mappings()]
    answers = _step_answers(conn, [r["id"] for r in rows])
    for r in rows:
        r["practice"] = wording.practice_answers(answers.get(r["id"], []))
    return rows, total, page


def get(actor: Actor, client_id: int, *, now: datetime, start: date | None = None,
        end: date | None = None, behind: str | None = None, page: int = 0) -> ClientView:
    """The figures and chart data for one client between `start` and `end` (local days, inclusive).
    With no start: since the last session (or the last 14 days when none is recorded). The entries
    are the check-ins behind the sentence `behind` names (see _behind; None: all of the period), one
    page of ENTRIES_LIMIT at a time."""
    with db.write() as conn:
        client = clients_mod.require(conn, actor, client_id)
        zone = client["timezone"]
        today = checkin_rules.local_today(zone, now)
        session_dates = sessions.dates_in(conn, client_id)
        last_session, next_session = sessions.last_and_next(session_dates, today)
        end = end or today
        start = start or last_session or (end - timedelta(days=13))
        if start > end:
            start, end = end, start
        start = max(start, end - timedelta(days=MAX_DAYS))
        steps = adherence.steps_in(conn, [client_id]).get(client_id, [])
        deciding: dict[tuple[int, date], int] = {}
        outcomes = adherence.outcomes_in(conn, [client_id], start, end, deciding)
        daily = [dict(r) for r in conn.execute(
            select(checkins.c.local_date.label("day"), func.avg(checkins.c.mood).label("mood"),
                   func.avg(checkins.c.distress).label("distress"), func.count().label("checkins"))
            .where(checkins.c.client_id == client_id, checkins.c.local_date >= start, checkins.c.local_date <= end)
            .group_by(checkins.c.local_date).order_by(checkins.c.local_date)).mappings()]
        reasons = [dict(r) for r in conn.execute(
            select(checkin_steps.c.reason, func.count().label("n"))
            .join(checkins, checkins.c.id == checkin_steps.c.checkin_id)
            .where(checkins.c.client_id == client_id, checkins.c.local_date >= start, checkins.c.local_date <= end,
                   checkin_steps.c.status != "done", checkin_steps.c.reason.is_not(None))
            .group_by(checkin_steps.c.reason)).mappings()]
        buckets = _hour_buckets(conn, client_id, start, end)
        scores = [dict(r) for r in conn.execute(
            select(measure_responses.c.local_date.label("day"), measure_responses.c.measure,
                   measure_responses.c.total, measure_responses.c.band)
            .where(measure_responses.c.client_id == client_id, measure_responses.c.local_date >= start,
                   measure_responses.c.local_date <= end).order_by(measure_responses.c.local_date)
            .limit(500)).mappings()]
        entries, entries_total, page = _entries(
            conn, _behind(behind, client_id, start, end, steps, zone, deciding), page)
        helps, helps_chart = skill_uses.helps_in(conn, client_id, start, end,
                                                 {s["step_id"]: s["behaviour"] for s in steps})
        checkup = checkups.latest_in(conn, [client_id])[client_id]["latest"]
        changes = reliable_change.episodes_in(conn, client_id, zone, reliable_change.rule_in(conn, client["practice_id"]))
        personal = personal_items.series_in(conn, client_id, start, end)
        open_flags = conn.execute(select(func.count()).select_from(safety_flags).where(
            safety_flags.c.client_id == client_id, safety_flags.c.reviewed_at.is_(None))).scalar_one()
        audit.record(conn, now=now, action="between.read", actor=actor, client_id=client_id,
                     detail=f"{(end - start).days + 1} days shown" + (
                         f"; {entries_total} entries behind '{behind}'" if behind else ""))
    total, per_step = adherence.summed(steps, outcomes, client_id, zone, start, end)
    practised_days = {d for days in outcomes.values() for d, st in days.items() if st in ("done", "partly")}
    weekly = chart_data.weekly_counts((s["behaviour"], adherence.planned_days(s, zone, start, end),
                                       outcomes.get((client_id, s["step_id"]), {})) for s, _a in per_step)
    return ClientView(
        client=client, zone=zone, today=today, start=start, end=end, last_session=last_session,
        next_session=next_session, sessions=session_dates, adherence=total, per_step=per_step,
        steps=[s for s in steps if s["removed_at"] is None], daily=chart_data.daily_points(daily, practised_days),
        weekly=weekly, heat=chart_data.heat_cells(buckets, zone), reasons=reasons, scores=scores,
        entries=entries, entries_total=entries_total, entries_page=page, behind=behind, open_flags=open_flags,
        helps=helps, helps_chart=helps_chart, checkup=checkup, changes=changes,
        personal=chart_data.personal_series(personal))


def session_summary(actor: Actor, client_id: int, *, now: datetime, start: date | None = None,
                    end: date | None = None) -> str:
    """The printable session summary of the period (core.session_prep: figures and up to ten recent
    thoughts) as HTML, recorded as an export like the CSV: it leaves the portal with client data."""
    view = get(actor, client_id, now=now, start=start, end=end)  # the whole period, not a page of it
    with db.write() as conn:
        audit.record(conn, now=now, action="summary.export", actor=actor, client_id=client_id,
                     detail=f"session summary of {view.start} to {view.end} (HTML)")
    return session_prep.html(view, now=now)


HEADER = ["local_date", "submitted_at_utc", "mood", "distress", "thought", "where", "with", "practice", "corrects"]


def export_csv(actor: Actor, client_id: int, *, now: datetime, start: date, end: date) -> str:
    """The client's check-ins in the range as CSV, cells neutralised (core.exports), audited."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        rows = [dict(r) for r in conn.execute(
            select(checkins).where(checkins.c.client_id == client_id, checkins.c.local_date >= start,
                                   checkins.c.local_date <= end)
            .order_by(checkins.c.submitted_at, checkins.c.id).limit(EXPORT_LIMIT)).mappings()]
        answers = _step_answers(conn, [r["id"] for r in rows])
        audit.record(conn, now=now, action="checkin.export", actor=actor, client_id=client_id,
                     detail=f"{len(rows)} check-ins exported as CSV")
    return exports.to_csv(HEADER, ([r["local_date"].isoformat(), f"{r['submitted_at']:%Y-%m-%d %H:%M}", r["mood"],
                                    r["distress"], r["thought"], r["context_where"], r["context_with"],
                                    exports.practice_cell(answers.get(r["id"], [])), r["corrects_id"] or ""]
                                   for r in rows))
