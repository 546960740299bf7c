"""Send due reminders: claim a batch, then group by group: re-check, mark sending, send, record.

One pass claims up to `limit` due rows in one transaction (their lease starts). It then works
through them in groups of REMINDER_SEND_BATCH: one transaction records the previous group's outcomes
(on PostgreSQL one statement per kind of outcome, on SQLite an executemany), re-checks client
status, consent and pause for the next group in one query, cancels the rows that may no longer go,
marks the rest `sending` and issues their two fresh links (a new check-in token and a pause token
per reminder, stored hashed), and finds which of these clients' due questionnaires their reminder
should mention (db/measure_followups.py; recorded with the "sent" outcome). After that commit the group's rows
are handed to the backend one at a time. If handing the group over takes longer than
RECHECK_AFTER seconds (a slow provider), the rows not yet handed over are re-checked again before
the next one goes, so a withdrawal or pause stops them within that time too.

At most once, and the price of batching: see db/outbox.py. Rows still `claimed` when a worker dies
go back to due after their lease; rows marked `sending` become visible "interrupted" dead letters,
never a second email, so a crash costs at most one group (REMINDER_SEND_BATCH rows). SIGTERM and a
refused API key give back every row not yet handed over.
"""
from __future__ import annotations

import functools
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import bindparam, exists, select

import db
from core import email_headers, i18n
from core import settings as settings_mod
from db import consent, links, measure_followups, outbox, reminders
from db.clients import clients
from db.meta import UTCDateTime
from db.practices import practices
from jobs import email

log = logging.getLogger("anchorstep.sender")
BASE_DELAY = 30.0    # seconds before the first retry
MAX_DELAY = 1800.0   # backoff cap
RECHECK_AFTER = 0.25  # seconds: re-check a group's remaining rows when handing it over takes longer


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


def _check(now: datetime):
    """The re-check as a query over clients: status, email, practice, consent, pause."""
    paused = exists().where(reminders.reminder_prefs.c.client_id == clients.c.id,
                            reminders.reminder_prefs.c.paused_at.is_not(None))
    ma = measure_followups.measure_assignments
    # Whether the client has an open questionnaire at all: only then is it worth asking which ones a
    # reminder should mention (a query per group saved for the many clients with none).
    measures = exists().where(ma.c.client_id == clients.c.id, ma.c.ended_at.is_(None))
    return (select(clients.c.id.label("client_id"), clients.c.status, clients.c.email,
                   practices.c.name.label("practice"), practices.c.email_sender_name,
                   practices.c.email_shows_practice_name, consent.active_clause(clients.c.id, now).label("consent_ok"),
                   clients.c.language.label("client_language"), practices.c.language.label("practice_language"),
                   paused.label("paused"), measures.label("has_measures"))
            .join(practices, practices.c.id == clients.c.practice_id))


@functools.lru_cache(maxsize=None)
def _group_check(postgres: bool):
    """Our claimed rows of a group, each with its client's re-check: built once, run for every group
    (building and keying this statement cost more than running it)."""
    t = outbox.reminder_outbox
    return (_check(bindparam("c_now", type_=UTCDateTime())).add_columns(t.c.id.label("outbox_id"))
            .join(t, t.c.client_id == clients.c.id)
            .where(db.one_of_param(t.c.id, "c_ids", postgres), t.c.status == "claimed",
                   t.c.claimed_by == bindparam("c_worker")))


def _reason(who) -> str | None:
    """Why this client may not get a reminder now (None: it may go)."""
    if who is None or who.status != "active":
        return "the client is not active"
    if not who.consent_ok:
        return "consent is not active"
    if who.paused:
        return "reminders are paused"
    return None


def _verdicts(conn, client_ids, now: datetime) -> dict[int, tuple[str | None, object]]:
    """One query for many clients: (reason not to send, or None; the row with email and practice)."""
    if not client_ids:
        return {}
    found = {r.client_id: r for r in conn.execute(_check(now).where(db.one_of(conn, clients.c.id, client_ids)))}
    return {cid: (_reason(found.get(cid)), found.get(cid)) for cid in client_ids}


class _Batch:
    """One claimed batch on its way to the backend (see the module docstring)."""

    def __init__(self, worker: str, now: datetime, cfg, deliver: Callable):
        self.worker, self.now, self.cfg, self.deliver = worker, now, cfg, deliver
        self.result = Result()
        self.outcome: dict[int, str] = {}
        self.pending: list[tuple[str, int, dict]] = []  # outcomes not yet written
        self.nudges: dict[int, list] = {}  # outbox id -> questionnaire periods its email mentions
        self.nudged: list[tuple[int, int, list]] = []  # sent with a mention, not yet written (with `pending`)
        self.conn = None  # the batch's connection while it runs

    def _count(self, outbox_id: int, outcome: str) -> None:
        self.outcome[outbox_id] = outcome
        setattr(self.result, outcome, getattr(self.result, outcome) + 1)
        if outcome == "sent":
            self.result.ids.append(outbox_id)

    def _flush_in(self, conn) -> None:
        if self.pending:
            outbox.finish_many(conn, self.worker, self.now, self.pending)
            self.pending = []
        if self.nudged:  # the mention counts only once its reminder is recorded as sent, in the same transaction
            measure_followups.record_nudges_in(conn, self.nudged, self.now)
            self.nudged = []

    def _write(self):
        """A write transaction on the batch's own connection (no pool checkout, ping and reset per
        group: on PostgreSQL those were two extra round trips each time)."""
        return self.conn.begin()

    def flush(self, *, give_back_sending=(), give_back_claimed=()) -> None:
        if not (self.pending or give_back_sending or give_back_claimed):
            return
        conn = self.conn
        with self._write():
            self._flush_in(conn)
            outbox.release_many(conn, give_back_sending, self.worker, self.now, from_status="sending")
            outbox.release_many(conn, give_back_claimed, self.worker, self.now)

    def prepare(self, group: list[int]) -> list[tuple[dict, object, str, str]]:
        """Write the previous outcomes, re-check, cancel, mark sending, issue links: one transaction."""
        lease_until = self.now + timedelta(seconds=self.cfg["REMINDER_LEASE_SECONDS"])
        conn = self.conn
        with self._write():
            self._flush_in(conn)
            # Our claimed rows of the group, each with its client's re-check, in one query.
            mine = conn.execute(_group_check(db.is_postgres(conn)),
                                {"c_now": self.now, "c_ids": list(group), "c_worker": self.worker}).all()
            who = {r.client_id: r for r in mine}
            cancel, ok = defaultdict(list), []
            for r in mine:
                reason = _reason(r)
                (cancel[reason] if reason else ok).append(r.outbox_id)
            for reason, ids in cancel.items():
                outbox.cancel_many(conn, ids, self.now, reason)
                for outbox_id in ids:
                    self._count(outbox_id, "cancelled")
            rows = outbox.start_sending(conn, ok, self.worker, self.now, lease_until)
            raws = links.issue_many(conn, [(r["client_id"], purpose) for r in rows
                                           for purpose in ("checkin", "preferences")],
                                    now=self.now, ttl_days=self.cfg.link_ttl_days())
            waiting = measure_followups.nudges_in(conn, [r["client_id"] for r in rows
                                                         if who[r["client_id"]].has_measures], self.now, self.cfg)
        for r in rows:  # one reminder per client mentions them (a second one in this group does not)
            if r["client_id"] in waiting:
                self.nudges[r["id"]] = waiting.pop(r["client_id"])
        going = {r["id"] for r in rows}
        for outbox_id in group:
            if outbox_id not in going and outbox_id not in self.outcome:
                self._count(outbox_id, "skipped")  # cancelled or taken back meanwhile
        return [(row, who[row["client_id"]], raws[2 * i], raws[2 * i + 1]) for i, row in enumerate(rows)]

    def recheck(self, prepared) -> set[int]:
        """Outbox ids among `prepared` whose client may no longer get reminders (read-only)."""
        with db.read() as conn:
            verdict = _verdicts(conn, {row["client_id"] for row, *_ in prepared}, self.now)
        stopped = set()
        for row, *_ in prepared:
            reason = verdict[row["client_id"]][0]
            if reason:
                stopped.add(row["id"])
                self.pending.append(("cancelled", row["id"], {"reason": reason}))
                self._count(row["id"], "cancelled")
        return stopped

    def send(self, row: dict, who, checkin: str, pause: str) -> str:
        """Hand one `sending` row to the backend; its outcome joins `pending`. Raises BatchStopped."""
        cfg, now = self.cfg, self.now
        base = cfg["LINK_BASE_URL"]
        attempt = row["attempts"]
        outbox_id = row["id"]
        try:  # built inside: a value the email cannot carry is this row's failure, not the batch's
            sender_name, practice_name = email_headers.email_names(who.email_sender_name, who.practice,
                                                                   who.email_shows_practice_name)
            message = email.make_reminder(to=who.email, sender_name=sender_name, practice_name=practice_name,
                                          checkin_link=links.url(base, checkin), pause_link=links.url(base, pause),
                                          sender=cfg["EMAIL_FROM"], ref=row["ref"], now=now,
                                          language=i18n.choose(who.client_language, who.practice_language),
                                          nudge=outbox_id in self.nudges)
            provider_id = self.deliver(message, cfg)
        except email.AuthEmailError as exc:
            raise BatchStopped(str(exc)) from None
        except email.TransientEmailError as exc:
            at = now + timedelta(seconds=backoff(attempt, exc.retry_after))
            if attempt >= cfg["REMINDER_MAX_ATTEMPTS"]:
                self.pending.append(("failed", outbox_id, {"reason": f"gave up after {attempt} tries: {exc}"}))
                outcome = "failed"
            elif at >= row["window_end"]:
                self.pending.append(("failed", outbox_id, {"reason": f"could not be sent within its window: {exc}"}))
                outcome = "failed"
            else:
                self.pending.append(("retried", outbox_id, {"at": at, "reason": str(exc)}))
                outcome = "retried"
        except email.EmailError as exc:
            self.pending.append(("failed", outbox_id, {"reason": str(exc)}))
            outcome = "failed"
        except Exception as exc:  # a bug or an odd library error: keep the row visible, never silent
            log.exception("reminder %s: unexpected error while sending", outbox_id)
            self.pending.append(("failed", outbox_id,
                                 {"reason": f"unexpected error while sending ({type(exc).__name__})"}))
            outcome = "failed"
        else:
            self.pending.append(("sent", outbox_id, {"provider_id": str(provider_id)}))
            if outbox_id in self.nudges:
                self.nudged.append((row["client_id"], outbox_id, self.nudges[outbox_id]))
            outcome = "sent"
        self._count(outbox_id, outcome)
        return outcome

    def run(self, ids: list[int], stop: Callable[[], bool]) -> None:
        with db.engine().connect() as conn:
            conn.execution_options(anchorstep_write=True)  # SQLite: BEGIN IMMEDIATE, as db.write()
            self.conn = conn
            try:
                self._run(ids, stop)
            finally:
                self.conn = None

    def _run(self, ids: list[int], stop: Callable[[], bool]) -> None:
        size = self.cfg["REMINDER_SEND_BATCH"]
        groups = [ids[i:i + size] for i in range(0, len(ids), size)]
        for gi, group in enumerate(groups):
            later = [i for g in groups[gi + 1:] for i in g]
            if stop():
                self.flush(give_back_claimed=group + later)
                return
            prepared = self.prepare(group)
            checked_at = time.monotonic()
            for j, (row, who, checkin, pause) in enumerate(prepared):
                def rest(j=j):  # this group's rows not yet handed over (asked only when stopping)
                    return [r["id"] for r, *_ in prepared[j:] if r["id"] not in self.outcome]
                if stop():
                    self.flush(give_back_sending=rest(), give_back_claimed=later)
                    return
                if row["id"] in self.outcome:
                    continue  # stopped by a re-check
                if j and time.monotonic() - checked_at > RECHECK_AFTER:
                    self.recheck([p for p in prepared[j:] if p[0]["id"] not in self.outcome])
                    checked_at = time.monotonic()
                    if row["id"] in self.outcome:
                        continue
                try:
                    self.send(row, who, checkin, pause)
                except BatchStopped:
                    self.flush(give_back_sending=rest(), give_back_claimed=later)
                    raise
        self.flush()


def send_one(outbox_id: int, worker: str, now: datetime, cfg, deliver: Callable) -> str:
    """One claimed row to its end state. Returns sent | retried | failed | cancelled | skipped."""
    batch = _Batch(worker, now, cfg, deliver)
    batch.run([outbox_id], stop=lambda: False)
    return batch.outcome.get(outbox_id, "skipped")


def run(now: datetime, worker: str, cfg: settings_mod.Settings | None = None, *, deliver: Callable | None = None,
        limit: int = 100, stop: Callable[[], bool] = lambda: False) -> Result:
    """Claim up to `limit` due rows and send them; `stop()` is asked between rows (SIGTERM)."""
    cfg = cfg or settings_mod.load()
    deliver = deliver or email.send
    ids = outbox.claim(worker, now, limit=limit, lease_seconds=cfg["REMINDER_LEASE_SECONDS"])
    batch = _Batch(worker, now, cfg, deliver)
    if ids:
        batch.run(ids, stop)
    return batch.result


def drain(now_fn: Callable[[], datetime], worker: str, cfg=None, *, deliver=None, limit: int = 100,
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
