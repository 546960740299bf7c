"""Skill uses in storage, on SQLite and PostgreSQL: scoped for the three personas, immutable and
append-only by triggers, saved once per key (double tap, second tab, 200 concurrent uses), nothing saved
once consent is withdrawn, one safety flag per hard moment, gone with the client on erasure."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

import db
from core import templates as core_templates
from db import consent, lifecycle, links, plans, skill_uses
from db.tables import safety_flags, skill_uses as table
from tests.conftest import NOW, make_reachable, open_flags

T = core_templates.by_key(core_templates.BUILT_IN)
TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}


def setup(people, who="clara"):
    cid = people[f"client_{who}"]
    plan_id, _ = plans.create_plan(people[who], cid, goal="Calmer days", now=NOW - timedelta(days=10),
                                   steps=[T["breathing"]["step"], T["grounding"]["step"], T["thought_record"]["step"]])
    steps = plans.get(people[who], plan_id, now=NOW)["steps"]
    make_reachable(cid, NOW - timedelta(days=10))
    return links.issue_for(people[who], cid, "card", now=NOW, ttl_days=TTL), [s["step_id"] for s in steps]


def use(key="k" * 24, **kw):
    base = {"idempotency_key": key, "started": str(int((NOW - timedelta(minutes=3)).timestamp())), "before": "7",
            "after": "4", "helped": "yes", "struggling": "0"}
    base.update(kw)
    return base


def count(t=table):
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(t)).scalar()


def test_skill_use_is_saved_with_the_clients_local_date_and_time_and_duration(database, people):
    raw, (breathing, _g, _t) = setup(people)
    result = skill_uses.record(raw, breathing, use(), now=NOW)
    assert result.status == "saved"
    with db.read() as conn:
        row = conn.execute(select(table)).mappings().one()
    # NOW is 09:30 UTC on 28 Nov; Clara's client is in London (UTC+0 in November); started 3 minutes before
    assert (str(row["local_date"]), row["local_time"], row["duration_s"]) == ("2026-11-28", "09:27", 180)
    assert (row["before"], row["after"], row["helped"]) == (7, 4, True)


def test_skill_use_only_for_steps_marked_usable_in_the_moment(database, people):
    raw, (_b, _g, thought) = setup(people)
    assert skill_uses.record(raw, thought, use(), now=NOW).status == "invalid" and count() == 0


def test_skill_use_double_tap_and_second_tab_save_once(database, people):
    raw, (breathing, _g, _t) = setup(people)
    assert skill_uses.record(raw, breathing, use(), now=NOW).status == "saved"
    assert skill_uses.record(raw, breathing, use(), now=NOW + timedelta(seconds=1)).status == "already"
    assert count() == 1


def test_200_concurrent_skill_uses_with_20_repeated_keys_give_180_rows(database, people):
    raw, (breathing, grounding, _t) = setup(people)
    keys = [f"skill-{i:04d}-" + "x" * 12 for i in range(180)] + [f"skill-{i:04d}-" + "x" * 12 for i in range(20)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda k: skill_uses.record(raw, breathing if k[-13] in "02468" else grounding,
                                                            use(k), now=NOW), keys))
    assert sorted({r.status for r in results}) == ["already", "saved"]
    assert [r.status for r in results].count("saved") == 180 and count() == 180


def test_skill_use_after_consent_withdrawn_between_opening_and_submitting_saves_nothing(database, people):
    raw, (breathing, _g, _t) = setup(people)
    assert skill_uses.page(raw, now=NOW, step_id=breathing) is not None  # the page was open
    consent.withdraw_for(people["clara"], people["client_clara"], now=NOW)
    assert skill_uses.record(raw, breathing, use(before="10"), now=NOW).status == "invalid"
    assert skill_uses.rate_before(raw, breathing, "10", "k" * 24, now=NOW).status == "invalid"
    assert count() == 0 and count(safety_flags) == 0


def test_skill_high_ratings_before_and_after_raise_one_flag_for_the_moment(database, people):
    raw, (breathing, _g, _t) = setup(people)
    assert skill_uses.rate_before(raw, breathing, "9", "k" * 24, now=NOW, threshold=9).flagged
    assert skill_uses.rate_before(raw, breathing, "10", "k" * 24, now=NOW, threshold=9).flagged  # the back button
    assert skill_uses.record(raw, breathing, use(before="9", after="9"), now=NOW, threshold=9).flagged
    assert count(safety_flags) == 1 and open_flags(people["clara"]) == {people["client_clara"]: 1}
    # another hard moment is another flag
    skill_uses.record(raw, breathing, use("m" * 24, before="3", after="10"), now=NOW, threshold=9)
    assert count(safety_flags) == 2
    with db.read() as conn:
        assert set(conn.execute(select(safety_flags.c.source)).scalars()) == {"skill"}


def test_skill_uses_refuse_update_and_delete_while_the_client_exists(database, people):
    raw, (breathing, _g, _t) = setup(people)
    skill_uses.record(raw, breathing, use(), now=NOW)
    for statement in (update(table).values(after=0), delete(table)):
        with pytest.raises(Exception) as refused:
            with db.write() as conn:
                conn.execute(statement)
        assert "skill_uses" in str(refused.value)
    assert count() == 1


def test_skill_uses_leave_with_the_client_on_erasure(database, people):
    raw, (breathing, _g, _t) = setup(people)
    skill_uses.record(raw, breathing, use(), now=NOW)
    counts = lifecycle.erase_client(people["ada"], people["client_clara"], "Client of Clara", now=NOW)
    assert counts["skill_uses"] == 1 and count() == 0


def test_skill_uses_are_in_the_clients_full_export(database, people):
    import io
    import json
    import zipfile
    raw, (breathing, _g, _t) = setup(people)
    skill_uses.record(raw, breathing, use(), now=NOW)
    data = lifecycle.export_client(people["ada"], people["client_clara"], now=NOW)
    tables = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("everything.json"))["tables"]
    assert [(r["before"], r["after"]) for r in tables["skill_uses"]] == [(7, 4)]


@pytest.mark.parametrize("who,allowed", [("clara", True), ("ada", True), ("colin", False), ("otto", False),
                                         ("bea", False)])
def test_skill_uses_reads_and_exports_are_scoped_to_the_acting_person(database, people, who, allowed):
    raw, (breathing, _g, _t) = setup(people)
    skill_uses.record(raw, breathing, use(), now=NOW)
    day = NOW.date()
    calls = [lambda: skill_uses.entries(people[who], people["client_clara"], now=NOW, start=day, end=day),
             lambda: skill_uses.export_csv(people[who], people["client_clara"], now=NOW, start=day, end=day),
             lambda: skill_uses.set_small_wins(people[who], people["client_clara"], False, now=NOW)]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(db.NotFound):
                call()


def test_skill_uses_csv_neutralises_formulas_and_is_audited(database, people):
    raw, (breathing, _g, _t) = setup(people)
    skill_uses.record(raw, breathing, use(), now=NOW)
    out = skill_uses.export_csv(people["clara"], people["client_clara"], now=NOW, start=NOW.date(), end=NOW.date())
    assert out.splitlines()[0].startswith("local_date,local_time,skill,before,after,helped")
    assert ",7,4,yes," in out
    with db.read() as conn:
        actions = list(conn.execute(text("select action from audit_events order by id")).scalars()) \
            if not db.is_postgres(conn) else None
    assert actions is None or "skill.export" in actions


def _row(cid, step, key, day, before, after, corrects=None, clock="20:15"):
    from datetime import datetime as dt, timezone as tz
    at = dt(day.year, day.month, day.day, 20, 15, tzinfo=tz.utc)
    return dict(client_id=cid, step_id=step["step_id"], version_id=step["version_id"], idempotency_key=key,
                started_at=at, saved_at=at, local_date=day, local_time=clock, before=before, after=after,
                corrects_id=corrects)


def test_what_helps_a_correction_replaces_the_use_it_corrects_and_the_period_bounds_it(database, people):
    from db import client_view
    from sqlalchemy import insert
    setup(people)
    cid = people["client_clara"]
    plan = plans.list_for_client(people["clara"], cid, now=NOW)[0]
    step = plans.get(people["clara"], plan["id"], now=NOW)["steps"][0]
    day = NOW.date() - timedelta(days=2)
    with db.write() as conn:
        first = conn.execute(insert(table).values(**_row(cid, step, "a" * 20, day, 8, 8))).inserted_primary_key[0]
        conn.execute(insert(table).values(**_row(cid, step, "b" * 20, day, 8, 3, corrects=first)))
        conn.execute(insert(table).values(**_row(cid, step, "c" * 20, NOW.date() - timedelta(days=40), 9, 0)))
    view = client_view.get(people["clara"], cid, now=NOW)  # the last 14 days: the old use is outside
    [h] = view.helps
    assert (h.uses, h.pairs) == (1, ((8, 3),))
    assert view.helps_chart == [{"skill": step["behaviour"], "before": 8, "after": 3, "uses": 1}]


def test_what_helps_a_year_of_five_skill_uses_a_day_stays_bounded(database, people):
    from db import client_view
    from sqlalchemy import insert
    setup(people)
    cid = people["client_clara"]
    plan = plans.list_for_client(people["clara"], cid, now=NOW)[0]
    steps = plans.get(people["clara"], plan["id"], now=NOW)["steps"]
    rows = [_row(cid, steps[k % 2], f"y{d:03d}{k}" + "x" * 12, NOW.date() - timedelta(days=d), (d + k) % 11,
                 (d * k) % 11, clock=f"{(d + 5 * k) % 24:02d}:10") for d in range(365) for k in range(5)]
    with db.write() as conn:
        conn.execute(insert(table), rows)
    view = client_view.get(people["clara"], cid, now=NOW, start=NOW.date() - timedelta(days=400), end=NOW.date())
    assert sum(h.uses for h in view.helps) == 1825
    assert len(view.helps_chart) <= 2 * 121 and all(sum(h.parts.values()) == h.uses for h in view.helps)


def test_skill_small_wins_counts_this_weeks_practice_days_and_none_when_turned_off(database, people):
    raw, (breathing, _g, _t) = setup(people)
    assert skill_uses.record(raw, breathing, use(), now=NOW).week_days == 1
    skill_uses.set_small_wins(people["clara"], people["client_clara"], False, now=NOW)
    assert skill_uses.record(raw, breathing, use("n" * 24), now=NOW).week_days == 0
