"""Two-factor pieces shared by the sign-in gate (the code step, a setup the policy asks for) and My
account: setting up an authenticator from a QR code drawn here (segno; no outside service), and showing
recovery codes once. The rules are in core.two_factor, the state in db.two_factor."""
from __future__ import annotations

import io

import segno
import streamlit as st

from components import text
from components.frame import settings, utcnow
from core import settings as settings_mod
from core import two_factor as rules
from db import two_factor
from db.actors import Actor

CODE_LABEL = "Six-digit code from your authenticator app"
CODES_KEY = "as_recovery_codes"  # shown once, then dropped from the session


def keys() -> str:
    return settings_mod.two_factor_keys(settings())


def _qr_png(uri: str) -> bytes:
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="png", scale=5, border=4, dark="#000", light="#fff")
    return buf.getvalue()


def setup(actor: Actor, *, keep_session: str | None, prefix: str) -> bool:
    """Draw the setup: a new secret (kept only in this tab's server memory until confirmed) as a QR code
    and as text, and one code to confirm it. Returns True when it was just turned on (the recovery codes
    are then in the session, for `show_recovery_codes`)."""
    ss = st.session_state
    secret = ss.setdefault(f"{prefix}_secret", rules.new_secret())
    uri = rules.provisioning_uri(secret, actor.username)
    st.markdown("1. Open an authenticator app on your phone (for example Google Authenticator, Microsoft "
                "Authenticator, 1Password, Aegis or FreeOTP) and add an account by scanning this code.")
    st.image(_qr_png(uri), caption="QR code for your authenticator app", width=220,
             alt="QR code for your authenticator app (the same key is written below)")
    st.markdown("Can't scan it? Choose *enter a key* in the app and type this key (time-based):")
    st.code(rules.grouped(secret), language=None)
    st.markdown("2. Enter the six-digit code the app now shows for Anchorstep.")
    with st.form(f"{prefix}_confirm", clear_on_submit=False):
        typed = st.text_input(CODE_LABEL, key=f"{prefix}_code", max_chars=rules.MAX_INPUT, autocomplete="one-time-code")
        problem = ss.get(f"{prefix}_problem")
        if problem:
            st.error(text.md("{p}", p=problem))
        if st.form_submit_button("Turn on two-factor sign-in", type="primary"):
            codes, problem = two_factor.enable(actor, secret, typed, now=utcnow(), keys=keys(), keep_session=keep_session)
            ss[f"{prefix}_problem"] = problem
            if codes:
                for k in (f"{prefix}_secret", f"{prefix}_code", f"{prefix}_problem"):
                    ss.pop(k, None)
                ss[CODES_KEY] = codes
            st.rerun()
    return False


def show_recovery_codes(*, done_label: str = "I have saved my recovery codes") -> bool:
    """If codes were just issued, show them once and return True (until the person says they saved them)."""
    ss = st.session_state
    codes = ss.get(CODES_KEY)
    if not codes:
        return False
    st.success("Two-factor sign-in is on. Here are your recovery codes.")
    st.markdown("Each code works **once**, in place of the six-digit code, if you lose your phone. Keep them "
                "somewhere safe and private (a password manager, or printed in a drawer). They are not "
                "shown again; you can make new ones on *My account*.")
    st.code("\n".join(codes), language=None)
    if st.button(text.md("{label}", label=done_label), key="as_codes_saved", type="primary"):
        ss.pop(CODES_KEY, None)
        st.rerun()
    return True
