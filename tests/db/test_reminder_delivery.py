"""Reminders through real backends: the SendGrid stand-in's 429, 500, timeouts and 400 end in the
right retries and dead letters; canary text planted in every client and step field never leaves."""
import email as email_lib
import json
import time
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import update

import db
from core import templates as core_templates
from db import plans
from db.clients import clients
from db.practices import practices
from jobs import sender
from tests.conftest import NOW, make_reachable
from tests.db.test_reminders import BREATHING, _due_row, cfg, rows, window
from tests.sendgrid_standin import StandIn

CANARY = "CANARY7f3"


@pytest.fixture
def standin():
    with StandIn() as s:
        yield s


def sg(tmp_path, url, **env):
    return cfg(tmp_path, EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.test", SENDGRID_HOST=url,
               SENDGRID_TIMEOUT_SECONDS=1, REMINDER_WINDOW_MINUTES=24 * 60, **env)


def test_429_500_and_a_timeout_retry_then_the_reminder_goes(database, people, tmp_path, standin):
    _due_row(people, tmp_path)
    c = sg(tmp_path, standin.url)
    standin.script = [(429, {"X-RateLimit-Reset": int(time.time()) + 900}), (500, {}), ("hang", 2)]
    now = NOW
    assert sender.run(now, "w1", c).retried == 1
    r = rows()[0]
    assert (r["next_attempt_at"] - now).total_seconds() >= 880  # the reset time, not the 30 s backoff
    for _ in range(2):
        now = rows()[0]["next_attempt_at"]
        assert sender.run(now, "w1", c).retried == 1
    now = rows()[0]["next_attempt_at"]
    assert sender.run(now, "w1", c).sent == 1
    done = rows()[0]
    assert done["status"] == "sent" and done["attempts"] == 4 and done["provider_id"] == "sg-4"
    assert len(standin.requests) == 4


def test_400_is_a_dead_letter_at_once(database, people, tmp_path, standin):
    _due_row(people, tmp_path)
    standin.script = [(400, {})]
    assert sender.run(NOW, "w1", sg(tmp_path, standin.url)).failed == 1
    r = rows()[0]
    assert r["status"] == "failed" and "HTTP 400" in r["reason"] and len(standin.requests) == 1


def test_a_bad_key_stops_after_one_request(database, people, tmp_path, standin):
    _due_row(people, tmp_path, "clara")
    _due_row(people, tmp_path, "colin")
    standin.script = [(401, {})]
    with pytest.raises(sender.BatchStopped):
        sender.run(NOW, "w1", sg(tmp_path, standin.url))
    assert len(standin.requests) == 1 and {r["status"] for r in rows()} == {"due"}


def _plant_canaries(people):
    cid = people["client_clara"]
    with db.write() as conn:
        conn.execute(update(clients).where(clients.c.id == cid).values(display_name=f"Robin {CANARY}"))
    step = {**BREATHING, **{k: f"{CANARY} {k}" for k in ("anchor", "behaviour", "barrier", "if_then")},
            "levels": [f"{CANARY} level one", f"{CANARY} level two"], "template_key": ""}
    start = (NOW - timedelta(minutes=30)).strftime("%H:%M")  # Clara's client is in London (UTC in November)
    _, errors = plans.create_plan(people["clara"], cid, goal=f"{CANARY} goal", steps=[{**step, **window(start)}],
                                  now=NOW - timedelta(days=1))
    assert errors == {}


def test_no_canary_in_any_subject_body_header_or_custom_arg(database, people, tmp_path, standin):
    make_reachable(people["client_clara"], NOW - timedelta(days=1))
    _plant_canaries(people)
    from jobs import planner
    planner.run(NOW - timedelta(hours=1), cfg(tmp_path))
    # SendGrid: everything that went over the wire.
    assert sender.run(NOW, "w1", sg(tmp_path, standin.url)).sent == 1
    wire = json.dumps(standin.requests[0]["json"]) + json.dumps(standin.requests[0]["headers"])
    assert CANARY not in wire and CANARY.lower() not in wire.lower()
    assert list(standin.requests[0]["json"]["custom_args"]) == ["ref"]
    # Console: the whole .eml, headers included.
    with db.write() as conn:
        conn.execute(update(clients).values(display_name=f"Robin {CANARY}"))
    _due_row(people, tmp_path, "colin")
    assert sender.run(NOW, "w2", cfg(tmp_path)).sent == 1
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    raw = eml.read_bytes().decode()
    assert CANARY not in raw
    parsed = email_lib.message_from_string(raw, policy=policy.default)
    assert parsed["Subject"] == "A reminder from Anchorstep"  # neutral by default (issue 12)
    assert parsed.get_body(("plain",)).get_content().count("/c/?t=") == 2  # check-in and pause, nothing else
