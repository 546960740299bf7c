"""The caseload in storage: one row per client in scope, attention first, with its flags in words at
and around each threshold, the last check-in counted in the clinician's days and mood means in the
client's own; audited."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, update

import db
from db import audit, caseload, client_view, clients, outbox, safety
from tests.conftest import NOW
from tests.db.test_client_view import checkin, plan_for, utc


def test_caseload_puts_the_safety_flag_first_with_reasons_in_words(database, people):
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    other = people["client_colin"]
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == other)
                     .values(display_name="Aaron First"))
    ci = checkin(cid, date(2026, 11, 28), NOW, step=(sid, vid), status="done", distress=10)
    with db.write() as conn:
        safety.raise_in(conn, cid, source="checkin", source_id=ci, reasons=["distress 10"], now=NOW)
    rows = caseload.rows(people["ada"], now=NOW)
    assert rows[0].id == cid and rows[0].flags[0].kind == "safety"
    assert rows[0].flags[0].words == "1 safety flag(s) waiting for review."
    assert rows[0].last_checkin == date(2026, 11, 28)
    assert rows[1].flags[0].words == "No check-in yet."
    with db.read() as conn:
        assert conn.execute(select(audit.audit_events.c.detail).where(
            audit.audit_events.c.action == "caseload.read")).scalar() == "2 clients summarised"


@pytest.mark.parametrize("gap,flagged", [(3, False), (4, True), (5, True)])
def test_no_check_in_flag_at_and_around_the_setting(sqlite_db, people, gap, flagged):
    cid = people["client_clara"]
    day = date(2026, 11, 28) - timedelta(days=gap)
    checkin(cid, day, utc(day))
    row = caseload.rows(people["clara"], now=NOW, no_checkin_days=4)[0]
    kinds = [f.kind for f in row.flags]
    assert ("quiet" in kinds) is flagged
    if flagged:
        assert f"No check-in for {gap} days" in row.flags[0].words


def test_adherence_drop_and_failing_reminders_are_flagged(sqlite_db, people):
    cid, sid, vid = plan_for(people, [0, 1, 2, 3, 4, 5, 6])
    today = date(2026, 11, 28)
    for back in range(14, 28):  # the previous two weeks all done, the last two weeks nothing
        d = today - timedelta(days=back)
        checkin(cid, d, utc(d), step=(sid, vid), status="done")
    checkin(cid, today, NOW)
    with db.write() as conn:
        conn.execute(insert(outbox.reminder_outbox).values(
            ref="r" * 20, client_id=cid, step_id=sid, local_date=today, slot="08:00", due_at=NOW, window_end=NOW,
            next_attempt_at=NOW, status="failed", reason="bounced", created_at=NOW, updated_at=NOW))
    row = caseload.rows(people["clara"], now=NOW)[0]
    words = [f.words for f in row.flags]
    assert "Practice fell from 100% to 0% of planned days (100 points; flagged at 30 or more)." in words
    assert "1 reminder(s) failed in the last 14 days." in words
    assert row.adherence_7.percent == 0 and row.adherence_28.percent == 50


@pytest.mark.parametrize("hour", [0, 9, 13, 23])
def test_the_demo_shows_jordan_first_with_sessions_and_charts(sqlite_db, hour):
    # At any hour it is seeded: the demo's draws once depended on the hour (the first day's steps), so
    # seeded at 13:30 Jordan's window had no "not today" reason and the tour lost its reasons chart.
    from sqlalchemy import text
    from demo import seed
    from db.actors import Actor
    now = NOW.replace(hour=hour, minute=30)
    seed.run(now=now, password="demo-password-for-tests")
    with db.read() as conn:
        m = conn.execute(text("select id, practice_id from clinicians where username='maya'")).one()
    maya = Actor(m.id, m.practice_id, "clinician", "maya")
    rows = caseload.rows(maya, now=now)
    assert rows[0].display_name == "Jordan P." and rows[0].flags[0].kind == "safety"
    assert all(r.next_session is not None for r in rows if r.status == "active")
    view = client_view.get(maya, rows[0].id, now=now)
    assert view.last_session is not None and view.start == view.last_session
    assert view.daily and view.heat and view.weekly and view.scores and view.reasons


def test_last_check_in_is_counted_in_the_clinicians_days_not_the_clients(database, people):
    cid = people["client_clara"]  # Clara's practice is in Europe/London
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == cid).values(timezone="Pacific/Auckland"))
    # 08:00 on Thursday 26 Nov in Auckland (UTC+13 in summer) is 19:00 UTC, and London time, on Wednesday 25 Nov.
    checkin(cid, date(2026, 11, 26), datetime(2026, 11, 25, 19, tzinfo=timezone.utc))
    # Now is 09:30 on Saturday 28 Nov in London (22:30 in Auckland, the same date): the client's days
    # would say "2 days ago"; the clinician's say 25 -> 28 Nov, "3 days ago".
    row = caseload.rows(people["clara"], now=NOW, no_checkin_days=3)[0]
    assert row.clinician_zone == "Europe/London"
    assert row.last_checkin == date(2026, 11, 25) and row.last_checkin_ago == "3 days ago"
    assert "No check-in for 3 days" in " ".join(f.words for f in row.flags)  # the flag counts the same days


def test_caseload_mood_means_count_the_clients_own_last_seven_days(database, people):
    cid = people["client_clara"]
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == cid).values(timezone="Pacific/Honolulu"))
    # Now is 09:30 UTC on 28 Nov: 23:30 on 27 Nov in Honolulu, so the client's last 7 days are 21-27 Nov
    # and the 7 before are 14-20 Nov (UTC's would be 22-28 and 15-21: neither check-in in its recent week).
    checkin(cid, date(2026, 11, 21), utc(date(2026, 11, 21), 20), mood=8, distress=2)
    checkin(cid, date(2026, 11, 14), utc(date(2026, 11, 14), 20), mood=2, distress=9)
    row = next(r for r in caseload.rows(people["clara"], now=NOW) if r.id == cid)
    assert row.today == date(2026, 11, 27)
    assert (row.mood, row.distress) == ("8.0 ↑", "2.0 ↓")


def test_an_empty_caseload_or_a_search_that_finds_nobody_is_an_empty_list_and_audited(database, people):
    assert caseload.rows(people["clara"], now=NOW, search="nobody by this name") == []
    with db.read() as conn:
        assert conn.execute(select(audit.audit_events.c.detail).where(
            audit.audit_events.c.action == "caseload.read")).scalar() == "0 clients summarised"
