"""Issue 12, the smaller items: a link lookup the rate limiter refuses leaves an audit row (never the
token); the reminder-time suggestion's read of distress by hour has its own audit row; publishing a
consent checklist applies the same length rules as the admin page (core.consent.check_items)."""
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

import db
from core import consent as consent_rules
from core.ratelimit import LINK_LOOKUPS
from db import audit, consent_templates, links, reminders
from db.checkins import checkins
from tests.conftest import NOW, make_reachable


def events(action: str) -> list[dict]:
    e = audit.audit_events
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(e).where(e.c.action == action).order_by(e.c.id)).mappings()]


def test_regression_a_link_lookup_refused_by_the_rate_limiter_is_audited_without_the_token(database, people):
    make_reachable(people["client_clara"])
    raw = links.issue_for(people["clara"], people["client_clara"], "checkin", now=NOW, ttl_days={"checkin": 7})
    keys = ["session:tab-1", "ip:203.0.113.9"]
    for i in range(LINK_LOOKUPS.limit):
        assert links.open_link(raw, NOW + timedelta(seconds=i), limit_keys=keys).ok
    refused = links.open_link(raw, NOW + timedelta(minutes=1), limit_keys=keys)
    assert not refused.ok and refused.client_id is None
    (row,) = events("link.limited")
    assert row["detail"] == "too many link lookups from this browser session and address"
    assert row["actor_kind"] == "client" and row["client_id"] is None
    dump = " ".join(str(v) for r in events("link.limited") + events("link.open") for v in r.values())
    assert raw not in dump and "203.0.113.9" not in dump and "tab-1" not in dump
    # Past the window the same link opens again.
    assert links.open_link(raw, NOW + timedelta(minutes=11), limit_keys=keys).ok


def test_regression_the_suggested_reminder_times_read_of_distress_by_hour_is_audited(database, people):
    cid = people["client_clara"]
    with db.write() as conn:
        for i in range(3):
            conn.execute(insert(checkins).values(client_id=cid, idempotency_key=f"s{i:019d}",
                                                 local_date=(NOW - timedelta(days=i + 1)).date(),
                                                 submitted_at=NOW - timedelta(days=i + 1), mood=5, distress=8))
    reminders.suggestion(people["clara"], cid, now=NOW)
    (row,) = events("reminders.suggestion")
    assert (row["actor_label"], row["client_id"], row["detail"]) == ("clara", cid, "3 check-ins' distress and 0 skill uses by hour read")
    with pytest.raises(db.NotFound):
        reminders.suggestion(people["colin"], cid, now=NOW)
    assert len(events("reminders.suggestion")) == 1


@pytest.mark.parametrize("field,value", [
    ("title", "T" * (consent_rules.ITEM_TITLE_MAX + 1)), ("title", "   "),
    ("text", "x" * (consent_rules.ITEM_TEXT_MAX + 1)), ("text", ""),
])
def test_regression_publishing_a_checklist_applies_the_pages_length_rules(database, people, field, value):
    items = [dict(it) for it in consent_rules.DEFAULT_ITEMS]
    items[0][field] = value
    with pytest.raises(consent_templates.ChecklistRefused) as refused:
        consent_templates.publish(people["ada"], items, now=NOW)
    assert refused.value.errors == consent_rules.check_items(items) and f"{items[0]['key']}:{field}" in refused.value.errors
    assert "The checklist was not published" in str(refused.value)
    assert consent_templates.current(people["ada"], now=NOW)["version"] == 1  # nothing published
    items[0][field] = "A" * (consent_rules.ITEM_TITLE_MAX if field == "title" else consent_rules.ITEM_TEXT_MAX)
    assert consent_templates.publish(people["ada"], items, now=NOW) == 2  # the longest allowed is fine
