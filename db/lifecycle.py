"""A client's data as a whole: export everything (JSON plus CSVs in a zip) and erase everything.

Which rows belong to a client is worked out from the schema itself: a table with a `client_id`
column, or a foreign key to a table that belongs to a client, recursively. So a table added by a
later migration is exported and erased without touching this module. The audit log is the
exception by design: its rows stay as the tombstone (they carry ids and actions, never health data).
So is the consent history (`consent_events`: append-only, no typed text, "outlives an erased client"
by design, db/tables.py): it is exported, and kept on erasure (deleting it was refused by its trigger,
so erasing any client who had ever consented failed).
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import Table, delete, func, select

import db
import db.schema  # noqa: F401  (every table registered)
from core.exports import to_csv
from db import audit
from db.actors import Actor
from db import clients as clients_mod
from db.clients import clients
from db.meta import metadata

# Kept on erasure by design: the audit log (the tombstone) and the consent history, both append-only
# (a trigger refuses DELETE) and free of health data (db/tables.py says so of each).
KEEP = {"audit_events", "consent_events"}
NOT_EXPORTED = {"audit_events", "caseload_figures"}  # the figures: a cache of what the export holds


def _condition(table: Table, client_id: int, seen: frozenset = frozenset()):
    """A WHERE clause selecting this table's rows that belong to the client, or None."""
    if table.name == "clients":
        return clients.c.id == client_id
    if "client_id" in table.c:
        return table.c.client_id == client_id
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name in seen or parent.name in KEEP or parent.name in ("practices", "clinicians"):
            continue
        parent_cond = _condition(parent, client_id, seen | {table.name})
        if parent_cond is not None:
            return fk.parent.in_(select(fk.column).where(parent_cond))
    return None


def owned_tables(client_id: int, *, keep: set[str] = KEEP) -> list[tuple[Table, object]]:
    out = []
    for table in metadata.sorted_tables:
        if table.name in keep:
            continue
        cond = _condition(table, client_id)
        if cond is not None:
            out.append((table, cond))
    return out


def _check(conn, actor: Actor, client_id: int) -> dict:
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can export or erase a client's data.")
    return clients_mod.require(conn, actor, client_id)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def export_client(actor: Actor, client_id: int, *, now: datetime) -> bytes:
    """A zip: everything.json (every table's rows) and one CSV per table, formulas neutralised."""
    with db.write() as conn:
        _check(conn, actor, client_id)
        data = {}
        for table, cond in owned_tables(client_id, keep=NOT_EXPORTED):
            rows = conn.execute(select(table).where(cond)).mappings().all()
            data[table.name] = [{k: _plain(v) for k, v in r.items()} for r in rows]
        audit.record(conn, now=now, action="client.export", actor=actor, client_id=client_id,
                     detail=f"{sum(len(v) for v in data.values())} rows in {len(data)} tables")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("everything.json", json.dumps({"exported_at": now.isoformat(), "client_id": client_id,
                                                  "tables": data}, indent=2, ensure_ascii=False))
        for name, rows in data.items():
            header = list(rows[0]) if rows else [c.name for c in metadata.tables[name].c]
            z.writestr(f"{name}.csv", to_csv(header, ([r[h] for h in header] for r in rows)))
    return buf.getvalue()


def erase_client(actor: Actor, client_id: int, typed_name: str, *, now: datetime) -> dict[str, int]:
    """Delete every row of the client in one transaction; the audit log keeps a tombstone."""
    with db.write() as conn:
        row = _check(conn, actor, client_id)
        if typed_name.strip() != row["display_name"].strip():
            raise ValueError("The name typed doesn't match the client's name; nothing was erased.")
        counts = {}
        tables = owned_tables(client_id)
        # Children first; conditions are evaluated before their parents' rows go. Append-only tables
        # (info "leaves_with_client") refuse DELETE while the client exists: counted here, they go by the
        # cascade when the client row is deleted last.
        for table, cond in reversed(tables):
            if table.info.get("leaves_with_client"):
                counts[table.name] = conn.execute(select(func.count()).select_from(table).where(cond)).scalar_one()
            else:
                counts[table.name] = conn.execute(delete(table).where(cond)).rowcount
        audit.record(conn, now=now, action="client.erase", actor=actor, client_id=client_id,
                     detail=f"erased {sum(counts.values())} rows in {len(counts)} tables")
    return counts
