"""Every table, for migrations and tests: they are all defined in db/tables.py."""
from db.tables import metadata  # noqa: F401
