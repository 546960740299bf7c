"""Clients: minimal identifying data. Every function takes the acting user and is scoped by it:
a clinician reaches only their own caseload, an admin their practice, nobody another practice.
Out-of-scope ids raise NotFound, the same as ids that do not exist."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, insert, select, update

import db
from core import clients as client_rules
from db import audit, replanning
from db.actors import Actor
from db.clinicians import clinicians
from db.tables import clients  # noqa: F401  (this module's tables, re-exported)


def scope(actor: Actor):
    """The WHERE clause that limits client rows to what this actor may see."""
    cond = clients.c.practice_id == actor.practice_id
    if not actor.is_admin:
        cond = and_(cond, clients.c.clinician_id == actor.clinician_id)
    return cond


def require(conn, actor: Actor, client_id: int) -> dict:
    """The one client-scope check, inside the caller's transaction: the client's row if `actor` may
    see it, else NotFound (the same for an id that does not exist: we never say which). Every
    function that reads or changes one client's data calls this first."""
    row = conn.execute(select(clients).where(scope(actor), clients.c.id == client_id)).mappings().first()
    if row is None:
        raise db.NotFound("client")
    return dict(row)


def _columns():
    return [clients.c.id, clients.c.display_name, clients.c.email, clients.c.timezone, clients.c.status, clients.c.language,
            clients.c.clinician_id, clinicians.c.display_name.label("clinician_name"), clients.c.created_at,
            clients.c.updated_at]


def list_for(actor: Actor, *, now: datetime, search: str = "", status: str | None = None) -> list[dict]:
    with db.write() as conn:
        rows = [dict(r) for r in conn.execute(list_query(actor, search=search, status=status)).mappings()]
        audit.record(conn, now=now, action="client.list", actor=actor, detail=f"{len(rows)} clients listed")
    return rows


def list_query(actor: Actor, *, search: str = "", status: str | None = None):
    """The scoped listing as a query, so a caller can add per-client columns (the caseload's figures)."""
    q = (select(*_columns()).join(clinicians, clinicians.c.id == clients.c.clinician_id)
         .where(scope(actor)).order_by(clients.c.display_name, clients.c.id))
    if status:
        q = q.where(clients.c.status == status)
    if search.strip():
        # Escape LIKE wildcards: a search for "50%" finds "50%", not everything.
        needle = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        q = q.where(clients.c.display_name.ilike(f"%{needle}%", escape="\\"))
    return q


def get(actor: Actor, client_id: int, *, now: datetime) -> dict:
    q = (select(*_columns()).join(clinicians, clinicians.c.id == clients.c.clinician_id)
         .where(scope(actor), clients.c.id == client_id))
    with db.write() as conn:
        row = conn.execute(q).mappings().first()
        if row is None:
            raise db.NotFound("client")
        audit.record(conn, now=now, action="client.read", actor=actor, client_id=client_id)
    return dict(row)


def _check_clinician(conn, actor: Actor, clinician_id: int) -> str | None:
    if not actor.is_admin and clinician_id != actor.clinician_id:
        return "You can only add clients to your own caseload; ask an admin to assign them to a colleague."
    ok = conn.execute(select(clinicians.c.id).where(clinicians.c.id == clinician_id,
                                                    clinicians.c.practice_id == actor.practice_id,
                                                    clinicians.c.active.is_(True))).first()
    return None if ok else "Please choose an active clinician in your practice."


def create(actor: Actor, form: dict, *, now: datetime) -> tuple[int | None, dict[str, str]]:
    """Returns (new id, {}) or (None, {field: message}); nothing is saved when there is a message."""
    form = dict(form)
    form.setdefault("clinician_id", actor.clinician_id)
    clean, errors = client_rules.validate(form)
    if errors:
        return None, errors
    with db.write() as conn:
        err = _check_clinician(conn, actor, clean["clinician_id"])
        if err:
            return None, {"clinician_id": err}
        new_id = conn.execute(insert(clients).values(practice_id=actor.practice_id, created_at=now, updated_at=now,
                                                     **clean)).inserted_primary_key[0]
        audit.record(conn, now=now, action="client.create", actor=actor, client_id=new_id)
    return new_id, {}


def update_client(actor: Actor, client_id: int, form: dict, *, now: datetime) -> dict[str, str]:
    clean, errors = client_rules.validate(form)
    if errors:
        return errors
    with db.write() as conn:
        current = require(conn, actor, client_id)
        if clean["clinician_id"] != current["clinician_id"]:
            if not actor.is_admin:
                return {"clinician_id": "Only an admin can move a client to another clinician's caseload."}
            err = _check_clinician(conn, actor, clean["clinician_id"])
            if err:
                return {"clinician_id": err}
        # Field names only: the audit detail never carries the values themselves.
        changed = [k for k in ("display_name", "email", "timezone", "status", "clinician_id", "language")
                   if k in clean and current[k] != clean[k]] or ["nothing"]
        conn.execute(update(clients).where(scope(actor), clients.c.id == client_id).values(updated_at=now, **clean))
        if "timezone" in changed or "status" in changed:
            replanning.replan_in(conn, client_id, now)  # queued reminders move with the zone, in this transaction
        audit.record(conn, now=now, action="client.update", actor=actor, client_id=client_id,
                     detail="fields: " + ", ".join(changed))
    return {}
