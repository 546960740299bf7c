"""Consent check-up links by email: the clinician's "ask for a check-up now", and the worker's pass that
emails a check-up link when one falls due (every CONSENT_CHECKUP_WEEKS or the practice's interval, and
at renewal). The email is the neutral one-link message (jobs.email.make_message): nothing about
consent, therapy or health in it."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from core import settings as settings_mod
from db import checkups, links
from db.actors import Actor
from jobs import email

log = logging.getLogger("anchorstep.checkups")


@dataclass(frozen=True)
class Outcome:
    url: str | None = None      # set when the clinician asked for a link to copy
    emailed: bool = False
    problem: str | None = None  # refused (no consent that counts) or the email failed


def _deliver(cfg: settings_mod.Settings, now: datetime):
    def deliver(made: dict) -> None:
        try:
            message = email.make_message(to=made["email"], sender_name=made["sender_name"],
                                         practice_name=made["practice_name"],
                                         link=links.url(cfg["LINK_BASE_URL"], made["raw"]), sender=cfg["EMAIL_FROM"],
                                         now=now, language=made.get("language", "en"))
        except ValueError:  # a header the email package refuses
            raise email.EmailError("The email could not be made from the practice's settings; nothing was sent.") \
                from None
        email.send(message, cfg)
    return deliver


def request_link(actor: Actor, client_id: int, *, now: datetime, via: str,
                 cfg: settings_mod.Settings | None = None) -> Outcome:
    """`via` "email" sends the check-up link to the client; "copy" returns it for the clinician."""
    cfg = cfg or settings_mod.load()
    try:
        made = checkups.request(actor, client_id, now=now, ttl_days=cfg.link_ttl_days(),
                                deliver=_deliver(cfg, now) if via == "email" else None)
    except ValueError as exc:
        return Outcome(problem=str(exc))
    except email.EmailError as exc:
        return Outcome(problem=str(exc) + " The link was made: use \"Make a link to copy\" to pass it on another way.")
    if via != "email":
        return Outcome(url=links.url(cfg["LINK_BASE_URL"], made["raw"]))
    return Outcome(emailed=True)


def send_due(now: datetime, cfg: settings_mod.Settings, *, deliver=None) -> int:
    """One worker pass: claim the check-ups that fell due (db.checkups.claim_due: at most once per due
    date, whatever the number of workers) and email their links. A failed email is audited and not
    retried: the caseload shows the check-up as overdue a week later, and the clinician can ask again."""
    deliver = deliver or _deliver(cfg, now)
    sent = 0
    for made in checkups.claim_due(now, default_weeks=cfg["CONSENT_CHECKUP_WEEKS"], ttl_days=cfg.link_ttl_days()):
        try:
            deliver(made)
        except email.EmailError as exc:
            log.warning("a check-up email failed: %s", type(exc).__name__)
            checkups.record_sent(made["client_id"], made["practice_id"], now, ok=False)
            continue
        checkups.record_sent(made["client_id"], made["practice_id"], now, ok=True)
        sent += 1
    return sent
