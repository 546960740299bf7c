"""Safety alerts, escalations and the weekly digest (issue 18), on both databases with the time passed in:
a flag opens -> exactly one alert; the cooldown folds later flags into the next alert; escalation at
exactly the practice's hours and not before, stopped by a review; a deactivated clinician's alerts go
to the admins; two workers send each alert once; no client detail in any staff email."""
from __future__ import annotations

import email as email_lib
import json
import threading
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import insert, select, update

import db
from db import safety, staff_outbox
from db.tables import audit_events, checkins, clients, clinicians, practices, safety_flags
from jobs import staff_sender
from tests.conftest import NOW
from tests.db.test_reminders import cfg
from tests.sendgrid_standin import StandIn

T = staff_outbox.staff_outbox
CANARY = "CANARY18e"


def flag(client_id: int, at, reason: str = "distress 10 of 10") -> int:
    with db.write() as conn:
        return safety.raise_in(conn, client_id, source="checkin", source_id=1, reasons=[reason], now=at)


def outbox_rows(kind: str | None = None) -> list[dict]:
    with db.read() as conn:
        q = select(T).order_by(T.c.id)
        if kind:
            q = q.where(T.c.kind == kind)
        return [dict(r) for r in conn.execute(q).mappings()]


def plan(at, **kw):
    return staff_outbox.plan_alerts(at, cooldown_minutes=kw.get("cooldown", 15), escalate_hours=kw.get("hours", 24))


class Capture:
    """A delivery function that keeps every message (thread-safe)."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()

    def __call__(self, message, _cfg):
        with self.lock:
            self.messages.append(message)
        return f"id-{len(self.messages)}"


def test_safety_alert_exactly_one_row_when_a_flag_opens(database, people, tmp_path):
    fid = flag(people["client_clara"], NOW)
    assert plan(NOW + timedelta(seconds=30)) == {"alerts": 1, "escalations": 0}
    assert plan(NOW + timedelta(minutes=1)) == {"alerts": 0, "escalations": 0}  # planned once
    (row,) = outbox_rows()
    assert (row["kind"], row["clinician_id"], row["flag_count"]) == ("safety_alert", people["clara"].clinician_id, 1)
    assert row["dedupe_key"] == f"alert:{people['clara'].clinician_id}:{fid}"
    deliver = Capture()
    result = staff_sender.drain(lambda: NOW + timedelta(minutes=1), "w1", cfg(tmp_path), deliver=deliver)
    assert result.sent == 1 and len(deliver.messages) == 1
    msg = deliver.messages[0]
    assert msg["Subject"] == "A check-in in Anchorstep needs your review"
    assert msg["To"] == "clara@example.org"
    with db.read() as conn:
        actions = [r.action for r in conn.execute(select(audit_events.c.action).where(
            audit_events.c.client_id == people["client_clara"]))]
        alerted = conn.execute(select(safety_flags.c.alert_id).where(safety_flags.c.id == fid)).scalar()
    assert "safety.alert" in actions and "safety.alert.sent" in actions and alerted == row["id"]


def test_safety_alert_ignores_quiet_hours_and_goes_to_the_alert_address(database, people, tmp_path):
    with db.write() as conn:
        conn.execute(update(clinicians).where(clinicians.c.id == people["clara"].clinician_id)
                     .values(alert_email="pager@example.org"))
    night = NOW.replace(hour=2)
    flag(people["client_clara"], night)
    plan(night)
    deliver = Capture()
    staff_sender.drain(lambda: night, "w1", cfg(tmp_path, REMINDER_QUIET_HOURS="21:30-07:30"), deliver=deliver)
    assert [m["To"] for m in deliver.messages] == ["pager@example.org"]


def test_safety_alert_cooldown_folds_later_flags_into_the_next_alert(database, people, tmp_path):
    flag(people["client_clara"], NOW)
    assert plan(NOW)["alerts"] == 1
    flag(people["client_clara"], NOW + timedelta(minutes=5))
    flag(people["client_clara"], NOW + timedelta(minutes=9))
    assert plan(NOW + timedelta(minutes=10))["alerts"] == 0  # inside the 15 minutes: they wait
    assert plan(NOW + timedelta(minutes=14, seconds=59))["alerts"] == 0
    assert plan(NOW + timedelta(minutes=15, seconds=1))["alerts"] == 1
    assert [r["flag_count"] for r in outbox_rows()] == [1, 2]
    deliver = Capture()
    staff_sender.drain(lambda: NOW + timedelta(minutes=16), "w1", cfg(tmp_path), deliver=deliver)
    bodies = [m.get_body(("plain",)).get_content() for m in deliver.messages]
    assert "2 check-ins in Anchorstep need your review" in bodies[1]
    # Other clinicians have their own cooldown.
    flag(people["client_colin"], NOW + timedelta(minutes=16))
    assert plan(NOW + timedelta(minutes=16))["alerts"] == 1


def test_escalation_at_exactly_24_hours_and_not_before(database, people, tmp_path):
    fid = flag(people["client_clara"], NOW)
    plan(NOW)
    assert plan(NOW + timedelta(hours=24) - timedelta(seconds=1))["escalations"] == 0
    assert plan(NOW + timedelta(hours=24))["escalations"] == 1  # Ada, practice A's one admin
    assert plan(NOW + timedelta(hours=30))["escalations"] == 0  # once per flag
    (row,) = outbox_rows("escalation")
    assert (row["clinician_id"], row["flag_id"], row["hours"]) == (people["ada"].clinician_id, fid, 24)
    deliver = Capture()
    staff_sender.drain(lambda: NOW + timedelta(hours=24), "w1", cfg(tmp_path), deliver=deliver)
    esc = [m for m in deliver.messages if m["To"] == "ada@example.org"]
    assert len(esc) == 1 and "unreviewed for 24 hours" in esc[0].get_body(("plain",)).get_content()


def test_escalation_hours_from_practice_settings(database, people):
    with db.write() as conn:
        conn.execute(update(practices).where(practices.c.id == people["ada"].practice_id)
                     .values(safety_escalate_hours=4))
    flag(people["client_clara"], NOW)
    assert plan(NOW + timedelta(hours=3, minutes=59))["escalations"] == 0
    assert plan(NOW + timedelta(hours=4))["escalations"] == 1


def test_escalation_stopped_by_reviewing_the_flag(database, people, tmp_path):
    fid = flag(people["client_clara"], NOW)
    assert safety.review(people["clara"], fid, "Phoned; safe, plan agreed.", now=NOW + timedelta(hours=2)) == {}
    assert plan(NOW + timedelta(hours=25)) == {"alerts": 0, "escalations": 0}
    # Reviewed after the escalation was planned but before it went: cancelled, not sent.
    fid2 = flag(people["client_colin"], NOW)
    plan(NOW + timedelta(hours=24))
    safety.review(people["colin"], fid2, "Seen in session.", now=NOW + timedelta(hours=24, seconds=10))
    deliver = Capture()
    staff_sender.drain(lambda: NOW + timedelta(hours=24, seconds=20), "w1", cfg(tmp_path), deliver=deliver)
    (esc,) = outbox_rows("escalation")
    assert esc["status"] == "cancelled" and "reviewed" in esc["reason"]
    assert all(m["To"] != "ada@example.org" for m in deliver.messages)


def test_safety_alert_of_a_deactivated_clinician_goes_to_the_admins(database, people, tmp_path):
    with db.write() as conn:
        conn.execute(update(clinicians).where(clinicians.c.id == people["clara"].clinician_id).values(active=False))
    flag(people["client_clara"], NOW)
    plan(NOW)
    (row,) = outbox_rows()
    assert row["clinician_id"] == people["ada"].clinician_id
    # Deactivated between planning and sending: cancelled, and planned again for the admins.
    flag(people["client_colin"], NOW)
    plan(NOW)
    with db.write() as conn:
        conn.execute(update(clinicians).where(clinicians.c.id == people["colin"].clinician_id).values(active=False))
    deliver = Capture()
    staff_sender.drain(lambda: NOW, "w1", cfg(tmp_path), deliver=deliver)
    assert {m["To"] for m in deliver.messages} == {"ada@example.org"}
    plan(NOW + timedelta(minutes=20))
    staff_sender.drain(lambda: NOW + timedelta(minutes=20), "w1", cfg(tmp_path), deliver=deliver)
    assert [m["To"] for m in deliver.messages] == ["ada@example.org", "ada@example.org"]


def test_safety_alert_two_workers_send_each_alert_once(database, people, tmp_path):
    # Forty recipients' alerts (clinicians of practice A), planned by two workers at once, sent by two.
    with db.write() as conn:
        for i in range(40):
            cid = conn.execute(insert(clinicians).values(
                practice_id=people["clara"].practice_id, username=f"c{i}", display_name=f"C {i}",
                email=f"c{i}@example.org", role="clinician", password_hash="x", password_changed_at=NOW,
                created_at=NOW)).inserted_primary_key[0]
            client = conn.execute(insert(clients).values(
                practice_id=people["clara"].practice_id, clinician_id=cid, display_name=f"K {i}",
                email=f"k{i}@example.org", timezone="Europe/London", created_at=NOW, updated_at=NOW)
            ).inserted_primary_key[0]
            safety.raise_in(conn, client, source="checkin", source_id=1, reasons=["distress"], now=NOW)
    deliver = Capture()
    c = cfg(tmp_path)
    errors = []

    def work(name):
        try:
            plan(NOW)
            staff_sender.drain(lambda: NOW, name, c, deliver=deliver, limit=5)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    refs = [str(m["X-Anchorstep-Ref"]) for m in deliver.messages]
    assert len(refs) == 40 and len(set(refs)) == 40
    assert {r["status"] for r in outbox_rows()} == {"sent"}


def test_safety_alert_interrupted_while_sending_is_a_dead_letter_not_sent_twice(database, people, tmp_path):
    flag(people["client_clara"], NOW)
    plan(NOW)
    (oid,) = staff_outbox.claim("dead", NOW, limit=5, lease_seconds=60)
    with db.write() as conn:  # the worker marked it sending, then died
        staff_outbox.start_sending(conn, oid, "dead", NOW, NOW + timedelta(seconds=60))
    assert staff_outbox.sweep(NOW + timedelta(seconds=61))["staff_interrupted"] == 1
    deliver = Capture()
    staff_sender.drain(lambda: NOW + timedelta(minutes=2), "w1", cfg(tmp_path), deliver=deliver)
    assert deliver.messages == []
    (row,) = outbox_rows()
    assert row["status"] == "failed" and "interrupted" in row["reason"]
    with db.read() as conn:
        dead = staff_outbox.dead_letters(conn, people["ada"].practice_id)
    assert [d["kind"] for d in dead] == ["safety_alert"]


def _plant_canaries(people) -> None:
    with db.write() as conn:
        conn.execute(update(clients).values(display_name=f"Robin {CANARY}", email=f"{CANARY.lower()}@example.org"))
        conn.execute(insert(checkins).values(client_id=people["client_clara"], idempotency_key="k1",
                                             local_date=NOW.date(), submitted_at=NOW, mood=1, distress=10,
                                             thought=f"{CANARY} thought", context_where=f"{CANARY} where",
                                             context_with=f"{CANARY} with"))
        safety.raise_in(conn, people["client_clara"], source="checkin", source_id=1,
                        reasons=[f"distress 10 of 10 {CANARY}"], now=NOW)
        conn.execute(update(clinicians).values(weekly_digest=True))


def test_safety_alert_escalation_and_digest_carry_no_canary(database, people, tmp_path):
    _plant_canaries(people)
    monday = NOW.replace(day=30, hour=8, minute=0)  # Monday 30 November 2026, 08:00 in London (UTC+0)
    plan(NOW)
    plan(NOW + timedelta(hours=24))
    assert staff_outbox.plan_digests(monday) >= 1
    kinds = {r["kind"] for r in outbox_rows()}
    assert kinds == {"safety_alert", "escalation", "digest"}
    with StandIn() as standin:  # SendGrid: everything that went over the wire
        c = cfg(tmp_path, EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.test", SENDGRID_HOST=standin.url,
                SENDGRID_TIMEOUT_SECONDS=1)
        result = staff_sender.drain(lambda: monday, "w1", c)
        assert result.sent == len(outbox_rows()) and standin.requests
        for req in standin.requests:
            wire = json.dumps(req["json"]) + json.dumps(req["headers"])
            assert CANARY.lower() not in wire.lower()
            assert list(req["json"]["custom_args"]) == ["ref"]
    # Console: whole .eml files, headers included.
    with db.write() as conn:
        conn.execute(update(T).values(status="due", claimed_by=None, next_attempt_at=monday))
    staff_sender.drain(lambda: monday, "w2", cfg(tmp_path))
    emls = list((tmp_path / "outbox").glob("*.eml"))
    assert len(emls) == len(outbox_rows())
    subjects = set()
    for eml in emls:
        raw = eml.read_bytes().decode()
        assert CANARY.lower() not in raw.lower()
        parsed = email_lib.message_from_string(raw, policy=policy.default)
        subjects.add(parsed["Subject"])
        assert "/c/" not in parsed.get_body(("plain",)).get_content()  # a sign-in link, never a token link
    assert subjects == {"A check-in in Anchorstep needs your review", "Your weekly Anchorstep summary"}


def test_safety_alert_sigkill_mid_send_never_twice(sqlite_db, people, tmp_path):
    """The reminder fault harness's way (tests/db/test_reminder_faults.py) on staff emails: the worker
    SIGKILLed at random points, then a clean pass after the leases lapse: nothing sent twice, and
    every alert ends sent or as an "interrupted" dead letter."""
    import os
    import random
    import signal
    import subprocess
    import sys
    import time
    from collections import Counter
    from datetime import datetime, timezone

    from tests.conftest import ROOT
    from tests.db.test_reminder_faults import _eml_refs

    real_now = datetime.now(timezone.utc)
    with db.write() as conn:  # 600 alerts due by the real clock, which the worker processes use
        conn.execute(insert(T), [{"ref": f"{i:032x}", "dedupe_key": f"alert:test:{i}", "kind": "safety_alert",
                                  "practice_id": people["clara"].practice_id,
                                  "clinician_id": people["clara"].clinician_id, "flag_count": 1,
                                  "due_at": real_now - timedelta(minutes=1),
                                  "next_attempt_at": real_now - timedelta(minutes=1), "status": "due", "attempts": 0,
                                  "created_at": real_now, "updated_at": real_now} for i in range(600)])
    env = {**os.environ, "EMAIL_BACKEND": "console", "REMINDER_LEASE_SECONDS": "30", "PYTHONPATH": str(ROOT),
           "LOG_LEVEL": "warning"}
    rng = random.Random(18)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-m", "jobs.worker", "--once"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with db.read() as conn:
        mid = Counter(conn.execute(select(T.c.status)).scalars())
    later = datetime.now(timezone.utc) + timedelta(seconds=31)
    staff_outbox.sweep(later)
    staff_sender.drain(lambda: later, "cleanup", cfg(tmp_path, EMAIL_BACKEND="console", DATA_DIR=os.environ["DATA_DIR"]))
    from jobs.email import outbox_dir
    refs = _eml_refs(outbox_dir(cfg(tmp_path, DATA_DIR=os.environ["DATA_DIR"])))
    with db.read() as conn:
        final = {r.ref: r for r in conn.execute(select(T.c.ref, T.c.status, T.c.reason))}
    print(f"\nafter the kills: {dict(mid)}; final {Counter(r.status for r in final.values())}")
    assert refs and max(refs.values()) == 1, "an alert was sent twice"
    assert {r.status for r in final.values()} <= {"sent", "failed"}
    for ref, row in final.items():
        if row.status == "sent":
            assert refs[ref] == 1
        else:
            assert "interrupted" in row.reason and refs[ref] <= 1
    assert mid.get("due", 0) < len(final)  # the killed workers did get somewhere


def test_digest_simulated_month_over_dst_in_two_zones_once_a_week_at_eight_local(database, people, tmp_path):
    """12 October to 15 November 2026, a worker pass every 30 minutes: Europe/London leaves summer time
    on 25 October, America/New_York on 1 November. Each opted-in person gets one digest per week, planned
    for Monday 08:00 in their practice's zone and sent in the pass at that time; Colin did not opt in."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    with db.write() as conn:
        conn.execute(update(clinicians).where(clinicians.c.username.in_(["clara", "otto", "bea"]))
                     .values(weekly_digest=True))
    c = cfg(tmp_path)
    deliver = Capture()
    at = datetime(2026, 10, 12, tzinfo=timezone.utc)
    end = datetime(2026, 11, 15, tzinfo=timezone.utc)
    while at < end:
        staff_outbox.plan_digests(at)
        staff_sender.drain(lambda at=at: at, "w1", c, deliver=deliver)
        staff_sender.drain(lambda at=at: at, "w2", c, deliver=deliver)  # a second worker finds nothing
        at += timedelta(minutes=30)
    digests = outbox_rows("digest")
    zone = {people["clara"].clinician_id: "Europe/London", people["otto"].clinician_id: "America/New_York",
            people["bea"].clinician_id: "America/New_York"}
    assert {r["clinician_id"] for r in digests} == set(zone)  # Colin and Ada did not opt in
    for cid, tz in zone.items():
        mine = [r for r in digests if r["clinician_id"] == cid]
        local = [r["sent_at"].astimezone(ZoneInfo(tz)) for r in mine]
        assert [d.date().isoformat() for d in local] == ["2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02",
                                                         "2026-11-09"]
        assert all((d.weekday(), d.hour, d.minute) == (0, 8, 0) for d in local), local
        assert all(r["due_at"].astimezone(ZoneInfo(tz)).hour == 8 for r in mine)
        assert all(r["status"] == "sent" for r in mine)
    assert len(deliver.messages) == 15
    body = deliver.messages[0].get_body(("plain",)).get_content()
    assert "With a safety flag waiting for review: 0" in body and "Client of" not in body


def test_digest_counts_the_clinicians_own_clients_only(database, people, tmp_path):
    flag(people["client_clara"], NOW)
    flag(people["client_colin"], NOW)
    counts = staff_sender.digest_counts(people["clara"].practice_id, NOW, cfg(tmp_path))
    assert counts[people["clara"].clinician_id]["flags"] == 1
    assert counts[people["colin"].clinician_id]["flags"] == 1
    assert counts[people["ada"].clinician_id]["flags"] == 0  # an admin's digest counts their own caseload
    assert people["otto"].clinician_id not in counts  # another practice
    with db.read() as conn:
        (audited,) = conn.execute(select(audit_events.c.actor_kind, audit_events.c.detail)
                                  .where(audit_events.c.action == "digest.counts")).all()
    assert audited.actor_kind == "system"
