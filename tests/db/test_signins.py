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
    creds = clinicians.login_credentials(NOW + timedelta(minutes=1), rounds=12)
    from core import passwords
    assert not passwords.verify("correct horse battery", creds["usernames"]["clara"]["password"])
    after = clinicians.login_credentials(NOW + timedelta(minutes=16), rounds=12)
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
    assert "clara" not in clinicians.login_credentials(NOW, rounds=12)["usernames"]


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
    creds = clinicians.login_credentials(NOW + timedelta(minutes=2), rounds=12)
    assert passwords.verify("a fresh passphrase", creds["usernames"]["clara"]["password"])
    with pytest.raises(db.Forbidden):
        clinicians.reset_password(people["colin"], people["clara"].clinician_id, "a fresh passphrase", now=NOW)
    with pytest.raises(db.NotFound):
        clinicians.reset_password(people["bea"], people["clara"].clinician_id, "a fresh passphrase", now=NOW)


COOKIE = 1_900_000_000.25  # the exp_date inside a re-login cookie


def signouts(people):
    rows, _ = audit.list_events(people["ada"], now=NOW, action="signout")
    return rows


@pytest.mark.parametrize("ends_it", ["first tab", "resumed tab"])
def test_regression_sign_out_in_any_tab_ends_the_login_session_for_every_tab_and_its_cookie(database, people, ends_it):
    first, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(first, COOKIE)
    second = signins.resume_from_cookie("clara", COOKIE, NOW + timedelta(minutes=1), idle_minutes=30)
    assert second is not None
    # Both tabs belong to one login session: opening the second does not sign the first out.
    assert signins.touch(first, NOW + timedelta(minutes=2), idle_minutes=30)[0] is not None
    assert signins.touch(second, NOW + timedelta(minutes=2), idle_minutes=30)[0] is not None

    signins.end(first if ends_it == "first tab" else second, NOW + timedelta(minutes=3))
    for tab in (first, second):
        assert signins.touch(tab, NOW + timedelta(minutes=4), idle_minutes=30) == (None, "signout")
    assert signins.resume_from_cookie("clara", COOKIE, NOW + timedelta(minutes=5), idle_minutes=30) is None
    assert signins.open_count(people["clara"].clinician_id) == 0
    signins.end(second if ends_it == "first tab" else first, NOW + timedelta(minutes=6))  # the other tab's button
    assert [r["actor_label"] for r in signouts(people)] == ["clara"]


def test_sign_out_ends_only_its_own_login_session(database, people):
    laptop, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(laptop, COOKIE)
    desk, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(desk, COOKIE + 1)
    signins.end(laptop, NOW + timedelta(minutes=1))
    assert signins.touch(desk, NOW + timedelta(minutes=2), idle_minutes=30)[0] is not None
    assert signins.resume_from_cookie("clara", COOKIE + 1, NOW + timedelta(minutes=2), idle_minutes=30) is not None


def change_own(people, keep):
    assert clinicians.change_password(people["clara"], "correct horse battery", "a fresh passphrase",
                                      now=NOW + timedelta(minutes=1), keep_session=keep) == {}


def reset_by_admin(people, keep):
    assert clinicians.reset_password(people["ada"], people["clara"].clinician_id, "a fresh passphrase",
                                     now=NOW + timedelta(minutes=1)) == {}


def reset_on_the_command_line(people, keep):
    from tests.db.test_cli import cli
    out = cli("reset-password", "--username", "clara", "--password-stdin", stdin="a fresh passphrase\n")
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("change", [change_own, reset_by_admin, reset_on_the_command_line],
                         ids=["own change", "admin reset", "command line"])
def test_regression_a_password_change_ends_every_other_session_and_re_login_cookie(database, people, change):
    from core import passwords
    here, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(here, COOKIE)
    elsewhere, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(elsewhere, COOKIE + 1)
    resumed = signins.resume_from_cookie("clara", COOKIE + 1, NOW, idle_minutes=30)
    colleague, _ = signins.start_session("colin", NOW)

    change(people, here)

    later = NOW + timedelta(minutes=2)
    for sid in (elsewhere, resumed):
        assert signins.touch(sid, later, idle_minutes=30)[0] is None
    assert signins.resume_from_cookie("clara", COOKIE + 1, later, idle_minutes=30) is None
    assert signins.touch(colleague, later, idle_minutes=30)[0] is not None
    with db.read() as conn:
        stored = conn.execute(select(clinicians.clinicians.c.password_hash)
                              .where(clinicians.clinicians.c.username == "clara")).scalar_one()
    assert passwords.verify("a fresh passphrase", stored)
    if change is change_own:  # the session that changed its own password stays signed in, with its cookie
        assert signins.touch(here, later, idle_minutes=30)[0] is not None
        assert signins.resume_from_cookie("clara", COOKIE, later, idle_minutes=30) is not None
        assert signins.open_count(people["clara"].clinician_id) == 1
    else:
        assert signins.touch(here, later, idle_minutes=30)[0] is None
        assert signins.open_count(people["clara"].clinician_id) == 0


@pytest.mark.parametrize("rounds", [12, 13])
def test_regression_unknown_and_locked_usernames_are_checked_at_the_configured_bcrypt_cost(database, people, rounds):
    """Timing is not asserted: the hash an unknown or locked name is checked against has the cost
    a real account's new hash has, so the bcrypt work (and the time) is the same."""
    from core import passwords
    stand_in = passwords.unusable_hash(rounds)
    assert passwords.cost(stand_in) == rounds
    assert passwords.unusable_hash(rounds) is stand_in  # made once per cost
    assert passwords.cost(passwords.unusable_hash(rounds + 1)) == rounds + 1  # follows the setting
    assert not passwords.verify("correct horse battery", stand_in)

    fail("clara", 10)
    creds = clinicians.login_credentials(NOW + timedelta(minutes=1), rounds=rounds)
    assert creds["usernames"]["clara"]["password"] == stand_in
    assert passwords.cost(clinicians.stand_in_entry(rounds)["password"]) == rounds
    assert clinicians.stand_in_entry(rounds)["password"] == stand_in
