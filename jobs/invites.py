"""Consent invitations: make the link (db) and email it (jobs.email), as one call for the page.
The round is marked "sent" only once the email was handed to the backend (db.consent.issue_link)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import settings as settings_mod
from db import consent, links
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

    def deliver(made: dict) -> None:  # build and send in one step: any failure means nothing was sent
        try:
            message = email.make_message(to=made["email"], sender_name=made["sender_name"],
                                         practice_name=made["practice_name"],
                                         link=links.url(cfg["LINK_BASE_URL"], made["raw"]), sender=cfg["EMAIL_FROM"],
                                         now=now, language=made["language"])
        except ValueError:  # a header the email package refuses (the builder neutralises what it knows of)
            raise email.EmailError("The email could not be made from the practice's settings; nothing was sent.") \
                from None
        email.send(message, cfg)

    try:
        made, errors = consent.issue_link(actor, client_id, form, now=now, ttl_days=cfg.link_ttl_days(), via=via,
                                          deliver=deliver if via == "email" else None)
    except email.EmailError as exc:
        return Outcome({}, problem=str(exc))
    if errors:
        return Outcome(errors)
    if via != "email":
        return Outcome({}, url=links.url(cfg["LINK_BASE_URL"], made["raw"]))
    return Outcome({}, emailed=True)
