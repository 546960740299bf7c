"""Try to read and write every one of our tables through Supabase's Data API with the anon
(publishable) key, the way an attacker holding that key would. Any answer with rows, or a write
that gets past the permission check, is a leak and is named.

The write probe inserts an empty row: every table of ours has required columns, so a table that
lets the write through fails with a constraint error (code 23xxx) instead of "permission denied"
(42501); that difference is the finding, and no row is created.
"""
from __future__ import annotations

from dataclasses import dataclass
from db.tables import metadata  # every table is defined in db/tables.py

DENIED = {"42501", "PGRST106", "PGRST205", "PGRST116", "42P01", "PGRST301", "PGRST302", "401", "403", "404"}


@dataclass(frozen=True)
class Finding:
    schema: str
    table: str
    action: str  # "read" or "write"
    verdict: str  # "leak", "exposed" (answered but showed nothing) or "denied"
    note: str

    @property
    def is_leak(self) -> bool:
        return self.verdict == "leak"


def _code(exc) -> str:
    return str(getattr(exc, "code", "") or "")


def check(url: str, anon_key: str, tables: list[str], schemas: list[str]) -> list[Finding]:
    # The Supabase client is large and only this command needs it: loaded when the check runs.
    from postgrest.exceptions import APIError
    from supabase import create_client

    client = create_client(url, anon_key)
    out = []
    for schema in schemas:
        api = client.schema(schema)
        for table in tables:
            try:
                res = api.table(table).select("*").limit(1).execute()
                rows = res.data or []
                out.append(Finding(schema, table, "read", "leak" if rows else "exposed",
                                   f"answered with {len(rows)} row(s)" if rows else "answered with no rows"))
            except APIError as exc:
                out.append(Finding(schema, table, "read", "denied" if _code(exc) in DENIED else "exposed",
                                   f"refused ({_code(exc) or 'no code'})"))
            try:
                api.table(table).insert({}).execute()
                out.append(Finding(schema, table, "write", "leak", "accepted a write"))
            except APIError as exc:
                code = _code(exc)
                if code in DENIED:
                    out.append(Finding(schema, table, "write", "denied", f"refused ({code})"))
                elif code.startswith("23"):
                    out.append(Finding(schema, table, "write", "leak",
                                       f"a write got past the permission check (constraint error {code})"))
                else:
                    out.append(Finding(schema, table, "write", "exposed", f"refused ({code or 'no code'})"))
    return out


def our_tables() -> list[str]:
    return [t.name for t in metadata.sorted_tables] + ["alembic_version"]
