"""Consent checklist templates: versioned per practice, never edited (a change is a new version)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, insert, select

import db
from core import checkups as checkup_rules, consent as consent_rules, i18n
from db import audit
from db.actors import Actor
from db.tables import consent_templates  # noqa: F401  (this module's tables, re-exported)


def _as_dict(row) -> dict:
    return {"id": row.id, "version": row.version, "items": json.loads(row.checklist), "created_at": row.created_at,
            "language": row.language, "created_by": row.created_by}


def _newest(conn, practice_id: int, language: str):
    t = consent_templates
    return conn.execute(select(t).where(t.c.practice_id == practice_id, t.c.language == language)
                        .order_by(t.c.version.desc()).limit(1)).first()


def current_in(conn, practice_id: int, now: datetime, language: str = i18n.SOURCE) -> dict:
    """The practice's newest checklist version, in `language` when that version exists in it; the first
    call stores the default as version 1. The default checklist in an offered language (its catalog's
    translation, core.consent.default_items) is stored as that language's version on first use; a
    version the practice wrote itself exists in English only, until it is published in another."""
    row = _newest(conn, practice_id, i18n.SOURCE)
    if row is None:
        conn.execute(insert(consent_templates).values(practice_id=practice_id, version=1, created_at=now,
                                                      created_by="default", checklist=json.dumps(consent_rules.DEFAULT_ITEMS)))
        return current_in(conn, practice_id, now, language)
    if language == i18n.SOURCE or not i18n.is_offered(language):
        return _as_dict(row)
    return variant_in(conn, practice_id, _as_dict(row), language, now) or _as_dict(row)


def variant_in(conn, practice_id: int, template: dict, language: str, now: datetime) -> dict | None:
    """`template`'s version in `language`: stored, or stored now when the version is the default one and
    the language's catalog translates it; None otherwise."""
    t = consent_templates
    found = conn.execute(select(t).where(t.c.practice_id == practice_id, t.c.version == template["version"],
                                         t.c.language == language)).first()
    if found is not None:
        return _as_dict(found)
    items = consent_rules.default_items(language)
    if template["created_by"] != "default" or items is None:
        return None
    conn.execute(insert(t).values(practice_id=practice_id, version=template["version"], created_at=now,
                                  created_by="default", checklist=json.dumps(items), language=language))
    return variant_in(conn, practice_id, template, language, now)


def current_version(conn, practice_id: int) -> int:
    """Read-only: 1 when the default has not been stored yet."""
    return conn.execute(select(func.max(consent_templates.c.version))
                        .where(consent_templates.c.practice_id == practice_id)).scalar() or 1


def by_id(conn, template_id: int) -> dict:
    return _as_dict(conn.execute(select(consent_templates).where(consent_templates.c.id == template_id)).one())


def current(actor: Actor, *, now: datetime) -> dict:
    """The admin's view of their practice's current checklist."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change the consent checklist.")
    with db.write() as conn:
        return current_in(conn, actor.practice_id, now)


class ChecklistRefused(ValueError):
    """The wording breaks a rule of core.consent.check_items; nothing was published."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("The checklist was not published: " + " ".join(
            f"{field.replace(':', ' ')}: {message}" for field, message in errors.items()))


def publish(actor: Actor, items: list[dict], *, now: datetime) -> int:
    """An admin publishes a new checklist version; every client is asked to confirm it."""
    if not actor.is_admin:
        raise db.Forbidden("Only a practice admin can change the consent checklist.")
    keys = [str(it.get("key", "")).strip() for it in items]
    if not items or any(not k for k in keys) or len(set(keys)) != len(keys):
        raise ValueError("each checklist item needs its own key")
    errors = consent_rules.check_items(items)
    statements = {}
    for k, it in zip(keys, items):  # a version may bring its own check-up statements (core.checkups)
        statements[k], problem = checkup_rules.clean_statements(it)
        if problem:
            errors[f"{k}:statements"] = problem
    if errors:
        raise ChecklistRefused(errors)
    with db.write() as conn:
        version = current_in(conn, actor.practice_id, now)["version"] + 1  # the English row is always there
        conn.execute(insert(consent_templates).values(
            practice_id=actor.practice_id, version=version, created_at=now, created_by=actor.username,
            checklist=json.dumps([{"key": k, "title": str(it.get("title", "")), "text": str(it.get("text", "")),
                                   **({"statements": statements[k]} if statements[k] else {})}
                                  for k, it in zip(keys, items)])))
        audit.record(conn, now=now, action="consent.template", actor=actor, detail=f"version {version}")
    return version
