"""The sign-in gate around streamlit-authenticator.

The authenticator draws the form and checks the bcrypt hash; everything that must survive a
rerun or a new browser lives in the database (db.signins): lockout, login sessions, idle timeout,
and whether a re-login cookie may still be honoured.
"""
from __future__ import annotations

import streamlit as st

from components import text, two_factor as two_factor_ui
import streamlit_authenticator as stauth

from core import passwords, two_factor as two_factor_rules
from core import settings as settings_mod
from db import clinicians, signins, two_factor
from db.actors import Actor

from components.frame import utcnow

GENERIC_FAILURE = ("That username and password didn't match, or the account is locked for a while after "
                   "repeated attempts. Please try again, or ask your practice admin.")
CODE_FAILURE = ("That code didn't work, or the account is locked for a while after repeated attempts. Enter the "
                "code your app shows now (check that your phone sets its time automatically), or a recovery code.")
CODE_MESSAGES = {
    two_factor.EMPTY: "Please enter the six-digit code from your authenticator app, or a recovery code.",
    two_factor.MALFORMED: ("That doesn't look like a code. Enter the six digits your authenticator app shows now, "
                           "or one of your recovery codes (like abcde-fghjk)."),
    two_factor.REFUSED: CODE_FAILURE,
}
NOTICES = {
    "idle": "You were signed out after {minutes} minutes without activity. Please sign in again.",
    "signout": "You have signed out.",
    "deactivated": "This account is no longer active. Please ask your practice admin.",
    "password": "This account's password was changed, so you were signed out here. Please sign in with the new password.",
    "two_factor": "Two-factor sign-in was turned on for this account, so you were signed out here. Please sign in again.",
    "two_factor_reset": "Your practice admin reset your two-factor sign-in. Please sign in and set it up again.",
}


def make_authenticator(cfg: settings_mod.Settings) -> stauth.Authenticate:
    now = utcnow()
    authenticator = stauth.Authenticate(
        clinicians.login_credentials(now, rounds=cfg["BCRYPT_ROUNDS"]),
        cookie_name=cfg["AUTH_COOKIE_NAME"],
        cookie_key=settings_mod.cookie_key(cfg),
        cookie_expiry_days=cfg["AUTH_COOKIE_EXPIRY_DAYS"],
        auto_hash=False,
        login_sleep_time=0,
    )
    _guard(authenticator, cfg)
    return authenticator


def _guard(authenticator: stauth.Authenticate, cfg: settings_mod.Settings) -> None:
    """Wrap the controller's login so lockout and server-side sessions apply to both paths:
    a submitted form (username, password) and a re-login cookie (token)."""
    controller = authenticator.authentication_controller
    original = controller.login
    known = controller.authentication_model.credentials["usernames"]

    def guarded(username=None, password=None, *args, token=None, **kwargs):
        now = utcnow()
        ss = st.session_state
        if token:
            sid = signins.resume_from_cookie(str(token.get("username", "")), token.get("exp_date"), now,
                                             idle_minutes=cfg["IDLE_TIMEOUT_MINUTES"])
            if sid is None:
                return None
            ss["as_sid"] = sid
            ss.pop("as_notice", None)
            return original(username, password, *args, token=token, **kwargs)
        name = str(username or "").lower().strip()
        if not name or not password:
            ss["as_signin_message"] = "Please enter your username and your password."
            return None
        rounds = cfg["BCRYPT_ROUNDS"]
        if signins.is_locked(name, now):
            passwords.verify(password, passwords.unusable_hash(rounds))  # same work, same answer as a wrong password
            signins.record_refused_while_locked(name, now)
            ss["authentication_status"] = False
            return False
        # An unknown name meets the authenticator's own bcrypt check too, at the configured cost.
        known.setdefault(name, clinicians.stand_in_entry(rounds))
        ok = original(username, password, *args, token=token, **kwargs)
        if ok:
            ss.pop("as_notice", None)
            ss["as_sid"], _ = signins.start_session(name, now)
            ss["as_fresh_signin"] = True
        else:
            signins.record_failure(name, now, threshold=cfg["LOCKOUT_THRESHOLD"], minutes=cfg["LOCKOUT_MINUTES"])
            ss["authentication_status"] = False
        return ok

    controller.login = guarded


def sign_out(authenticator: stauth.Authenticate, reason: str, slot) -> None:
    ss = st.session_state
    sid = ss.pop("as_sid", None)
    if sid and reason == "signout":
        signins.end(sid, utcnow(), reason="signout")
    for key in ("as_actor", "as_code_result", "as_setup_in_gate", "as_gate_setup_secret", "as_gate_setup_problem",
                two_factor_ui.CODES_KEY):
        ss.pop(key, None)
    if ss.get("authentication_status"):
        with slot.container():  # its cookie-deleting element goes in the fixed slot
            authenticator.logout(location="unrendered")  # clears its state and deletes the cookie
    ss["as_notice"] = reason


def second_step(sid: str, pending: str, cfg: settings_mod.Settings, head) -> None:
    """After a correct password, the step still owed: the code, or a setup the practice requires. Only this
    is drawn: no page, no page list, nothing of the portal until it is done (db.signins.touch refuses the
    session meanwhile, and its re-login cookie opens nothing)."""
    ss = st.session_state
    with head.container():
        st.title("Anchorstep")
    if pending == signins.SETUP:
        person = two_factor.pending_actor(sid, signins.SETUP)
        if person is None:
            st.rerun()
        st.subheader("Set up two-factor sign-in")
        st.write("Your practice asks everyone to confirm each sign-in with a code from an app on their phone, "
                 "so a password alone can't open health records. It takes about two minutes.")
        ss["as_setup_in_gate"] = True
        two_factor_ui.setup(person, keep_session=sid, prefix="as_gate_setup")
    else:
        st.subheader("Two-step sign-in")
        st.write("Enter the six-digit code your authenticator app shows for Anchorstep. Lost your phone? "
                 "Enter one of your recovery codes instead.")
        with st.form("as_code_form", clear_on_submit=True):
            typed = st.text_input("Code", key="as_code", max_chars=two_factor_rules.MAX_INPUT,
                                  autocomplete="one-time-code")
            submitted = st.form_submit_button("Continue", type="primary")
        if submitted:
            result = two_factor.complete(sid, typed, now=utcnow(), keys=two_factor_ui.keys(),
                                         threshold=cfg["LOCKOUT_THRESHOLD"], minutes=cfg["LOCKOUT_MINUTES"])
            if result == two_factor.OK:
                ss.pop("as_code_result", None)
                st.rerun()
            ss["as_code_result"] = result
        if ss.get("as_code_result") in CODE_MESSAGES:
            st.error(CODE_MESSAGES[ss["as_code_result"]])
    st.button("Cancel and sign out", key="as_cancel_second_step", on_click=request_sign_out)


def current_session() -> str | None:
    """The key of this tab's login session (a password change keeps it signed in)."""
    return st.session_state.get("as_sid")


def request_sign_out() -> None:
    """Button callback: only flags; the gate does the work at the top of the next run."""
    st.session_state["as_signout_requested"] = True


def gate(cfg: settings_mod.Settings) -> Actor | None:
    """Returns the signed-in actor, or draws the sign-in form and returns None.

    The authenticator (its credentials read and its cookie component) is made only when a run needs it:
    signing in, signing out, or a session that ended. A signed-in page's run is one read of its server
    session, nothing more."""
    ss = st.session_state
    made: list[stauth.Authenticate] = []

    def authenticator() -> stauth.Authenticate:
        if not made:
            made.append(make_authenticator(cfg))  # the one instance of this run
        return made[0]

    # Three fixed slots drawn on every run, signed in or not, so whatever follows keeps its place
    # from one run to the next (a shifted element is briefly drawn twice while Streamlit replaces
    # the previous run's elements: two forms, two headings).
    cookie_slot, notice_box, head = st.empty(), st.empty(), st.empty()
    if ss.pop("as_signout_requested", False):
        sign_out(authenticator(), "signout", cookie_slot)
    sid = ss.get("as_sid")
    if sid:
        current, reason = signins.touch(sid, utcnow(), idle_minutes=cfg["IDLE_TIMEOUT_MINUTES"])
        if current is not None:
            if ss.get("as_setup_in_gate") and two_factor_ui.show_recovery_codes(
                    done_label="I have saved my recovery codes: open my pages"):
                return None  # the codes of a setup the policy asked for, shown once before any page
            ss.pop("as_setup_in_gate", None)
            ss["as_actor"] = current
            return current
        if reason in (signins.CODE, signins.SETUP):
            second_step(sid, reason, cfg, head)
            return None
        sign_out(authenticator(), reason or "ended", cookie_slot)
    elif ss.get("authentication_status"):
        # The authenticator thinks we are signed in but no live server session backs it.
        sign_out(authenticator(), "ended", cookie_slot)

    if ss.get("authentication_status") is False:
        ss["authentication_status"] = None  # so a False after login() means: this run's attempt failed
    notice = ss.get("as_notice")  # kept until the next sign-in: the cookie helper's rerun must not hide it
    if notice in NOTICES:
        notice_box.info(text.md(NOTICES[notice], minutes=cfg["IDLE_TIMEOUT_MINUTES"]))
    with head.container():  # cleared when a re-login cookie signs the person straight in
        st.title("Anchorstep")
        st.caption("Between-session practice, with the clinician in charge.")
    authenticator().login(location="main", key="signin", fields={
        "Form name": "Sign in", "Username": "Username", "Password": "Password", "Login": "Sign in"})
    if ss.get("authentication_status") and ss.get("as_sid"):
        if ss.pop("as_fresh_signin", False):
            # The authenticator has just drawn its cookie element; it writes the re-login cookie and
            # then reruns the script by itself, which opens the signed-in pages. No st.rerun() here:
            # it would remove the element before the browser runs it.
            signins.bind_cookie(ss["as_sid"], authenticator().cookie_controller.cookie_model.exp_date)
            st.success("Signed in. Opening your pages…")
            st.button("Continue", key="as_continue")
            st.stop()
        current, _ = signins.touch(ss["as_sid"], utcnow(), idle_minutes=cfg["IDLE_TIMEOUT_MINUTES"])
        if current is not None:
            # Signed in by the re-login cookie: carry on in this run, so a deep link keeps its page.
            head.empty()
            ss["as_actor"] = current
            return current
    message = ss.pop("as_signin_message", None)
    if ss.get("authentication_status") is False:
        st.error(GENERIC_FAILURE)
    elif message:
        st.warning(text.md("{message}", message=message))
    return None
