"""Imports every table module, so `metadata` knows all tables (for migrations and tests)."""
from db import audit, clients, clinicians, consent, consent_templates, links, practices, signins  # noqa: F401
from db.meta import metadata  # noqa: F401
