"""Skill uses: a client uses a step "in the moment" from the coping card, one immutable row per use.

Like check-ins, every write re-checks the card link and consent inside its own transaction
(links.resolve_in), validates on the server (core.skill_uses) and inserts under the use's idempotency
key, so a double tap, a second tab or a resubmission saves once. A "before" or "after" rating at or
above the safety threshold raises one safety flag per use (the flag carries the use's key as its
episode: rating high before and again after is one hard moment, not two). Client writes are audited
without content; clinician reads are scoped (db.clients.require) and audited.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select, union, update

import db
from core import checkins as checkin_rules, exports, settings as settings_mod, skill_uses as rules
from core.i18n import N_
from db import audit, links, practices
from db import clients as clients_mod
from db.actors import Actor
from db.checkins import current_steps_in
from db.tables import checkin_steps, checkins, clients, safety_flags, skill_uses, step_versions  # noqa: F401

KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
ENTRIES_LIMIT = 200
EXPORT_LIMIT = 5000


@dataclass
class Result:
    status: str  # "ok"/"saved", "already" (saved before under this key), "errors", "invalid" (link or consent)
    errors: dict
    flagged: bool = False  # this rating is at or above the threshold: crisis resources first
    use_id: int | None = None
    week_days: int = 0  # days practised this week, for the small-wins line (0: no line)


def _step_in(conn, raw: object, step_id: object, now: datetime) -> tuple | None:
    """Inside the caller's transaction: the card link re-checked (links.resolve_in: purpose, client,
    consent) and the client's current step `step_id` if it is marked usable in the moment, as
    (resolution, step); None when either fails."""
    res = links.resolve_in(conn, raw, now, purpose="card")
    if not res.ok:
        return None
    step = next((s for s in rules.usable(current_steps_in(conn, res.client_id)) if str(s["step_id"]) == str(step_id)),
                None)
    return None if step is None else (res, step)


def page(raw: object, *, now: datetime, step_id: object = None) -> dict | None:
    """What the skill pages draw for a card link: the usable steps (or the one chosen), the crisis
    resources and the client's zone. None when the link no longer works (or the step is not usable).
    Changes nothing."""
    with db.read() as conn:
        res = links.resolve_in(conn, raw, now, purpose="card")
        if not res.ok:
            return None
        steps = rules.usable(current_steps_in(conn, res.client_id))
        crisis = conn.execute(select(practices.practices.c.crisis_resources)
                              .where(practices.practices.c.id == res.practice_id)).scalar_one()
    step = None
    if step_id is not None:
        step = next((s for s in steps if str(s["step_id"]) == str(step_id)), None)
        if step is None:
            return None
    return {"client_id": res.client_id, "timezone": res.timezone, "steps": steps, "step": step,
            "crisis_resources": crisis}


def _flag_in(conn, client_id: int, step_id: int, key: str, reasons: list[str], now: datetime) -> bool:
    """Raise the episode's one flag (nothing when it was raised before); True when a flag is raised now."""
    if not reasons:
        return False
    flag_id = db.insert_once(conn, safety_flags, dict(client_id=client_id, raised_at=now, source="skill",
                                                      source_id=step_id, episode=key,
                                                      reason="; ".join(reasons)[:300]), ["client_id", "episode"])
    return flag_id is not None


def rate_before(raw: object, step_id: object, before: object, key: object, *, now: datetime,
                threshold: int | None = None) -> Result:
    """The client rated distress before starting (or skipped it). Nothing is stored but a safety flag
    when the rating is at or above the threshold; the rating travels on with the use."""
    threshold = settings_mod.load()["SAFETY_DISTRESS_THRESHOLD"] if threshold is None else threshold
    value, ok = rules.rating(before)
    if not ok:
        return Result("errors", {"before": N_("Please choose a number from 0 to 10, or skip this.")})
    if not isinstance(key, str) or not KEY.match(key):
        return Result("errors", {"form": N_("This page was open for a long time; please start again.")})
    reasons = rules.safety_reasons(value, None, threshold)
    with db.write() as conn:
        found = _step_in(conn, raw, step_id, now)
        if found is None:
            return Result("invalid", {})
        res, step = found
        if _flag_in(conn, res.client_id, step["step_id"], key, reasons, now):
            audit.record(conn, now=now, action="skill.flag", actor_kind="client", actor_id=res.client_id,
                         actor_label="client", practice_id=res.practice_id, client_id=res.client_id,
                         detail="safety flag raised before a skill use")
    return Result("ok", {}, flagged=bool(reasons))


def _week_days_in(conn, client_id: int, zone: str, now: datetime) -> int:
    """Days of the client's current week with practice: a check-in that practised, or a skill use; 0 when
    the clinician turned the small-wins line off."""
    start = rules.week_start(checkin_rules.local_today(zone, now))
    practised = (select(checkins.c.local_date.label("d"))
                 .join(checkin_steps, checkin_steps.c.checkin_id == checkins.c.id)
                 .where(checkins.c.client_id == client_id, checkins.c.local_date >= start,
                        checkin_steps.c.status.in_(("done", "partly"))))
    used = select(skill_uses.c.local_date.label("d")).where(skill_uses.c.client_id == client_id,
                                                          skill_uses.c.local_date >= start)
    wanted = select(clients.c.small_wins).where(clients.c.id == client_id).scalar_subquery()  # one round trip
    return conn.execute(select(func.count()).select_from(union(practised, used).subquery()).where(wanted)).scalar_one()


def week_days(client_id: int, zone: str, *, now: datetime) -> int:
    """For the check-in's thank-you page (after a saved check-in): the small-wins count, 0 when off."""
    with db.read() as conn:
        return _week_days_in(conn, client_id, zone, now)


def started_at(value: object, now: datetime) -> datetime:
    """When the use began, from the form's epoch seconds; `now` when missing or not plausible."""
    text = str(value or "")
    if text.isascii() and text.isdigit() and len(text) <= 12:
        at = datetime.fromtimestamp(int(text), timezone.utc)
        if timedelta(0) <= now - at <= timedelta(seconds=rules.MAX_DURATION_S):
            return at
    return now


def record(raw: object, step_id: object, form: dict, *, now: datetime, threshold: int | None = None) -> Result:
    """Store one skill use. Nothing is accepted without a working card link and active consent, both
    checked inside this transaction; every rating may be skipped."""
    threshold = settings_mod.load()["SAFETY_DISTRESS_THRESHOLD"] if threshold is None else threshold
    before, ok_before = rules.rating(form.get("before"))
    after, ok_after = rules.rating(form.get("after"))
    was_helpful, ok_helped = rules.helped(form.get("helped"))
    key = form.get("idempotency_key")
    errors = {}
    if not ok_after:
        errors["after"] = N_("Please choose a number from 0 to 10, or skip this.")
    if not ok_helped:
        errors["helped"] = N_("Please tap one of the buttons below to save (\"Save without saying\" is fine).")
    if not (ok_before and isinstance(key, str) and KEY.match(key)):
        errors["form"] = N_("This page was open for a long time, so nothing was saved yet. Please start the skill again.")
    if errors:
        return Result("errors", errors)
    start = started_at(form.get("started"), now)
    with db.write() as conn:
        found = _step_in(conn, raw, step_id, now)
        if found is None:
            return Result("invalid", {})
        res, step = found
        day, clock = rules.local_stamp(res.timezone, start)
        use_id = db.insert_once(conn, skill_uses, dict(
            client_id=res.client_id, step_id=step["step_id"], version_id=step["version_id"], idempotency_key=key,
            started_at=start, saved_at=now, local_date=day, local_time=clock, before=before, after=after,
            helped=was_helpful, duration_s=rules.duration_s(start, now), struggling=form.get("struggling") == "1"),
            ["client_id", "idempotency_key"])
        reasons = rules.safety_reasons(before, after, threshold)
        if use_id is None:  # this use was saved before (a double tap, another tab)
            return Result("already", {}, flagged=bool(reasons),
                          week_days=_week_days_in(conn, res.client_id, res.timezone, now))
        raised = _flag_in(conn, res.client_id, step["step_id"], key, reasons, now)
        audit.record(conn, now=now, action="skill.use", actor_kind="client", actor_id=res.client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=res.client_id,
                     detail=f"skill use {use_id}" + (", a safety flag raised" if raised else ""))
        days = _week_days_in(conn, res.client_id, res.timezone, now)
    return Result("saved", {}, flagged=bool(reasons), use_id=use_id, week_days=days)


# ---------------------------------------------------------------- the clinician's side

def _in_period(client_id: int, start: date, end: date) -> list:
    """This client's uses in [start, end] (local days), a corrected use replaced by its correction."""
    corrected = select(skill_uses.c.corrects_id).where(skill_uses.c.client_id == client_id,
                                                       skill_uses.c.corrects_id.is_not(None))
    return [skill_uses.c.client_id == client_id, skill_uses.c.local_date >= start, skill_uses.c.local_date <= end,
            skill_uses.c.id.not_in(corrected)]


def helps_in(conn, client_id: int, start: date, end: date, skills: dict[int, str]) -> tuple[list, list[dict]]:
    """Inside the caller's transaction (already scoped): per skill, the "what helps" figures
    (core.skill_uses.Helps) and the before→after chart rows. SQL groups by (step, before, after,
    helped) and by (step, local hour): at most steps x 363 and steps x 24 rows, whatever the period."""
    cond = _in_period(client_id, start, end)
    u = skill_uses
    groups = conn.execute(select(u.c.step_id, u.c.before, u.c.after, u.c.helped, func.count())
                          .where(*cond).group_by(u.c.step_id, u.c.before, u.c.after, u.c.helped)).all()
    hour = func.substr(u.c.local_time, 1, 2)
    hours = conn.execute(select(u.c.step_id, hour, func.count()).where(*cond).group_by(u.c.step_id, hour)).all()
    names = dict(skills)
    missing = {g[0] for g in groups} - set(names)
    if missing:  # a step removed since: name it by its newest version
        for sid, behaviour in conn.execute(select(step_versions.c.step_id, step_versions.c.behaviour)
                                           .where(step_versions.c.step_id.in_(missing))
                                           .order_by(step_versions.c.valid_from)):
            names[sid] = behaviour
    helps = rules.summarise([tuple(g) for g in groups], [tuple(h) for h in hours], names)
    chart: dict[tuple, int] = {}
    for step_id, before, after, _helped, n in groups:
        if before is not None and after is not None:
            k = (names.get(step_id, "?"), before, after)
            chart[k] = chart.get(k, 0) + n
    return helps, [{"skill": s, "before": b, "after": a, "uses": n} for (s, b, a), n in sorted(chart.items())]


def entries(actor: Actor, client_id: int, *, now: datetime, start: date, end: date,
            step_id: int | None = None) -> tuple[list[dict], int]:
    """The uses behind a "what helps" sentence (one skill, or all), newest first, at most
    ENTRIES_LIMIT, with the total; scoped and audited."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        cond = _in_period(client_id, start, end)
        if step_id is not None:
            cond.append(skill_uses.c.step_id == step_id)
        total = conn.execute(select(func.count()).select_from(skill_uses).where(*cond)).scalar_one()
        rows = [dict(r) for r in conn.execute(
            select(skill_uses.c.id, skill_uses.c.local_date, skill_uses.c.local_time, skill_uses.c.before,
                   skill_uses.c.after, skill_uses.c.helped, skill_uses.c.duration_s, skill_uses.c.struggling,
                   step_versions.c.behaviour)
            .join(step_versions, step_versions.c.id == skill_uses.c.version_id).where(*cond)
            .order_by(skill_uses.c.started_at.desc(), skill_uses.c.id.desc()).limit(ENTRIES_LIMIT)).mappings()]
        audit.record(conn, now=now, action="skill.read", actor=actor, client_id=client_id,
                     detail=f"{len(rows)} of {total} skill uses shown")
    return rows, total


def counts_in(conn, client_todays: dict[int, date]) -> dict[int, int]:
    """Per client: skill uses in the client's last 7 days (their own days), one grouped query."""
    if not client_todays:
        return {}
    earliest = min(client_todays.values()) - timedelta(days=6)
    out: dict[int, int] = {}
    for cid, day, n in conn.execute(
            select(skill_uses.c.client_id, skill_uses.c.local_date, func.count())
            .where(db.one_of(conn, skill_uses.c.client_id, list(client_todays)), skill_uses.c.local_date >= earliest)
            .group_by(skill_uses.c.client_id, skill_uses.c.local_date)):
        today = client_todays[cid]
        if today - timedelta(days=6) <= day <= today:
            out[cid] = out.get(cid, 0) + n
    return out


def vulnerable_moments_in(conn, client_id: int, since: date) -> list[tuple[datetime, bool]]:
    """For the reminder-time suggestion: (local naive time of each skill use, started from "I'm
    struggling") since `since`, at most a year's worth."""
    out = []
    for day, clock, struggling in conn.execute(
            select(skill_uses.c.local_date, skill_uses.c.local_time, skill_uses.c.struggling)
            .where(skill_uses.c.client_id == client_id, skill_uses.c.local_date >= since)
            .order_by(skill_uses.c.local_date).limit(5000)):
        h, m = (int(x) for x in clock.split(":"))
        out.append((datetime(day.year, day.month, day.day, h, m), bool(struggling)))
    return out


HEADER = ["local_date", "local_time", "skill", "before", "after", "helped", "duration_seconds", "from_struggling",
          "started_at_utc", "corrects"]


def export_csv(actor: Actor, client_id: int, *, now: datetime, start: date, end: date) -> str:
    """The client's skill uses in the range as CSV (cells neutralised), audited as an export."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        rows = conn.execute(
            select(skill_uses, step_versions.c.behaviour).join(step_versions, step_versions.c.id == skill_uses.c.version_id)
            .where(skill_uses.c.client_id == client_id, skill_uses.c.local_date >= start, skill_uses.c.local_date <= end)
            .order_by(skill_uses.c.started_at, skill_uses.c.id).limit(EXPORT_LIMIT)).mappings().all()
        audit.record(conn, now=now, action="skill.export", actor=actor, client_id=client_id,
                     detail=f"{len(rows)} skill uses exported as CSV")
    yes_no = {True: "yes", False: "no", None: ""}
    return exports.to_csv(HEADER, ([r["local_date"].isoformat(), r["local_time"], r["behaviour"],
                                    "" if r["before"] is None else r["before"], "" if r["after"] is None else r["after"],
                                    yes_no[r["helped"]], "" if r["duration_s"] is None else r["duration_s"],
                                    yes_no[bool(r["struggling"])], f"{r['started_at']:%Y-%m-%d %H:%M}",
                                    r["corrects_id"] or ""] for r in rows))


def set_small_wins(actor: Actor, client_id: int, on: bool, *, now: datetime) -> None:
    """The clinician turns the client's small-wins line on or off (on by default)."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        conn.execute(update(clients).where(clients.c.id == client_id).values(small_wins=on, updated_at=now))
        audit.record(conn, now=now, action="client.update", actor=actor, client_id=client_id,
                     detail=f"small wins line {'on' if on else 'off'}")
