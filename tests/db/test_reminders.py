"""Reminders in storage: the planner fills the outbox once per key, the sender claims, re-checks and
records, withdrawal and pause cancel, retries and dead letters keep every reminder visible."""
import email as email_lib
from datetime import date, datetime, timedelta, timezone
from email import policy
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

import db
from core import settings as settings_mod
from core import templates as core_templates
from db import consent, outbox, plans, reminders
from demo import builders
from db.clients import clients
from jobs import email as mail
from jobs import planner, sender
from tests.conftest import NOW, make_reachable

BREATHING = core_templates.by_key(core_templates.BUILT_IN)["breathing"]["step"]
UTC = timezone.utc


def cfg(tmp_path, **env):
    base = {"DATA_DIR": str(tmp_path), "REMINDER_QUIET_HOURS": "off"}
    import os
    base["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if "DATABASE_SCHEMA" in os.environ:
        base["DATABASE_SCHEMA"] = os.environ["DATABASE_SCHEMA"]
    return settings_mod.load({**base, **{k: str(v) for k, v in env.items()}}, secrets_file=tmp_path / "none.toml")


def window(start: str) -> dict:
    h, m = map(int, start.split(":"))
    end = min(h * 60 + m + 30, 23 * 60 + 59)
    return {"window_start": start, "window_end": f"{end // 60:02d}:{end % 60:02d}"}


def plan_for(people, who="clara", **step):
    if "window_start" in step:
        step.update(window(step["window_start"]))
    plan_id, errors = plans.create_plan(people[who], people[f"client_{who}"], goal="Calmer mornings",
                                        steps=[{**BREATHING, **step}], now=NOW - timedelta(days=1))
    assert errors == {}
    return plan_id


def rows(**where):
    t = outbox.reminder_outbox
    q = select(t).order_by(t.c.due_at, t.c.id)
    for k, v in where.items():
        q = q.where(t.c[k] == v)
    with db.read() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


class Recorder:
    """A backend stand-in: records each message, or raises what it is told to."""

    def __init__(self, *errors):
        self.sent, self.errors = [], list(errors)

    def __call__(self, message, cfg):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)
        return f"provider-{len(self.sent)}"


def test_it_plans_the_next_day_once_in_the_clients_zone(database, people, tmp_path):
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    plan_for(people, window_start="07:30", days=[0, 1, 2, 3, 4, 5, 6])
    c = cfg(tmp_path)
    assert planner.run(NOW, c) == 1
    assert planner.run(NOW, c) == 0  # planning twice adds nothing
    (row,) = rows()
    assert row["slot"] == "07:30" and row["due_at"].astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "07:30"
    assert row["local_date"] == date(2026, 11, 29)


def test_it_plans_nothing_without_consent_or_when_paused(database, people, tmp_path):
    plan_for(people)
    assert planner.run(NOW, cfg(tmp_path)) == 0
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    reminders.pause_for(people["clara"], people["client_clara"], True, now=NOW)
    assert planner.run(NOW, cfg(tmp_path)) == 0
    reminders.pause_for(people["clara"], people["client_clara"], False, now=NOW)
    assert planner.run(NOW, cfg(tmp_path)) == 1


def test_quiet_hours_defer_and_the_daily_cap_keeps_the_first_steps(database, people, tmp_path):
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    steps = [{**BREATHING, **window(t)} for t in ("06:00", "12:00", "18:00")]
    _, errors = plans.create_plan(people["clara"], people["client_clara"], goal="Calmer days", steps=steps,
                                  now=NOW - timedelta(days=1))
    assert errors == {}
    planner.run(NOW, cfg(tmp_path, REMINDER_QUIET_HOURS="21:30-07:30"))
    got = rows()
    # Saturday 09:30 UTC: today's 12:00, tomorrow's 06:00 (deferred to 07:30); 18:00 is over the cap of 2.
    assert [r["slot"] for r in got] == ["12:00", "06:00"]
    assert got[1]["due_at"].astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "07:30"


def test_client_quiet_hours_defer_too(database, people, tmp_path):
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    plan_for(people, window_start="12:00")
    reminders.set_quiet_hours(people["clara"], people["client_clara"], "11:00", "13:15", now=NOW)
    planner.run(NOW, cfg(tmp_path))
    (row,) = rows()
    assert row["slot"] == "12:00" and row["due_at"].astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "13:15"


SLOTS = ("00:30", "01:30", "02:30", "09:00")


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Adelaide", "America/New_York"])
def test_planner_and_outbox_give_one_row_per_local_day_over_a_simulated_year(sqlite_db, people, tmp_path, zone):
    """Passes every 12 hours over a year, across both DST changes (Adelaide: southern and a
    30-minute offset): one row per local day and slot at the right local time, never two."""
    with db.write() as conn:
        conn.execute(update(clients).where(clients.c.id == people["client_clara"]).values(timezone=zone))
        builders.record_confirmed_in(conn, people["client_clara"], at=NOW - timedelta(days=1), renewal_days=730)
    _, errors = plans.create_plan(people["clara"], people["client_clara"], goal="Calmer nights",
                                  steps=[{**BREATHING, **window(t)} for t in SLOTS], now=NOW - timedelta(days=1))
    assert errors == {}
    c = cfg(tmp_path, REMINDER_DAILY_CAP=4)
    start = datetime(2027, 1, 1, tzinfo=UTC)
    t = start
    while t < start + timedelta(days=365):
        planner.run(t, c)
        t += timedelta(hours=12)
    got = rows()
    keys = [(r["local_date"], r["slot"]) for r in got]
    assert len(keys) == len(set(keys))
    local = ZoneInfo(zone)
    days = sorted({k[0] for k in keys})
    assert len(days) == (days[-1] - days[0]).days + 1 >= 364
    per_slot = {s: sum(1 for k in keys if k[1] == s) for s in SLOTS}
    assert max(per_slot.values()) - min(per_slot.values()) <= 1  # the edges of the year may cut one
    moved = 0
    for r in got:
        at = r["due_at"].astimezone(local)
        assert at.date() == r["local_date"]
        if at.strftime("%H:%M") != r["slot"]:  # only on the spring-forward day, by the gap
            moved += 1
            gap = datetime.combine(r["local_date"], datetime.strptime(r["slot"], "%H:%M").time())
            assert 0 < (at.replace(tzinfo=None) - gap).total_seconds() <= 3600
    assert moved <= 2


def _due_row(people, tmp_path, who="clara"):
    make_reachable(people[f"client_{who}"], NOW - timedelta(days=1))
    with db.read() as conn:
        zone = conn.execute(select(clients.c.timezone).where(clients.c.id == people[f"client_{who}"])).scalar()
    plan_for(people, who, window_start=(NOW - timedelta(minutes=30)).astimezone(ZoneInfo(zone)).strftime("%H:%M"))
    planner.run(NOW - timedelta(hours=1), cfg(tmp_path))
    (row,) = rows(client_id=people[f"client_{who}"])
    return row


def test_it_sends_a_due_reminder_once_and_records_the_provider_id(database, people, tmp_path):
    row = _due_row(people, tmp_path)
    rec = Recorder()
    c = cfg(tmp_path)
    r1 = sender.run(NOW, "w1", c, deliver=rec)
    r2 = sender.run(NOW, "w2", c, deliver=rec)
    assert (r1.sent, r2.sent, len(rec.sent)) == (1, 0, 1)
    (done,) = rows()
    assert done["status"] == "sent" and done["provider_id"] == "provider-1" and done["attempts"] == 1
    msg = rec.sent[0]
    assert msg["Subject"] == "A reminder from Anchorstep" and msg["X-Anchorstep-Ref"] == row["ref"]
    # The pause link, with RFC 8058's one-click promise (client.web.one_click keeps it).
    assert msg["List-Unsubscribe"].startswith("<http") and "/c/?t=" in msg["List-Unsubscribe"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_withdrawal_while_claimed_means_not_sent(database, people, tmp_path):
    row = _due_row(people, tmp_path)
    assert outbox.claim("w1", NOW, limit=10, lease_seconds=60) == [row["id"]]
    consent.withdraw_for(people["clara"], people["client_clara"], now=NOW)
    rec = Recorder()
    assert sender.send_one(row["id"], "w1", NOW, cfg(tmp_path), rec) == "skipped"
    assert rec.sent == [] and rows()[0]["status"] == "cancelled"


def test_consent_lapsing_without_the_hook_is_caught_by_the_recheck(database, people, tmp_path):
    row = _due_row(people, tmp_path)
    outbox.claim("w1", NOW, limit=10, lease_seconds=60)
    with db.write() as conn:  # expired, not withdrawn: no hook ran
        conn.execute(update(consent.consents).values(expires_at=NOW - timedelta(minutes=1)))
    rec = Recorder()
    assert sender.send_one(row["id"], "w1", NOW, cfg(tmp_path), rec) == "cancelled" and rec.sent == []


def test_a_paused_client_gets_nothing(database, people, tmp_path):
    _due_row(people, tmp_path)
    reminders.pause_for(people["clara"], people["client_clara"], True, now=NOW)
    rec = Recorder()
    sender.run(NOW, "w1", cfg(tmp_path), deliver=rec)
    assert rec.sent == [] and rows()[0]["status"] == "cancelled"


def test_temporary_errors_retry_with_backoff_then_dead_letter(database, people, tmp_path):
    _due_row(people, tmp_path)
    c = cfg(tmp_path, REMINDER_MAX_ATTEMPTS=3, REMINDER_WINDOW_MINUTES=24 * 60)
    rec = Recorder(*[mail.TransientEmailError("SendGrid answered HTTP 500; will try again.")] * 3)
    now = NOW
    assert sender.run(now, "w1", c, deliver=rec).retried == 1
    first = rows()[0]
    assert first["status"] == "due" and 15 <= (first["next_attempt_at"] - now).total_seconds() <= 30
    assert sender.run(now, "w1", c, deliver=rec).retried == 0  # not before its time
    now = first["next_attempt_at"]
    assert sender.run(now, "w1", c, deliver=rec).retried == 1
    now = rows()[0]["next_attempt_at"]
    assert sender.run(now, "w1", c, deliver=rec).failed == 1
    dead = rows()[0]
    assert dead["status"] == "failed" and "gave up after 3 tries" in dead["reason"] and rec.sent == []


def test_a_rate_limit_reset_is_honoured():
    assert sender.backoff(1, retry_after=600) >= 600
    assert all(15 <= sender.backoff(1) <= 30 for _ in range(50))
    assert sender.backoff(30) <= sender.MAX_DELAY


def test_a_refused_message_is_a_dead_letter_with_the_reason(database, people, tmp_path):
    _due_row(people, tmp_path)
    rec = Recorder(mail.EmailError("SendGrid refused the message (HTTP 400)."))
    assert sender.run(NOW, "w1", cfg(tmp_path), deliver=rec).failed == 1
    dead = rows()[0]
    assert dead["status"] == "failed" and "HTTP 400" in dead["reason"]
    listed = reminders.dead_letters(people["ada"], now=NOW)
    assert [d["id"] for d in listed] == [dead["id"]]
    assert reminders.client_view(people["clara"], people["client_clara"], now=NOW)["problems"][0]["id"] == dead["id"]
    assert reminders.dead_letters(people["bea"], now=NOW) == []
    with pytest.raises(db.Forbidden):
        reminders.dead_letters(people["clara"], now=NOW)
    with pytest.raises(db.NotFound):
        reminders.client_view(people["otto"], people["client_clara"], now=NOW)


def test_a_bad_api_key_stops_the_batch_and_gives_the_rows_back(database, people, tmp_path):
    _due_row(people, tmp_path, "clara")
    _due_row(people, tmp_path, "colin")
    rec = Recorder(mail.AuthEmailError("SendGrid refused the API key (HTTP 401)"))
    with pytest.raises(sender.BatchStopped, match="API key"):
        sender.run(NOW, "w1", cfg(tmp_path), deliver=rec)
    assert {r["status"] for r in rows()} == {"due"} and {r["attempts"] for r in rows()} == {0}


def test_stale_reminders_expire_instead_of_a_late_burst(database, people, tmp_path):
    row = _due_row(people, tmp_path)
    later = row["window_end"] + timedelta(minutes=1)
    rec = Recorder()
    assert sender.run(later, "w1", cfg(tmp_path), deliver=rec).sent == 0
    assert outbox.sweep(later)["expired"] == 1 and rows()[0]["status"] == "expired" and rec.sent == []


def test_lapsed_claims_go_back_and_lapsed_sends_become_dead_letters(database, people, tmp_path):
    _due_row(people, tmp_path, "clara")
    _due_row(people, tmp_path, "colin")
    a, b = outbox.claim("dead-worker", NOW, limit=10, lease_seconds=60)
    with db.write() as conn:
        assert [r["id"] for r in outbox.start_sending(conn, [b], "dead-worker", NOW, NOW + timedelta(seconds=60))] == [b]
    assert outbox.sweep(NOW + timedelta(seconds=61)) == {"expired": 0, "reclaimed": 1, "interrupted": 1}
    by_id = {r["id"]: r for r in rows()}
    assert by_id[a]["status"] == "due" and by_id[b]["status"] == "failed" and "interrupted" in by_id[b]["reason"]


def test_the_client_pauses_by_link_without_touching_consent(database, people, tmp_path):
    from db import links
    make_reachable(people["client_clara"])
    with db.write() as conn:
        raw = links.issue(conn, client_id=people["client_clara"], purpose="preferences", now=NOW,
                          ttl_days={"preferences": 7})
    assert reminders.link_state(raw, NOW) == {"state": "active"}
    assert reminders.pause_by_link(raw, True, now=NOW) == "paused"
    assert reminders.pause_by_link(raw, True, now=NOW) == "unchanged"
    assert reminders.link_state(raw, NOW) == {"state": "paused"}
    with db.read() as conn:
        assert consent.is_active(conn, people["client_clara"], NOW)
    assert reminders.pause_by_link(raw, False, now=NOW) == "resumed"
    assert reminders.pause_by_link("nope", True, now=NOW) == "invalid"


def test_the_worker_records_its_heartbeat(database, people, tmp_path):
    from jobs import worker
    _due_row(people, tmp_path)
    rec = Recorder()
    summary = worker.one_pass("w-test", cfg(tmp_path), now_fn=lambda: NOW, deliver=rec)
    assert summary["sent"] == 1
    (hb,) = reminders.heartbeats()
    assert hb["worker"] == "w-test" and hb["last_pass_at"] == NOW


def test_withdraw_then_run_the_worker_a_second_later_sends_nothing(database, people, tmp_path):
    _due_row(people, tmp_path)
    consent.withdraw_for(people["clara"], people["client_clara"], now=NOW)
    rec = Recorder()
    from jobs import worker
    worker.one_pass("w1", cfg(tmp_path), now_fn=lambda: NOW + timedelta(seconds=1), deliver=rec)
    assert rec.sent == [] and {r["status"] for r in rows()} == {"cancelled"}
    assert rows()[0]["reason"] == "consent withdrawn"


def test_a_retimed_or_removed_step_leaves_no_stale_reminder(database, people, tmp_path):
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    plan_id = plan_for(people, window_start="18:00")
    c = cfg(tmp_path)
    planner.run(NOW, c)
    step_id = rows()[0]["step_id"]
    plans.save_step(people["clara"], plan_id, step_id, {**BREATHING, **window("19:00")}, now=NOW)
    planner.run(NOW, c)
    assert sorted((r["slot"], r["status"]) for r in rows()) == [("18:00", "cancelled"), ("19:00", "due")]
    plans.remove_step(people["clara"], step_id, now=NOW)
    planner.run(NOW, c)
    assert {r["status"] for r in rows()} == {"cancelled"}
