"""Consent check-ups: the client answers a few true/false statements and two scales through a
`checkup` link; the clinician reads them on the Consent page and the caseload.

A `checkup` link works only while the client's consent counts (links.reachable), and a submit
re-checks it inside its own transaction, so nothing is saved after withdrawal. Each submit is one
immutable row (UPDATE refused by a trigger) plus its answers, inserted under the form's idempotency
key: a double tap or a second tab saves once. Audit rows never hold what was answered.
The rules (statements, due dates, attention) are in core/checkups.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import func, insert, select

import db
from core import checkups as rules, email_headers, i18n
from db import audit, links
from db.actors import Actor
from db import clients as clients_mod
from db.consent_state import consents
from db.tables import (clients, consent_checkup_answers, consent_checkup_requests, consent_checkups,  # noqa: F401
                       consent_templates, practices)

HISTORY_LIMIT = 24  # check-ups shown on the Consent page: two years at the default interval


@dataclass
class Result:
    status: str  # "saved", "already" (this form was saved before), "errors", "invalid" (link or consent)
    errors: dict = field(default_factory=dict)
    checkup: dict | None = None  # what was saved: {"answers": [...], "change", ...} for the thank-you page


def _counted_in(conn, client_id: int, now: datetime):
    """The consent round that counts now (confirmed, not withdrawn, not expired) with its checklist."""
    c = consents.c
    return conn.execute(
        select(c.id, c.confirmed_at, c.renews_at, consent_templates.c.version, consent_templates.c.checklist)
        .join(consent_templates, consent_templates.c.id == c.template_id)
        .where(c.client_id == client_id, c.confirmed_at.is_not(None), c.withdrawn_at.is_(None), c.expires_at > now)
        .order_by(c.confirmed_at.desc(), c.id.desc()).limit(1)).first()


def _answers_in(conn, checkup_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    if not checkup_ids:
        return out
    a = consent_checkup_answers
    for r in conn.execute(select(a).where(a.c.checkup_id.in_(checkup_ids)).order_by(a.c.checkup_id, a.c.position)
                          ).mappings():
        out.setdefault(r["checkup_id"], []).append({"key": r["statement_key"], "text": r["statement_text"],
                                                    "answer": r["answer"], "correct": r["correct"]})
    return out


def _recent_in(conn, client_id: int, limit: int) -> list[dict]:
    k = consent_checkups
    rows = [dict(r) for r in conn.execute(select(k).where(k.c.client_id == client_id)
                                          .order_by(k.c.submitted_at.desc(), k.c.id.desc()).limit(limit)).mappings()]
    answers = _answers_in(conn, [r["id"] for r in rows])
    for r in rows:
        r["at"] = r["submitted_at"]
        r["answers"] = answers.get(r["id"], [])
    for newer, older in zip(rows, rows[1:]):
        newer["previous_comfort"] = older["comfort"]
    return rows


def dues_in(conn, now: datetime, *, default_weeks: int, client_ids: list[int] | None = None,
            active_only: bool = False) -> dict[int, tuple[rules.Due | None, datetime | None]]:
    """Per client whose consent counts (`client_ids`, or every client): (when the next check-up falls
    due, the newest request of any kind). Four queries whatever the number of clients."""
    def scoped(q, column):
        return q if client_ids is None else q.where(column.in_(client_ids))
    c, k, r = consents.c, consent_checkups.c, consent_checkup_requests.c
    people = scoped(select(clients.c.id, practices.c.consent_checkup_weeks)
                    .join(practices, practices.c.id == clients.c.practice_id), clients.c.id)
    if active_only:
        people = people.where(clients.c.status == "active")
    weeks = {cid: int(w) if w else default_weeks for cid, w in conn.execute(people)}
    counted = {}
    for cid, confirmed_at, renews_at in conn.execute(scoped(
            select(c.client_id, c.confirmed_at, c.renews_at).where(
                c.confirmed_at.is_not(None), c.withdrawn_at.is_(None), c.expires_at > now)
            .order_by(c.confirmed_at, c.id), c.client_id)):
        counted[cid] = (confirmed_at, renews_at)  # the newest confirmation wins
    last = dict(conn.execute(scoped(select(k.client_id, func.max(k.submitted_at)).group_by(k.client_id),
                                    k.client_id)).all())
    asked: dict[int, datetime] = {}
    by_clinician: dict[int, datetime] = {}
    for cid, reason, at in conn.execute(scoped(select(r.client_id, r.reason, func.max(r.requested_at))
                                               .group_by(r.client_id, r.reason), r.client_id)):
        asked[cid] = max(at, asked.get(cid, at))
        if reason == "clinician":
            by_clinician[cid] = at
    out = {}
    for cid, (confirmed_at, renews_at) in counted.items():
        if cid not in weeks:
            continue
        out[cid] = (rules.next_due(confirmed_at=confirmed_at, renews_at=renews_at, last_at=last.get(cid),
                                   requested_at=by_clinician.get(cid), weeks=weeks[cid]), asked.get(cid))
    return out


def due_in(conn, client_id: int, now: datetime, *, default_weeks: int) -> rules.Due | None:
    """When this client's next check-up falls due (None without consent that counts)."""
    return dues_in(conn, now, default_weeks=default_weeks, client_ids=[client_id]).get(client_id, (None, None))[0]


def _page_in(conn, res: links.Resolution, now: datetime) -> dict | None:
    """What the check-up page asks: the counted round's statements (real-time first), chosen by how
    many check-ups came before and what was wrong last time."""
    counted = _counted_in(conn, res.client_id, now)
    if counted is None:
        return None
    recent = _recent_in(conn, res.client_id, 1)
    seq = conn.execute(select(func.count()).select_from(consent_checkups)
                       .where(consent_checkups.c.client_id == res.client_id)).scalar_one()
    wrong = {a["key"] for a in recent[0]["answers"] if not a["correct"]} if recent else set()
    pool = rules.statements_for(json.loads(counted.checklist))
    p = conn.execute(select(practices.c.name, practices.c.crisis_resources)
                     .where(practices.c.id == res.practice_id)).one()
    return {"consent_id": counted.id, "version": counted.version, "key": f"link{res.link_id}",
            "asked": rules.select(pool, previously_wrong=wrong, seq=seq), "pool": {s["key"]: s for s in pool},
            "practice_name": p.name,
            "crisis_resources": p.crisis_resources, "client_id": res.client_id}


def _saved_in(conn, client_id: int, key: str) -> dict | None:
    k = consent_checkups
    row = conn.execute(select(k).where(k.c.client_id == client_id, k.c.idempotency_key == key)).mappings().first()
    if row is None:
        return None
    return {**dict(row), "at": row["submitted_at"], "answers": _answers_in(conn, [row["id"]]).get(row["id"], [])}


def for_link(raw: object, now: datetime) -> dict:
    """What the client's check-up page shows. Read-only. {"state": "open" | "already" | "invalid" |
    "withdrawn", ...}; "already": this link's check-up was answered (it is shown with its corrections)."""
    with db.read() as conn:
        res = links.resolve_in(conn, raw, now, purpose="checkup")
        if res.status == "withdrawn":
            return {"state": "withdrawn"}
        if not res.ok:
            return {"state": "invalid"}
        page = _page_in(conn, res, now)
        if page is None:
            return {"state": "invalid"}
        saved = _saved_in(conn, res.client_id, page["key"])
    return {**page, "state": "already" if saved else "open", "saved": saved}


def submit(raw: object, form: dict, *, now: datetime) -> Result:
    """Validate and store one check-up, only through a working link while consent counts (both checked
    inside this transaction). A second submit with the same key saves nothing and returns the first."""
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now, purpose="checkup")
        if not res.ok:
            return Result("invalid")
        page = _page_in(conn, res, now)
        if page is None:
            return Result("invalid")
        # The page's own key: a second tab or a double tap of the same link's form saves once.
        form = {**form, "idempotency_key": page["key"]}
        saved = _saved_in(conn, res.client_id, page["key"])
        if saved is not None:
            return Result("already", checkup=saved)
        clean, errors = rules.validate(form, page["asked"])
        if errors:
            return Result("errors", errors=errors)
        answers = [{"key": s["key"], "text": s["text"][:300], "answer": clean["answers"][s["key"]],
                    "correct": not rules.is_wrong(s, clean["answers"][s["key"]])} for s in page["asked"]]
        checkup_id = db.insert_once(conn, consent_checkups, dict(
            client_id=res.client_id, consent_id=page["consent_id"], template_version=page["version"],
            scales_version=rules.SCALES_VERSION, idempotency_key=clean["idempotency_key"], submitted_at=now,
            usefulness=clean["usefulness"], comfort=clean["comfort"],
            misconceptions=sum(not a["correct"] for a in answers), change=clean["change"], note=clean["note"]),
            ["client_id", "idempotency_key"])
        if checkup_id is None:  # another request with this key committed first
            return Result("already", checkup=_saved_in(conn, res.client_id, clean["idempotency_key"]))
        conn.execute(insert(consent_checkup_answers).values([
            {"checkup_id": checkup_id, "position": i, "statement_key": a["key"], "statement_text": a["text"],
             "answer": a["answer"], "correct": a["correct"]} for i, a in enumerate(answers)]))
        audit.record(conn, now=now, action="checkup.submit", actor_kind="client", actor_id=res.client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=res.client_id,
                     detail=f"check-up {checkup_id}")
    return Result("saved", checkup={"id": checkup_id, "at": now, "answers": answers, "change": clean["change"],
                                    "comfort": clean["comfort"], "usefulness": clean["usefulness"]})


def offer_by_link(raw: object, *, now: datetime, ttl_days: dict, default_weeks: int) -> str | None:
    """After a check-in: when a check-up is due, a fresh `checkup` link (its raw token, for the page to
    keep in the check-up cookie) so the confirmation can offer it; else None."""
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now, purpose="checkin")
        if not res.ok or not rules.is_due(due_in(conn, res.client_id, now, default_weeks=default_weeks), now):
            return None
        return links.issue(conn, client_id=res.client_id, purpose="checkup", now=now, ttl_days=ttl_days)


def history(actor: Actor, client_id: int, *, now: datetime, default_weeks: int) -> dict:
    """The Consent page's check-ups: the newest first with answers (bounded), when the next is due,
    and the suggested talking points of the newest. Scoped and audited (never with content)."""
    with db.write() as conn:
        client = clients_mod.require(conn, actor, client_id)
        rows = _recent_in(conn, client_id, HISTORY_LIMIT)
        due = due_in(conn, client_id, now, default_weeks=default_weeks)
        zone = conn.execute(select(practices.c.timezone).where(practices.c.id == client["practice_id"])).scalar_one()
        audit.record(conn, now=now, action="checkup.read", actor=actor, client_id=client_id,
                     detail=f"{len(rows)} check-ups shown")
    return {"checkups": rows, "due": due, "zone": zone, "points": rules.talking_points(rows[0]) if rows else []}


def latest_in(conn, client_ids: list[int]) -> dict[int, dict]:
    """Per client (already scoped by the caller): the newest check-up with its answers and the comfort
    of the one before, the newest clinician request (`requested_at`, which moves the due date) and the
    newest request of any kind (`asked_at`, from which "overdue" counts). Three queries whatever the count."""
    if not client_ids:
        return {}
    k = consent_checkups
    ranked = select(k, func.row_number().over(partition_by=k.c.client_id,
                                              order_by=(k.c.submitted_at.desc(), k.c.id.desc())).label("rn")
                    ).where(db.one_of(conn, k.c.client_id, client_ids)).subquery()
    rows = [dict(r) for r in conn.execute(select(ranked).where(ranked.c.rn <= 2)).mappings()]
    newest = {r["client_id"]: r for r in rows if r["rn"] == 1}
    answers = _answers_in(conn, [r["id"] for r in newest.values()])
    for r in rows:
        if r["rn"] == 2 and r["client_id"] in newest:
            newest[r["client_id"]]["previous_comfort"] = r["comfort"]
    r = consent_checkup_requests
    asked, by_clinician = {}, {}
    for cid, reason, at in conn.execute(select(r.c.client_id, r.c.reason, func.max(r.c.requested_at))
                                        .where(db.one_of(conn, r.c.client_id, client_ids)).group_by(r.c.client_id, r.c.reason)):
        asked[cid] = max(at, asked.get(cid, at))
        if reason == "clinician":
            by_clinician[cid] = at
    out = {}
    for cid in client_ids:
        latest = newest.get(cid)
        if latest is not None:
            latest = {**latest, "at": latest["submitted_at"], "answers": answers.get(latest["id"], [])}
        out[cid] = {"latest": latest, "requested_at": by_clinician.get(cid), "asked_at": asked.get(cid)}
    return out


def request(actor: Actor, client_id: int, *, now: datetime, ttl_days: dict,
            deliver: Callable[[dict], object] | None) -> dict:
    """The clinician asks for a check-up now: a request row (the due date moves to now), a `checkup`
    link, and, when `deliver` is given, the email (outside the transaction). Returns {raw, email,
    sender_name, practice_name}. Refused (ValueError) when the client's consent does not count."""
    with db.write() as conn:
        client = clients_mod.require(conn, actor, client_id)
        if _counted_in(conn, client_id, now) is None:
            raise ValueError("A check-up needs consent that counts: the client has not confirmed consent, or it "
                             "has expired or been withdrawn.")
        db.insert_once(conn, consent_checkup_requests, dict(  # a second click in the same instant: one request
            client_id=client_id, requested_at=now, reason="clinician", requested_by=actor.username[:120],
            due_key=f"clinician-{now.isoformat()}"[:64]), ["client_id", "due_key"])
        raw = links.issue(conn, client_id=client_id, purpose="checkup", now=now, ttl_days=ttl_days)
        audit.record(conn, now=now, action="checkup.request", actor=actor, client_id=client_id, detail="check-up link")
        p = conn.execute(select(practices.c.name, practices.c.email_sender_name, practices.c.email_shows_practice_name,
                                practices.c.language).where(practices.c.id == client["practice_id"])).one()
    sender_name, practice_name = email_headers.email_names(p.email_sender_name, p.name, p.email_shows_practice_name)
    made = {"raw": raw, "email": client["email"], "sender_name": sender_name, "practice_name": practice_name,
            "language": i18n.choose(client.get("language"), p.language)}
    if deliver is not None:
        links.deliver_audited(actor, client_id, made, deliver, now=now, what="check-up link")
    return made


def claim_due(now: datetime, *, default_weeks: int, ttl_days: dict, limit: int = 100) -> list[dict]:
    """The worker's part: for each active client whose check-up fell due and was not asked for yet, claim
    it (a request row under the unique (client, due key): another worker's claim wins) and make a link.
    Returns [{client_id, raw, email, sender_name, practice_name}] to email after the commit."""
    out = []
    with db.write() as conn:
        dues = dues_in(conn, now, default_weeks=default_weeks, active_only=True)
        # Due by the schedule or at renewal, and not asked for since it fell due (the clinician's own
        # request emailed its link already).
        wanted = sorted(cid for cid, (due, asked_at) in dues.items() if rules.is_due(due, now)
                        and due.reason != "clinician" and (asked_at is None or asked_at < due.at))[:limit]
        if not wanted:
            return out
        who = {row.id: row for row in conn.execute(
            select(clients.c.id, clients.c.practice_id, clients.c.email, clients.c.language, practices.c.name,
                   practices.c.email_sender_name, practices.c.email_shows_practice_name,
                   practices.c.language.label("practice_language"))
            .join(practices, practices.c.id == clients.c.practice_id).where(clients.c.id.in_(wanted)))}
        for cid in wanted:
            due, c = dues[cid][0], who[cid]
            claimed = db.insert_once(conn, consent_checkup_requests, dict(
                client_id=cid, requested_at=now, reason=due.reason, requested_by="worker",
                due_key=f"{due.reason}-{due.at.isoformat()}"[:64]), ["client_id", "due_key"])
            if claimed is None:  # another worker claimed this due date first
                continue
            raw = links.issue(conn, client_id=cid, purpose="checkup", now=now, ttl_days=ttl_days)
            audit.record(conn, now=now, action="checkup.due", actor_kind="system", actor_label="worker",
                         practice_id=c.practice_id, client_id=cid, detail=f"check-up link ({due.reason})")
            sender_name, practice_name = email_headers.email_names(c.email_sender_name, c.name,
                                                                   c.email_shows_practice_name)
            out.append({"client_id": cid, "practice_id": c.practice_id, "raw": raw, "email": c.email,
                        "sender_name": sender_name, "practice_name": practice_name,
                        "language": i18n.choose(c.language, c.practice_language)})
    return out


def record_sent(client_id: int, practice_id: int, now: datetime, *, ok: bool) -> None:
    with db.write() as conn:
        audit.record(conn, now=now, action="email.sent" if ok else "email.failed", actor_kind="system",
                     actor_label="worker", practice_id=practice_id, client_id=client_id, detail="check-up link")

