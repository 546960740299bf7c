"""Practice settings: name, home time zone, the crisis resources every client page shows, the
neutral sender name client emails use, two-factor policy, safety alerts and the reliable-change rule."""
import streamlit as st

from components import text
from components.frame import field_error, require_role, settings, utcnow
from core import clients as client_rules
from core import email_headers, i18n
from core import practices as practice_rules
from core import reliable_change as change_rules
from db import practices, reliable_change, two_factor

actor = require_role("admin")
ss = st.session_state
st.title("Practice settings")
practice = practices.get(actor.practice_id)
if "practice_name" not in ss:
    ss["practice_name"], ss["practice_timezone"], ss["practice_crisis"] = (
        practice["name"], practice["timezone"], practice["crisis_resources"])
    ss["practice_renewal"] = practice["consent_renewal_days"] or settings()["CONSENT_RENEWAL_DAYS"]
    ss["practice_sender_name"] = practice["email_sender_name"] or email_headers.DEFAULT_SENDER_NAME
    ss["practice_email_shows_name"] = bool(practice["email_shows_practice_name"])
    ss["practice_language"] = i18n.choose(practice["language"])
    ss["practice_checkup_weeks"] = practice["consent_checkup_weeks"] or settings()["CONSENT_CHECKUP_WEEKS"]
if ss.pop("practice_saved", False):
    st.success("Practice settings saved.")
errors = ss.get("practice_errors", {})
zones = client_rules.zones()
with st.form("practice_settings", clear_on_submit=False):
    name = st.text_input("Practice name (shown on client pages)", key="practice_name",
                         max_chars=practice_rules.NAME_MAX)
    field_error(errors, "name")
    st.caption(practice_rules.SENDER_NAME_WHY)
    sender_name = st.text_input("Sender name in emails", key="practice_sender_name",
                                max_chars=practice_rules.SENDER_NAME_MAX,
                                help=text.md("Leave empty for \"{name}\".", name=email_headers.DEFAULT_SENDER_NAME))
    field_error(errors, "email_sender_name")
    shows_name = st.checkbox("Also name the practice inside each email (never in the subject)",
                             key="practice_email_shows_name")
    zone = st.selectbox("Practice time zone", zones, key="practice_timezone")
    language = st.selectbox("Clients' language", i18n.offered(), key="practice_language",
                            format_func=i18n.english_name,
                            help="Client pages, emails and calendar files use this language unless a client's "
                                 "record names another. Clinician pages stay in English.")
    field_error(errors, "language")
    crisis = st.text_area("Crisis resources shown to clients", key="practice_crisis", height=160,
                          max_chars=practice_rules.CRISIS_MAX,
                          help="Shown after every check-in and on the coping card. Include local emergency numbers.")
    field_error(errors, "crisis_resources")
    renewal = st.number_input("Ask clients to renew consent every … days", min_value=practices.RENEWAL_MIN,
                              max_value=practices.RENEWAL_MAX, step=1, key="practice_renewal",
                              help="Applies from each client's next confirmation.")
    checkup_weeks = st.number_input("Ask clients for a short consent check-up every … weeks",
                                    min_value=practices.CHECKUP_WEEKS_MIN, max_value=practices.CHECKUP_WEEKS_MAX,
                                    step=1, key="practice_checkup_weeks",
                                    help="A check-up is also due at renewal and whenever a clinician asks for one.")
    if st.form_submit_button("Save", type="primary"):
        ss["practice_errors"] = practices.update_settings(
            actor, name=name, timezone=zone, crisis_resources=crisis, consent_renewal_days=int(renewal),
            email_sender_name=sender_name, email_shows_practice_name=shows_name, language=language,
            consent_checkup_weeks=int(checkup_weeks), now=utcnow())
        ss["practice_saved"] = not ss["practice_errors"]
        st.rerun()

st.subheader("Two-factor sign-in")
st.caption("Every account opens health records: with this on, a password alone signs nobody in. Each person "
           "sets up an authenticator app at their next sign-in (or right away, on My account).")
required = bool(practice["require_two_factor"])
with st.form("practice_two_factor", clear_on_submit=False):
    want = st.checkbox("Require two-factor sign-in for everyone", value=required, key="practice_require_2fa")
    if st.form_submit_button("Save two-factor policy"):
        two_factor.set_policy(actor, want, now=utcnow())
        ss["practice_2fa_saved"] = True
        st.rerun()
if ss.pop("practice_2fa_saved", False):
    st.success("Two-factor policy saved.")
without = [a for a in two_factor.accounts(actor) if not a["two_factor_since"]]
if without:
    st.write(text.md("Not set up yet: {names}.", names=", ".join(a["display_name"] for a in without)))
else:
    st.write("Everyone in the practice has two-factor sign-in on.")

st.subheader("Safety alerts")
st.caption("When a safety flag opens, its clinician is emailed within minutes (no client details). A flag still "
           "unreviewed after the hours below is emailed to every admin of the practice, once.")
escalate_errors = ss.get("practice_escalate_errors", {})
with st.form("practice_escalate", clear_on_submit=False):
    hours = st.number_input("Email the admins when a flag is unreviewed for … hours", min_value=practices.ESCALATE_MIN,
                            max_value=practices.ESCALATE_MAX, step=1, key="practice_escalate_hours",
                            value=practice["safety_escalate_hours"] or settings()["SAFETY_ESCALATE_HOURS"])
    field_error(escalate_errors, "escalate_hours")
    if st.form_submit_button("Save alert settings"):
        ss["practice_escalate_errors"] = practices.set_escalate_hours(actor, int(hours), now=utcnow())
        ss["practice_escalate_saved"] = not ss["practice_escalate_errors"]
        st.rerun()
if ss.pop("practice_escalate_saved", False):
    st.success("Alert settings saved.")

st.subheader("Reliable change in questionnaires")
st.caption("How a change between a client's baseline and a later questionnaire is called reliable, on the client "
           "view, the Check-ins page and Outcomes. Every result shows its workings and sources.")
current_rule = reliable_change.rule(actor)
with st.form("practice_reliable_change", clear_on_submit=False):
    chosen_rule = st.radio("Rule", list(change_rules.RULES), index=list(change_rules.RULES).index(current_rule),
                           key="practice_reliable_change_rule", format_func=change_rules.RULES.get)
    field_error(ss.get("practice_rule_errors", {}), "reliable_change_rule")
    if st.form_submit_button("Save reliable change rule"):
        ss["practice_rule_errors"] = reliable_change.set_rule(actor, chosen_rule, now=utcnow())
        ss["practice_rule_saved"] = not ss["practice_rule_errors"]
        st.rerun()
if ss.pop("practice_rule_saved", False):
    st.success("Reliable change rule saved.")
