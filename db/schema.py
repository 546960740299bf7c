"""Imports every table module, so `metadata` knows all tables (for migrations and tests)."""
from db import (audit, clients, clinicians, consent, consent_templates, links, outbox, plans,  # noqa: F401
                practices, reminders, signins, templates)
from db.meta import metadata  # noqa: F401
