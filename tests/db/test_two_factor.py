"""Two-factor sign-in state on both databases, with a fixed clock: setup, the code step, replay and
recovery codes, lockout, the practice policy, admin reset, the operator's command, and the audit rows."""
from datetime import timedelta

import pytest
from sqlalchemy import select

import db
from core import two_factor as tf
from db import audit, signins, two_factor
from db.tables import clinicians, login_sessions
from tests.conftest import NOW

KEY = tf.new_key()
SECRET = tf.new_secret()
T, M = 10, 15


def code(at=NOW, secret=SECRET):
    return tf.code_at(secret, at)


def set_up(actor, at=NOW, secret=SECRET):
    sid, _ = signins.start_session(actor.username, at)
    codes, problem = two_factor.enable(actor, secret, code(at, secret), now=at, keys=KEY, keep_session=sid)
    assert problem is None and len(codes) == 10
    return sid, codes


def actions(actor, prefix="two_factor."):
    rows, _ = audit.list_events(actor, now=NOW + timedelta(days=1))
    return [r["action"] for r in rows if r["action"].startswith(prefix)]


def test_two_factor_setup_stores_only_ciphertext_and_ends_the_other_sessions(database, people):
    clara = people["clara"]
    other, _ = signins.start_session("clara", NOW)
    sid, codes = set_up(clara)
    with db.read() as conn:
        row = conn.execute(select(clinicians).where(clinicians.c.id == clara.clinician_id)).mappings().one()
    assert row["totp_secret"] and SECRET not in row["totp_secret"] and tf.decrypt(row["totp_secret"], KEY) == SECRET
    assert signins.touch(other, NOW + timedelta(seconds=1), idle_minutes=30)[0] is None  # signed out
    assert signins.touch(sid, NOW + timedelta(seconds=1), idle_minutes=30)[0] == clara  # the one it was done from
    assert two_factor.status_for(clara).enabled and two_factor.status_for(clara).codes_left == 10
    assert actions(people["ada"]) == ["two_factor.setup"]


def test_two_factor_setup_refuses_a_wrong_confirming_code_and_saves_nothing(database, people):
    clara = people["clara"]
    codes, problem = two_factor.enable(clara, SECRET, "000000" if code() != "000000" else "111111", now=NOW,
                                       keys=KEY, keep_session=None)
    assert codes is None and "didn't match" in problem
    assert not two_factor.status_for(clara).enabled
    assert actions(people["ada"]) == ["two_factor.setup_failure"]


def test_totp_sign_in_owes_the_code_step_and_the_code_is_accepted_once(database, people):
    clara = people["clara"]
    set_up(clara)
    later = NOW + timedelta(minutes=5)
    sid, _ = signins.start_session("clara", later)
    assert signins.touch(sid, later, idle_minutes=30) == (None, signins.CODE)
    c = code(later)
    assert two_factor.complete(sid, c, now=later, keys=KEY, threshold=T, minutes=M) == two_factor.OK
    assert signins.touch(sid, later + timedelta(seconds=1), idle_minutes=30)[0] == clara
    # the same code again, in a second sign-in within its window: replay refused
    sid2, _ = signins.start_session("clara", later + timedelta(seconds=5))
    assert two_factor.complete(sid2, c, now=later + timedelta(seconds=5), keys=KEY, threshold=T,
                               minutes=M) == two_factor.REFUSED
    # an older step's code (still inside the drift window) is refused too: steps only move forward
    older = code(later - timedelta(seconds=30))
    assert two_factor.complete(sid2, older, now=later + timedelta(seconds=5), keys=KEY, threshold=T,
                               minutes=M) == two_factor.REFUSED
    nxt = later + timedelta(seconds=30)
    assert two_factor.complete(sid2, code(nxt), now=nxt, keys=KEY, threshold=T, minutes=M) == two_factor.OK


def test_recovery_code_signs_in_once_and_is_used_up(database, people):
    clara = people["clara"]
    _, codes = set_up(clara)
    sid, _ = signins.start_session("clara", NOW + timedelta(minutes=1))
    assert two_factor.complete(sid, codes[3].upper(), now=NOW + timedelta(minutes=1), keys=KEY, threshold=T,
                               minutes=M) == two_factor.OK
    sid2, _ = signins.start_session("clara", NOW + timedelta(minutes=2))
    assert two_factor.complete(sid2, codes[3], now=NOW + timedelta(minutes=2), keys=KEY, threshold=T,
                               minutes=M) == two_factor.REFUSED
    assert two_factor.status_for(clara).codes_left == 9
    assert "two_factor.recovery_code_used" in actions(people["ada"])


def test_two_factor_failures_count_toward_the_lockout_and_malformed_entries_do_not(database, people):
    clara = people["clara"]
    set_up(clara)
    at = NOW + timedelta(minutes=10)
    sid, _ = signins.start_session("clara", at)
    for typed in ("", "   ", "12345", "abc", "9" * 10_000):
        assert two_factor.complete(sid, typed, now=at, keys=KEY, threshold=T, minutes=M) in (two_factor.EMPTY,
                                                                                             two_factor.MALFORMED)
    wrong = "000000" if code(at) != "000000" else "111111"
    for i in range(T):
        assert two_factor.complete(sid, wrong, now=at + timedelta(seconds=i), keys=KEY, threshold=T,
                                   minutes=M) == two_factor.REFUSED
    assert signins.is_locked("clara", at + timedelta(seconds=T))
    # locked: even the right code is refused, with the same answer
    right = at + timedelta(seconds=30)
    assert two_factor.complete(sid, code(right), now=right, keys=KEY, threshold=T, minutes=M) == two_factor.REFUSED
    rows, _ = audit.list_events(people["ada"], now=at + timedelta(days=1), action="two_factor.failure")
    assert len(rows) == T
    assert len(audit.list_events(people["ada"], now=at + timedelta(days=1), action="account.locked")[0]) == 1


def test_regression_a_wrong_key_refuses_calmly_and_is_audited(database, people):
    clara = people["clara"]
    set_up(clara)
    sid, _ = signins.start_session("clara", NOW + timedelta(minutes=1))
    assert two_factor.complete(sid, code(NOW + timedelta(minutes=1)), now=NOW + timedelta(minutes=1), keys=tf.new_key(),
                               threshold=T, minutes=M) == two_factor.REFUSED
    assert "two_factor.key_error" in actions(people["ada"])


def test_two_factor_re_login_cookie_of_a_password_only_session_is_refused(database, people):
    clara = people["clara"]
    set_up(clara)
    at = NOW + timedelta(minutes=1)
    sid, _ = signins.start_session("clara", at)
    signins.bind_cookie(sid, 12345.0)
    assert signins.resume_from_cookie("clara", 12345.0, at + timedelta(seconds=5), idle_minutes=30) is None
    assert two_factor.complete(sid, code(at), now=at, keys=KEY, threshold=T, minutes=M) == two_factor.OK
    assert signins.resume_from_cookie("clara", 12345.0, at + timedelta(seconds=10), idle_minutes=30) == sid


def test_two_factor_policy_sends_accounts_without_it_to_setup_and_stops_their_cookies(database, people):
    ada, clara, colin = people["ada"], people["clara"], people["colin"]
    set_up(colin)
    open_sid, _ = signins.start_session("clara", NOW)
    signins.bind_cookie(open_sid, 777.0)
    two_factor.set_policy(ada, True, now=NOW)
    assert signins.touch(open_sid, NOW + timedelta(seconds=20), idle_minutes=30) == (None, signins.SETUP)
    assert signins.resume_from_cookie("clara", 777.0, NOW + timedelta(seconds=25), idle_minutes=30) is None
    sid, _ = signins.start_session("clara", NOW + timedelta(minutes=1))
    assert signins.touch(sid, NOW + timedelta(minutes=1), idle_minutes=30) == (None, signins.SETUP)
    assert two_factor.pending_actor(sid, signins.SETUP) == clara
    assert two_factor.turn_off_own(colin, code(NOW + timedelta(minutes=2)), now=NOW + timedelta(minutes=2),
                                   keys=KEY) == "Your practice requires two-factor sign-in, so it stays on."
    # setting it up from the setup step opens the portal in that same session
    later = NOW + timedelta(minutes=3)
    codes, _ = two_factor.enable(clara, SECRET, code(later), now=later, keys=KEY, keep_session=sid)
    assert codes and signins.touch(sid, later + timedelta(seconds=1), idle_minutes=30)[0] == clara
    # another practice is untouched
    osid, _ = signins.start_session("otto", NOW)
    assert signins.touch(osid, NOW, idle_minutes=30)[0] == people["otto"]
    assert "two_factor.policy" in actions(ada)
    with pytest.raises(db.Forbidden):
        two_factor.set_policy(clara, False, now=NOW)


def test_two_factor_admin_reset_clears_a_colleague_and_asks_for_a_new_setup(database, people):
    ada, clara = people["ada"], people["clara"]
    sid, _ = set_up(clara)
    two_factor.reset(ada, clara.clinician_id, now=NOW + timedelta(minutes=1))
    assert signins.touch(sid, NOW + timedelta(minutes=1, seconds=20), idle_minutes=30)[0] is None
    st = two_factor.status_for(clara)
    assert not st.enabled and st.codes_left == 0 and st.required
    nsid, _ = signins.start_session("clara", NOW + timedelta(minutes=2))
    assert signins.touch(nsid, NOW + timedelta(minutes=2), idle_minutes=30) == (None, signins.SETUP)
    assert "two_factor.reset" in actions(ada)
    with pytest.raises(ValueError, match="only admin"):
        two_factor.reset(ada, ada.clinician_id, now=NOW)  # never one's own
    with pytest.raises(db.NotFound):
        two_factor.reset(ada, people["otto"].clinician_id, now=NOW)  # another practice
    with pytest.raises(db.Forbidden):
        two_factor.reset(clara, people["colin"].clinician_id, now=NOW)  # not an admin


def test_two_factor_operator_reset_command_clears_an_admin(database, people):
    ada = people["ada"]
    set_up(ada)
    from db.__main__ import main
    assert main(["reset-2fa", "ADA"]) == 0
    assert not two_factor.status_for(ada).enabled and two_factor.status_for(ada).required
    rows, _ = audit.list_events(ada, now=NOW + timedelta(days=3650), action="two_factor.reset")
    assert rows and rows[0]["actor_label"] == "command line"
    assert main(["reset-2fa", "nobody-here"]) == 1


def test_two_factor_new_recovery_codes_replace_the_old_and_need_a_current_code(database, people):
    clara = people["clara"]
    _, old = set_up(clara)
    at = NOW + timedelta(minutes=1)
    assert two_factor.new_recovery_codes(clara, "12345", now=at, keys=KEY) is None
    new = two_factor.new_recovery_codes(clara, code(at), now=at, keys=KEY)
    assert new and not set(new) & set(old)
    sid, _ = signins.start_session("clara", at + timedelta(minutes=1))
    assert two_factor.complete(sid, old[0], now=at + timedelta(minutes=1), keys=KEY, threshold=T,
                               minutes=M) == two_factor.REFUSED
    assert two_factor.complete(sid, new[0], now=at + timedelta(minutes=1), keys=KEY, threshold=T,
                               minutes=M) == two_factor.OK


def test_two_factor_turned_off_by_its_owner_with_a_current_code(database, people):
    clara = people["clara"]
    set_up(clara)
    at = NOW + timedelta(minutes=1)
    assert two_factor.turn_off_own(clara, "000000" if code(at) != "000000" else "111111", now=at, keys=KEY)
    assert two_factor.turn_off_own(clara, code(at), now=at, keys=KEY) is None
    assert not two_factor.status_for(clara).enabled
    sid, _ = signins.start_session("clara", at + timedelta(minutes=1))
    assert signins.touch(sid, at + timedelta(minutes=1), idle_minutes=30)[0] == clara
    assert "two_factor.removed" in actions(people["ada"])


def test_two_factor_accounts_list_is_for_admins_of_the_practice(database, people):
    set_up(people["clara"])
    rows = two_factor.accounts(people["ada"])
    assert {r["username"]: bool(r["two_factor_since"]) for r in rows} == {"ada": False, "clara": True, "colin": False}
    with pytest.raises(db.Forbidden):
        two_factor.accounts(people["clara"])
