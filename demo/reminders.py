"""Demo reminders for the seed: two weeks of sent reminders in each reachable client's own zone,
a dead letter and an expired one to act on, a client who paused reminders, client quiet hours.
The running worker then plans the next 24 hours itself."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import insert

from core import schedule
from db import consent, outbox, step_versions
from db.reminders import reminder_prefs

DAYS = 14


def step(conn, ids, now, rng) -> None:
    by_client: dict[int, list] = {}
    for s in step_versions.reminder_steps(conn):
        by_client.setdefault(s["client_id"], []).append(s)
    n = -1
    for client_id, steps in sorted(by_client.items()):
        if not consent.is_active(conn, client_id, now):
            continue
        n += 1
        zone = steps[0]["timezone"]
        slots = [schedule.Slot(s["step_id"], frozenset(s["days"]), time.fromisoformat(s["window_start"]),
                               s["position"]) for s in steps]
        past = schedule.plan(slots, zone, now - timedelta(days=DAYS), now - timedelta(hours=2),
                             quiet=(time(21, 30), time(7, 30)))
        rows = []
        for i, p in enumerate(past):
            status, reason, sent_at, provider = "sent", None, p.due_at + timedelta(seconds=rng.randint(5, 90)), None
            if n == 0 and i == len(past) - 3:
                status, reason, sent_at = "failed", "SendGrid refused the message (HTTP 400).", None
            elif n == 1 and i == len(past) - 5:
                status, sent_at = "expired", None
                reason = "not sent within its window (the worker was down or retries ran out of time)"
            if sent_at:
                provider = f"demo-{rng.getrandbits(48):012x}"
            rows.append({"ref": outbox.new_ref(), "client_id": client_id, "step_id": p.step_id,
                         "local_date": p.local_date, "slot": p.slot, "due_at": p.due_at, "window_end": p.window_end,
                         "next_attempt_at": p.due_at, "status": status, "attempts": 1 if status != "expired" else 0,
                         "sent_at": sent_at, "provider_id": provider, "reason": reason, "created_at": p.due_at,
                         "updated_at": sent_at or p.window_end})
        if rows:
            conn.execute(insert(outbox.reminder_outbox), rows)
    jordan, alex = ids["clients"].get("Jordan P."), ids["clients"].get("Alex R.")
    if jordan:
        conn.execute(insert(reminder_prefs).values(client_id=jordan, paused_at=now - timedelta(days=2),
                                                   paused_by="client", updated_at=now - timedelta(days=2)))
    if alex:
        conn.execute(insert(reminder_prefs).values(client_id=alex, quiet_start="22:00", quiet_end="08:00",
                                                   updated_at=now))
