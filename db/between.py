"""The between-session picture: the caseload overview (attention first) and one client's view over a
date range. Everything is aggregated in SQL (latest answer per step and day, per-day means, counts per
reason, per-hour buckets), so a year of five check-ins a day still yields a few hundred rows at most.
Every function takes the acting clinician, is scoped by `db.clients.scope` and is audited."""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

import db
from core import checkins as checkin_rules, exports, metrics, session_prep
from db import (audit, clients as clients_mod, consent, consent_templates, outbox, plans, practices, safety, sessions,
                step_versions)
from db.actors import Actor
from db.checkins import checkin_steps, checkins
from db.clients import clients
from db.measures import measure_responses

MAX_DAYS = 400  # the longest window a client view aggregates
ENTRIES_LIMIT = 200
EXPORT_LIMIT = 5000


def _steps(conn, client_ids: list[int]) -> dict[int, list[dict]]:
    """Active plans' steps per client, each as its newest version with all its versions' (saved at,
    days; empty once retired), oldest first, so planned days can be replayed day by day. A step
    removed from the plan comes as its last version before removal, with `removed_at`: its planned
    days before the removal still count. A step has a handful of versions, so this stays small."""
    if not client_ids:
        return {}
    sv, ps, pl = plans.step_versions, plans.plan_steps, plans.plans
    steps: dict[int, dict] = {}
    for row in conn.execute(select(sv, ps.c.position, ps.c.plan_id, pl.c.client_id)
                            .join(ps, ps.c.id == sv.c.step_id).join(pl, pl.c.id == ps.c.plan_id)
                            .where(pl.c.client_id.in_(client_ids), pl.c.status == "active")
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


def _planned(step: dict, zone: str, start: date, end: date) -> tuple[date, ...]:
    """The step's planned local days in [start, end], each day under the version in effect that day."""
    return _replayed(tuple((checkin_rules.local_today(zone, at), days) for at, days in step["versions"]), start, end)


@functools.lru_cache(maxsize=4096)
def _replayed(versions: tuple, start: date, end: date) -> tuple[date, ...]:
    # Depends only on (versions' local days and weekdays, window), which most clients share: computed once each.
    return tuple(metrics.planned_dates_replayed(list(versions), start, end))


def _outcomes(conn, client_ids: list[int], start: date, end: date, deciding: dict | None = None,
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
              .where(checkins.c.client_id.in_(client_ids), checkins.c.local_date >= start,
                     checkins.c.local_date <= end,
                     *([checkin_steps.c.step_id.in_(step_ids)] if step_ids is not None else [])).subquery())
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


_COUNTS = ("planned", "done", "partly", "not_today", "no_answer", "unplanned_entries")


def _adherence(steps: list[dict], outcomes: dict, client_id: int, zone: str, start: date, end: date
               ) -> tuple[metrics.Adherence, list[tuple[dict, metrics.Adherence]]]:
    """Adherence summed over the client's steps, and per step. A step counts from the day it was made,
    and each day with the days of the week in effect that day."""
    per = []
    for s in steps:
        planned = _planned(s, zone, start, end)
        if s["removed_at"] is not None and not planned:
            continue  # removed before this period: not part of it
        per.append((s, metrics.adherence(planned, outcomes.get((client_id, s["step_id"]), {}), start, end)))
    total = metrics.Adherence(*(sum(getattr(a, f) for _, a in per) for f in _COUNTS), start, end)
    return total, per


def _means(conn, todays: dict[int, date]) -> dict[int, tuple]:
    """Per client: (mood, distress) means over the client's last 7 days and the 7 before, each client
    counted in their own days (`todays`: client -> their local today). SQL sums each client's days
    (at most 15 rows a client, one IN list); the two weeks are added up here, per client's own today
    (conditions per zone group made ten IN lists, and building them cost more than the query)."""
    if not todays:
        return {}
    q = (select(checkins.c.client_id, checkins.c.local_date, func.sum(checkins.c.mood), func.sum(checkins.c.distress),
                func.count())
         .where(checkins.c.client_id.in_(list(todays)), checkins.c.local_date >= min(todays.values()) - timedelta(days=13),
                checkins.c.local_date <= max(todays.values()))
         .group_by(checkins.c.client_id, checkins.c.local_date))
    sums: dict[int, list[int]] = {}  # client -> [mood, distress, count] of the last 7 days, then of the 7 before
    for cid, day, mood, distress, n in conn.execute(q):
        back = (todays[cid] - day).days
        if 0 <= back <= 13:
            acc = sums.setdefault(cid, [0] * 6)
            at = 0 if back <= 6 else 3
            acc[at] += mood
            acc[at + 1] += distress
            acc[at + 2] += n
    return {cid: (a[0] / a[2] if a[2] else None, a[3] / a[5] if a[5] else None,
                  a[1] / a[2] if a[2] else None, a[4] / a[5] if a[5] else None) for cid, a in sums.items()}


def trend_words(recent: float | None, previous: float | None, what: str) -> str:
    if recent is None:
        return "—"
    if previous is None:
        return f"{recent:.1f}"
    diff = recent - previous
    arrow = "↑" if diff >= 1 else "↓" if diff <= -1 else "→"
    return f"{recent:.1f} {arrow}"


def caseload(actor: Actor, *, now: datetime, no_checkin_days: int = 4, notice_days: int = 14,
             search: str = "", status: str | None = None) -> list[dict]:
    """One row per client in scope, with their flags (attention first, then by name). The last check-in
    is counted in the clinician's time (the practice's zone): "3 days ago" means three of the
    clinician's days, whatever the client's zone."""
    ob, s, fl, pl = outbox.reminder_outbox, sessions.sessions, safety.safety_flags, plans.plans
    pr, ct = practices.practices, consent_templates.consent_templates
    per_client = {  # each one index probe per client, in the listing's own query
        "last_checkin_at": select(func.max(checkins.c.submitted_at)).where(checkins.c.client_id == clients.c.id),
        "open_flags": select(func.count()).select_from(fl).where(fl.c.client_id == clients.c.id,
                                                                 fl.c.reviewed_at.is_(None)),
        "findings": select(func.sum(pl.c.finding_count)).where(pl.c.client_id == clients.c.id, pl.c.status == "active"),
        "reminders_failed": select(func.count()).select_from(ob).where(
            ob.c.client_id == clients.c.id, ob.c.status == "failed", ob.c.updated_at >= now - timedelta(days=14)),
        "next_session": select(func.min(s.c.on_date)).where(s.c.client_id == clients.c.id, s.c.on_date >= now.date()),
        # the practice's (every client in scope is in the actor's practice): two statements fewer
        "practice_zone": select(pr.c.timezone).where(pr.c.id == clients.c.practice_id),
        "consent_version": select(func.max(ct.c.version)).where(ct.c.practice_id == clients.c.practice_id),
    }
    listing = clients_mod.list_query(actor, search=search, status=status).add_columns(
        *(q.scalar_subquery().label(name) for name, q in per_client.items()))
    # One transaction and one connection for everything below (it was five, and eleven statements for
    # what is now four): on PostgreSQL each costs a round trip, each transaction a check-out and a COMMIT.
    with db.write() as conn:
        base = [dict(r) for r in conn.execute(listing).mappings()]  # scoped to the actor
        visible = [r["id"] for r in base]
        clinician_zone = base[0]["practice_zone"] if base else None
        states = consent.states_in(conn, actor, visible, now=now, notice_days=notice_days, zone=clinician_zone,
                                   version=base[0]["consent_version"]) if visible else {}
        steps = _steps(conn, visible)
        today_utc = now.date()
        outcomes = _outcomes(conn, visible, today_utc - timedelta(days=29), today_utc + timedelta(days=1),
                             step_ids=[st["step_id"] for sts in steps.values() for st in sts])  # all _adherence reads
        means = _means(conn, {r["id"]: checkin_rules.local_today(r["timezone"], now) for r in base})
        mood7, mood_prev, dis7, dis_prev = ({cid: m[i] for cid, m in means.items()} for i in range(4))
        audit.record(conn, now=now, action="caseload.read", actor=actor, detail=f"{len(visible)} clients summarised")
    if not base:
        return []
    clinician_today = checkin_rules.local_today(clinician_zone, now)
    last = {r["id"]: checkin_rules.local_today(clinician_zone, r["last_checkin_at"]) for r in base
            if r["last_checkin_at"] is not None}
    rows = []
    for r in base:
        cid = r["id"]
        today = checkin_rules.local_today(r["timezone"], now)
        st = steps.get(cid, [])
        a7, _ = _adherence(st, outcomes, cid, r["timezone"], today - timedelta(days=6), today)
        recent, _ = _adherence(st, outcomes, cid, r["timezone"], today - timedelta(days=13), today)
        previous, _ = _adherence(st, outcomes, cid, r["timezone"], today - timedelta(days=27), today - timedelta(days=14))
        # The 28 days are exactly the two fortnights (disjoint, every count adds up): no third pass.
        a28 = metrics.Adherence(*(getattr(recent, f) + getattr(previous, f) for f in _COUNTS),
                                today - timedelta(days=27), today)
        state = states.get(cid)
        flags = [metrics.Flag("safety", f"{r['open_flags']} safety flag(s) waiting for review.", 1)
                 if r["open_flags"] else None]
        if r["status"] == "active":
            flags.append(metrics.no_checkin_flag(last.get(cid), clinician_today, no_checkin_days))
            flags.append(metrics.adherence_drop_flag(recent, previous))
        if state is not None and state.state in ("active", "renewal_due"):
            flags.append(metrics.consent_due_flag(state.renews_at, now, zone=clinician_zone, within_days=notice_days))
        if r["reminders_failed"]:
            flags.append(metrics.Flag("reminders_failing",
                                      f"{r['reminders_failed']} reminder(s) failed in the last 14 days.", 5))
        rows.append({**r, "consent": state.label if state else "", "last_checkin": last.get(cid), "today": today,
                     "clinician_zone": clinician_zone,
                     "clinician_today": clinician_today, "last_checkin_ago": ago(last.get(cid), clinician_today),
                     "adherence_7": a7, "adherence_28": a28, "mood": trend_words(mood7.get(cid), mood_prev.get(cid), "mood"),
                     "distress": trend_words(dis7.get(cid), dis_prev.get(cid), "distress"),
                     "flags": metrics.sort_flags(flags)})
    rows.sort(key=lambda x: (x["flags"][0].order if x["flags"] else 99, x["display_name"].lower()))
    return rows


def ago(day: date | None, today: date) -> str:
    if day is None:
        return "never"
    n = (today - day).days
    return "today" if n <= 0 else "yesterday" if n == 1 else f"{n} days ago"


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
        ids = sorted({deciding[(s["step_id"], d)] for s in chosen for d in _planned(s, zone, start, end)
                      if (s["step_id"], d) in deciding})  # at most steps x days, both bounded
        return [*in_window, checkins.c.id.in_(ids)]
    if kind == "reasons":
        return [*in_window, checkins.c.id.in_(select(checkin_steps.c.checkin_id).where(
            checkin_steps.c.status != "done", checkin_steps.c.reason.is_not(None)))]
    if kind == "safety":
        f = safety.safety_flags
        return [checkins.c.client_id == client_id, checkins.c.id.in_(select(f.c.source_id).where(
            f.c.client_id == client_id, f.c.source == "checkin", f.c.reviewed_at.is_(None)))]
    return in_window


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
    sv = plans.step_versions
    answers: dict[int, list[str]] = {}
    for cid, behaviour, status, reason in conn.execute(
            select(checkin_steps.c.checkin_id, sv.c.behaviour, checkin_steps.c.status, checkin_steps.c.reason)
            .join(sv, sv.c.id == checkin_steps.c.version_id)
            .where(checkin_steps.c.checkin_id.in_([r["id"] for r in rows])).order_by(checkin_steps.c.id)):
        answers.setdefault(cid, []).append(f"{behaviour}: {status.replace('_', ' ')}" + (
            f" ({checkin_rules.REASONS.get(reason, reason)})" if reason else ""))
    for r in rows:
        r["practice"] = "; ".join(answers.get(r["id"], []))
    return rows, total, page


def client_view(actor: Actor, client_id: int, *, now: datetime, start: date | None = None,
                end: date | None = None, behind: str | None = None, page: int = 0) -> dict:
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
        steps = _steps(conn, [client_id]).get(client_id, [])
        deciding: dict[tuple[int, date], int] = {}
        outcomes = _outcomes(conn, [client_id], start, end, deciding)
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
        open_flags = conn.execute(select(func.count()).select_from(safety.safety_flags).where(
            safety.safety_flags.c.client_id == client_id, safety.safety_flags.c.reviewed_at.is_(None))).scalar_one()
        audit.record(conn, now=now, action="between.read", actor=actor, client_id=client_id,
                     detail=f"{(end - start).days + 1} days shown" + (
                         f"; {entries_total} entries behind '{behind}'" if behind else ""))
    total, per_step = _adherence(steps, outcomes, client_id, zone, start, end)
    tz = ZoneInfo(zone)
    heat: dict[tuple[int, int], list[float]] = {}
    for b, dsum, n in buckets:
        local = datetime.strptime(b, "%Y-%m-%d %H").replace(tzinfo=timezone.utc).astimezone(tz)
        cell = heat.setdefault((local.weekday(), local.hour), [0.0, 0])
        cell[0] += float(dsum)
        cell[1] += int(n)
    weekly = []
    for s, _a in per_step:
        days = outcomes.get((client_id, s["step_id"]), {})
        for d in _planned(s, zone, start, end):
            weekly.append({"step": s["behaviour"], "week": d - timedelta(days=d.weekday()),
                           "answer": {"done": "done", "partly": "partly", "not_today": "not today"}.get(
                               days.get(d, ""), "no answer")})
    practised_days = sorted({d for (cid, _sid), days in outcomes.items() for d, st in days.items()
                             if st in ("done", "partly")})
    for d in daily:
        d["mood"], d["distress"] = round(float(d["mood"]), 1), round(float(d["distress"]), 1)
        d["practised"] = d["day"] in practised_days
    return {"client": client, "zone": zone, "today": today, "start": start, "end": end,
            "last_session": last_session, "next_session": next_session, "sessions": session_dates,
            "adherence": total, "per_step": per_step, "daily": daily, "reasons": reasons, "scores": scores,
            "entries": entries, "entries_total": entries_total, "entries_page": page, "behind": behind,
            "open_flags": open_flags, "weekly": _count_weekly(weekly),
            "heat": [{"weekday": w, "hour": h, "distress": round(v[0] / v[1], 1), "checkins": v[1]}
                     for (w, h), v in sorted(heat.items())],
            "steps": [s for s in steps if s["removed_at"] is None]}


def _count_weekly(rows: list[dict]) -> list[dict]:
    counts: dict[tuple, int] = {}
    for r in rows:
        key = (r["step"], r["week"], r["answer"])
        counts[key] = counts.get(key, 0) + 1
    return [{"step": s, "week": w, "answer": a, "days": n} for (s, w, a), n in sorted(counts.items())]


def session_summary(actor: Actor, client_id: int, *, now: datetime, start: date | None = None,
                    end: date | None = None) -> str:
    """The printable session summary of the period (core.session_prep: figures and up to ten recent
    thoughts) as HTML, recorded as an export like the CSV: it leaves the portal with client data."""
    view = client_view(actor, client_id, now=now, start=start, end=end)  # the whole period, not a page of it
    with db.write() as conn:
        audit.record(conn, now=now, action="summary.export", actor=actor, client_id=client_id,
                     detail=f"session summary of {view['start']} to {view['end']} (HTML)")
    return session_prep.html(view, now=now)


HEADER = ["local_date", "submitted_at_utc", "mood", "distress", "thought", "where", "with", "practice", "corrects"]


def export_csv(actor: Actor, client_id: int, *, now: datetime, start: date, end: date) -> str:
    """The client's check-ins in the range as CSV, cells neutralised (core.exports), audited."""
    sv = plans.step_versions
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        rows = [dict(r) for r in conn.execute(
            select(checkins).where(checkins.c.client_id == client_id, checkins.c.local_date >= start,
                                   checkins.c.local_date <= end)
            .order_by(checkins.c.submitted_at, checkins.c.id).limit(EXPORT_LIMIT)).mappings()]
        ids = [r["id"] for r in rows]
        answers: dict[int, list[str]] = {}
        for cid, behaviour, status, reason in conn.execute(
                select(checkin_steps.c.checkin_id, sv.c.behaviour, checkin_steps.c.status, checkin_steps.c.reason)
                .join(sv, sv.c.id == checkin_steps.c.version_id).where(checkin_steps.c.checkin_id.in_(ids))
                .order_by(checkin_steps.c.id)):
            answers.setdefault(cid, []).append(f"{behaviour}: {status}" + (f" ({reason})" if reason else ""))
        audit.record(conn, now=now, action="checkin.export", actor=actor, client_id=client_id,
                     detail=f"{len(rows)} check-ins exported as CSV")
    return exports.to_csv(HEADER, ([r["local_date"].isoformat(), f"{r['submitted_at']:%Y-%m-%d %H:%M}", r["mood"],
                                    r["distress"], r["thought"], r["context_where"], r["context_with"],
                                    "; ".join(answers.get(r["id"], [])), r["corrects_id"] or ""] for r in rows))
