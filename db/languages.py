"""A client's language chosen on their own pages (the clinician sets it on the client's record, db.clients)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

import db
from core import i18n
from db import audit, links
from db.clients import clients


def set_by_link(raw: object, code: object, *, now: datetime) -> str:
    """The client's choice from the switch on their pages. A code we do not offer stores NULL: the
    practice's language, calmly. Returns "saved", "unchanged" (nothing written, nothing audited) or "invalid"
    (the link no longer works)."""
    language = code if i18n.is_offered(code) else None
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now)
        if not res.ok:
            return "invalid"
        stored = conn.execute(select(clients.c.language).where(clients.c.id == res.client_id)).scalar()
        if stored == language:
            return "unchanged"
        conn.execute(update(clients).where(clients.c.id == res.client_id).values(language=language, updated_at=now))
        audit.record(conn, now=now, action="client.language", actor_kind="client", actor_id=res.client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=res.client_id,
                     detail=f"language {language or 'of the practice'}")
    return "saved"
