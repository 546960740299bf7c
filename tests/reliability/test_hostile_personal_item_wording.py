"""A personal item's wording, typed by a clinician, in real Chromium against a real `streamlit run`
(issue 17): markup, links, images, maths, shortcodes, colours and bare addresses in the question and
its end words read as exactly what was typed on the clinician's Check-ins page and client view, and on
the client's check-in page. Every page is also watched by the shared Guard."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link
from tests.reliability.conftest import DEMO_PASSWORD, Guard, sign_in
from tests.reliability.setup_data import link, make_clients
from tests.reliability.test_hostile_markup import NOTHING, _no_markup_inside

pytestmark = pytest.mark.e2e

WORDING = "![x](https://evil.example/t.png) [help](https://evil.example) :red[ALERT] :skull: $x^2$ www.evil.example"
LOW = "<b>none</b> x@evil.example"


def _items_and_an_answer(server, name: str, raw: str) -> None:
    server.run_python(f"""
from datetime import datetime, timezone
import db
from db import checkins, personal_items
from db.actors import Actor
from sqlalchemy import text
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
    cid = c.execute(text("select id from clients where display_name = :n"), {{"n": {name!r}}}).scalar()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
assert personal_items.add(maya, cid, 'scale', {WORDING!r}, {LOW!r}, ':material/warning:', now=now) == {{}}
[item] = personal_items.list_for(maya, cid, now=now)
form = checkins.form_by_link({raw!r}, now=now)
r = checkins.submit({raw!r}, {{"local_date": form["today"].isoformat(), "steps": {{}}, "mood": 6, "distress": 2,
                              "idempotency_key": "pi-" + "x" * 21, "personal": {{item.current.id: "4"}}}}, now=now)
assert r.status == "saved", r
""")


def test_regression_personal_item_wording_is_text_for_the_client_and_the_clinician(server, browser):
    assert len(WORDING) <= 120
    raw = make_clients(server, ["RL Personal"], ("checkin",))["RL Personal"]["checkin"]
    _items_and_an_answer(server, "RL Personal", raw)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    client = phone.new_page()
    cguard = Guard(client)
    open_link(client, link(server, raw))
    legend = client.get_by_role("group", name=WORDING)
    expect(legend).to_be_visible()
    assert _no_markup_inside(legend) == NOTHING
    expect(legend).to_contain_text(f"0 = {LOW}, 10 = :material/warning:")
    cguard.check("client check-in with a hostile personal item")
    phone.close()

    from tests.reliability.test_hostile_inputs import choose, go
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    go(page, "Check-ins")
    choose(page, "Client", "RL Personal")
    shown = page.get_by_test_id("stMain").get_by_text(f"1. {WORDING}", exact=False).first
    expect(shown).to_be_visible()
    assert _no_markup_inside(shown) == NOTHING
    ends = page.get_by_test_id("stMain").get_by_text(f"0 = {LOW}", exact=False).first
    expect(ends).to_be_visible()
    assert _no_markup_inside(ends) == NOTHING
    guard.check("check-ins with a hostile personal item")

    go(page, "Client view")
    choose(page, "Client", "RL Personal")
    titled = page.get_by_test_id("stMain").get_by_text(f"Personal item 1: {WORDING}", exact=False).first
    expect(titled).to_be_visible()
    assert _no_markup_inside(titled) == NOTHING
    how = page.get_by_test_id("stMain").get_by_text("How this was computed:", exact=False).first
    expect(how).to_contain_text(f"from 0 ({LOW}) to 10 (:material/warning:)")
    assert _no_markup_inside(how) == NOTHING
    guard.check("client view with a hostile personal item")
    ctx.close()
