"""Send due reminders: claim, re-check, mark sending, send, record. See db/outbox.py for why a row
interrupted mid-send becomes a dead letter instead of a second email (at most once)."""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select

import db
from core import settings as settings_mod
from db import consent, links, outbox, reminders
from db.clients import clients
from db.practices import practices
from jobs import email

log = logging.getLogger("anchorstep.sender")
BASE_DELAY = 30.0    # seconds before the first retry
MAX_DELAY = 1800.0   # backoff cap


class BatchStopped(RuntimeError):
    """The backend refused our credentials: nothing else in this batch is tried."""


@dataclass
class Result:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0  # taken by someone else, or cancelled between claim and send
    ids: list[int] = field(default_factory=list)


def backoff(attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Capped exponential backoff with jitter; a provider's reset time wins when it is later."""
    rng = rng or random
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempt - 1))
    delay = rng.uniform(delay / 2, delay)
    if retry_after is not None:
        delay = max(delay, min(retry_after, 24 * 3600.0) + rng.uniform(0, 5))
    return delay


def _prepare(outbox_id: int, worker: str, now: datetime, cfg) -> tuple[str, object] | tuple[None, None]:
    """Inside one transaction: re-check the client, consent and pause; mark `sending`; make the two
    links. Returns ("send", message) or (outcome, None)."""
    lease_until = now + timedelta(seconds=cfg["REMINDER_LEASE_SECONDS"])
    with db.write() as conn:
        row = outbox.get(conn, outbox_id)
        if row is None or row["status"] != "claimed" or row["claimed_by"] != worker:
            return "skipped", None
        who = conn.execute(select(clients.c.status, clients.c.email, practices.c.name)
                           .join(practices, practices.c.id == clients.c.practice_id)
                           .where(clients.c.id == row["client_id"])).first()
        if who is None or who.status != "active":
            outbox.cancel_in(conn, outbox_id, now, "the client is not active")
            return "cancelled", None
        if not consent.is_active(conn, row["client_id"], now):
            outbox.cancel_in(conn, outbox_id, now, "consent is not active")
            return "cancelled", None
        if reminders.is_paused(conn, row["client_id"]):
            outbox.cancel_in(conn, outbox_id, now, "reminders are paused")
            return "cancelled", None
        if not outbox.to_sending(conn, outbox_id, worker, now, lease_until):
            return "skipped", None
        ttl = cfg.link_ttl_days()
        checkin = links.issue(conn, client_id=row["client_id"], purpose="checkin", now=now, ttl_days=ttl)
        pause = links.issue(conn, client_id=row["client_id"], purpose="preferences", now=now, ttl_days=ttl)
    base = cfg["LINK_BASE_URL"]
    message = email.make_reminder(to=who.email, practice_name=who.name, checkin_link=links.url(base, checkin),
                                  pause_link=links.url(base, pause), sender=cfg["EMAIL_FROM"], ref=row["ref"], now=now)
    return "send", (message, row)


def send_one(outbox_id: int, worker: str, now: datetime, cfg, deliver: Callable) -> str:
    """One claimed row to its end state. Returns sent | retried | failed | cancelled | skipped."""
    outcome, prepared = _prepare(outbox_id, worker, now, cfg)
    if outcome != "send":
        return outcome
    message, row = prepared
    attempt = row["attempts"] + 1
    try:
        provider_id = deliver(message, cfg)
    except email.AuthEmailError as exc:
        outbox.release(outbox_id, worker, now, from_status="sending")
        raise BatchStopped(str(exc)) from None
    except email.TransientEmailError as exc:
        at = now + timedelta(seconds=backoff(attempt, exc.retry_after))
        if attempt >= cfg["REMINDER_MAX_ATTEMPTS"]:
            outbox.mark_failed(outbox_id, worker, now, f"gave up after {attempt} tries: {exc}")
            return "failed"
        if at >= row["window_end"]:
            outbox.mark_failed(outbox_id, worker, now, f"could not be sent within its window: {exc}")
            return "failed"
        outbox.mark_retry(outbox_id, worker, now, at, str(exc))
        return "retried"
    except email.EmailError as exc:
        outbox.mark_failed(outbox_id, worker, now, str(exc))
        return "failed"
    except Exception as exc:  # a bug or an odd library error: keep the row visible, never silent
        log.exception("reminder %s: unexpected error while sending", outbox_id)
        outbox.mark_failed(outbox_id, worker, now, f"unexpected error while sending ({type(exc).__name__})")
        return "failed"
    if not outbox.mark_sent(outbox_id, worker, now, provider_id):
        log.error("reminder %s was sent but its row had changed meanwhile", outbox_id)
    return "sent"


def run(now: datetime, worker: str, cfg: settings_mod.Settings | None = None, *, deliver: Callable | None = None,
        limit: int = 50, stop: Callable[[], bool] = lambda: False) -> Result:
    """Claim up to `limit` due rows and send them; `stop()` is asked between rows (SIGTERM)."""
    cfg = cfg or settings_mod.load()
    deliver = deliver or email.send
    result = Result()
    ids = outbox.claim(worker, now, limit=limit, lease_seconds=cfg["REMINDER_LEASE_SECONDS"])
    for i, outbox_id in enumerate(ids):
        if stop():
            for rest in ids[i:]:
                outbox.release(rest, worker, now)
            break
        try:
            outcome = send_one(outbox_id, worker, now, cfg, deliver)
        except BatchStopped:
            for rest in ids[i + 1:]:
                outbox.release(rest, worker, now)
            raise
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome == "sent":
            result.ids.append(outbox_id)
    return result


def drain(now_fn: Callable[[], datetime], worker: str, cfg=None, *, deliver=None, limit: int = 50,
          stop: Callable[[], bool] = lambda: False) -> Result:
    """Batches until nothing is due (or `stop()`); totals across batches."""
    total = Result()
    while not stop():
        r = run(now_fn(), worker, cfg, deliver=deliver, limit=limit, stop=stop)
        for k in ("sent", "retried", "failed", "cancelled", "skipped"):
            setattr(total, k, getattr(total, k) + getattr(r, k))
        total.ids += r.ids
        if r.sent + r.retried + r.failed + r.cancelled + r.skipped == 0:
            break
    return total
