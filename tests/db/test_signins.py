"""Lockout, idle timeout and re-login cookies, with a fixed clock."""
from datetime import timedelta

import pytest
from sqlalchemy import select

import db
from db import audit, clinicians, signins
from tests.conftest import NOW

T, M = 10, 15  # the defaults: 10 failures lock for 15 minutes


def fail(username, times, start=NOW):
    locked = False
    for i in range(times):
        locked = signins.record_failure(username, start + timedelta(seconds=i), threshold=T, minutes=M)
    return locked


def test_ten_wrong_passwords_lock_the_account_for_fifteen_minutes(database, people):
    assert not fail("clara", 9)
    assert not signins.is_locked("clara", NOW + timedelta(seconds=10))
    assert signins.record_failure("clara", NOW + timedelta(seconds=10), threshold=T, minutes=M)
    assert signins.is_locked("clara", NOW + timedelta(seconds=11))
    assert signins.is_locked("clara", NOW + timedelta(seconds=10, minutes=15) - timedelta(seconds=1))
    assert not signins.is_locked("clara", NOW + timedelta(seconds=10, minutes=15))


def test_a_locked_account_is_offered_a_hash_nobody_can_match(database, people):
    fail("clara", 10)
    creds = clinicians.login_credentials(NOW + timedelta(minutes=1))
    from core import passwords
    assert not passwords.verify("correct horse battery", creds["usernames"]["clara"]["password"])
    after = clinicians.login_credentials(NOW + timedelta(minutes=16))
    assert passwords.verify("correct horse battery", after["usernames"]["clara"]["password"])


def test_a_success_resets_the_count(database, people):
    fail("clara", 9)
    signins.start_session("clara", NOW + timedelta(seconds=20))
    assert not fail("clara", 9, NOW + timedelta(seconds=30))


def test_unknown_usernames_are_audited_without_the_typed_text(database, people):
    signins.record_failure("my password is hunter2", NOW, threshold=T, minutes=M)
    rows, _ = audit.list_events(people["ada"], now=NOW, action="signin.failure")
    assert [r["actor_label"] for r in rows] == [signins.UNKNOWN]


def test_lockout_is_audited(database, people):
    fail("clara", 10)
    rows, _ = audit.list_events(people["ada"], now=NOW, action="account.locked")
    assert len(rows) == 1 and rows[0]["actor_label"] == "clara"


def test_an_idle_session_ends_after_thirty_minutes(database, people):
    sid, actor = signins.start_session("clara", NOW)
    assert signins.touch(sid, NOW + timedelta(minutes=29, seconds=59), idle_minutes=30)[0] == actor
    # activity moved the window: 29:59 after the last touch is still fine
    assert signins.touch(sid, NOW + timedelta(minutes=59), idle_minutes=30)[0] == actor
    assert signins.touch(sid, NOW + timedelta(minutes=89), idle_minutes=30) == (None, "idle")
    assert signins.touch(sid, NOW + timedelta(minutes=90), idle_minutes=30) == (None, "idle")


def test_a_burst_of_page_runs_reads_the_session_and_writes_it_at_most_every_fifteen_seconds(database, people):
    sid, actor = signins.start_session("clara", NOW)

    def seen():
        with db.read() as conn:
            return conn.execute(select(signins.login_sessions.c.last_seen_at)).scalar_one()

    assert signins.touch(sid, NOW + timedelta(seconds=5), idle_minutes=30)[0] == actor
    assert signins.touch(sid, NOW + timedelta(seconds=14), idle_minutes=30)[0] == actor
    assert seen() == NOW  # reruns within 15 s: read only
    assert signins.touch(sid, NOW + timedelta(seconds=16), idle_minutes=30)[0] == actor
    assert seen() == NOW + timedelta(seconds=16)
    # the fast path still refuses an ended session and a deactivated account at once
    signins.end(sid, NOW + timedelta(seconds=17))
    assert signins.touch(sid, NOW + timedelta(seconds=18), idle_minutes=30) == (None, "signout")
    other, _ = signins.start_session("clara", NOW)
    with db.write() as conn:
        conn.execute(clinicians.clinicians.update().where(clinicians.clinicians.c.username == "clara")
                     .values(active=False))
    assert signins.touch(other, NOW + timedelta(seconds=1), idle_minutes=30) == (None, "deactivated")


def test_sign_out_makes_the_re_login_cookie_useless(database, people):
    sid, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(sid, 1_900_000_000.25)
    other = signins.resume_from_cookie("clara", 1_900_000_000.25, NOW + timedelta(minutes=1), idle_minutes=30)
    assert other is not None  # a reload in the same browser continues the session
    signins.end(other, NOW + timedelta(minutes=2))
    assert signins.resume_from_cookie("clara", 1_900_000_000.25, NOW + timedelta(minutes=3), idle_minutes=30) is None


def test_a_forged_or_stale_cookie_is_refused(database, people):
    sid, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(sid, 1_900_000_000.0)
    assert signins.resume_from_cookie("clara", 1_900_000_001.0, NOW, idle_minutes=30) is None
    assert signins.resume_from_cookie("colin", 1_900_000_000.0, NOW, idle_minutes=30) is None
    assert signins.resume_from_cookie("clara", 1_900_000_000.0, NOW + timedelta(minutes=31), idle_minutes=30) is None


def test_deactivating_an_account_ends_its_sessions(database, people):
    sid, _ = signins.start_session("clara", NOW)
    clinicians.set_active(people["ada"], people["clara"].clinician_id, False, now=NOW)
    assert signins.touch(sid, NOW, idle_minutes=30) == (None, "deactivated")
    assert "clara" not in clinicians.login_credentials(NOW)["usernames"]


def test_outsiders_cannot_change_accounts(database, people):
    with pytest.raises(db.Forbidden):
        clinicians.set_active(people["clara"], people["colin"].clinician_id, False, now=NOW)
    with pytest.raises(db.NotFound):
        clinicians.set_active(people["bea"], people["clara"].clinician_id, False, now=NOW)
    with pytest.raises(db.NotFound):
        clinicians.unlock(people["bea"], people["clara"].clinician_id, now=NOW)


def test_an_admin_resets_a_colleagues_password_which_unlocks_and_signs_them_out(database, people):
    from core import passwords
    sid, _ = signins.start_session("clara", NOW)
    fail("clara", 10, NOW + timedelta(minutes=1))
    assert clinicians.reset_password(people["ada"], people["clara"].clinician_id, "short", now=NOW) != {}
    assert clinicians.reset_password(people["ada"], people["clara"].clinician_id, "a fresh passphrase", now=NOW) == {}
    assert signins.touch(sid, NOW + timedelta(minutes=2), idle_minutes=30)[0] is None
    assert not signins.is_locked("clara", NOW + timedelta(minutes=2))
    creds = clinicians.login_credentials(NOW + timedelta(minutes=2))
    assert passwords.verify("a fresh passphrase", creds["usernames"]["clara"]["password"])
    with pytest.raises(db.Forbidden):
        clinicians.reset_password(people["colin"], people["clara"].clinician_id, "a fresh passphrase", now=NOW)
    with pytest.raises(db.NotFound):
        clinicians.reset_password(people["bea"], people["clara"].clinician_id, "a fresh passphrase", now=NOW)
