"""Every download that carries client data is recorded as an export (issue 12, fault 8): the printable
session summary (up to ten recent thoughts) like the CSV, and the coping card's calendar file; the
practice's templates too. One audit row per download, with who, which client and what kind."""
from datetime import date, timedelta

from sqlalchemy import insert, select

import db
from core import templates as core_templates
from db import audit, client_view, links, plans, templates
from db.checkins import checkins
from tests.conftest import NOW, make_reachable

BREATHING = core_templates.by_key(core_templates.BUILT_IN)["breathing"]["step"]


def exports() -> list[dict]:
    e = audit.audit_events
    with db.read() as conn:
        return [dict(r) for r in conn.execute(
            select(e.c.action, e.c.actor_kind, e.c.actor_label, e.c.client_id, e.c.detail)
            .where(e.c.action.in_(audit.EXPORTS)).order_by(e.c.id)).mappings()]


def test_regression_the_printable_session_summary_is_recorded_as_an_export(database, people):
    cid = people["client_clara"]
    with db.write() as conn:
        conn.execute(insert(checkins).values(client_id=cid, idempotency_key="k" * 20, local_date=date(2026, 11, 27),
                                             submitted_at=NOW - timedelta(days=1), mood=4, distress=6,
                                             thought="I kept thinking about the meeting"))
    html = client_view.session_summary(people["clara"], cid, now=NOW)
    assert "I kept thinking about the meeting" in html
    assert exports() == [{"action": "summary.export", "actor_kind": "clinician", "actor_label": "clara",
                          "client_id": cid, "detail": "session summary of 2026-11-15 to 2026-11-28 (HTML)"}]


def test_the_coping_cards_calendar_file_and_the_template_export_are_recorded(database, people):
    cid = people["client_clara"]
    make_reachable(cid, NOW - timedelta(days=1))
    _, errors = plans.create_plan(people["clara"], cid, goal="Calmer mornings", steps=[BREATHING], now=NOW)
    assert errors == {}
    raw = links.issue_for(people["clara"], cid, "card", now=NOW, ttl_days={"card": 7})
    assert b"BEGIN:VCALENDAR" in plans.card_calendar(raw, now=NOW)
    assert plans.card_calendar("not-a-token", now=NOW) is None
    assert templates.export_json(people["clara"], now=NOW).startswith(("[", "{"))
    assert [(r["action"], r["actor_kind"], r["client_id"]) for r in exports()] == [
        ("card.export", "client", cid), ("template.export", "clinician", None)]
