"""The client's pages as routes: `routes()` and `middleware()` go into `app.py`'s `st.App`, and
`starlette_app()` serves the same pages alone (tests, the benchmark's bare-page floor).

Every page works without JavaScript. GET and HEAD only show: opening a link resolves it (audited),
moves its token into the link session's cookie and redirects to a clean address. Every change is a
POST that carries the link session's CSRF token and answers nobody has preselected; the functions in
`db/` re-check the link inside their own transaction. Handlers map form fields to those functions'
arguments and render; they hold no SQL and no rules.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import traceback
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from client import forms, session
from core import (checkins as checkin_rules, checkups as checkup_rules, i18n, measures as measure_rules,
                  personal_items as personal_rules,
                  plans as plan_rules, settings as settings_mod)
from core.i18n import N_
from db import (checkins, checkups, consent, languages, links, measures, plans, practices, ratelimit, reminders,
                skill_uses)

HERE = Path(__file__).resolve().parent
MAX_BODY = 64 * 1024  # bytes; the longest honest form (consent, a 500-character thought) is a few KiB
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"  # RFC 8058 section 3.1



def _environment(code: str) -> jinja2.Environment:
    """The client pages' templates in one language. Client words go through gettext: `{% trans %}…{% endtrans %}`
    or `{{ _("…") }}` in templates, `t(...)` for words made in Python (core.i18n.N_), never around typed text.
    One environment per offered language (built on first use), so a page in Spanish costs what the English one
    does: the catalog, the dates and the weekday names are bound once, not per request."""
    tr = i18n.translations(code)

    def t(text):
        return i18n.translate(text, tr)

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(tr, newstyle=True)
    env.globals.update(
        lang=code, t=t, languages=[(c, i18n.name(c)) for c in i18n.offered()], anchor=forms.anchor,
        card_line=lambda step: t(plan_rules.card_line(step)), instruction=plan_rules.instruction,
        if_then_line=plan_rules.if_then_line, wording=lambda measure: measure_rules.MEASURES[measure].wording(code),
        scores=lambda measure: measure_rules.MEASURES[measure].values,
        intro=lambda measure: [t(p) for p in measure_rules.MEASURES[measure].intro],
        minutes=measure_rules.minutes,
        days_label=lambda days: t(plan_rules.days_label(days, names=lambda d: i18n.weekdays(d, code))))
    return env


@functools.lru_cache(maxsize=None)
def environment(code: str) -> jinja2.Environment:
    return _environment(i18n.choose(code))


ENV = environment(i18n.SOURCE)  # the English pages (and the environment tests inspect)

# Security headers on every client response (pages, errors, static files). The portal keeps its own.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
           (b"cross-origin-opener-policy", b"same-origin"),
           (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]


log = logging.getLogger("anchorstep.client")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


_asset_version: str | None = None


def asset_version() -> str:
    """Changes when the stylesheet or icon does, so both can be cached for a year."""
    global _asset_version
    if _asset_version is None:
        h = hashlib.sha256()
        for name in ("client.css", "favicon.png"):
            h.update((HERE / "static" / name).read_bytes())
        _asset_version = h.hexdigest()[:10]
    return _asset_version


@dataclass
class Visit:
    """One request of a link session: settings, the cookie's token, the time, what the link may do."""
    cfg: settings_mod.Settings
    purpose: str
    raw: str
    now: datetime
    res: links.Resolution
    lang: str = i18n.SOURCE  # the page's language: the client's (read with the link), else the browser's


def render(visit: Visit | None, template: str, *, status: int = 200, stop: bool = True,
           lang: str | None = None, **ctx) -> HTMLResponse:
    """A page in the visit's language (or `lang` when there is no usable visit). `title` may be a Msg
    (core.i18n.N_); base.html translates it."""
    usable = visit is not None and visit.res.ok and stop
    base = {"asset_version": asset_version(), "title": ctx.pop("title", "Anchorstep"),
            "csrf": session.csrf_for(visit.raw, visit.cfg) if usable else "",
            "stop_url": f"/c/{visit.purpose}/stop" if usable else "",
            "language_url": f"/c/{visit.purpose}/language" if usable else "", "stop_error": ""}
    base.update(ctx)
    env = environment(lang or (visit.lang if visit is not None else i18n.SOURCE))
    return HTMLResponse(env.get_template(template).render(**base), status_code=status,
                        headers={"Cache-Control": "no-store"})


def browser_language(request: Request) -> str:
    """For a page shown before we know whose link it is: the browser's preferred offered language."""
    return i18n.from_header(request.headers.get("accept-language"))


def problem(status: int = 200, lang: str = i18n.SOURCE) -> HTMLResponse:
    """The one calm page for a link that doesn't work: it never says why."""
    return render(None, "problem.html", status=status, lang=lang, title=N_("This link isn't working"))


def withdrawn(visit: Visit) -> HTMLResponse:
    crisis = practices.get(visit.res.practice_id)["crisis_resources"]
    return render(visit, "withdrawn.html", stop=False, title=N_("You have stopped taking part"),
                  crisis_resources=crisis)


def _visit(request: Request, purpose: str) -> Visit | Response:
    """The link session of this page, or the page to show instead (the calm page, or "you have stopped")."""
    cfg = settings_mod.load()
    raw = session.token(request, purpose)
    now = utcnow()
    # A cookie is a token too: a source that has guessed too often is not looked up (core.ratelimit; the
    # count is in the database, shared by every replica), and every cookie that opens nothing counts as a
    # guess. (Opening a link counts in links.open_link.)
    keys = session.limit_keys(request, cfg)
    if raw and ratelimit.over(keys, now):
        return problem(lang=browser_language(request))
    res = links.current(raw, now) if raw else links.INVALID
    if raw and res.status == "invalid":
        ratelimit.record(keys, now)
    visit = Visit(cfg, purpose, raw, now, res, res.language)
    if res.status == "withdrawn":
        return withdrawn(visit)
    if not res.ok or res.purpose != purpose:
        return problem(lang=browser_language(request))
    return visit


def _expired(visit: Visit, back: str) -> HTMLResponse:
    return render(visit, "form_expired.html", status=400, title=N_("Please try that once more"), back_url=back)


# ---------------------------------------------------------------- opening a link

def _query_token(request: Request) -> str:
    """The token of `?t=…`, or "" for anything we never write (a repeated or case-flipped name)."""
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    names = [k for k, _ in pairs if k.strip().lower() == "t"]
    if names != ["t"]:
        return ""
    return next(v for k, v in pairs if k == "t")[:session.MAX_TOKEN_CHARS]


def open_link(request: Request) -> Response:
    """GET/HEAD of a link (`/c/?t=…`, and `/?t=…` from emails sent before): resolve it once (audited,
    rate limited), keep the token in its purpose's cookies, and send the browser to the page's clean
    address. Nothing else changes."""
    cfg = settings_mod.load()
    raw = _query_token(request)
    res = links.open_link(raw, utcnow(), limit_keys=session.limit_keys(request, cfg))
    if res.status in ("ok", "withdrawn") and res.purpose in session.PURPOSES:
        response = _onward(f"/c/{res.purpose}")
        session.keep(response, request, cfg, res.purpose, raw)
    else:
        response = _onward("/c/link-problem")
    return response


def _onward(path: str) -> Response:
    """A 303 to the page's clean address: the browser never shows or keeps the link's address (no
    history entry to go back to). The page it lands on is shown through the Lax twin cookie when the
    link was clicked on another site (session.token)."""
    return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


def one_click(request: Request, body: bytes) -> Response:
    """RFC 8058: a mail provider POSTs `List-Unsubscribe=One-Click` to the reminder's List-Unsubscribe
    address. It pauses reminders (never withdraws consent), is audited, and saying it twice is the same."""
    cfg = settings_mod.load()
    if body.strip() != ONE_CLICK_BODY.encode():
        return problem(status=400)
    raw = _query_token(request)
    now = utcnow()
    res = links.open_link(raw, now, limit_keys=session.limit_keys(request, cfg))
    if not res.ok or res.purpose != "preferences":
        return problem(status=404)
    result = reminders.pause_by_link(raw, True, now=now, via="one-click unsubscribe (RFC 8058)")
    if result == "invalid":
        return problem(status=404)
    return Response("Reminders are paused.\n", media_type="text/plain", headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- pages

def _link_page(request: Request, purpose: str, for_link) -> tuple[Visit, dict] | Response:
    """The link session and what `for_link(raw, now)` says of it (consent, check-up), or the page to show
    instead: "you have stopped taking part" after withdrawal, the calm page for a link that opens nothing."""
    visit = _visit(request, purpose)
    if isinstance(visit, Response):
        return visit
    page = for_link(visit.raw, visit.now)
    if page["state"] == "withdrawn":
        return withdrawn(visit)
    if page["state"] == "invalid":
        return problem(lang=visit.lang)
    return visit, page


def struggling(request: Request) -> bool:
    """The card's "I'm struggling right now" view (and the skill use started from it)."""
    return request.query_params.get("struggling") == "1"


def consent_page(request: Request, form: FormData | None) -> Response:
    found = _link_page(request, "consent", consent.for_link)
    if isinstance(found, Response):
        return found
    visit, page = found
    values = forms.consent_values(form)
    errors: dict[str, str] = {}
    state = page["state"]
    if form is not None:
        if not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
            return _expired(visit, "/c/consent")
        result, errors = consent.confirm(visit.raw, values["items"], values["name"], now=visit.now,
                                         renewal_days=visit.cfg["CONSENT_RENEWAL_DAYS"],
                                         grace_days=visit.cfg["CONSENT_GRACE_DAYS"])
        if result == "invalid":
            return problem(lang=visit.lang)
        if result in ("confirmed", "already"):
            state = "thanks"
    elif state == "confirmed":
        state = "thanks"
    items = page.get("items", [])
    return render(visit, "consent.html", title=N_("Before you start") if state == "open" else N_("Thank you"),
                  state=state, items=items, errors=errors, ticked=set(values["items"]), name=values["name"],
                  checklist_lang=page.get("language", visit.lang))


def _checkup_done(visit: Visit, page: dict, checkup: dict, *, already: bool, paused: bool = False,
                  errors: dict | None = None) -> HTMLResponse:
    done = {**checkup, "answers": checkup_rules.with_corrections(checkup["answers"], page["pool"])}
    return render(visit, "checkup.html", title=N_("Thank you"), done=done, already=already, paused=paused,
                  errors=errors or {}, crisis_resources=page["crisis_resources"])


def checkup_page(request: Request, form: FormData | None) -> Response:
    """A consent check-up: a few true/false statements (the real-time one first), two scales, and an
    optional change. The answers are saved whole; the next page shows each correction right there."""
    found = _link_page(request, "checkup", checkups.for_link)
    if isinstance(found, Response):
        return found
    visit, page = found
    values = forms.kept(form)
    errors: dict[str, str] = {}
    if form is not None and not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
        errors = {"form": N_("This page was open for a long time, so nothing was saved yet. Please check your answers "
                             "and press the button again.")}
    elif form is not None and form.get("action") == "pause" and page["saved"]:
        if form.get("sure") != "yes":
            return _checkup_done(visit, page, page["saved"], already=False,
                                 errors={"sure": N_("Please tick the box to pause your reminders.")})
        if reminders.pause_by_link(visit.raw, True, now=visit.now, via="a consent check-up",
                                   purpose="checkup") == "invalid":
            return problem(lang=visit.lang)
        return _checkup_done(visit, page, page["saved"], already=False, paused=True)
    elif form is not None:
        result = checkups.submit(visit.raw, values, now=visit.now)
        if result.status == "invalid":
            return problem(lang=visit.lang)
        if result.status in ("saved", "already"):
            return _checkup_done(visit, page, result.checkup, already=result.status == "already")
        errors = result.errors
    elif page["state"] == "already":
        return _checkup_done(visit, page, page["saved"], already=False)
    order = [f"s_{s['key']}" for s in page["asked"]] + list(checkup_rules.SCALES) + ["change", "note", "form"]
    return render(visit, "checkup.html", status=400 if "form" in errors and form is not None else 200,
                  title=N_("A short check-up"), done=None, asked=page["asked"], values=values, errors=errors,
                  order=order, answer_labels=checkup_rules.ANSWER_LABELS, scales=checkup_rules.SCALES,
                  scale_words=checkup_rules.SCALE_WORDS, changes=checkup_rules.CHANGES,
                  note_max=checkup_rules.NOTE_MAX, open_more=bool({"change", "note"} & set(errors))
                  or bool(values.get("note") or values.get("change")))


def _checkin_context(page: dict, query, values: dict, errors: dict, lang: str) -> dict:
    yesterday = (values.get("local_date") == page["yesterday"].isoformat()) if values else query.get("day") == "yesterday"
    day = page["yesterday"] if yesterday else page["today"]
    corrects = values.get("corrects") if values else query.get("corrects", "")
    corrects = corrects if str(corrects).isdigit() else ""
    if values.get("idempotency_key"):
        key = values["idempotency_key"]
    elif query.get("again") or corrects:
        key = secrets.token_urlsafe(18)  # "Check in again" and a correction are new forms
    else:
        # The first form of a link and day has a key made from them, so a double tap, a resubmit or the
        # same link in a second tab saves once.
        key = f"link{page['link_id']}-{day.isoformat()}"
    switch = "" if yesterday else "?day=yesterday"
    steps = page["planned"][day]
    order = (["local_date"] + [f"step:{s['step_id']}{part}" for s in steps for part in ("", ":reason", ":label")]
             + ["steps", "mood", "distress", "thought", "context_where", "context_with"]
             + [i.field for i in page["personal"]] + ["personal", "form", "corrects"])
    return dict(title=N_("Check in"), steps=steps, day=day.isoformat(), day_label=i18n.day_label(day, lang),
                yesterday=yesterday, switch_query=switch, key=key, corrects=corrects, values=values, errors=errors,
                order=order, statuses=checkin_rules.STATUSES, reasons=checkin_rules.REASONS,
                distortions=checkin_rules.DISTORTIONS, thought_max=checkin_rules.THOUGHT_MAX,
                open_more=bool({"thought", "context_where", "context_with"} & set(errors))
                or any(values.get(k) for k in ("thought", "context_where", "context_with")),
                personal=page["personal"], yes_no_words=personal_rules.YES_NO,
                due_list=page["due"], crisis_resources=page["crisis_resources"])


def _checkin_visit(request: Request) -> tuple[Visit, dict] | Response:
    """A check-in link's session and what its page draws (checkins.form_by_link), or the page to show instead."""
    visit = _visit(request, "checkin")
    if isinstance(visit, Response):
        return visit
    page = checkins.form_by_link(visit.raw, now=visit.now)
    return problem(lang=visit.lang) if page is None else (visit, page)


def checkin_page(request: Request, form: FormData | None) -> Response:
    found = _checkin_visit(request)
    if isinstance(found, Response):
        return found
    visit, page = found
    if form is None:
        return render(visit, "checkin.html", **_checkin_context(page, request.query_params, {}, {}, visit.lang))
    values = forms.kept(form)
    if not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
        return render(visit, "checkin.html", status=400, **_checkin_context(
            page, request.query_params, values,
            {"form": N_("This page was open for a long time, so nothing was saved yet. Please check your answers and "
                        "press Submit again.")}, visit.lang))
    result = checkins.submit(visit.raw, forms.checkin(form), now=visit.now)
    if result.status == "invalid":
        return problem(lang=visit.lang)
    if result.status == "errors":
        return render(visit, "checkin.html", **_checkin_context(page, request.query_params, values, result.errors,
                                                                 visit.lang))
    upcoming = checkin_rules.next_practice(page["steps"], page["timezone"], visit.now)
    checkup_token = checkups.offer_by_link(visit.raw, now=visit.now, ttl_days=visit.cfg.link_ttl_days(),
                                           default_weeks=visit.cfg["CONSENT_CHECKUP_WEEKS"]) \
        if result.status == "saved" else None
    response = render(visit, "checkin_done.html", title=N_("Thank you"), flagged=result.flagged,
                      already=result.status == "already", warm=checkin_rules.warm_words(result.statuses),
                      next_at=i18n.weekday_time(upcoming[0], visit.lang) if upcoming else "",
                      next_line=plan_rules.card_line(upcoming[1]) if upcoming else "",
                      card_url="/c/card" if result.card_token or session.token(request, "card") else "",
                      checkin_id=result.checkin_id or "", due_list=page["due"],
                      crisis_resources=page["crisis_resources"], checkup_url="/c/checkup" if checkup_token else "",
                      week_days=skill_uses.week_days(page["client_id"], page["timezone"], now=visit.now))
    if checkup_token:  # a check-up is due: its fresh link goes into its cookie, like the card's
        session.keep(response, request, visit.cfg, "checkup", checkup_token)
    if result.card_token:  # the fresh card link goes straight into its cookie: no token in the page
        session.keep(response, request, visit.cfg, "card", result.card_token)
    return response


def questionnaire_page(request: Request, form: FormData | None) -> Response:
    found = _checkin_visit(request)
    if isinstance(found, Response):
        return found
    visit, page = found
    aid = request.path_params["assignment_id"]
    due = next((d for d in page["due"] if d["assignment_id"] == aid), None)
    values = forms.kept(form) if form is not None else {}
    # An instrument with an introduction (PCL-5) shows it first, on its own screen: its "Start" opens the questions
    # (`?start=1`), and a form sent back with a problem shows the questions again, never the introduction.
    ctx = dict(title=N_("Questionnaire"), values=values, started=form is not None or "start" in request.query_params,
               crisis_resources=page["crisis_resources"], done=False, flagged=False, already=False, answered=None,
               order=[f"item:{i}" for i in range(len(due["items"]))] + ["item:-1", "form"] if due else [])
    if form is None:
        if due is None:
            return RedirectResponse("/c/checkin", status_code=303)
        key = f"link{page['link_id']}-m{aid}-{page['today'].isoformat()}"
        return render(visit, "questionnaire.html", due=due, key=key, errors={}, **ctx)
    if not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
        return _expired(visit, request.url.path)
    key = values.get("idempotency_key", "")
    result = measures.submit(visit.raw, aid, forms.answers(form, len(due["items"]) if due else 0), key, now=visit.now)
    if result.status == "invalid":
        return problem(lang=visit.lang)
    if result.status == "errors" and due is not None:
        return render(visit, "questionnaire.html", due=due, key=key, errors=result.errors, **ctx)
    if result.status == "errors":  # nothing due any more (answered in another tab): back to the check-in
        return RedirectResponse("/c/checkin", status_code=303)
    # `due` is gone once answered (a replay finds nothing due): the confirmation names the instrument by its score.
    ctx.update(done=True, flagged=result.flagged, already=result.status == "already",
               answered=result.score.measure if result.score else None)
    return render(visit, "questionnaire.html", due=due, key=key, errors={}, **ctx)


def card_page(request: Request, form: FormData | None) -> Response:
    visit = _visit(request, "card")
    if isinstance(visit, Response):
        return visit
    card = plans.card(visit.raw, now=visit.now)
    if card is None:
        return problem(lang=visit.lang)
    hard_moment = struggling(request)
    steps = plan_rules.struggling_first(card["steps"]) if hard_moment else card["steps"]
    return render(visit, "card.html", title=N_("Your coping card"), struggling=hard_moment, steps=steps,
                  crisis_resources=card["crisis_resources"])


def card_calendar(request: Request, form: FormData | None) -> Response:
    visit = _visit(request, "card")
    if isinstance(visit, Response):
        return visit
    ics = plans.card_calendar(visit.raw, now=visit.now)
    if ics is None:
        return problem(lang=visit.lang)
    return Response(ics, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="coping-card.ics"', "Cache-Control": "no-store"})


def preferences_page(request: Request, form: FormData | None) -> Response:
    visit = _visit(request, "preferences")
    if isinstance(visit, Response):
        return visit
    errors: dict[str, str] = {}
    done = ""
    if form is not None:
        if not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
            return _expired(visit, "/c/preferences")
        want = form.get("want")
        if want not in ("pause", "resume"):
            return _expired(visit, "/c/preferences")
        if form.get("sure") != "yes":
            errors["sure"] = (N_("Please tick the box to pause your reminders.") if want == "pause"
                              else N_("Please tick the box to turn your reminders back on."))
        else:
            done = reminders.pause_by_link(visit.raw, want == "pause", now=visit.now)
            if done == "invalid":
                return problem(lang=visit.lang)
    state = reminders.link_state(visit.raw, visit.now)
    if state["state"] == "invalid":
        return problem(lang=visit.lang)
    return render(visit, "preferences.html", title=N_("Your reminders"), state=state["state"], done=done, errors=errors)


def _footer_post(request: Request, form: FormData | None, anchor: str) -> tuple[str, Visit] | Response:
    """A control at the foot of every page (stop, language): its purpose and link session with a valid
    CSRF token, or the page to answer instead. A GET shows the page the control sits on; only a POST acts."""
    purpose = request.path_params["purpose"]
    if purpose not in session.PURPOSES:
        return problem(status=404, lang=browser_language(request))
    if form is None:
        return RedirectResponse(f"/c/{purpose}{anchor}", status_code=303)
    visit = _visit(request, purpose)
    if isinstance(visit, Response):
        return visit
    if not session.csrf_ok(visit.raw, form.get("csrf"), visit.cfg):
        return _expired(visit, f"/c/{purpose}")
    return purpose, visit


def stop_page(request: Request, form: FormData | None) -> Response:
    found = _footer_post(request, form, "#stop")
    if isinstance(found, Response):
        return found
    purpose, visit = found
    if form.get("sure") != "yes":
        return render(visit, "stop.html", title=N_("Stop taking part"), back_url=f"/c/{purpose}",
                      stop_error=N_("Please tick \"I want to stop taking part\" to stop."))
    result = consent.withdraw_by_link(visit.raw, visit.now)
    if result == "invalid":
        return problem(lang=visit.lang)
    visit.res = links.Resolution("withdrawn", visit.res.client_id, visit.res.practice_id, visit.res.link_id, purpose,
                                 language=visit.lang)
    return withdrawn(visit)


def language_page(request: Request, form: FormData | None) -> Response:
    """The language switch at the foot of every page: a POST of another language stores the client's choice
    (a code we do not offer stores "the practice's language") and shows the page again in it."""
    found = _footer_post(request, form, "")
    if isinstance(found, Response):
        return found
    purpose, visit = found
    # The form as found names the page's own language: submitting it so (a scanner does) changes nothing.
    chosen = form.get("language")
    if chosen != visit.lang and languages.set_by_link(visit.raw, chosen, now=visit.now) == "invalid":
        return problem(lang=visit.lang)
    return RedirectResponse(f"/c/{purpose}", status_code=303)


def link_problem(request: Request, form: FormData | None) -> Response:
    return problem(lang=browser_language(request))


def unknown(request: Request, form: FormData | None) -> Response:
    return problem(status=404, lang=browser_language(request))


# ---------------------------------------------------------------- plumbing

async def _read_form(request: Request) -> FormData | Response:
    """A POST's fields. Only the urlencoded forms our pages send are read; anything else (another content
    type, a body over MAX_BODY) is read as an empty form, so it fails the CSRF check calmly."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_BODY:
        return Response("Request too large.\n", status_code=413, media_type="text/plain")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return FormData()
    return await request.form(max_files=0, max_fields=400)


def _page(handler):
    async def endpoint(request: Request) -> Response:
        form = None
        if request.method == "POST":
            form = await _read_form(request)
            if isinstance(form, Response):
                return form
        return await run_in_threadpool(handler, request, form)
    return endpoint


async def _entry(request: Request) -> Response:
    if request.method == "POST":
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_BODY:
            return Response("Request too large.\n", status_code=413, media_type="text/plain")
        return await run_in_threadpool(one_click, request, await request.body())
    return await run_in_threadpool(open_link, request)


def routes() -> list:
    from client import skills  # it builds on this module's helpers (render, _visit), so it imports it
    return [
        Route("/c/", _entry, methods=["GET", "HEAD", "POST"]),
        Route("/c/consent", _page(consent_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/checkin", _page(checkin_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/checkin/questionnaire/{assignment_id:int}", _page(questionnaire_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/checkup", _page(checkup_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/card", _page(card_page), methods=["GET", "HEAD"]),
        Route("/c/card/coping-card.ics", _page(card_calendar), methods=["GET", "HEAD"]),
        *skills.routes(_page),
        Route("/c/preferences", _page(preferences_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/{purpose}/stop", _page(stop_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/{purpose}/language", _page(language_page), methods=["GET", "HEAD", "POST"]),
        Route("/c/link-problem", _page(link_problem), methods=["GET", "HEAD"]),
        Mount("/c/static", StaticFiles(directory=HERE / "static"), name="client-static"),
        # Anything else under /c/ is ours too: a calm page, never the portal.
        Route("/c", _page(unknown), methods=["GET", "HEAD", "POST"]),
        Route("/c/{rest:path}", _page(unknown), methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
    ]


class ClientPages:
    """ASGI middleware in front of Streamlit. On /c/: the client pages' security headers, `no-store` on
    everything but the versioned static files, and a calm page for an unknown address. Elsewhere: a GET
    or HEAD carrying `?t=` (every link emailed before the pages moved) opens the link exactly as `/c/?t=`
    does, so the token never reaches Streamlit and leaves the address bar at once."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path == "/c" or path.startswith("/c/"):
            return await self._guarded(scope, receive, send, self.app, static=path.startswith("/c/static/"))
        if scope["method"] in ("GET", "HEAD") and not path.startswith("/_stcore") and _has_token(scope):
            async def legacy(scope, receive, send):
                response = await run_in_threadpool(open_link, Request(scope, receive))
                await response(scope, receive, send)
            return await self._guarded(scope, receive, send, legacy, static=False)
        return await self.app(scope, receive, send)

    async def _guarded(self, scope, receive, send, app, *, static: bool):
        started = False
        headed = self._with_headers(send, static=static)

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await headed(message)
        try:
            await app(scope, receive, tracked)
        except Exception as exc:
            # A calm page, never a traceback. The log names the error's type and where it happened, not its
            # message: a database's message can quote a row a client typed. (The path has no token in it.)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error("client page %s failed: %s at %s:%s", scope["path"], type(exc).__name__, frame.filename,
                      frame.lineno)
            if started:
                raise
            response = render(None, "error.html", status=500, title=N_("Something went wrong"),
                              lang=i18n.from_header(Headers(scope=scope).get("accept-language")))
            await response(scope, receive, headed)

    @staticmethod
    def _with_headers(send, *, static: bool):
        async def wrapped(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(HEADERS)]
                headers += HEADERS
                names = {k.lower() for k, _ in headers}
                if static and message.get("status") == 200:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                elif b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)
        return wrapped


def _has_token(scope) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    return any(k.strip().lower() == "t" for k, _ in parse_qsl(query, keep_blank_values=True))


def middleware() -> list[Middleware]:
    return [Middleware(ClientPages)]


def starlette_app() -> Starlette:
    """The client pages alone, as a Starlette app (tests use it through httpx)."""
    return Starlette(routes=routes(), middleware=middleware())
