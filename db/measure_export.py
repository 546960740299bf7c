"""A client's questionnaires exported as FHIR R4 JSON (core/fhir.py builds it), for a practice admin,
audited like the other exports. The client is named by an opaque identifier unless the admin chose to
include the name; the export holds questionnaires only (no check-ins, no typed text)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

import db
from core import fhir, settings as settings_mod
from db import audit, clients as clients_mod
from db.actors import Actor
from db.tables import measure_answers, measure_responses


def fhir_json(actor: Actor, client_id: int, *, include_name: bool, now: datetime, key: str | None = None) -> bytes:
    """The Bundle as UTF-8 JSON. `key`: the opaque identifier's key (default: EXPORT_ID_KEY's)."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can export a client's data.")
    key = key or settings_mod.export_id_key(settings_mod.load())
    mr, ma = measure_responses, measure_answers
    with db.write() as conn:
        client = clients_mod.require(conn, actor, client_id)
        responses = [dict(r) for r in conn.execute(
            select(mr.c.id, mr.c.measure, mr.c.submitted_at, mr.c.total, mr.c.band)
            .where(mr.c.client_id == client_id).order_by(mr.c.submitted_at, mr.c.id)).mappings()]
        answers: dict[int, list[int]] = {}
        for rid, answer in conn.execute(select(ma.c.response_id, ma.c.answer).join(mr, mr.c.id == ma.c.response_id)
                                        .where(mr.c.client_id == client_id).order_by(ma.c.response_id, ma.c.item)):
            answers.setdefault(rid, []).append(answer)
        audit.record(conn, now=now, action="measure.export", actor=actor, client_id=client_id,
                     detail=f"{len(responses)} questionnaires as FHIR JSON, "
                            + ("name included" if include_name else "opaque identifier only"))
    for r in responses:
        r["answers"] = answers.get(r["id"], [])
    found = fhir.bundle(patient=fhir.opaque_id(key, client_id), name=client["display_name"] if include_name else None,
                        responses=responses, exported_at=now)
    return json.dumps(found, ensure_ascii=False, indent=1).encode("utf-8")
