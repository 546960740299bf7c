"""Imports every table module, so `metadata` knows all tables (for migrations and tests)."""
from db import (audit, checkins, clients, clinicians, consent, consent_state, consent_templates, links,  # noqa: F401
                measures, outbox, plans, practices, reminders, safety, sessions, signins, templates)
from db.meta import metadata  # noqa: F401
