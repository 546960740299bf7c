"""The portal's pages per role, defined once: app.py builds `st.navigation` from it and the tests
read it, so "every registered page renders" tests what is registered.

A page that opens a client on another page calls `preselect_client`: the target page's own
selection key is named here, next to the page, so no page writes another page's session keys."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    client_key: str | None = None  # the page's own session key for the client it shows


CASELOAD = PageSpec("pages/clinician/caseload.py", "Caseload", ":material/groups:", "caseload")
CLIENT_VIEW = PageSpec("pages/clinician/client_view.py", "Client view", ":material/insights:", "client-view", "cv_client")
CHECKINS = PageSpec("pages/clinician/checkins.py", "Check-ins", ":material/monitor_heart:", "checkins", "ci_client")
PLANS = PageSpec("pages/clinician/plans.py", "Plans", ":material/checklist:", "plans", "plans_client")
CONSENT = PageSpec("pages/clinician/consent.py", "Consent", ":material/handshake:", "consent", "consent_client")
REMINDERS = PageSpec("pages/clinician/reminders.py", "Reminders", ":material/notifications:", "reminders", "rem_client")
TEMPLATES = PageSpec("pages/clinician/templates.py", "Templates", ":material/library_books:", "templates")
ACCOUNT = PageSpec("pages/clinician/account.py", "My account", ":material/person:", "account")
CLINICAL = [CASELOAD, CLIENT_VIEW, CHECKINS, PLANS, CONSENT, REMINDERS, TEMPLATES]
ADMIN = [
    PageSpec("pages/admin/clinicians.py", "Clinicians", ":material/badge:", "clinicians"),
    PageSpec("pages/admin/practice.py", "Practice settings", ":material/settings:", "practice"),
    PageSpec("pages/admin/checklist.py", "Consent checklist", ":material/fact_check:", "checklist"),
    PageSpec("pages/admin/worker.py", "Reminder worker", ":material/schedule_send:", "worker"),
    PageSpec("pages/admin/audit.py", "Audit log", ":material/policy:", "audit"),
    PageSpec("pages/admin/data.py", "Client data", ":material/folder_zip:", "data"),
    PageSpec("pages/admin/outcomes.py", "Outcomes", ":material/monitoring:", "outcomes"),
]


def sections(role: str) -> dict[str, list[PageSpec]]:
    """The navigation sections a role sees, in order; the first page is the default."""
    if role == "admin":
        return {"Practice": CLINICAL + ADMIN, "You": [ACCOUNT]}
    return {"Caseload": CLINICAL, "You": [ACCOUNT]}


def page_paths(role: str) -> list[str]:
    return [spec.path for specs in sections(role).values() for spec in specs]


def st_pages(role: str) -> dict[str, list]:
    """`st.Page`s for `st.navigation`, the first one the default."""
    first = CASELOAD
    return {section: [st.Page(s.path, title=s.title, icon=s.icon, url_path=s.url_path, default=s is first)
                      for s in specs] for section, specs in sections(role).items()}


def preselect_client(path: str, client_id: int) -> None:
    """Make the page at `path` open on `client_id` the next time it runs (safe in a widget callback)."""
    spec = next(s for s in CLINICAL if s.path == path)
    st.session_state[spec.client_key] = client_id
