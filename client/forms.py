"""From a POSTed form to the arguments `db/` functions take, and back to the fields a page redraws.
A mapping only: which answers are valid is decided in `core/` (checkins.validate, measures,
consent.check_confirmation), inside the transaction that saves them."""
from __future__ import annotations

import re

from starlette.datastructures import FormData

_STEP_FIELD = re.compile(r"^(status|reason|label)_(\d{1,12})$")
_PERSONAL_FIELD = re.compile(r"^pi_(\d{1,12})$")  # a personal item's answer, by its version (core.personal_items)
_ANCHOR_UNSAFE = re.compile(r"[^a-z0-9-]+")


def anchor(field: str) -> str:
    """The element id of a field named in an error ("step:12:reason" -> "f-step-12-reason")."""
    return "f-" + _ANCHOR_UNSAFE.sub("-", field.lower()).strip("-")


def kept(form: FormData | None) -> dict[str, str]:
    """What the person typed or chose, to draw the form again exactly as it was sent."""
    if form is None:
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str)}


def checkin(form: FormData) -> dict:
    steps: dict[str, dict] = {}
    for name, value in form.items():
        m = _STEP_FIELD.match(name)
        if m and isinstance(value, str):
            steps.setdefault(m.group(2), {})[m.group(1)] = value
    personal = {m.group(1): value for name, value in form.items()
                if (m := _PERSONAL_FIELD.match(name)) and isinstance(value, str)}
    corrects = form.get("corrects") or None
    if isinstance(corrects, str) and corrects.isdigit():
        corrects = int(corrects)
    return {"local_date": form.get("local_date", ""), "steps": steps, "mood": form.get("mood"),
            "distress": form.get("distress"), "thought": form.get("thought", ""),
            "context_where": form.get("context_where", ""), "context_with": form.get("context_with", ""),
            "idempotency_key": form.get("idempotency_key", ""), "corrects": corrects,
            "personal": personal}


def answers(form: FormData, n: int) -> list:
    return [form.get(f"item_{i}") for i in range(n)]


def consent_values(form: FormData | None) -> dict:
    if form is None:
        return {"items": [], "name": ""}
    return {"items": [v for v in form.getlist("item") if isinstance(v, str)], "name": str(form.get("name", ""))}


def skill_state(key: str, started: int, before: int | None, struggling: bool) -> str:
    """A skill use's state between its screens (sealed by client.session.seal before it leaves)."""
    return f"{key}.{started}.{'' if before is None else before}.{'1' if struggling else '0'}"


def skill_form(state: str | None, form: FormData | None) -> dict | None:
    """The fields db.skill_uses.record takes, from the unsealed state and the "after" form; None when the
    state is not one we wrote."""
    parts = (state or "").split(".")
    if len(parts) != 4:
        return None
    key, started, before, struggling = parts
    form = form or FormData()
    return {"idempotency_key": key, "started": started, "before": before, "struggling": struggling,
            "after": form.get("after", ""), "helped": form.get("helped")}
