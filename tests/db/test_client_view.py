"""The client view in storage: figures from SQL aggregates with hand-computed expected values (no-plan
days, partial practice, corrections, time-zone boundaries, an empty window), the entries behind each
sentence, CSV export, session dates; scoped (clara yes; colin, otto, bea NotFound) and audited.
The caseload's figures and flags are in test_caseload.py, which shares this file's builders."""
from datetime import date, datetime, timedelta, timezone
from itertools import count as counter

import pytest
from sqlalchemy import insert, select, update

import db
from core import templates as core_templates
from db import audit, caseload, client_view, clients, plans, safety, sessions
from db.checkins import checkin_steps, checkins as checkins_table
from tests.conftest import NOW

T = core_templates.by_key(core_templates.BUILT_IN)
KEYS = counter(1)


def plan_for(people, days, *, created=NOW - timedelta(days=40)):
    cid = people["client_clara"]
    plan_id, errors = plans.create_plan(people["clara"], cid, goal="Calmer days", now=created,
                                        steps=[{**T["breathing"]["step"], "days": days}])
    assert errors == {}
    step = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]
    return cid, step["step_id"], step["version_id"]


def checkin(cid, day, at, *, step=None, status=None, reason=None, mood=5, distress=3, thought=""):
    with db.write() as conn:
        ci = conn.execute(insert(checkins_table).values(
            client_id=cid, idempotency_key=f"key{next(KEYS):020d}", local_date=day, submitted_at=at, mood=mood,
            distress=distress, thought=thought)).inserted_primary_key[0]
        if step:
            conn.execute(insert(checkin_steps).values(checkin_id=ci, step_id=step[0], version_id=step[1],
                                                                 status=status, reason=reason))
    return ci


def utc(d: date, hour=12, minute=0):
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=timezone.utc)


def test_adherence_is_hand_computed_with_partial_practice_a_correction_and_a_day_without_plan(database, people):
    cid, sid, vid = plan_for(people, [0, 2, 4])  # Mon, Wed, Fri
    s = (sid, vid)
    checkin(cid, date(2026, 11, 16), utc(date(2026, 11, 16)), step=s, status="done")
    checkin(cid, date(2026, 11, 18), utc(date(2026, 11, 18)), step=s, status="partly")
    checkin(cid, date(2026, 11, 20), utc(date(2026, 11, 20)), step=s, status="not_today", reason="no_time")
    checkin(cid, date(2026, 11, 21), utc(date(2026, 11, 21)), step=s, status="done")  # Saturday: no plan
    checkin(cid, date(2026, 11, 23), utc(date(2026, 11, 23), 8), step=s, status="done")
    checkin(cid, date(2026, 11, 23), utc(date(2026, 11, 23), 20), step=s, status="partly")  # the later answer wins
    checkin(cid, date(2026, 11, 27), utc(date(2026, 11, 27)), step=s, status="done")
    view = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 16), end=date(2026, 11, 27))
    a = view.adherence
    # Planned: 16, 18, 20, 23, 25, 27 Nov = 6; practised: 16 done, 18 partly, 23 partly, 27 done = 4; 25 no answer.
    assert (a.planned, a.done, a.partly, a.not_today, a.no_answer, a.unplanned_entries) == (6, 2, 2, 1, 1, 1)
    assert a.sentence() == "Practised on 4 of 6 planned days (67%)."
    assert "1 answer(s) on days with no plan are excluded" in a.workings()
    assert view.reasons == [{"reason": "no_time", "n": 1}]
    weekly = {(r["week"], r["answer"]): r["days"] for r in view.weekly}
    assert weekly[(date(2026, 11, 16), "done")] == 1 and weekly[(date(2026, 11, 16), "partly")] == 1
    assert weekly[(date(2026, 11, 23), "no answer")] == 1
    # The chart marks every day with practice, the unplanned Saturday too (only the figure excludes it).
    assert len(view.daily) == 6 and [d["practised"] for d in view.daily].count(True) == 5


def test_planned_days_replay_the_step_version_in_effect_on_each_day(database, people):
    cid, sid, vid = plan_for(people, [0, 2, 4])  # Mon, Wed, Fri until Saturday 21 Nov
    plan_id = plans.get(people["clara"], plans.list_for_client(people["clara"], cid, now=NOW)[0]["id"],
                        now=NOW)["id"]
    _, errors = plans.save_step(people["clara"], plan_id, sid, {**T["breathing"]["step"], "days": [1, 3]},
                                now=datetime(2026, 11, 21, 10, tzinfo=timezone.utc))  # then Tue, Thu
    assert errors == {}
    new_vid = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]["version_id"]
    checkin(cid, date(2026, 11, 16), utc(date(2026, 11, 16)), step=(sid, vid), status="done")  # Mon, old days
    checkin(cid, date(2026, 11, 17), utc(date(2026, 11, 17)), step=(sid, vid), status="done")  # Tue, not yet planned
    checkin(cid, date(2026, 11, 24), utc(date(2026, 11, 24)), step=(sid, new_vid), status="done")  # Tue, new days
    view = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 16), end=date(2026, 11, 27))
    a = view.adherence
    # Old days before the change: 16, 18, 20 Nov; new days from 21 Nov: 24, 26 Nov. (Today's days alone
    # would give 17, 19, 24, 26.) Done 16 and 24; the Tuesday 17 answer was on a day with no plan.
    assert (a.planned, a.done, a.no_answer, a.unplanned_entries) == (5, 2, 3, 1)
    assert "days of the week in effect on each day" in a.workings()
    weekly = {(r["week"], r["answer"]): r["days"] for r in view.weekly}
    assert weekly == {(date(2026, 11, 16), "done"): 1, (date(2026, 11, 16), "no answer"): 2,
                      (date(2026, 11, 23), "done"): 1, (date(2026, 11, 23), "no answer"): 1}


def test_a_step_removed_mid_period_counts_its_planned_days_before_the_removal(database, people):
    from core import session_prep
    cid, sid, vid = plan_for(people, [0, 2, 4])  # Mon, Wed, Fri
    checkin(cid, date(2026, 11, 18), utc(date(2026, 11, 18)), step=(sid, vid), status="done")
    plans.remove_step(people["clara"], sid, now=datetime(2026, 11, 21, 10, tzinfo=timezone.utc))  # Saturday
    view = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 16), end=date(2026, 11, 27))
    # Planned while the step was in the plan: 16, 18, 20 Nov; nothing from 21 Nov.
    a = view.adherence
    assert (a.planned, a.done, a.no_answer) == (3, 1, 2)
    assert view.steps == []  # the current plan no longer has it
    texts = [x.text for x in session_prep.sentences(view)]
    assert any(t.endswith("(removed from the plan on 21 Nov): practised on 1 of 3 planned days (33%).") for t in texts)
    later = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 23), end=date(2026, 11, 27))
    assert later.per_step == [] and later.adherence.planned == 0


def test_each_sentence_shows_exactly_the_entries_behind_it(database, people, monkeypatch):
    from core import session_prep
    cid, sid, vid = plan_for(people, [0, 2, 4])  # Mon, Wed, Fri
    s = (sid, vid)
    c1 = checkin(cid, date(2026, 11, 16), utc(date(2026, 11, 16)), step=s, status="done")
    c2 = checkin(cid, date(2026, 11, 18), utc(date(2026, 11, 18)), step=s, status="partly", reason="no_time")
    checkin(cid, date(2026, 11, 21), utc(date(2026, 11, 21)), step=s, status="done")  # Saturday: no plan
    checkin(cid, date(2026, 11, 23), utc(date(2026, 11, 23), 8), step=s, status="done")  # replaced that evening
    c5 = checkin(cid, date(2026, 11, 23), utc(date(2026, 11, 23), 20), step=s, status="partly")
    c6 = checkin(cid, date(2026, 11, 24), utc(date(2026, 11, 24)), distress=9)  # no practice answer
    c7 = checkin(cid, date(2026, 11, 25), utc(date(2026, 11, 25)), step=s, status="not_today", reason="forgot")
    with db.write() as conn:
        safety.raise_in(conn, cid, source="checkin", source_id=c6, reasons=["distress 9"], now=NOW)

    def ids(behind, **kw):
        view = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 16), end=date(2026, 11, 27),
                                   behind=behind, **kw)
        return view, {e["id"] for e in view.entries}

    view, every = ids(None)
    assert view.entries_total == 7 and len(every) == 7
    by_key = {x.key: x for x in session_prep.sentences(view)}
    assert by_key["practice"].text == "Practised on 3 of 6 planned days (50%)."
    assert by_key["practice"].behind == "practice"
    # The figure counts the day's latest answer on each planned day: 16, 18, 23 (evening), 25 Nov; 20 and 27 had none.
    view, practice = ids(by_key["practice"].behind)
    assert practice == {c1, c2, c5, c7} and view.entries_total == 4
    assert ids(by_key[f"step{sid}"].behind)[1] == {c1, c2, c5, c7}
    assert next(e for e in view.entries if e["id"] == c5)["practice"].endswith(": partly")
    assert next(e for e in view.entries if e["id"] == c7)["practice"].endswith(": not today (I forgot)")
    assert ids(by_key["reasons"].behind)[1] == {c2, c7}
    assert ids(by_key["safety"].behind)[1] == {c6}
    assert ids(by_key["checkins"].behind)[1] == ids(by_key["mood"].behind)[1] == every
    with db.read() as conn:
        details = list(conn.execute(select(audit.audit_events.c.detail).where(
            audit.audit_events.c.action == "between.read")).scalars())
    assert "12 days shown; 4 entries behind 'practice'" in details
    # Bounded: one page at a time, newest first; a page past the end shows the last one.
    monkeypatch.setattr(client_view, "ENTRIES_LIMIT", 3)
    view, first = ids(None)
    assert first == {c7, c6, c5} and view.entries_total == 7 and view.entries_page == 0
    view, last = ids(None, page=99)
    assert last == {c1} and view.entries_page == 2


def test_an_empty_window_says_no_practice_was_planned(database, people):
    cid, _, _ = plan_for(people, [0, 2, 4])
    view = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 22), end=date(2026, 11, 22))
    assert view.adherence.planned == 0
    assert view.adherence.sentence() == "No practice was planned between 22 Nov and 22 Nov."
    assert view.daily == [] and view.heat == [] and view.entries == []


def test_a_check_in_at_2330_local_is_that_local_day_and_hour(database, people):
    cid, sid, vid = plan_for(people, [4])  # Friday
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == cid).values(timezone="America/New_York"))
    # 23:30 on Friday 20 Nov in New York is 04:30 UTC on Saturday 21 Nov.
    checkin(cid, date(2026, 11, 20), datetime(2026, 11, 21, 4, 30, tzinfo=timezone.utc), step=(sid, vid),
            status="done", distress=7)
    view = client_view.get(people["clara"], cid, now=NOW, start=date(2026, 11, 20), end=date(2026, 11, 21))
    assert view.adherence.done == 1 and view.adherence.planned == 1
    assert view.heat == [{"weekday": 4, "hour": 23, "distress": 7.0, "checkins": 1}]


def test_the_default_window_is_since_the_last_session(database, people):
    cid, _, _ = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    sessions.add(people["clara"], cid, date(2026, 11, 19), now=NOW)
    sessions.add(people["clara"], cid, date(2026, 12, 3), now=NOW)
    view = client_view.get(people["clara"], cid, now=NOW)
    assert (view.start, view.end) == (date(2026, 11, 19), date(2026, 11, 28))
    assert view.last_session == date(2026, 11, 19) and view.next_session == date(2026, 12, 3)
    assert view.adherence.planned == 10
    sessions.remove(people["clara"], cid, date(2026, 11, 19), now=NOW)
    assert client_view.get(people["clara"], cid, now=NOW).start == date(2026, 11, 15)  # 14 days


def test_a_year_of_five_check_ins_a_day_stays_bounded(sqlite_db, people):
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6], created=NOW - timedelta(days=400))
    rows, steps = [], []
    start = date(2025, 11, 29)
    with db.write() as conn:
        for i in range(365):
            d = start + timedelta(days=i)
            for k in range(5):
                rows.append(dict(client_id=cid, idempotency_key=f"y{i:04d}{k}".ljust(24, "x"), local_date=d,
                                 submitted_at=utc(d, 7 + 3 * k), mood=5, distress=(i + k) % 11, thought=""))
        conn.execute(insert(checkins_table), rows)
    view = client_view.get(people["clara"], cid, now=NOW, start=start, end=date(2026, 11, 28))
    assert len(view.daily) == 365 and len(view.heat) <= 7 * 24
    assert len(view.entries) == client_view.ENTRIES_LIMIT
    assert len(view.weekly) <= 60 * 4


def test_csv_export_neutralises_cells_and_is_audited(database, people):
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    checkin(cid, date(2026, 11, 27), utc(date(2026, 11, 27)), step=(sid, vid), status="done",
            thought="=HYPERLINK(\"http://x\")")
    text = client_view.export_csv(people["clara"], cid, now=NOW, start=date(2026, 11, 1), end=date(2026, 11, 28))
    assert text.splitlines()[0].startswith("local_date,")
    assert "'=HYPERLINK" in text and ": done" in text
    with db.read() as conn:
        detail = conn.execute(select(audit.audit_events.c.detail).where(
            audit.audit_events.c.action == "checkin.export")).scalar()
    assert detail == "1 check-ins exported as CSV"


@pytest.mark.parametrize("who", ["colin", "otto", "bea"])
def test_every_function_is_scoped(database, people, who):
    cid = people["client_clara"]
    client_view.get(people["clara"], cid, now=NOW)
    with pytest.raises(db.NotFound):
        client_view.get(people[who], cid, now=NOW)
    with pytest.raises(db.NotFound):
        client_view.export_csv(people[who], cid, now=NOW, start=date(2026, 11, 1), end=date(2026, 11, 28))
    with pytest.raises(db.NotFound):
        sessions.add(people[who], cid, date(2026, 11, 20), now=NOW)
    with pytest.raises(db.NotFound):
        sessions.remove(people[who], cid, date(2026, 11, 20), now=NOW)
    assert cid not in [r.id for r in caseload.rows(people[who], now=NOW)]
