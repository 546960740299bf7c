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
