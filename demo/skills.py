"""Demo skill uses: a few weeks of Jordan reaching for slow breathing on hard evenings (it mostly helps,
once it did not, some uses unrated) and Riley using grounding before the bus (too few rated uses to say
much yet). Runs after the check-ins, so the check-ins' draws stay as they were."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from core import skill_uses as rules
from db import plans, step_versions
from db.tables import checkin_steps, checkins, skill_uses
from demo.plans import _actor, _step


def _uses(conn, cid: int, zone: str, step: dict, now: datetime, rng, days: list[int], hour: int,
          ratings: list[tuple]) -> None:
    rows = []
    for i, (back, (before, after, helped)) in enumerate(zip(days, ratings)):
        start = (now - timedelta(days=back)).replace(hour=hour, minute=rng.randrange(0, 50))
        day, clock = rules.local_stamp(zone, start)
        minutes = rng.randrange(2, 9)
        rows.append(dict(client_id=cid, step_id=step["step_id"], version_id=step["version_id"],
                         idempotency_key=f"demo-skill-{cid}-{i:03d}", started_at=start,
                         saved_at=start + timedelta(minutes=minutes), local_date=day, local_time=clock, before=before,
                         after=after, helped=helped, duration_s=minutes * 60, struggling=i % 3 == 0))
    conn.execute(insert(skill_uses), rows)


def step(conn, ids: dict, now: datetime, rng) -> None:
    c = ids["clients"]
    maya = _actor(conn, ids["clinicians"]["maya"], ids["practice"])
    jordan, riley = c["Jordan P."], c["Riley T."]
    # Jordan: slow belly breathing, practised when calm after brushing teeth and used in hard evenings.
    plan = plans.insert_plan(conn, maya, client_id=jordan, now=now - timedelta(days=24),
                             goal="Get through hard evenings with a skill that calms the body.",
                             steps=[_step("breathing", anchor="brush my teeth in the morning", window_start="07:30",
                                          window_end="08:30")])
    breathing = step_versions.as_of(conn, [plan], None)[0]
    _answers(conn, jordan, breathing, (now - timedelta(days=24)).date(), rng)
    jordan_ratings = [(7, 4, True), (8, 5, True), (6, 3, True), (7, None, None), (8, 8, False), (7, 4, True),
                      (None, None, True), (9, 6, True), (6, 4, None), (7, 3, True), (None, 5, None), (8, 5, True)]
    # Evenings in London, spread over the last three weeks (hour in UTC; London is UTC+0 in winter).
    _uses(conn, jordan, "Europe/London", breathing, now, rng, [21, 19, 17, 15, 13, 12, 10, 8, 6, 4, 3, 1], 20,
          jordan_ratings)
    riley_plans = list(conn.execute(select(plans.plans.c.id).where(plans.plans.c.client_id == riley)).scalars())
    riley_step = next(s for s in step_versions.as_of(conn, riley_plans, None) if s.get("distress_tolerance"))
    # Mornings in Sydney before the bus (about 08:00 local, 21:00 UTC the day before).
    _uses(conn, riley, "Australia/Sydney", riley_step, now, rng, [27, 22, 16, 11, 6, 2], 21,
          [(6, 4, True), (7, 7, False), (None, None, None), (5, 3, True), (8, 6, None), (None, None, True)])



def _answers(conn, cid: int, step: dict, since, rng) -> None:
    """The breathing step answered in each day's latest check-in since the plan began (the check-ins
    were drawn before this step existed; a step answer is a row of its own, nothing is updated)."""
    latest: dict = {}
    for checkin_id, day in conn.execute(select(checkins.c.id, checkins.c.local_date)
                                        .where(checkins.c.client_id == cid, checkins.c.local_date >= since)
                                        .order_by(checkins.c.submitted_at, checkins.c.id)):
        latest[day] = checkin_id
    rows = []
    for day, checkin_id in sorted(latest.items()):
        status = rng.choices(["done", "partly", "not_today"], [6, 2, 2])[0]
        rows.append({"checkin_id": checkin_id, "step_id": step["step_id"], "version_id": step["version_id"],
                     "status": status, "reason": "no_time" if status != "done" else None, "label": None})
    if rows:
        conn.execute(insert(checkin_steps), rows)
