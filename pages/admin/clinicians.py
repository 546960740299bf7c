"""Clinicians: the practice's accounts. Add, deactivate, reactivate, unlock, reset a password or a
second factor."""
import pandas as pd
import streamlit as st

from components import text
from components.frame import ROLE_LABELS, field_error, require_role, settings, utcnow
from db import clinicians, two_factor

actor = require_role("admin")
now = utcnow()
ss = st.session_state
st.title("Clinicians")
if ss.pop("clin_saved", None):
    st.success(text.md("{saved}", saved=ss.pop("clin_saved_text", "Saved.")))

people = clinicians.list_for(actor)
alerts_to = clinicians.alert_recipients(actor)
st.dataframe(pd.DataFrame([{
    "Name": p["display_name"], "Username": p["username"], "Role": ROLE_LABELS[p["role"]], "Email": p["email"],
    "Active": "yes" if p["active"] else "no",
    "Two-factor": "on" if p["two_factor_since"] else "off",
    "Safety alerts go to": alerts_to.get(p["id"], ""),
    "Locked": "until " + p["locked_until"].strftime("%H:%M UTC") if p["locked_until"] and p["locked_until"] > now else "",
} for p in people]), hide_index=True, width="stretch")
st.caption("Safety alerts cannot be turned off. A deactivated clinician's alerts go to the practice's admins.")

with st.expander("Add a clinician", expanded=bool(ss.get("clin_errors")), icon=":material/person_add:"):
    errors = ss.get("clin_errors", {})
    with st.form("add_clinician", clear_on_submit=False, border=False):
        form = {
            "display_name": st.text_input("Full name", key="clin_display_name"),
            "username": st.text_input("Username", key="clin_username", help="Lower-case letters, digits, dots, dashes."),
            "email": st.text_input("Work email", key="clin_email"),
            "role": st.selectbox("Role", ["clinician", "admin"], key="clin_role", format_func=ROLE_LABELS.get),
            "password": st.text_input("First password (12+ characters; ask them to change it)", type="password",
                                      key="clin_password"),
        }
        for f in ("display_name", "username", "email", "role", "password"):
            field_error(errors, f)
        if st.form_submit_button("Add clinician", type="primary"):
            new_id, errors = clinicians.create(actor, form, now=now, rounds=settings()["BCRYPT_ROUNDS"])
            ss["clin_errors"] = errors
            if not errors:
                for k in ("clin_display_name", "clin_username", "clin_email", "clin_password"):
                    ss.pop(k, None)
                ss["clin_saved"], ss["clin_saved_text"] = True, f"Added {form['display_name']}."
            st.rerun()

with st.expander("Change an account", icon=":material/manage_accounts:"):
    by_id = {p["id"]: p for p in people}
    chosen = st.selectbox("Account", list(by_id), index=None, key="clin_chosen", placeholder="Choose an account",
                          format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['username']})")
    if chosen is not None:
        person = by_id[chosen]
        cols = st.columns(3)
        if person["active"] and chosen != actor.clinician_id and cols[0].button("Deactivate", key="clin_deactivate"):
            clinicians.set_active(actor, chosen, False, now=now)
            ss["clin_saved"], ss["clin_saved_text"] = True, f"{person['display_name']} can no longer sign in."
            st.rerun()
        if not person["active"] and cols[0].button("Reactivate", key="clin_activate"):
            clinicians.set_active(actor, chosen, True, now=now)
            ss["clin_saved"], ss["clin_saved_text"] = True, f"{person['display_name']} can sign in again."
            st.rerun()
        if person["locked_until"] and person["locked_until"] > now and cols[1].button("Unlock now", key="clin_unlock"):
            clinicians.unlock(actor, chosen, now=now)
            ss["clin_saved"], ss["clin_saved_text"] = True, f"{person['display_name']}'s account is unlocked."
            st.rerun()
        with st.form("clin_reset", clear_on_submit=False):
            st.write("Set a new password (for someone who has forgotten theirs). It also unlocks the account and "
                     "signs them out everywhere; give it to them in person or by phone.")
            new_pw = st.text_input("New password", type="password", key="clin_reset_password")
            field_error(ss.get("clin_reset_errors", {}), "password")
            if st.form_submit_button("Set password"):
                errs = clinicians.reset_password(actor, chosen, new_pw, now=now, rounds=settings()["BCRYPT_ROUNDS"])
                ss["clin_reset_errors"] = errs
                if not errs:
                    ss.pop("clin_reset_password", None)
                    ss["clin_saved"], ss["clin_saved_text"] = True, f"New password set for {person['display_name']}."
                st.rerun()
        if person["two_factor_since"] and chosen != actor.clinician_id:
            with st.form("clin_reset_2fa", clear_on_submit=True):
                st.write("Reset their two-factor sign-in (a lost or new phone): their authenticator and recovery codes "
                         "stop working, they are signed out everywhere, and their next sign-in asks them to set it "
                         "up again.")
                sure = st.checkbox("I have checked with them that they asked for this", key="clin_reset_2fa_sure")
                if st.form_submit_button("Reset two-factor sign-in"):
                    if sure:
                        two_factor.reset(actor, chosen, now=now)
                        ss["clin_saved"], ss["clin_saved_text"] = True, (
                            f"{person['display_name']}'s two-factor sign-in was reset; they set it up again at their "
                            "next sign-in.")
                        st.rerun()
                    st.warning("Please tick the box first.")
        elif chosen == actor.clinician_id:
            st.caption(two_factor.SELF_RESET)
