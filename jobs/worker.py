"""`python -m jobs.worker`: the reminder worker, its own process (never inside Streamlit).

Every minute `schedule` ticks one pass: sweep (expire stale, reclaim lapsed claims), plan the next
24 hours, plan and send staff emails (safety alerts, escalations, weekly digests: jobs/staff_sender.py),
send the reminders that are due, mark due questionnaires left unanswered as missed
(db/measure_followups.py), record the heartbeat. What is due lives in the database, never in
`schedule`'s memory, so a restart loses nothing and several workers can run at once.

  --once   one pass and exit: 0 when it went well, 1 when it did not (for cron)
SIGTERM (and Ctrl-C) lets the current reminder finish, gives back the rest of the batch, and stops.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from datetime import datetime, timezone

import schedule

from core import settings as settings_mod
from db import measure_followups, outbox, reminders, staff_outbox
from jobs import checkups, planner, sender, staff_sender

log = logging.getLogger("anchorstep.worker")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def default_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def one_pass(worker: str, cfg: settings_mod.Settings, *, now_fn=utcnow, stop=lambda: False, deliver=None,
             deliver_checkup=None) -> dict:
    """Sweep, plan, send reminders, email the consent check-ups that fell due; then the heartbeat.
    Raises on failure (after recording it)."""
    try:
        swept = outbox.sweep(now_fn())
        planned = planner.run(now_fn(), cfg)
        # Staff emails first: a safety alert should not wait behind a morning's reminders.
        staff = staff_sender.one_pass(worker, now_fn, cfg, deliver=deliver, stop=stop)
        sent = sender.drain(now_fn, worker, cfg, deliver=deliver, stop=stop)
        checkup_links = checkups.send_due(now_fn(), cfg, deliver=deliver_checkup)
        missed = measure_followups.expire(now_fn(), cfg)  # after sending: a last reminder may still mention it
    except Exception as exc:
        try:
            reminders.beat(worker, now_fn(), error=f"{type(exc).__name__}: {str(exc)[:200]}")
        except Exception:  # the database itself may be what failed
            pass
        raise
    reminders.beat(worker, now_fn())
    staff_outbox.beat(worker, now_fn(), alerts=True, digests=True)
    summary = {**swept, **staff, "planned": planned, "sent": sent.sent, "retried": sent.retried, "failed": sent.failed,
               "cancelled": sent.cancelled, "checkup_links": checkup_links,
               "questionnaires_missed": missed}
    if any(summary.values()):
        log.info("pass: %s", ", ".join(f"{k} {v}" for k, v in summary.items() if v))
    return summary


class Loop:
    def __init__(self, worker: str, cfg: settings_mod.Settings):
        self.worker, self.cfg = worker, cfg
        self.stopping = threading.Event()

    def stop(self, *_args) -> None:
        log.info("stopping after the current reminder")
        self.stopping.set()

    def tick(self) -> None:
        try:
            one_pass(self.worker, self.cfg, stop=self.stopping.is_set)
        except sender.BatchStopped as exc:
            log.error("sending stopped: %s", exc)
        except Exception:
            log.exception("the pass failed; the worker carries on and tries again next minute")

    def run_forever(self) -> None:
        schedule.every(1).minutes.do(self.tick)
        self.tick()
        while not self.stopping.is_set():
            try:
                schedule.run_pending()
            except Exception:  # an exception in a job escapes run_pending(): keep the loop alive
                log.exception("scheduler error")
            self.stopping.wait(1)
        schedule.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.worker", description="Anchorstep reminder worker")
    parser.add_argument("--once", action="store_true", help="run one pass and exit (non-zero on failure)")
    parser.add_argument("--name", default=None, help="worker name in the heartbeat (default host:pid)")
    args = parser.parse_args(argv)
    cfg = settings_mod.load()
    logging.basicConfig(level=cfg["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for line in settings_mod.link_base_warnings(cfg):  # PORT stands for the app's port here
        log.warning(line)
    loop = Loop(args.name or default_name(), cfg)
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)
    if args.once:
        try:
            one_pass(loop.worker, cfg, stop=loop.stopping.is_set)
        except Exception as exc:
            log.error("the pass failed: %s", exc)
            return 1
        return 0
    log.info("reminder worker %s started (EMAIL_BACKEND=%s)", loop.worker, cfg["EMAIL_BACKEND"])
    loop.run_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
