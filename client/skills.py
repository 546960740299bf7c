""""Use a skill now": the coping card's guided skill pages, one screen at a time, without JavaScript.

choose (GET /c/card/skill) → before (GET shows, POST rates or skips; a rating at or above the safety
threshold raises the flag there and the first guided screen shows crisis resources first) → guided
screens (GET links: the step's own instruction, a paced breathing guide, or 5-4-3-2-1 grounding one
sense per screen) → after (GET shows, POST saves the one skill-use record) → done.

The use's idempotency key, start time and "before" rating travel between screens sealed to the link
session (client.session.seal); only the final POST stores anything (db.skill_uses.record), and the
link and consent are re-checked there. Handlers map fields and render; the rules are in core/db.
"""
from __future__ import annotations

import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from client import forms, session
from client.web import _expired, _visit, problem, render, struggling
from core import skill_uses as rules
from core.i18n import N_
from db import skill_uses

BASE = "/c/card/skill"


def choose_page(request: Request, form: FormData | None) -> Response:
    visit = _visit(request, "card")
    if isinstance(visit, Response):
        return visit
    page = skill_uses.page(visit.raw, now=visit.now)
    if page is None:
        return problem(lang=visit.lang)
    return render(visit, "skill_choose.html", title=N_("Use a skill now"), steps=page["steps"],
                  struggling=struggling(request), crisis_resources=page["crisis_resources"])


def _skill_visit(request: Request) -> tuple | Response:
    """The card link's session, the step in the address and what its pages draw (db.skill_uses.page),
    or the page to show instead."""
    visit = _visit(request, "card")
    if isinstance(visit, Response):
        return visit
    step_id = request.path_params["step_id"]
    page = skill_uses.page(visit.raw, now=visit.now, step_id=step_id)
    return problem(lang=visit.lang) if page is None else (visit, step_id, page)


def before_page(request: Request, form: FormData | None) -> Response:
    found = _skill_visit(request)
    if isinstance(found, Response):
        return found
    visit, step_id, page = found
    ctx = dict(title=N_("Use a skill now"), step=page["step"], crisis_resources=page["crisis_resources"], errors={})
    if form is None:
        # The use starts here: its key and start time are made once, so a double tap saves once.
        return render(visit, "skill_before.html", key=secrets.token_urlsafe(18), started=int(visit.now.timestamp()),
                      struggling=struggling(request), value="", **ctx)
    values = forms.kept(form)
    from_struggling = values.get("struggling") == "1"
    key, started = values.get("idempotency_key", ""), values.get("started", "")
    if not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
        return _expired(visit, f"{BASE}/{step_id}")
    result = skill_uses.rate_before(visit.raw, step_id, values.get("before", ""), key, now=visit.now)
    if result.status == "invalid":
        return problem(lang=visit.lang)
    if result.status == "errors" or not started.isdigit():
        return render(visit, "skill_before.html", status=400, key=key, started=started, struggling=from_struggling,
                      value=values.get("before", ""),
                      **{**ctx, "errors": result.errors or {"form": N_("Please start the skill again.")}})
    before, _ok = rules.rating(values.get("before"))
    state = session.seal(visit.raw, forms.skill_state(key, int(started), before, from_struggling), visit.cfg)
    return RedirectResponse(f"{BASE}/{step_id}/guide/1?s={state}", status_code=303)


def _state(visit, sealed: object) -> dict | None:
    """The use's state carried by a page, if this link session sealed it."""
    return forms.skill_form(session.unseal(visit.raw, sealed, visit.cfg), None)


def guide_page(request: Request, form: FormData | None) -> Response:
    found = _skill_visit(request)
    if isinstance(found, Response):
        return found
    visit, step_id, page = found
    n = request.path_params["n"]
    sealed = request.query_params.get("s", "")
    state = _state(visit, sealed)
    if state is None:
        return RedirectResponse(f"{BASE}/{step_id}", status_code=303)
    step = page["step"]
    total = rules.screens(step)
    n = min(max(1, n), total)
    before, _ok = rules.rating(state["before"])
    high = before is not None and before >= visit.cfg["SAFETY_DISTRESS_THRESHOLD"]
    sense = rules.GROUNDING[n - 1] if rules.guide(step) == "grounding" else None
    return render(visit, "skill_guide.html", title=N_("Use a skill now"), step=step, guide=rules.guide(step), n=n,
                  total=total, sense=sense, breath_in=rules.BREATH_IN, breath_out=rules.BREATH_OUT,
                  high=high and n == 1, s=sealed, crisis_resources=page["crisis_resources"],
                  next_url=f"{BASE}/{step_id}/guide/{n + 1}?s={sealed}" if n < total else "",
                  after_url=f"{BASE}/{step_id}/after?s={sealed}")


def after_page(request: Request, form: FormData | None) -> Response:
    found = _skill_visit(request)
    if isinstance(found, Response):
        return found
    visit, step_id, page = found
    sealed = (form.get("s") if form is not None else request.query_params.get("s")) or ""
    state = _state(visit, sealed)
    ctx = dict(title=N_("How was that?"), step=page["step"], s=sealed, crisis_resources=page["crisis_resources"])
    if form is None:
        if state is None:
            return RedirectResponse(f"{BASE}/{step_id}", status_code=303)
        return render(visit, "skill_after.html", errors={}, value="", **ctx)
    if state is None or not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
        return _expired(visit, f"{BASE}/{step_id}")
    fields = forms.skill_form(session.unseal(visit.raw, sealed, visit.cfg), form)
    result = skill_uses.record(visit.raw, step_id, fields, now=visit.now)
    if result.status == "invalid":
        return problem(lang=visit.lang)
    if result.status == "errors":
        return render(visit, "skill_after.html", status=400, errors=result.errors, value=fields["after"], **ctx)
    return render(visit, "skill_done.html", title=N_("Thank you"), flagged=result.flagged,
                  already=result.status == "already", week_days=result.week_days,
                  crisis_resources=page["crisis_resources"])


def routes(page) -> list[Route]:
    """`page` is client.web's wrapper (form parsing, thread pool)."""
    return [
        Route(BASE, page(choose_page), methods=["GET", "HEAD"]),
        Route(BASE + "/{step_id:int}", page(before_page), methods=["GET", "HEAD", "POST"]),
        Route(BASE + "/{step_id:int}/guide/{n:int}", page(guide_page), methods=["GET", "HEAD"]),
        Route(BASE + "/{step_id:int}/after", page(after_page), methods=["GET", "HEAD", "POST"]),
    ]
