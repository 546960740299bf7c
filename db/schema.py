"""Imports every table module, so `metadata` knows all tables (for migrations and tests)."""
from db import audit, clients, clinicians, links, plans, practices, signins, templates  # noqa: F401
from db.meta import metadata  # noqa: F401
