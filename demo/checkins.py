"""Demo check-ins for `make run`: about eight weeks for the clients with consent and a plan, with
varied practice, a few "not today" reasons, distress that rose lately for Jordan, weekly PHQ-9 and
GAD-7 series (and a WHO-5 for Riley, a PCL-5 for Jordan), one reviewed flag and one open flag (Jordan's latest PHQ-9, item 9), all deterministic:
the same relative to today whatever the hour the demo is seeded."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from core import measures as measure_rules
from db import measures, plans, safety, step_versions
from db.checkins import checkin_steps, checkins
from db.clients import clients

# name -> (days of history, chance of checking in on a day, (done, partly) shares, mood, distress)
PEOPLE = {
    "Jordan P.": (56, 0.8, (0.6, 0.25), 5, 4),
    "Riley T.": (56, 0.85, (0.7, 0.2), 6, 5),
    "Taylor B.": (11, 0.6, (0.5, 0.25), 6, 4),
    "Casey M.": (2, 1.0, (0.5, 0.5), 5, 5),
}
REASONS = ["forgot", "forgot", "no_time", "no_time", "too_distressed", "not_useful", "other"]
THOUGHTS = ["I'll never get the hang of this.", "Felt a bit lighter after the walk.", "Everyone on the bus was staring.",
            "Work is piling up again.", "Managed it even though I didn't want to.", "Too tired to think straight."]
WHERE = ["home", "work", "on the bus", "at the shops", ""]
WITH = ["alone", "partner", "a friend", "colleagues", ""]
PHQ_TOTALS = [16, 13, 11, 9, 8, 10, 12, 14]   # improving, then worse lately
GAD_TOTALS = [15, 14, 12, 12, 10, 9, 8, 8]     # steady improvement with exposure
WHO5_TOTALS = [36, 40, 40, 48, 52, 56]          # well-being (0-100, higher is better) rising out of the low band
PCL5_TOTALS = [47, 44, 42, 38, 35, 31]          # trauma symptoms easing, crossing the provisional cut-off of 33


def _clamp(v: float) -> int:
    return max(0, min(10, round(v)))


def _answers(m: measure_rules.Measure, total: int, rng, *, safety: int = 0) -> list[int]:
    """Item scores of `m` whose reported total is `total` (a multiple of `m.multiplier`), its safety item (PHQ-9's
    item 9) fixed at `safety`; every score is one of the instrument's own values (0..3, 0..4, 0..5)."""
    raw = total // m.multiplier
    out = [0] * len(m.items)
    if m.safety_item is not None:
        out[m.safety_item] = safety
        raw -= safety
    free = [i for i in range(len(m.items)) if i != m.safety_item]
    while raw > 0:
        i = rng.choice(free)
        if out[i] < m.item_max:
            out[i] += 1
            raw -= 1
    return out


def _checkins(conn, cid: int, zone: str, now: datetime, rng, spec, *, rising: bool = False,
              peak_back: int | None = None) -> tuple[int, datetime] | None:
    """Check-ins for the past `days`; `rising`: distress up and mood down over the last ten days;
    `peak_back`: that many days ago, one evening of distress 9 (returned, to flag)."""
    peak = None
    days, chance, (p_done, p_partly), mood, distress = spec
    tz = ZoneInfo(zone)
    plan_ids = list(conn.execute(select(plans.plans.c.id).where(plans.plans.c.client_id == cid)).scalars())
    today = now.astimezone(tz).date()
    for back in range(days, 0, -1):
        # Each day draws from its own generator: what a day looks like does not depend on how many
        # draws the days before it made (the first day's steps depend on the hour the demo is seeded).
        rng = random.Random(f"demo-checkins:{cid}:{back}")
        day = today - timedelta(days=back)
        at = datetime.combine(day, time(20, rng.randint(0, 59)), tz).astimezone(ZoneInfo("UTC"))
        steps = [s for s in step_versions.as_of(conn, plan_ids, at) if day.weekday() in s["days"]]
        if not steps or (rng.random() > chance and back != peak_back):
            continue
        lately = rising and back <= 10
        m = _clamp(mood + rng.gauss(0, 1.2) - (2 if lately else 0))
        d = 9 if back == peak_back else min(8, _clamp(distress + rng.gauss(0, 1.2) + (3 if lately else 0)))
        thought = rng.choice(THOUGHTS) if rng.random() < 0.3 else ""
        row = conn.execute(insert(checkins).values(
            client_id=cid, idempotency_key=f"demo-{cid}-{day.isoformat()}", local_date=day, submitted_at=at, mood=m,
            distress=d, thought=thought, context_where=rng.choice(WHERE) if thought else "",
            context_with=rng.choice(WITH) if thought else "")).inserted_primary_key[0]
        for s in steps:
            r = rng.random()
            status = "done" if r < p_done else "partly" if r < p_done + p_partly else "not_today"
            conn.execute(insert(checkin_steps).values(
                checkin_id=row, step_id=s["step_id"], version_id=s["version_id"], status=status,
                reason=rng.choice(REASONS) if status == "not_today" else None, label=None))
        if back == peak_back:
            peak = (row, at)
    return peak


def _series(conn, cid: int, zone: str, now: datetime, rng, code: str, totals: list[int], by: int) -> list[int]:
    start = now - timedelta(days=7 * len(totals) + 1)
    aid = conn.execute(insert(measures.measure_assignments).values(
        client_id=cid, measure=code, cadence="weekly", created_by=by, created_at=start)).inserted_primary_key[0]
    ids = []
    for week, total in enumerate(totals):
        at = start + timedelta(days=7 * week + 1, hours=rng.randint(0, 6))
        item9 = 1 if code == "phq9" and week == len(totals) - 1 else 0
        answers = _answers(measure_rules.MEASURES[code], total, rng, safety=item9)
        score = measure_rules.score(code, answers)
        rid = conn.execute(insert(measures.measure_responses).values(
            client_id=cid, assignment_id=aid, measure=code, idempotency_key=f"demo-{code}-{cid}-{week}",
            local_date=at.astimezone(ZoneInfo(zone)).date(), submitted_at=at, total=score.total, band=score.band)
        ).inserted_primary_key[0]
        conn.execute(insert(measures.measure_answers), [{"response_id": rid, "item": i + 1, "answer": a}
                                                        for i, a in enumerate(answers)])
        safety.raise_in(conn, cid, source="measure", source_id=rid, now=at,
                        reasons=["PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above "
                                 "'not at all'"] if item9 else [])
        ids.append(rid)
    return ids


def step(conn, ids: dict, now: datetime, rng) -> None:
    zones = {cid: zone for cid, zone in conn.execute(select(clients.c.id, clients.c.timezone))}
    maya = ids["clinicians"]["maya"]
    jordan, riley = ids["clients"]["Jordan P."], ids["clients"]["Riley T."]
    peak = None
    for name, spec in PEOPLE.items():
        cid = ids["clients"][name]
        found = _checkins(conn, cid, zones[cid], now, rng, spec, rising=cid == jordan,
                          peak_back=30 if cid == riley else None)
        peak = peak or found
    _series(conn, jordan, zones[jordan], now, rng, "phq9", PHQ_TOTALS, maya)  # the last one flags item 9
    _series(conn, riley, zones[riley], now, rng, "gad7", GAD_TOTALS, maya)
    # Their own generators: adding these series left every earlier demo figure as it was.
    _series(conn, riley, zones[riley], now, random.Random("demo-who5"), "who5", WHO5_TOTALS, maya)
    _series(conn, jordan, zones[jordan], now, random.Random("demo-pcl5"), "pcl5", PCL5_TOTALS, maya)
    # An older high-distress evening for Riley, already reviewed by Maya with her note.
    if peak is not None:
        checkin_id, at = peak
        flag = safety.raise_in(conn, riley, source="checkin", source_id=checkin_id, now=at,
                               reasons=["distress 9 of 10 (at or above the practice threshold of 9)"])
        conn.execute(safety.safety_flags.update().where(safety.safety_flags.c.id == flag).values(
            reviewed_at=at + timedelta(hours=15), reviewed_by=maya,
            review_note="Talked it through at the next session; the bus hierarchy step was too big that week."))
