"""AppTest: between the password and the second step nothing of the portal is drawn, whatever page or
session state is tried; the code step, the setup the policy forces, and My account's two-factor section."""
from datetime import datetime, timezone

import pytest

from core import settings as settings_mod, two_factor as tf
from db import signins, two_factor
from db.actors import Actor
from tests.app.helpers import PAGES, errors, fresh_app, signed_in, texts
from tests.app.test_pages import sign_in
from tests.conftest import PASSWORD


def now():
    return datetime.now(timezone.utc)


def keys():
    return settings_mod.two_factor_keys(settings_mod.load())


@pytest.fixture
def clara_with_totp(sqlite_db, people):
    secret = tf.new_secret()
    codes, _ = two_factor.enable(people["clara"], secret, tf.code_at(secret, now()), now=now(), keys=keys(),
                                 keep_session=None)
    # the setup used this step's code; sign-ins in these tests use the next step's (no replay)
    return secret, codes


def next_code(secret):
    from datetime import timedelta
    return tf.code_at(secret, now() + timedelta(seconds=30))


def portal_drawn(at) -> bool:
    shown = texts(at)
    return any(word in shown for word in ("Your caseload", "Client of Clara", "Sign out")) or bool(at.sidebar.button)


def test_two_factor_code_step_is_all_that_renders_for_every_registered_page_and_forged_state(clara_with_totp, people):
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    assert "Two-step sign-in" in texts(at) and not portal_drawn(at)
    for page in PAGES["clinician"] + PAGES["admin"]:
        try:
            at.switch_page(page).run()
        except Exception:
            continue  # not registered before the second step: nothing to open
        assert not at.exception, page
        assert "Two-step sign-in" in texts(at) and not portal_drawn(at), page
    # forged session state: an actor, an authenticated flag, another session key
    at.session_state["as_actor"] = people["clara"]
    at.session_state["authentication_status"] = True
    at.run()
    assert "Two-step sign-in" in texts(at) and not portal_drawn(at)


def test_two_factor_code_step_opens_the_portal_with_a_right_code(clara_with_totp):
    secret, _ = clara_with_totp
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    at.text_input(key="as_code").input(next_code(secret))
    at.button[0].click().run()
    assert not at.exception
    assert "Your caseload" in texts(at)


@pytest.mark.parametrize("typed, says", [
    ("", "Please enter the six-digit code"), ("12 34 5", "doesn't look like a code"), ("１２３", "doesn't look like"),
    ("1234567", "doesn't look like"), ("x" * 64, "doesn't look like"), ("<img src=x onerror=alert(1)>", "doesn't look like"),
])
def test_two_factor_hostile_codes_get_a_calm_message_and_no_crash(clara_with_totp, typed, says):
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    at.text_input(key="as_code").input(typed)
    at.button[0].click().run()
    assert not at.exception
    assert any(says in e for e in errors(at)), errors(at)
    assert not portal_drawn(at)


def test_two_factor_wrong_code_and_used_recovery_code_get_the_same_calm_answer(clara_with_totp):
    secret, codes = clara_with_totp
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    wrong = "000000" if next_code(secret) != "000000" else "111111"
    at.text_input(key="as_code").input(wrong)
    at.button[0].click().run()
    first = errors(at)
    at.text_input(key="as_code").input(codes[0])
    at.button[0].click().run()
    assert "Your caseload" in texts(at)  # a recovery code signs in
    again = sign_in(fresh_app().run(), "clara", PASSWORD)
    again.text_input(key="as_code").input(codes[0])
    again.button[0].click().run()
    assert errors(again) == first and len(first) == 1  # used up: the same words as a wrong code


def test_two_factor_policy_forces_setup_before_any_page_and_shows_recovery_codes_once(sqlite_db, people):
    two_factor.set_policy(people["ada"], True, now=now())
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    assert "Set up two-factor sign-in" in texts(at) and not portal_drawn(at)
    for page in PAGES["clinician"]:
        try:
            at.switch_page(page).run()
        except Exception:
            continue
        assert "Set up two-factor sign-in" in texts(at) and not portal_drawn(at), page
    secret = at.session_state["as_gate_setup_secret"]
    assert len(at.code) == 1 and at.code[0].value == tf.grouped(secret)  # typed-in fallback for the QR code
    assert [i.captions for i in at.get("image")] == [["QR code for your authenticator app"]]  # drawn locally
    at.text_input(key="as_gate_setup_code").input(tf.code_at(secret, now()))
    at.button[0].click().run()
    assert not at.exception
    codes = at.code[0].value.split("\n")
    assert len(codes) == 10 and not portal_drawn(at)
    at.button(key="as_codes_saved").click().run()
    assert "Your caseload" in texts(at)
    assert two_factor.status_for(people["clara"]).enabled


def test_two_factor_set_up_from_my_account_then_turned_off(sqlite_db, people):
    at = signed_in("colin").run()
    at.switch_page("pages/clinician/account.py").run()
    assert "Set up two-factor sign-in" in [e.label for e in at.expander]
    secret = at.session_state["account_tf_setup_secret"]
    at.text_input(key="account_tf_setup_code").input(tf.code_at(secret, now()))
    next(b for b in at.button if b.label == "Turn on two-factor sign-in").click().run()
    assert not at.exception
    assert len(at.code[0].value.split("\n")) == 10
    at.button(key="as_codes_saved").click().run()
    assert any("On since" in t for t in texts(at).split("\n"))
    at.text_input(key="account_tf_code").input(next_code(secret))
    next(b for b in at.button if b.label == "Turn off two-factor sign-in").click().run()
    assert "Two-factor sign-in is off" in texts(at)
    assert not two_factor.status_for(people["colin"]).enabled


def test_two_factor_code_typed_in_arabic_indic_digits_with_spaces_signs_in(clara_with_totp):
    secret, _ = clara_with_totp
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in next_code(secret))
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    at.text_input(key="as_code").input(f"{arabic[:3]} {arabic[3:]}")
    at.button[0].click().run()
    assert "Your caseload" in texts(at)


def test_two_factor_a_10000_character_paste_is_refused_calmly_and_not_counted(clara_with_totp, people):
    from db.tables import clinicians
    from sqlalchemy import select
    import db
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    sid = at.session_state["as_sid"]
    # the browser's field stops at 64 characters; the server refuses longer input itself
    assert two_factor.complete(sid, "7" * 10_000, now=now(), keys=keys(), threshold=10, minutes=15) == two_factor.MALFORMED
    with db.read() as conn:
        assert conn.execute(select(clinicians.c.failed_logins).where(clinicians.c.username == "clara")).scalar() == 0
