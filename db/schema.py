"""Imports every table module, so `metadata` knows all tables (for migrations and tests)."""
from db import (audit, checkins, clients, clinicians, consent, consent_templates, links, measures,  # noqa: F401
                outbox, plans, practices, reminders, safety, sessions, signins, templates)
from db.meta import metadata  # noqa: F401
