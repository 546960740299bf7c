"""Demo consent check-ups: Casey's check-up caught the real-time misconception (the caseload suggests
talking about it), Jordan's comfort fell from 5 to 4 to 2 over three check-ups, and the others who
consented long enough ago had a calm one recently (so the worker's first pass after `make run` sends
no burst of check-up emails)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from core import checkups as rules
from db.tables import consent_checkup_answers, consent_checkups, consent_templates, consents


def record_checkup_in(conn, client_id: int, *, at: datetime, wrong: set[str] = frozenset(), usefulness: int = 4,
                      comfort: int = 4, note: str = "", change: str | None = None, seq: int = 0) -> int:
    """A check-up as the client would have answered it at `at` (the round that counted then, its
    statements), inside the caller's transaction. `wrong`: statement keys answered wrongly."""
    c = consents.c
    rnd = conn.execute(select(c.id, consent_templates.c.version, consent_templates.c.checklist)
                       .join(consent_templates, consent_templates.c.id == c.template_id)
                       .where(c.client_id == client_id, c.confirmed_at <= at).order_by(c.confirmed_at.desc())
                       .limit(1)).one()
    asked = rules.select(rules.statements_for(json.loads(rnd.checklist)), previously_wrong=set(), seq=seq)
    answers = [(s, {"true": "false", "false": "true"}[s["answer"]] if s["key"] in wrong else s["answer"])
               for s in asked]
    kid = conn.execute(insert(consent_checkups).values(
        client_id=client_id, consent_id=rnd.id, template_version=rnd.version, scales_version=rules.SCALES_VERSION,
        idempotency_key=f"demo-{at.isoformat()}"[:64], submitted_at=at, usefulness=usefulness, comfort=comfort,
        misconceptions=sum(s["key"] in wrong for s in asked), change=change, note=note)).inserted_primary_key[0]
    conn.execute(insert(consent_checkup_answers).values([
        {"checkup_id": kid, "position": i, "statement_key": s["key"], "statement_text": s["text"], "answer": a,
         "correct": s["key"] not in wrong} for i, (s, a) in enumerate(answers)]))
    return kid


def step(conn, ids: dict, now: datetime, rng) -> None:
    casey, jordan = ids["clients"]["Casey M."], ids["clients"]["Jordan P."]
    record_checkup_in(conn, casey, at=now - timedelta(days=3, hours=2), wrong={rules.REALTIME}, usefulness=4,
                      comfort=4, note="I thought Maya would see my check-ins straight away.")
    for seq, (days, comfort) in enumerate(((58, 5), (30, 4), (2, 2))):
        record_checkup_in(conn, jordan, at=now - timedelta(days=days, hours=1), usefulness=4, comfort=comfort, seq=seq,
                          note="It feels a bit much lately." if comfort == 2 else "")
    for name, days in (("Riley T.", 9), ("Morgan L.", 16)):
        record_checkup_in(conn, ids["clients"][name], at=now - timedelta(days=days, hours=3), usefulness=5, comfort=5)
