"""Consent rounds and their history, the consent gate on client links, and withdrawal.

A round is one pass through the checklist: the clinician records the discussion (draft), a link goes
to the client (awaiting client), the client confirms (active until renewal). Rows are never
rewritten: each transition fills its own column once, and `consent_events` (append-only) says who
did what. Withdrawal (`withdraw_in`) marks every round of the client, revokes all their links and
cancels their queued reminders, all in one transaction. Whether consent counts right now is
`db.consent_state` (below links, which need it).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Callable

from sqlalchemy import insert, select, update

import db
from core import consent as consent_rules
from core import email_headers, i18n
from db import audit, links, outbox
from db.actors import Actor
from db import clients as clients_mod
from db.clients import clients
from db.consent_state import active_clause, consents, is_active  # noqa: F401  (the consent state, re-exported)
from db.consent_templates import consent_templates, current_in, current_version, variant_in
from db import practices as practices_mod
from db.practices import practices
from db.tables import consent_events  # noqa: F401  (this module's tables, re-exported)


EVENT_LABELS = {
    "discussed": "Went through the checklist in session and checked the technology",
    "sent": "Emailed the consent link",
    "copied": "Made a consent link to copy",
    "superseded": "Replaced by a newer round",
    "confirmed": "Client confirmed every item",
    "withdrawn": "Withdrew from taking part",
}

def add_event(conn, client_id: int, consent_id: int | None, now: datetime, event: str, *, kind: str,
              label: str) -> None:
    """Append one history event (inside the caller's transaction). Never typed text, never a token."""
    conn.execute(insert(consent_events).values(client_id=client_id, consent_id=consent_id, at=now, event=event,
                                               actor_kind=kind, actor_label=label[:120]))


def _rounds(conn, client_ids) -> dict[int, list[dict]]:
    q = (select(consents, consent_templates.c.version)
         .join(consent_templates, consent_templates.c.id == consents.c.template_id)
         .where(db.one_of(conn, consents.c.client_id, client_ids)).order_by(consents.c.id.desc()))
    out: dict[int, list[dict]] = {}
    for r in conn.execute(q).mappings():
        out.setdefault(r["client_id"], []).append(dict(r))
    return out


def _practice_of(conn, client_id: int) -> int:
    return conn.execute(select(clients.c.practice_id).where(clients.c.id == client_id)).scalar_one()


def states_in(conn, actor: Actor, scoped_ids: list[int], *, now: datetime, notice_days: int, zone: str,
              version: int | None = None) -> dict[int, consent_rules.Status]:
    """Consent status per client for the caseload, inside the caller's transaction, for ids the caller
    has already scoped to `actor` (`zone`: the practice's, whose calendar days count; `version`: the
    practice's current checklist version, when the caller has already read it)."""
    version = version or current_version(conn, actor.practice_id)
    rounds = _rounds(conn, scoped_ids)
    return {i: consent_rules.status(rounds.get(i, []), now, current_version=version, notice_days=notice_days, zone=zone)
            for i in scoped_ids}


def overview(actor: Actor, client_id: int, *, now: datetime, notice_days: int) -> dict:
    """What the clinician sees for one client: status, the checklist, every round and every event."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        template = current_in(conn, actor.practice_id, now)
        p = conn.execute(select(practices.c.name, practices.c.crisis_resources, practices.c.timezone)
                         .where(practices.c.id == actor.practice_id)).one()
        shown = consent_rules.render_items(template["items"], practice=p.name, crisis=p.crisis_resources)
        rounds = _rounds(conn, [client_id]).get(client_id, [])
        events = [dict(r) for r in conn.execute(select(consent_events).where(consent_events.c.client_id == client_id)
                                                .order_by(consent_events.c.at.desc(), consent_events.c.id.desc()))
                  .mappings()]
        audit.record(conn, now=now, action="consent.view", actor=actor, client_id=client_id)
    st = consent_rules.status(rounds, now, current_version=template["version"], notice_days=notice_days, zone=p.timezone)
    return {"status": st, "template": {**template, "items": shown}, "rounds": rounds, "events": events}


def _open_round(conn, client_id: int):
    c = consents.c
    return conn.execute(select(consents).where(c.client_id == client_id, c.confirmed_at.is_(None),
                                               c.withdrawn_at.is_(None), c.superseded_at.is_(None))
                        .order_by(c.id.desc()).limit(1)).mappings().first()


def _record_discussion(conn, actor: Actor, client_id: int, form: dict, now: datetime) -> tuple[int | None, dict]:
    client = clients_mod.require(conn, actor, client_id)
    template = current_in(conn, actor.practice_id, now, client_language_in(conn, client))
    discussed = [str(k) for k in form.get("discussed", [])]
    errors = consent_rules.check_discussion([it["key"] for it in template["items"]], discussed,
                                    bool(form.get("tech_ok")), form.get("tech_note", ""))
    if errors:
        return None, errors
    old = _open_round(conn, client_id)
    if old is not None:
        conn.execute(update(consents).where(consents.c.id == old["id"]).values(superseded_at=now))
        add_event(conn, client_id, old["id"], now, "superseded", kind="clinician", label=actor.username)
    rid = conn.execute(insert(consents).values(
        client_id=client_id, template_id=template["id"], created_at=now, created_by=actor.username,
        discussed=json.dumps(discussed), tech_ok=True, tech_note=str(form.get("tech_note", "")).strip()
    )).inserted_primary_key[0]
    add_event(conn, client_id, rid, now, "discussed", kind="clinician", label=actor.username)
    audit.record(conn, now=now, action="consent.discuss", actor=actor, client_id=client_id,
                 detail=f"checklist version {template['version']}")
    return rid, {}


def record_discussion(actor: Actor, client_id: int, form: dict, *, now: datetime) -> tuple[int | None, dict]:
    """Save the in-session record as a draft (no link yet). Returns (round id, {field: message})."""
    with db.write() as conn:
        return _record_discussion(conn, actor, client_id, form, now)


def issue_link(actor: Actor, client_id: int, form: dict | None, *, now: datetime, ttl_days: dict,
               via: str = "email", deliver: Callable[[dict], object] | None = None) -> tuple[dict | None, dict]:
    """Record the discussion (when `form` is given, else use the open round) and make a consent link,
    replacing older consent links. Returns ({raw, email, sender_name, practice_name, language}, {}) or (None, errors);
    `practice_name` is None unless the practice chose to name itself inside emails.

    `via` "copy": the link is for the clinician to pass on ("copied"). `via` "email": `deliver(made)`
    hands the email to the backend, outside the transaction (a slow mail server must not hold the
    database); the round is marked sent, with its "sent" event, only after it returned. If it raises,
    the failure is recorded ("email.failed", no "sent") and the exception goes on to the caller."""
    if via == "email" and deliver is None:
        raise ValueError("issue_link(via='email') needs `deliver`: \"sent\" is recorded only after the email "
                         "was handed to the backend.")
    with db.write() as conn:
        if form is not None:
            rid, errors = _record_discussion(conn, actor, client_id, form, now)
            if errors:
                return None, errors
        else:
            clients_mod.require(conn, actor, client_id)
            row = _open_round(conn, client_id)
            if row is None:
                return None, {"discussed": "Please record the checklist discussion first."}
            rid = row["id"]
        links.revoke_all(conn, client_id, now, reason="replaced", purposes=("consent",))
        raw = links.issue(conn, client_id=client_id, purpose="consent", now=now, ttl_days=ttl_days)
        if via != "email":
            _mark_sent_in(conn, actor, client_id, rid, now, via)
        p = practices.c
        who = conn.execute(select(clients.c.email, p.name, p.email_sender_name, p.email_shows_practice_name,
                                  clients.c.language.label("client_language"), p.language.label("practice_language"))
                           .join(practices, p.id == clients.c.practice_id).where(clients.c.id == client_id)).one()
    sender_name, practice_name = email_headers.email_names(who.email_sender_name, who.name,
                                                           who.email_shows_practice_name)
    made = {"raw": raw, "email": who.email, "sender_name": sender_name, "practice_name": practice_name,
            "language": i18n.choose(who.client_language, who.practice_language)}
    if via == "email":
        links.deliver_audited(actor, client_id, made, deliver, now=now, what="consent link",
                              then=lambda conn: _mark_sent_in(conn, actor, client_id, rid, now, via))
    return made, {}


def _mark_sent_in(conn, actor: Actor, client_id: int, rid: int, now: datetime, via: str) -> None:
    """The round's link reached the client's hands (emailed) or the clinician's (copied)."""
    conn.execute(update(consents).where(consents.c.id == rid, consents.c.sent_at.is_(None)).values(sent_at=now))
    add_event(conn, client_id, rid, now, "sent" if via == "email" else "copied", kind="clinician",
              label=actor.username)
    audit.record(conn, now=now, action="consent.send" if via == "email" else "consent.copy", actor=actor,
                 client_id=client_id, detail="consent link")


def for_link(raw: object, now: datetime) -> dict:
    """What the client's consent page shows. Read-only: opening a link changes nothing.
    Returns {"state": "open" | "confirmed" | "none" | "withdrawn" | "invalid", ...}."""
    with db.read() as conn:
        res = links.resolve_in(conn, raw, now, purpose="consent")
        if res.status == "withdrawn":  # e.g. stopped in another tab since this page was opened
            return {"state": "withdrawn"}
        if not res.ok:
            return {"state": "invalid"}
        p = conn.execute(select(practices.c.name, practices.c.crisis_resources)
                         .where(practices.c.id == res.practice_id)).one()
        base = {"practice_name": p.name, "crisis": p.crisis_resources}
        row = _open_round(conn, res.client_id)
        if row is None:
            return {**base, "state": "confirmed" if is_active(conn, res.client_id, now) else "none"}
        template = conn.execute(select(consent_templates).where(consent_templates.c.id == row["template_id"])).one()
        checklist, language = _in_language(conn, template, res.practice_id, res.language)
        items = consent_rules.render_items(checklist, practice=p.name, crisis=p.crisis_resources)
        return {**base, "state": "open", "items": items, "version": template.version, "language": language}


def _in_language(conn, template, practice_id: int, language: str) -> tuple[list[dict], str]:
    """(checklist, its language): the round's version in the client's language when it is stored or is the
    default one (read-only: `confirm` stores it), else as the round has it."""
    if template.language != language:
        t = consent_templates
        stored = conn.execute(select(t.c.checklist).where(t.c.practice_id == practice_id, t.c.language == language,
                                                          t.c.version == template.version)).scalar()
        if stored is not None:
            return json.loads(stored), language
        if template.created_by == "default" and (items := consent_rules.default_items(language)):
            return items, language
    return json.loads(template.checklist), template.language


def confirm(raw: object, confirmed: list[str], name: str, *, now: datetime, renewal_days: int,
            grace_days: int) -> tuple[str, dict[str, str]]:
    """The client's submit. Returns ("confirmed" | "already" | "invalid", {field: message})."""
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now, purpose="consent")  # again: it may have been revoked meanwhile
        if not res.ok:
            return "invalid", {}
        # The version the client read is the one recorded: in their language (stored now if it is the default).
        follow_language_in(conn, res.client_id, res.practice_id, res.language, now)
        row = _open_round(conn, res.client_id)
        if row is None:  # a double submit, or a second tab
            return ("already" if is_active(conn, res.client_id, now) else "invalid"), {}
        template = conn.execute(select(consent_templates.c.checklist).where(consent_templates.c.id == row["template_id"])).scalar_one()
        keys = [it["key"] for it in json.loads(template)]
        clean, errors = consent_rules.check_confirmation(keys, [str(k) for k in confirmed], name)
        if errors:
            return "open", errors
        # The practice's own renewal period wins over the deployment default passed in.
        renewal_days = practices_mod.renewal_days(conn, res.practice_id, renewal_days)
        renews_at, expires_at = consent_rules.dates_after_confirm(now, renewal_days=renewal_days, grace_days=grace_days)
        done = conn.execute(update(consents).where(consents.c.id == row["id"], consents.c.confirmed_at.is_(None))
                            .values(confirmed_at=now, confirmed_name=clean, confirmed_items=json.dumps(keys),
                                    renews_at=renews_at, expires_at=expires_at)).rowcount
        if not done:
            return "already", {}
        add_event(conn, res.client_id, row["id"], now, "confirmed", kind="client", label="client")
        audit.record(conn, now=now, action="consent.confirm", actor_kind="client", actor_id=res.client_id,
                     actor_label="client", practice_id=res.practice_id, client_id=res.client_id)
    return "confirmed", {}


def client_language_in(conn, client: dict) -> str:
    """The language the client reads (core.i18n.choose: theirs, else the practice's)."""
    practice = conn.execute(select(practices.c.language).where(practices.c.id == client["practice_id"])).scalar()
    return i18n.choose(client.get("language"), practice)


def follow_language_in(conn, client_id: int, practice_id: int, language: str, now: datetime) -> None:
    """A round still awaiting the client points at the same checklist version in `language` when it exists
    (or is the default, core.consent.default_items, stored now); the version does not change."""
    row = _open_round(conn, client_id)
    if row is None:
        return
    shown = conn.execute(select(consent_templates).where(consent_templates.c.id == row["template_id"])).one()
    template = {"version": shown.version, "created_by": shown.created_by}
    if language != shown.language and (variant := variant_in(conn, practice_id, template, language, now)):
        conn.execute(update(consents).where(consents.c.id == row["id"]).values(template_id=variant["id"]))


def withdraw_in(conn, client_id: int, now: datetime, *, kind: str, label: str, practice_id: int,
                actor: Actor | None = None) -> None:
    """Everything withdrawal does, inside the caller's transaction, so it happens whole or not at all:
    every round marked withdrawn, every link revoked, every reminder not yet handed to a backend
    cancelled, one history event and one audit row."""
    c = consents.c
    marked = conn.execute(update(consents).where(c.client_id == client_id, c.withdrawn_at.is_(None))
                          .values(withdrawn_at=now, withdrawn_by=label[:120])).rowcount
    if not marked:  # nothing to mark: keep a round so the state reads "withdrawn"
        template = current_in(conn, practice_id, now)
        conn.execute(insert(consents).values(client_id=client_id, template_id=template["id"], created_at=now,
                                             created_by=label[:120], withdrawn_at=now, withdrawn_by=label[:120]))
    newest = conn.execute(select(c.id).where(c.client_id == client_id).order_by(c.id.desc()).limit(1)).scalar()
    add_event(conn, client_id, newest, now, "withdrawn", kind=kind, label=label)
    n = links.revoke_all(conn, client_id, now, reason="withdrawn")
    outbox.cancel_client(conn, client_id, now, reason="consent withdrawn")
    if actor is not None:
        audit.record(conn, now=now, action="consent.withdraw", actor=actor, client_id=client_id,
                     detail=f"recorded by clinician; {n} links revoked")
    else:
        audit.record(conn, now=now, action="consent.withdraw", actor_kind="client", actor_id=client_id,
                     actor_label="client", practice_id=practice_id, client_id=client_id,
                     detail=f"from a client link; {n} links revoked")


def withdraw_by_link(raw: object, now: datetime) -> str:
    """"Stop taking part" from any of the client's links. Returns "withdrawn", "already" or "invalid"."""
    with db.write() as conn:
        res = links.resolve_in(conn, raw, now)
        if res.status == "withdrawn":
            return "already"
        if not res.ok:
            return "invalid"
        withdraw_in(conn, res.client_id, now, kind="client", label="client", practice_id=res.practice_id)
    return "withdrawn"


def withdraw_for(actor: Actor, client_id: int, *, now: datetime) -> None:
    """The clinician records that the client has withdrawn (e.g. said so in session)."""
    with db.write() as conn:
        clients_mod.require(conn, actor, client_id)
        withdraw_in(conn, client_id, now, kind="clinician", label=actor.username, practice_id=_practice_of(conn, client_id),
                    actor=actor)
