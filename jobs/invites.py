"""Consent invitations: make the link (db) and email it (jobs.email), as one call for the page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import db
from core import settings as settings_mod
from db import audit, consent, links
from db.actors import Actor
from jobs import email


@dataclass(frozen=True)
class Outcome:
    errors: dict
    url: str | None = None      # set when the clinician asked to copy the link
    emailed: bool = False
    problem: str | None = None  # the email failed: the link exists, the clinician can copy it instead


def consent_link(actor: Actor, client_id: int, form: dict | None, *, now: datetime, via: str,
                 cfg: settings_mod.Settings | None = None) -> Outcome:
    """`via` "email" sends the link to the client; "copy" returns it for the clinician to pass on."""
    cfg = cfg or settings_mod.load()
    made, errors = consent.issue_link(actor, client_id, form, now=now, ttl_days=cfg.link_ttl_days(), via=via)
    if errors:
        return Outcome(errors)
    url = links.url(cfg["LINK_BASE_URL"], made["raw"])
    if via != "email":
        return Outcome({}, url=url)
    message = email.make_message(to=made["email"], practice_name=made["practice_name"], link=url,
                                 sender=cfg["EMAIL_FROM"], now=now)
    try:
        email.send(message, cfg)
    except email.EmailError as exc:
        with db.write() as conn:
            audit.record(conn, now=now, action="email.failed", actor=actor, client_id=client_id, detail="consent link")
        return Outcome({}, problem=str(exc))
    with db.write() as conn:
        audit.record(conn, now=now, action="email.sent", actor=actor, client_id=client_id, detail="consent link")
    return Outcome({}, emailed=True)
