"""Typed text that Streamlit's markdown would turn into markup, in real Chromium against a real
`streamlit run` (issue 12, faults 1 and 2): a clinician's own display name in the sidebar, and bare
addresses (`www.`, `x@y`, `https://`) in a client's thought, a plan step and a consent checklist
title. Each must read as exactly what was typed, with no link, image, maths, emoji, icon or colour;
every page is also watched by the shared Guard (tests/reliability/conftest.py)."""
from __future__ import annotations


import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link
from tests.reliability.conftest import DEMO_PASSWORD, Guard, settle, sign_in
from tests.reliability.setup_data import link, make_clients

pytestmark = pytest.mark.e2e

NAME = ("Dr ![x](https://evil.example/t.png) [help](https://evil.example/login) :red[ALERT] :skull: "
        ":material/warning: $x^2$")
AUTO = "www.evil.example x@evil.example https://evil.example/p?q=1"


def _no_markup_inside(element) -> dict:
    """What markdown made inside `element` (all zero when it shows typed text as text)."""
    return element.evaluate("""e => ({links: e.querySelectorAll('a').length, images: e.querySelectorAll('img').length,
        maths: e.querySelectorAll('.katex').length, icons: e.querySelectorAll('span[role=img]').length,
        colours: e.querySelectorAll('.stMarkdownColoredText').length,
        emoji: /\\p{Emoji_Presentation}/u.test(e.textContent)})""")


NOTHING = {"links": 0, "images": 0, "maths": 0, "icons": 0, "colours": 0, "emoji": False}


def test_regression_a_clinicians_markup_display_name_shows_literally_in_the_sidebar(server, browser):
    server.run_python(f"""
from datetime import datetime, timezone
import db
from db import clinicians
from sqlalchemy import text
with db.write() as c:
    practice = c.execute(text("select practice_id from clinicians where username='maya'")).scalar()
    clinicians.insert_row(c, practice_id=practice, username="rl.markup", display_name={NAME!r},
                          email="rl.markup@example.org", role="clinician", password={DEMO_PASSWORD!r},
                          now=datetime.now(timezone.utc), rounds=4)
""")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, "rl.markup", DEMO_PASSWORD)
    sidebar = page.get_by_test_id("stSidebar")
    shown = sidebar.get_by_text(NAME, exact=False)
    expect(shown).to_be_visible()
    assert _no_markup_inside(shown) == NOTHING
    assert sidebar.locator("img, .katex").count() == 0
    assert [h for h in sidebar.locator("a").evaluate_all("as => as.map(a => a.href)") if "evil" in h] == []
    guard.check("with a markup display name in the sidebar")
    assert not any("evil.example" in u for u in guard.foreign)
    ctx.close()


def _checkin_with_thought(server, name: str, thought: str) -> None:
    server.run_python(f"""
from datetime import datetime, timezone
import db
from core import settings
from db import checkins, links
from sqlalchemy import text
now = datetime.now(timezone.utc)
with db.read() as c:
    cid = c.execute(text("select id from clients where display_name = :n"), {{"n": {name!r}}}).scalar()
with db.write() as c:
    raw = links.issue(c, client_id=cid, purpose="checkin", now=now, ttl_days=settings.load().link_ttl_days())
form = checkins.form_by_link(raw, now=now)
steps = {{s["step_id"]: {{"status": "done"}} for s in form["planned"][form["today"]]}}
r = checkins.submit(raw, {{"local_date": form["today"].isoformat(), "steps": steps, "mood": 6, "distress": 2,
                           "thought": {thought!r}, "context_where": "", "context_with": "",
                           "idempotency_key": "auto-" + "x" * 20}}, now=now)
assert r.status == "saved", r
""")


def test_regression_bare_addresses_in_a_thought_and_a_plan_step_are_never_links(server, browser):
    anchor = f"read {AUTO}"
    made = make_clients(server, ["RL Auto"], ("card",), step={"anchor": anchor})["RL Auto"]
    _checkin_with_thought(server, "RL Auto", AUTO)

    # The client's coping card: the step line holds the typed anchor as text.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    card = phone.new_page()
    cguard = Guard(card)
    open_link(card, link(server, made["card"]))
    expect(card.get_by_role("heading", name="Your coping card")).to_be_visible()
    line = card.locator("main").get_by_text(f"After I {anchor}", exact=False).first
    expect(line).to_be_visible()
    assert _no_markup_inside(line) == NOTHING
    cguard.check("coping card with bare addresses in the step")
    phone.close()

    # The clinician's Check-ins page: the thought as written.
    from tests.reliability.test_hostile_inputs import choose, go
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    go(page, "Check-ins")
    choose(page, "Client", "RL Auto")
    thoughts = page.get_by_test_id("stExpander").filter(has_text="Thoughts as written")
    shown = thoughts.get_by_text(AUTO, exact=False).first
    expect(shown).to_be_visible()
    assert _no_markup_inside(shown) == NOTHING
    guard.check("check-ins with bare addresses in a thought")
    ctx.close()


def test_regression_bare_addresses_in_a_consent_checklist_title_are_never_links(server, browser):
    title = f"What this is: {AUTO}"
    server.run_python(f"""
from datetime import datetime, timezone
import db
from db import consent_templates
from db.actors import Actor
from sqlalchemy import text
now = datetime.now(timezone.utc)
with db.read() as c:
    a = c.execute(text("select id, practice_id from clinicians where username='admin'")).one()
admin = Actor(a.id, a.practice_id, 'admin', 'admin')
items = consent_templates.current(admin, now=now)["items"]
items[0] = {{**items[0], "title": {title!r}}}
consent_templates.publish(admin, items, now=now)
""")
    from tests.reliability.test_hostile_inputs import choose, consent_link, go
    # The client's consent page: the title is a heading of typed text.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    client = phone.new_page()
    cguard = Guard(client)
    open_link(client, consent_link(server, "RL Auto Consent"))
    expect(client.get_by_role("heading", name="Before you start")).to_be_visible()
    shown = client.locator("main").get_by_text(title, exact=True).first
    expect(shown).to_be_visible()
    assert _no_markup_inside(shown) == NOTHING
    cguard.check("client consent page with bare addresses in a title")
    phone.close()

    # The clinician's Consent page: the title is a checkbox label.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    go(page, "Consent")
    choose(page, "Client", "RL Auto Consent")
    box = page.get_by_test_id("stCheckbox").filter(has_text="What this is:").first
    expect(box).to_be_visible()
    expect(box).to_contain_text(title)
    assert _no_markup_inside(box) == NOTHING
    guard.check("clinician consent page with bare addresses in a title")
    ctx.close()


STEP_LABELS = ["After I … (an existing daily routine)", "I will … (one action you could see)", "Likely barrier",
               "If … then I will …"]


def test_a_fast_typist_loses_nothing_across_the_plan_editors_fields(server, browser):
    """Issue 12's flaky plan-editor test: each field reruns the page; typing on into the next field while
    that rerun runs keeps every value (the widgets send all their values with each rerun). What lost the
    anchor was typing before the template's own rerun had filled the fields: a wait the test lacked."""
    from tests.reliability.setup_data import ensure_client
    from tests.reliability.test_hostile_inputs import choose, go
    ensure_client(server, "RL Fast")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    go(page, "Plans")
    choose(page, "Client", "RL Fast")
    choose(page, "Start from a template", "Diaphragmatic breathing")
    expect(page.get_by_label(STEP_LABELS[0], exact=True)).to_have_value("pour my morning coffee")
    settle(page)
    typed = {label: f"{AUTO} {n}" for n, label in enumerate(STEP_LABELS)}
    for label, value in typed.items():  # no wait for the rerun each field starts
        page.get_by_label(label, exact=True).click()
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    settle(page)
    for label, value in typed.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_test_id("stMain").get_by_text(f"After I {typed[STEP_LABELS[0]]}, I will", exact=False)).to_be_visible()
    guard.check("after typing fast into the plan editor")
    ctx.close()
