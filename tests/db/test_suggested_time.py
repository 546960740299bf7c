"""The suggested reminder time reads the client's real check-ins (in their own zone), bounded."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

import db
from db import reminders
from db.checkins import checkins
from tests.conftest import NOW


def add_checkin(client_id, local_dt, distress, key, corrects=None):
    with db.write() as conn:
        return conn.execute(insert(checkins).values(
            client_id=client_id, idempotency_key=key, local_date=local_dt.date(),
            submitted_at=local_dt.astimezone(timezone.utc), mood=5, distress=distress,
            corrects_id=corrects)).inserted_primary_key[0]


def test_evening_distress_in_the_clients_zone_gives_a_suggestion_with_its_data(database, people):
    cid = people["client_clara"]  # Europe/London
    london = ZoneInfo("Europe/London")
    for i in range(9):
        day = (NOW - timedelta(days=i + 1)).astimezone(london).date()
        add_checkin(cid, datetime(day.year, day.month, day.day, 21, 0, tzinfo=london), 8 if i < 6 else 3, f"e{i:020d}")
        add_checkin(cid, datetime(day.year, day.month, day.day, 9, 0, tzinfo=london), 2, f"m{i:020d}")
    with db.read() as conn:
        pairs = reminders.distress_pairs(conn, cid, now=NOW)
    assert len(pairs) == 18 and all(p[0].utcoffset() is not None for p in pairs)
    assert {p[0].hour for p in pairs} == {9, 21}  # local hours, not UTC
    s = reminders.suggestion(people["clara"], cid, now=NOW)
    assert s is not None and s.at == "20:00" and "on 6 of 9 evenings between 20:00 and 22:00" in s.evidence
    with pytest.raises(db.NotFound):
        reminders.suggestion(people["colin"], cid, now=NOW)


def test_old_and_corrected_check_ins_are_left_out(database, people):
    cid = people["client_clara"]
    london = ZoneInfo("Europe/London")
    old = add_checkin(cid, (NOW - timedelta(days=200)).astimezone(london), 9, "o" * 20)
    first = add_checkin(cid, (NOW - timedelta(days=1)).astimezone(london), 9, "f" * 20)
    add_checkin(cid, (NOW - timedelta(days=1, minutes=-5)).astimezone(london), 2, "c" * 20, corrects=first)
    with db.read() as conn:
        assert [p[1] for p in reminders.distress_pairs(conn, cid, now=NOW)] == [2]


def test_skill_uses_and_struggling_taps_count_as_vulnerable_hours_and_the_workings_say_which(database, people):
    from db.tables import skill_uses
    cid = people["client_clara"]  # Europe/London
    london = ZoneInfo("Europe/London")
    rows = []
    for i in range(5):  # five evenings with a skill used at 21:15 local, two after "I'm struggling"
        day = (NOW - timedelta(days=i + 1)).astimezone(london).date()
        at = datetime(day.year, day.month, day.day, 21, 15, tzinfo=london)
        rows.append(dict(client_id=cid, step_id=1, version_id=1, idempotency_key=f"s{i:020d}", started_at=at,
                         saved_at=at, local_date=day, local_time="21:15", struggling=i < 2))
    day = (NOW - timedelta(days=7)).astimezone(london).date()
    add_checkin(cid, datetime(day.year, day.month, day.day, 20, 30, tzinfo=london), 9, "h" * 20)
    with db.write() as conn:
        conn.execute(insert(skill_uses), rows)
    s = reminders.suggestion(people["clara"], cid, now=NOW)
    assert s is not None and s.at == "20:00" and (s.high_days, s.distress_days, s.skill_days, s.struggling_days) == (6, 1, 5, 2)
    assert s.evidence == ("a hard moment on 6 of 6 evenings between 20:00 and 22:00: distress ≥ 7 in a check-in on 1, "
                          "a skill used from the coping card on 5 (2 of them after tapping \"I'm struggling right now\")")
