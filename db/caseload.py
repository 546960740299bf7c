"""The caseload: one row per client in scope with the figures and flags that put those who need
attention first. One transaction, one listing query with per-client subqueries, and a few
aggregates (adherence, 7-day means) for the clients whose kept figures are out of date
(db/caseload_figures.py); audited as "caseload.read"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

import db
from core import checkins as checkin_rules, checkups as checkup_rules, metrics, wording
from db import adherence, caseload_figures, checkups, clients as clients_mod, audit, consent, measure_followups, skill_uses
from db.actors import Actor
from db.tables import (checkins, clients, consent_templates, plans, practices, reminder_outbox, safety_flags,
                       sessions)


@dataclass(frozen=True)
class CaseloadRow:
    id: int
    display_name: str
    status: str
    timezone: str  # the client's
    clinician_id: int
    clinician_name: str
    consent: str  # the consent state in words ("" when there has never been a round)
    last_checkin: date | None  # in the clinician's days (the practice's zone)
    clinician_zone: str
    clinician_today: date
    today: date  # the client's own today
    adherence_7: metrics.Adherence
    adherence_28: metrics.Adherence
    mood_7: float | None  # mean of the client's last 7 days
    mood_previous: float | None  # mean of the 7 before
    distress_7: float | None
    distress_previous: float | None
    open_flags: int
    findings: int | None  # homework-check findings on active plans; None: no active plan
    reminders_failed: int  # in the last 14 days
    next_session: date | None
    flags: list[metrics.Flag]  # attention first
    skill_uses_7: int = 0  # skills used in the moment in the client's last 7 days
    measures_missed: int = 0  # questionnaires marked missed and not answered since

    @property
    def last_checkin_ago(self) -> str:
        return wording.ago(self.last_checkin, self.clinician_today)

    @property
    def mood(self) -> str:
        return wording.trend_words(self.mood_7, self.mood_previous)

    @property
    def distress(self) -> str:
        return wording.trend_words(self.distress_7, self.distress_previous)


def _means(conn, todays: dict[int, date]) -> dict[int, tuple]:
    """Per client: (mood, distress) means over the client's last 7 days and the 7 before, each client
    counted in their own days (`todays`: client -> their local today). SQL sums each client's days
    (at most 15 rows a client, one IN list); the two weeks are added up here, per client's own today
    (conditions per zone group made ten IN lists, and building them cost more than the query)."""
    if not todays:
        return {}
    q = (select(checkins.c.client_id, checkins.c.local_date, func.sum(checkins.c.mood), func.sum(checkins.c.distress),
                func.count())
         .where(db.one_of(conn, checkins.c.client_id, todays), checkins.c.local_date >= min(todays.values()) - timedelta(days=13),
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


def _figures(conn, stale: list[dict], todays: dict[int, date]) -> dict[int, dict]:
    """The kept figures (db/caseload_figures.py) computed afresh for these listing rows: adherence over
    the client's last 7 days, last 14 and the 14 before (each step's planned days replayed version by
    version, the newest answer of each day), and the 7-day means. Every client at once, aggregated in SQL."""
    ids = [r["id"] for r in stale]
    steps = adherence.steps_in(conn, ids)
    earliest, latest = min(todays[i] for i in ids), max(todays[i] for i in ids)
    outcomes = adherence.outcomes_in(conn, ids, earliest - timedelta(days=27), latest,
                                     step_ids=[st["step_id"] for i in ids for st in steps.get(i, [])])
    means = _means(conn, {i: todays[i] for i in ids})
    out = {}
    for r in stale:
        cid, today = r["id"], todays[r["id"]]
        windows = caseload_figures.periods(today)
        a7, recent, previous = adherence.summed_over(steps.get(cid, []), outcomes, cid, r["timezone"],
                                                     [windows["a7"], windows["recent"], windows["previous"]])
        out[cid] = caseload_figures.as_figures(a7, recent, previous, means.get(cid, (None, None, None, None)))
    return out


def _checkup_flag(state, found: dict, now: datetime) -> metrics.Flag | None:
    """The check-up reason (core.checkups.attention) for a client whose consent counts: the newest
    check-up's concerns, or one asked for and not answered. Only what happened since the consent that
    counts was confirmed."""
    latest = found.get("latest")
    if latest is not None and state.confirmed_at is not None and latest["at"] < state.confirmed_at:
        latest = None
    asked_at = found.get("asked_at")
    if asked_at is not None and state.confirmed_at is not None and asked_at < state.confirmed_at:
        asked_at = None
    return checkup_rules.attention(latest, now, asked_at=asked_at)


def rows(actor: Actor, *, now: datetime, no_checkin_days: int = 4, notice_days: int = 14,
         search: str = "", status: str | None = None, for_digest: bool = False,
         measure_expire_days: int = 4) -> list[CaseloadRow]:
    """One row per client in scope, with their flags (attention first, then by name). The last check-in
    is counted in the clinician's time (the practice's zone): "3 days ago" means three of the
    clinician's days, whatever the client's zone (`measure_expire_days`: MEASURE_EXPIRE_DAYS, for the
    words of the "questionnaire missed" reason). `for_digest`: read by the worker for the weekly
    digest's counts (audited as the system's "digest.counts", not as the actor's read)."""
    ob, s, fl, pl = reminder_outbox, sessions, safety_flags, plans
    pr, ct = practices, consent_templates
    per_client = {  # each one index probe per client, in the listing's own query
        "last_checkin_at": select(func.max(checkins.c.submitted_at)).where(checkins.c.client_id == clients.c.id),
        "open_flags": select(func.count()).select_from(fl).where(fl.c.client_id == clients.c.id,
                                                                 fl.c.reviewed_at.is_(None)),
        "findings": select(func.sum(pl.c.finding_count)).where(pl.c.client_id == clients.c.id, pl.c.status == "active"),
        # part of the kept figures' key (every plan change sets it): db/caseload_figures.py
        "plans_updated_at": select(func.max(pl.c.updated_at)).where(pl.c.client_id == clients.c.id),
        "reminders_failed": select(func.count()).select_from(ob).where(
            ob.c.client_id == clients.c.id, ob.c.status == "failed", ob.c.updated_at >= now - timedelta(days=14)),
        "measures_missed": measure_followups.missed_count(clients.c.id),
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
        todays = {r["id"]: checkin_rules.local_today(r["timezone"], now) for r in base}
        wanted = {r["id"]: caseload_figures.stamp(todays[r["id"]], r["timezone"], r["last_checkin_at"], r["plans_updated_at"])
                  for r in base}
        figures = caseload_figures.read_in(conn, wanted)
        stale = [r for r in base if r["id"] not in figures]
        if stale:
            computed = _figures(conn, stale, todays)
            caseload_figures.keep_in(conn, {cid: (wanted[cid], f) for cid, f in computed.items()}, now)
            figures.update(computed)
        skills_7 = skill_uses.counts_in(conn, todays)
        latest = checkups.latest_in(conn, visible)
        if for_digest:
            audit.record(conn, now=now, action="digest.counts", actor_kind="system", actor_label="weekly digest",
                         practice_id=actor.practice_id, detail=f"{len(visible)} clients counted")
        else:
            audit.record(conn, now=now, action="caseload.read", actor=actor, detail=f"{len(visible)} clients summarised")
    if not base:
        return []
    clinician_today = checkin_rules.local_today(clinician_zone, now)
    out = []
    for r in base:
        cid = r["id"]
        last = (checkin_rules.local_today(clinician_zone, r["last_checkin_at"])
                if r["last_checkin_at"] is not None else None)
        today = todays[cid]
        kept = figures[cid]
        a7, recent, previous = caseload_figures.adherence(kept, today)
        # The 28 days are exactly the two fortnights (disjoint, every count adds up): no third pass.
        a28 = adherence.add_up([recent, previous], today - timedelta(days=27), today)
        state = states.get(cid)
        flags = [metrics.safety_flag(r["open_flags"])]
        if r["status"] == "active":
            flags.append(metrics.no_checkin_flag(last, clinician_today, no_checkin_days))
            flags.append(metrics.adherence_drop_flag(recent, previous))
        if state is not None and state.state in ("active", "renewal_due"):
            flags.append(metrics.consent_due_flag(state.renews_at, now, zone=clinician_zone, within_days=notice_days))
            flags.append(_checkup_flag(state, latest.get(cid, {}), now))
        flags.append(metrics.measure_missed_flag(r["measures_missed"], measure_expire_days))
        flags.append(metrics.reminders_failing_flag(r["reminders_failed"]))
        mood_7, mood_previous, distress_7, distress_previous = kept["means"]
        out.append(CaseloadRow(
            id=cid, display_name=r["display_name"], status=r["status"], timezone=r["timezone"],
            clinician_id=r["clinician_id"], clinician_name=r["clinician_name"],
            consent=state.label if state else "", last_checkin=last, clinician_zone=clinician_zone,
            clinician_today=clinician_today, today=today, adherence_7=a7, adherence_28=a28,
            mood_7=mood_7, mood_previous=mood_previous, distress_7=distress_7, distress_previous=distress_previous,
            open_flags=r["open_flags"], findings=r["findings"], reminders_failed=r["reminders_failed"],
            next_session=r["next_session"], flags=metrics.sort_flags(flags), skill_uses_7=skills_7.get(cid, 0),
            measures_missed=r["measures_missed"]))
    out.sort(key=lambda x: (x.flags[0].order if x.flags else 99, x.display_name.lower()))
    return out
