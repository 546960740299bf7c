"""Scripted actions leave one audit row each, with the right actor and UTC time; admins see only their practice."""
from datetime import timedelta

import pytest

import db
from db import audit, practices, signins
from tests.conftest import NOW


def actions(admin):
    rows, _ = audit.list_events(admin, now=NOW + timedelta(hours=1))
    return [(r["action"], r["actor_label"]) for r in reversed(rows) if r["action"] != "audit.view"]


def test_sign_in_failure_lockout_and_sign_out_each_leave_one_row(database, people):
    signins.record_failure("clara", NOW, threshold=3, minutes=15)
    signins.record_failure("clara", NOW, threshold=3, minutes=15)
    signins.record_failure("clara", NOW, threshold=3, minutes=15)
    signins.record_refused_while_locked("clara", NOW)
    sid, _ = signins.start_session("clara", NOW + timedelta(minutes=20))
    signins.end(sid, NOW + timedelta(minutes=21))
    assert actions(people["ada"]) == [
        ("signin.failure", "clara"), ("signin.failure", "clara"), ("signin.failure", "clara"),
        ("account.locked", "clara"), ("signin.locked", "clara"), ("signin.success", "clara"), ("signout", "clara")]


def test_times_are_utc(database, people):
    signins.start_session("clara", NOW)
    rows, _ = audit.list_events(people["ada"], now=NOW, action="signin.success")
    assert rows[0]["at"] == NOW and rows[0]["at"].utcoffset() == timedelta(0)


def test_an_admin_reads_only_their_own_practices_events(database, people):
    signins.start_session("otto", NOW)
    signins.start_session("clara", NOW)
    labels_a = {r["actor_label"] for r in audit.list_events(people["ada"], now=NOW, action="signin.success")[0]}
    labels_b = {r["actor_label"] for r in audit.list_events(people["bea"], now=NOW, action="signin.success")[0]}
    assert labels_a == {"clara"} and labels_b == {"otto"}


def test_clinicians_cannot_read_the_audit_log_or_change_practice_settings(database, people):
    with pytest.raises(db.Forbidden):
        audit.list_events(people["clara"], now=NOW)
    with pytest.raises(db.Forbidden):
        practices.update_settings(people["clara"], name="X", timezone="UTC", crisis_resources="call 999 now please",
                                  now=NOW)


def test_an_admin_changes_only_their_own_practice(database, people):
    practices.update_settings(people["bea"], name="Renamed B", timezone="UTC", crisis_resources="Call 911 now, day or night.", now=NOW)
    assert practices.get(people["ada"].practice_id)["name"] == "Practice A"
    assert practices.get(people["bea"].practice_id)["name"] == "Renamed B"


def test_practice_settings_refuse_crisis_resources_too_short_to_help_below_the_page(database, people):
    # The rule lives in core.practices, so a script or another page cannot save an empty crisis box.
    errors = practices.update_settings(people["ada"], name="Practice A", timezone="UTC", crisis_resources=" 999 ",
                                       now=NOW)
    assert "phone number" in errors["crisis_resources"]
    assert practices.get(people["ada"].practice_id)["crisis_resources"] != "999"
