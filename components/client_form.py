"""The add/edit client form. Values live in keyed widgets, so a rejected submit keeps everything typed."""
from __future__ import annotations

import streamlit as st

from core import clients as client_rules, i18n
from components.frame import field_error


def fields(prefix: str, *, clinician_options: dict[int, str] | None, default_zone: str,
           errors: dict[str, str], show_status: bool) -> dict:
    """Draw the fields (inside a st.form) and return what they hold."""
    zones = client_rules.zones()
    if st.session_state.get(f"{prefix}_timezone") not in zones:
        st.session_state[f"{prefix}_timezone"] = default_zone if default_zone in zones else "Europe/London"
    name = st.text_input("Name the client goes by", key=f"{prefix}_display_name", max_chars=client_rules.NAME_MAX,
                         help="Minimal identifying data: a first name or initials is enough.")
    field_error(errors, "display_name")
    email = st.text_input("Email for links and reminders", key=f"{prefix}_email", max_chars=client_rules.EMAIL_MAX)
    field_error(errors, "email")
    zone = st.selectbox("Client's time zone", zones, key=f"{prefix}_timezone",
                        help="Reminders and check-in dates follow this zone, including daylight-saving changes.")
    field_error(errors, "timezone")
    language = st.selectbox("Client's language", ["", *i18n.offered()],
                            key=f"{prefix}_language",
                            format_func=lambda c: i18n.english_name(c) if c else "The practice's language",
                            help="The client's pages, emails and calendar file use this language; the client can "
                                 "change it on their pages.")
    field_error(errors, "language")
    values = {"display_name": name, "email": email, "timezone": zone, "language": language}
    if show_status:
        values["status"] = st.selectbox("Status", client_rules.STATUSES, key=f"{prefix}_status",
                                        format_func=client_rules.STATUS_LABELS.get)
        field_error(errors, "status")
    if clinician_options:
        values["clinician_id"] = st.selectbox("Clinician", list(clinician_options), key=f"{prefix}_clinician_id",
                                              format_func=clinician_options.get)
        field_error(errors, "clinician_id")
    return values


def prefill(prefix: str, record: dict) -> None:
    for k in ("display_name", "email", "timezone", "status", "clinician_id"):
        st.session_state[f"{prefix}_{k}"] = record[k]
    st.session_state[f"{prefix}_language"] = record["language"] if i18n.is_offered(record["language"]) else ""
