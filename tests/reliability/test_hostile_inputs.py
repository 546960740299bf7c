"""The hostile-input list of RELIABILITY.md run through every client link and every form in real
Chromium against a real `streamlit run app.py` server (one per module): the client's HTML pages
(/c/) and the clinician portal. Each case ends with a clear
message or a safe save, no traceback, no script run (payloads set `window.__pwned`), no dialog,
no `javascript:` link, no request to another host, and nothing valid lost.

Where the same inputs are proved below the browser, they are not repeated here, only pointed to:
token shapes through client.web over HTTP (tests/client/), check-in numbers, dates and
text in db/core (tests/db/test_checkins.py, tests/unit/test_checkin_rules.py), client fields
(tests/unit/test_client_rules.py), consent names (tests/db/test_consent.py), crisis resources
typed by an admin (tests/e2e/test_consent.py), the first hostile check-in thought
(tests/e2e/test_checkins.py)."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link, pick, press, tick_all
from tests.e2e.streamlit_page import choose  # noqa: F401  (other tests import it from here)
from tests.reliability.conftest import DEMO_PASSWORD, Guard, settle, sign_in
from tests.reliability.setup_data import count_checkins, ensure_client, link, make_clients

pytestmark = pytest.mark.e2e
CALM = "This link isn't working"
PWN = "window.__pwned=1"
MARKUP = (f"<script>{PWN}</script> <img src=x onerror=\"{PWN}\"> <svg onload=\"{PWN}\"></svg> "
          f"[tap me](javascript:{PWN}) ![pic](https://evil.example/t.png) $\\href{{javascript:{PWN}}}{{tex}}$")


@pytest.fixture(scope="module")
def tokens(server):
    """A client with every purpose's link, plus an expired-by-one-second and a revoked check-in link."""
    made = make_clients(server, ["RL Tokens"], purposes=("checkin", "card", "preferences", "consent"))["RL Tokens"]
    extra = json.loads(server.run_python(f"""
import json
from datetime import datetime, timedelta, timezone
import db
from core import tokens
from db import links
from sqlalchemy import update
now = datetime.now(timezone.utc)
cid = {made['id']}
with db.write() as c:
    expired = links.issue(c, client_id=cid, purpose="checkin", now=now, ttl_days={{"checkin": 1}})
    c.execute(update(links.client_links).where(links.client_links.c.token_hash == tokens.digest(expired))
              .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    revoked = links.issue(c, client_id=cid, purpose="checkin", now=now, ttl_days={{"checkin": 7}})
    c.execute(update(links.client_links).where(links.client_links.c.token_hash == tokens.digest(revoked))
              .values(revoked_at=now, revoked_reason="clinician"))
print(json.dumps({{"expired": expired, "revoked": revoked}}))
""").strip().splitlines()[-1])
    return {**made, **extra}


def _double_encoded(raw: str) -> str:
    return "".join(f"%25{ord(c):02X}" for c in raw)


def _homoglyph(raw: str) -> str:
    swap = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х"}  # Latin -> Cyrillic look-alikes
    out = "".join(swap.get(c, c) for c in raw)
    return out if out != raw else "а" + raw[1:]


BAD = {  # name -> query string, built from the client's real tokens
    "empty": lambda t: "t=",
    "one-char": lambda t: "t=a",
    "ten-thousand-chars": lambda t: "t=" + "A" * 10_000,
    "valid-plus-space": lambda t: "t=" + t["checkin"] + "%20",
    "valid-plus-tab": lambda t: "t=" + t["checkin"] + "%09",
    "valid-plus-nul": lambda t: "t=" + t["checkin"] + "%00",
    "double-encoded": lambda t: "t=" + _double_encoded(t["checkin"]),
    "case-flipped": lambda t: "t=" + t["checkin"].swapcase(),
    "repeated": lambda t: "t=" + t["checkin"] + "&t=" + t["checkin"],
    "expired-by-a-second": lambda t: "t=" + t["expired"],
    "revoked": lambda t: "t=" + t["revoked"],
    "sql-or": lambda t: "t=" + quote("' OR '1'='1"),
    "sql-drop": lambda t: "t=" + quote("x'; DROP TABLE client_links; --"),
    "homoglyphs": lambda t: "t=" + quote(_homoglyph(t["checkin"])),
    "cyrillic-a-43": lambda t: "t=" + quote("а" * 43),
    "script": lambda t: "t=" + quote(f"<script>{PWN}</script>"),
    "path": lambda t: "t=" + quote("../../etc/passwd"),
}


@pytest.fixture(scope="module")
def phone_ctx(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield ctx
    ctx.close()


def _open(ctx, url):
    page = ctx.new_page()
    guard = Guard(page)
    open_link(page, url)
    return page, guard


CALM_WORDS = ["This", "link", "isn't", "working", *(
    "The link may have expired, or it was replaced by a newer one. Nothing is wrong on your side. "
    "Please ask your clinician to send you a new link.").split()]


@pytest.mark.parametrize("where", ["/c/", "/"], ids=["link", "old-link"])
@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_link_shows_one_calm_page_that_reveals_nothing(server, tokens, phone_ctx, case, where):
    page, guard = _open(phone_ctx, f"{server.url}{where}?{BAD[case](tokens)}")
    expect(page.get_by_role("heading", name=CALM)).to_be_visible()
    main = page.locator("main").inner_text()
    # The same words for every bad link: nothing says expired, revoked, which client, or whose.
    assert main.split() == CALM_WORDS, main
    assert "t=" not in page.url and page.url.endswith("/c/link-problem")  # the token leaves the address bar
    expect(page.get_by_label("Username")).to_have_count(0)  # client links never meet the sign-in form
    guard.check(case)
    page.close()


def test_a_missing_token_shows_the_sign_in_page_calmly_and_on_c_the_calm_page(server, phone_ctx):
    page = phone_ctx.new_page()
    guard = Guard(page)
    page.goto(f"{server.url}/?x=1")
    settle(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    guard.check()
    page.close()
    page, guard = _open(phone_ctx, f"{server.url}/c/?x=1")
    assert page.locator("main").inner_text().split() == CALM_WORDS
    guard.check("/c/ without a token")
    page.close()


def test_each_purposes_token_opens_only_its_own_page_and_opening_changes_nothing(server, tokens, browser):
    before = count_checkins(server, "RL Tokens")
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    seen = {}
    for purpose, heading in [("card", "Your coping card"), ("preferences", "Your reminders"),
                             ("consent", "Thank you"), ("checkin", "Check in")]:
        page, guard = _open(ctx, link(server, tokens[purpose]))
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        seen[purpose] = page.get_by_role("button", name="Submit check-in").count()
        guard.check(purpose)
        if purpose == "card":  # a card link's session cannot open the check-in
            page.goto(f"{server.url}/c/checkin")
            expect(page.get_by_role("heading", name=CALM)).to_be_visible()
        page.close()
    ctx.close()
    assert seen == {"card": 0, "preferences": 0, "consent": 0, "checkin": 1}  # a card token cannot check in
    assert count_checkins(server, "RL Tokens") == before  # a GET changes nothing
    log = (server.data.parent / "server.log").read_text()
    assert not any(tokens[p] in log for p in ("checkin", "card", "preferences", "consent")), "a token was logged"


# ---- the client's check-in form -------------------------------------------------------------------

ODD = "\u202egnp.exe a\u200bb\u200d " + "e" + "\u0301" * 60  # RTL override, zero-width, combining flood


def _submit(page) -> None:
    press(page, "Submit check-in", tap=True)


def _again(page) -> None:
    page.get_by_role("link", name="Check in again").tap()
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()


def _more(page) -> None:
    page.get_by_text("Add a thought or where you were").tap()


def _stored(server, name):
    return json.loads(server.run_python(
        "import json, db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    rows = c.execute(text('select thought, context_where, context_with, mood from checkins k join clients c "
        f"on c.id = k.client_id where c.display_name = :n order by k.id'), {{'n': {name!r}}}).all()\n"
        "print(json.dumps([list(r) for r in rows]))").strip().splitlines()[-1])


def _signed_in(browser, server, username: str):
    """A desktop page signed in once as `username`, with its Guard; closed after the module."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, username, DEMO_PASSWORD)
    yield page, guard
    ctx.close()


@pytest.fixture(scope="module")
def desk(browser, server):
    """Maya signed in once for the module's clinician-side checks."""
    yield from _signed_in(browser, server, "maya")


def go(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    settle(page)


def test_the_check_in_form_keeps_hostile_text_as_text_and_refuses_only_what_cannot_be_saved(server, phone_ctx, desk):
    raw = make_clients(server, ["RL Text"])["RL Text"]["checkin"]
    page, guard = _open(phone_ctx, link(server, raw))
    # Numbers are radio buttons: only 0-10 can be chosen, and nothing is preselected.
    mood = page.get_by_role("group", name="Mood right now").get_by_role("radio")
    expect(mood).to_have_count(11)
    assert page.locator("input[type=radio]:checked").count() == 0
    pick(page, "How did it go?", "Partly", tap=True)
    _more(page)
    page.get_by_label("A thought that came up, in your own words").fill(MARKUP)
    page.get_by_label("Where were you?").fill("![pic](https://evil.example/w.png)")
    page.get_by_label("Who were you with?").fill(ODD)
    # Empty numbers: a message next to each, and everything typed is still there.
    _submit(page)
    expect(page.get_by_text("Please choose a number from 0 to 10 for mood", exact=False).first).to_be_visible()
    expect(page.get_by_label("A thought that came up, in your own words")).to_have_value(MARKUP)
    expect(page.get_by_label("Who were you with?")).to_have_value(ODD)
    expect(page.get_by_role("group", name="How did it go?").get_by_label("Partly")).to_be_checked()
    guard.check("after the empty numbers")
    pick(page, "Mood right now", "4", tap=True)
    pick(page, "Distress or urge right now", "5", tap=True)
    _submit(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    guard.check("after the markup check-in")

    # NUL typed into the thought: either refused with a message (keeping the rest) or saved without it.
    _again(page)
    pick(page, "How did it go?", "Done", tap=True)
    pick(page, "Mood right now", "6", tap=True)
    pick(page, "Distress or urge right now", "2", tap=True)
    _more(page)
    page.get_by_label("A thought that came up, in your own words").fill("before\x00after")
    page.get_by_label("Where were you?").fill("home")
    _submit(page)
    if page.get_by_text("contains a character that can't be saved", exact=False).count():
        expect(page.get_by_label("Where were you?")).to_have_value("home")
        page.get_by_label("A thought that came up, in your own words").fill("before after")
        _submit(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    guard.check("after NUL")

    # 10,000 characters pasted: the field holds at most 500, and that saves.
    _again(page)
    pick(page, "How did it go?", "Done", tap=True)
    pick(page, "Mood right now", "7", tap=True)
    pick(page, "Distress or urge right now", "1", tap=True)
    _more(page)
    box = page.get_by_label("A thought that came up, in your own words")
    box.fill("long " * 2_000)
    assert len(box.input_value()) <= 500
    page.get_by_label("Where were you?").fill("bus")
    _submit(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    guard.check("after the long text")
    page.close()

    rows = _stored(server, "RL Text")
    assert len(rows) == 3
    assert rows[0] == [MARKUP, "![pic](https://evil.example/w.png)", ODD, 4]  # stored exactly as typed
    assert "\x00" not in rows[1][0] and len(rows[2][0]) <= 500

    # The clinician's view shows it all as text.
    dpage, dguard = desk
    go(dpage, "Check-ins")
    choose(dpage, "Client", "RL Text")
    shown = dpage.get_by_test_id("stExpander").filter(has_text="Thoughts as written")
    expect(shown.get_by_text(MARKUP, exact=False)).to_be_visible()
    assert dpage.locator("[data-testid='stMain'] img[src='x'], [data-testid='stMain'] svg[onload]").count() == 0
    dguard.check("in the clinician's check-ins view")


# ---- clinician forms ------------------------------------------------------------------------------

NAME = f"![p](https://evil.example/n.png)<img src=x onerror={PWN}>:red[E]"  # within the 80-character limit


def _expand(page, title: str) -> None:
    """Open the expander titled `title` and wait until it is open. A click that lands while a rerun redraws
    the page can be lost (seen in CI: the "Client" box inside never appeared), so look again, and click again."""
    exp = page.get_by_test_id("stExpander").filter(has_text=title).first

    def is_open() -> bool:
        return exp.locator("details[open]").count() > 0 or exp.get_attribute("open") is not None

    for _attempt in range(3):
        settle(page)
        if is_open():
            return
        exp.get_by_text(title, exact=True).click()
        settle(page)
        for _ in range(20):
            if is_open():
                return
            page.wait_for_timeout(250)
    assert is_open(), f"the {title!r} expander did not open"


def test_add_client_refuses_crlf_headers_and_hostile_zones_keeps_what_was_typed_and_saves_markup_as_text(server, desk):
    page, guard = desk
    go(page, "Caseload")
    _expand(page, "Add a client")
    form = page.get_by_test_id("stForm").filter(has_text="Name the client goes by")
    form.get_by_role("textbox", name="Name the client goes by").fill("Eve\u202e gnp")
    form.get_by_role("textbox", name="Email for links and reminders").fill("eve@example.org\r\nBcc: all@example.org")
    # The time zone is a closed list: typing a path or UTC+25 offers no such option (fuzzy matches
    # are real zones); the hostile strings themselves reach the server only in tests/unit/test_client_rules.py.
    zone = form.get_by_test_id("stSelectbox").filter(has_text="Client's time zone")
    for hostile in ("../../etc/passwd", "UTC+25"):
        zone.click()
        page.keyboard.type(hostile)
        page.wait_for_timeout(300)
        offered = page.get_by_role("option").all_inner_texts()
        assert hostile not in offered and all("/" in o or o == "UTC" or "No results" in o for o in offered), offered
        page.keyboard.press("Escape")
        form.get_by_role("textbox", name="Name the client goes by").click()  # leave the box
    expect(zone.get_by_role("combobox")).to_have_value("Europe/London")
    form.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("hidden or control characters", exact=False)).to_be_visible(timeout=30_000)
    settle(page)
    expect(page.get_by_text("doesn't look like an email address", exact=False)).to_be_visible()
    expect(form.get_by_role("textbox", name="Name the client goes by")).to_have_value("Eve\u202e gnp")  # kept as typed
    assert form.get_by_role("textbox", name="Email for links and reminders").input_value().startswith("eve@example.org")
    guard.check("after the refused client")
    form.get_by_role("textbox", name="Name the client goes by").fill(NAME)
    form.get_by_role("textbox", name="Email for links and reminders").fill("eve@example.org")
    form.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("hidden or control characters", exact=False)).to_have_count(0, timeout=30_000)
    expect(page.get_by_text("to the caseload", exact=False)).to_be_visible(timeout=30_000)
    settle(page)
    expect(page.get_by_text(f"Added {NAME} to the caseload.")).to_be_visible()  # as text, not an image
    guard.check("after adding a client with a markup name")
    saved = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    print(c.execute(text('select email || \"|\" || timezone from clients where display_name = :n'), "
        f"{{'n': {NAME!r}}}).scalar())").strip()
    assert saved == "eve@example.org|Europe/London"


def test_edit_client_refuses_crlf_and_hidden_characters_and_keeps_the_other_fields(server, desk):
    ensure_client(server, NAME)
    page, guard = desk
    go(page, "Caseload")
    _expand(page, "Edit a client")
    choose(page, "Client", NAME)
    form = page.get_by_test_id("stForm").filter(has_text="Save changes")
    name_box = form.get_by_role("textbox", name="Name the client goes by")
    email_box = form.get_by_role("textbox", name="Email for links and reminders")
    expect(name_box).to_have_value(NAME)
    name_box.fill("Eve\u200b")
    email_box.fill("eve@example.org\r\nBcc: all@example.org")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("doesn't look like an email address", exact=False)).to_be_visible(timeout=30_000)
    settle(page)
    expect(page.get_by_text("hidden or control characters", exact=False)).to_be_visible()
    expect(name_box).to_have_value("Eve\u200b")
    guard.check("after the refused edit")
    name_box.fill(NAME)
    email_box.fill("eve.new@example.org")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after the edit")
    saved = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        f"    print(c.execute(text('select email from clients where display_name = :n'), {{'n': {NAME!r}}}).scalar())")
    assert saved.strip() == "eve.new@example.org"


STEP_TEXT = {  # label -> hostile text (each within the field's limit)
    "After I … (an existing daily routine)": f"pour coffee <script>{PWN}</script>",
    "I will … (one action you could see)": f"breathe [x](javascript:{PWN}) ![p](https://evil.example/s.png) 3 min",
    "Likely barrier": f"<svg onload={PWN}> running late",
    "If … then I will …": f"If late, then $\\href{{javascript:{PWN}}}{{tex}}$ <img src=x onerror={PWN}>",
}


def test_the_plan_editor_shows_hostile_step_text_as_text_on_the_card_preview_and_saves_it(server, desk):
    from tests.e2e.test_plans import type_into
    ensure_client(server, NAME)
    page, guard = desk
    go(page, "Plans")
    choose(page, "Client", NAME)  # the client added above, with no plan yet
    choose(page, "Start from a template", "Diaphragmatic breathing")
    # The template fills the fields in the rerun the choice starts; settle() can return before that rerun
    # has begun (the page still says notRunning just after the click), and text typed before it lands is
    # replaced by the template's. Wait for the template's anchor in the field: then nothing typed is lost.
    expect(page.get_by_label("After I … (an existing daily routine)", exact=True)).to_have_value("pour my morning coffee")
    settle(page)
    for label, text in STEP_TEXT.items():
        type_into(page, label, text)
        guard.check(f"after typing into {label}")
    preview = page.get_by_test_id("stMain")
    expect(preview.get_by_text("pour coffee <script>", exact=False).first).to_be_visible()
    expect(preview.get_by_text(f"[x](javascript:{PWN})", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_text("Plan created.")).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after saving the plan")
    for text in STEP_TEXT.values():  # what was typed is kept in the fields of the saved step
        assert text in [page.get_by_label(lbl, exact=True).input_value() for lbl in STEP_TEXT]


def _flag(server, name: str) -> None:
    """A check-in with distress 10 for `name`: a safety flag to review."""
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
r = checkins.submit(raw, {{"local_date": form["today"].isoformat(), "steps": steps, "mood": 2, "distress": 10,
                           "thought": "", "context_where": "", "context_with": "", "idempotency_key": "flag-" + "x" * 20}},
                    now=now)
assert r.status == "saved" and r.flagged, r
""")


def test_a_safety_review_note_refuses_an_empty_note_and_saves_hostile_text_as_typed(server, desk):
    make_clients(server, ["RL Flag"])
    _flag(server, "RL Flag")
    page, guard = desk
    go(page, "Check-ins")
    card = page.get_by_test_id("stVerticalBlock").filter(has_text="RL Flag").filter(
        has=page.get_by_role("button", name="Mark reviewed")).last
    note = card.get_by_label("What you did or decided (required to clear the flag)")
    card.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("Please write a short note", exact=False)).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after the empty note")
    text = f"Phoned them. {MARKUP}"
    note.fill(text)
    page.keyboard.press("Tab")
    settle(page)
    card.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("Flag reviewed; your note is kept with it.")).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after the review")
    stored = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    print(repr(c.execute(text(\"select review_note from safety_flags f join clients c on c.id = f.client_id "
        "where c.display_name = 'RL Flag'\")).scalar()))").strip()
    assert stored == repr(text)


def test_client_quiet_hours_refuse_impossible_times_and_keep_them_in_the_fields(server, desk):
    make_clients(server, ["RL Quiet"])
    page, guard = desk
    go(page, "Reminders")
    choose(page, "Client", "RL Quiet")
    _expand(page, "Client's own quiet hours")
    start, end = page.get_by_label("From (HH:MM)"), page.get_by_label("Until (HH:MM)")
    for a, b in [("25:00", "07:00"), ("../../etc/passwd", "07:00"), ("22:00", "24:60"), ("22:00", "7:00\x00")]:
        start.fill(a)
        end.fill(b)
        page.get_by_role("button", name="Save quiet hours").click()
        expect(page.get_by_text("Please write both times as HH:MM", exact=False)).to_be_visible(timeout=30_000)
        settle(page)
        assert start.input_value() == a and end.input_value() in (b, b.replace("\x00", ""))  # kept as typed
        guard.check(f"quiet hours {a!r}-{b!r}")
    start.fill("22:00")
    end.fill("07:00")
    page.get_by_role("button", name="Save quiet hours").click()
    expect(page.get_by_text("Quiet hours saved", exact=False)).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after saving quiet hours")


# ---- client consent, reminder preferences, replays --------------------------------------------------

CONSENT_LINK = """
import json
from datetime import datetime, timezone
from core import settings
from core.consent import DEFAULT_ITEMS
from db import clients, consent
import db; from sqlalchemy import text
from db.actors import Actor
now = datetime.now(timezone.utc)
with db.read() as c:
    m = c.execute(text("select id, practice_id from clinicians where username='maya'")).one()
maya = Actor(m.id, m.practice_id, 'clinician', 'maya')
cid, err = clients.create(maya, {"display_name": NAME, "email": "rl@example.org", "timezone": "Europe/London"}, now=now)
assert not err, err
out, err = consent.issue_link(maya, cid, {"discussed": [i["key"] for i in DEFAULT_ITEMS], "tech_ok": True,
                                          "tech_note": ""}, now=now, ttl_days=settings.load().link_ttl_days(), via="copy")
assert not err, err
print(out["raw"])
"""


def consent_link(server, name: str) -> str:
    return link(server, server.run_python(f"NAME = {name!r}\n" + CONSENT_LINK).strip().splitlines()[-1])


def test_the_consent_name_refuses_hidden_characters_keeps_the_ticks_and_saves_markup_as_typed(server, phone_ctx):
    page, guard = _open(phone_ctx, consent_link(server, "RL Consent"))
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    n = tick_all(page)
    name_box = page.get_by_role("textbox", name="Type your name to agree")
    for bad in ("Robin\u202egnp.exe", "R\u200bobin", "e" + "\u0301" * 40, "   "):
        name_box.fill(bad)
        page.get_by_role("button", name="I agree").click()
        expect(page.locator(".error-summary li")).to_have_count(1)
        expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
        # Nothing valid lost: every tick is still there.
        assert page.locator("input[type=checkbox][name=item]:checked").count() == n
        guard.check(f"consent name {bad!r}")
    typed = f"<img src=x onerror={PWN}> [R](javascript:{PWN})"
    name_box.fill(typed)
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    guard.check("after confirming")
    stored = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    print(repr(c.execute(text(\"select confirmed_name from consents k join clients c on c.id = k.client_id "
        "where c.display_name = 'RL Consent'\")).scalar()))").strip()
    assert stored == repr(typed)


def _revoke(server, name: str) -> None:
    server.run_python(
        "from datetime import datetime, timezone\nimport db\nfrom db import links\nfrom sqlalchemy import text\n"
        "with db.write() as c:\n"
        f"    cid = c.execute(text('select id from clients where display_name = :n'), {{'n': {name!r}}}).scalar()\n"
        "    links.revoke_all(c, cid, datetime.now(timezone.utc), reason='clinician')")


def test_replays_two_tabs_of_preferences_then_a_revoked_link_change_nothing_and_stay_calm(server, browser):
    made = make_clients(server, ["RL Replay"], purposes=("preferences", "checkin"))["RL Replay"]
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    one, g1 = _open(ctx, link(server, made["preferences"]))
    two, g2 = _open(ctx, link(server, made["preferences"]))
    for tab in (one, two):
        tab.get_by_role("checkbox", name="Pause my email reminders").check()
    one.get_by_role("button", name="Pause reminders").click()
    expect(one.get_by_text("Reminders are paused. Nothing else has changed", exact=False)).to_be_visible()
    two.get_by_role("button", name="Pause reminders").click()  # the stale second tab
    expect(two.get_by_role("button", name="Resume reminders")).to_be_visible()
    g1.check("first tab"), g2.check("second tab")

    form, g3 = _open(ctx, link(server, made["checkin"]))
    pick(form, "How did it go?", "Done")
    pick(form, "Mood right now", "5")
    pick(form, "Distress or urge right now", "2")
    _revoke(server, "RL Replay")  # the clinician switches the links off while the form is open
    form.get_by_role("button", name="Submit check-in").click()
    expect(form.get_by_role("heading", name=CALM)).to_be_visible()
    one.get_by_role("checkbox", name="Turn my email reminders back on").check()
    one.get_by_role("button", name="Resume reminders").click()
    expect(one.get_by_role("heading", name=CALM)).to_be_visible()
    g1.check("resume after revoke"), g3.check("submit after revoke")
    assert count_checkins(server, "RL Replay") == 0
    paused = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    print(c.execute(text(\"select count(*) from reminder_prefs p join clients c on c.id = p.client_id "
        "where c.display_name = 'RL Replay' and p.paused_at is not null\")).scalar())").strip()
    assert paused == "1"  # still paused: the revoked link resumed nothing
    ctx.close()


def test_a_session_date_typed_as_30_february_or_year_9999_never_breaks_the_client_view(server, desk):
    make_clients(server, ["RL Session"])
    page, guard = desk
    go(page, "Client view")
    choose(page, "Client", "RL Session")
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    settle(page)
    label = "Session date (past or next)"
    # A segmented date field (year / month / day spin buttons): type each part as a person would.
    for year, month, day in (("2026", "02", "30"), ("9999", "12", "31"), ("0000", "00", "00")):
        for part, digits in (("year", year), ("month", month), ("day", day)):
            page.get_by_role("spinbutton", name=f"{part}, {label}").click()
            page.keyboard.type(digits)
        page.keyboard.press("Tab")
        settle(page)
        typed = "/".join((year, month, day))
        shown = "/".join(page.get_by_role("spinbutton", name=f"{p}, {label}").inner_text() for p in ("year", "month", "day"))
        print("typed", typed, "-> the field shows", shown)  # 30 Feb clamps to 28; year 9999 is out of range
        page.get_by_role("button", name="Record session").click()
        page.wait_for_timeout(500)
        settle(page)
        guard.check(f"session date {typed!r}")
        expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    dates = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    print([str(d) for (d,) in c.execute(text(\"select on_date from sessions s join clients c on c.id = s.client_id "
        "where c.display_name = 'RL Session'\")).all()])").strip()
    assert "-02-30" not in dates and "0000" not in dates and "9999" not in dates, dates
    # Whatever was recorded, the caseload still draws (it computes the next session from these dates).
    go(page, "Caseload")
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    guard.check("caseload after session dates")
    print("typed session dates ->", dates)


# ---- admin forms ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin(browser, server):
    """The demo admin signed in once for the admin forms."""
    yield from _signed_in(browser, server, "admin")


def test_add_clinician_refuses_path_usernames_crlf_emails_and_short_passwords_keeping_what_was_typed(server, admin):
    page, guard = admin
    go(page, "Clinicians")
    _expand(page, "Add a clinician")
    form = page.get_by_test_id("stForm").filter(has_text="Full name")
    fields = {"Full name": NAME, "Username": "../../etc/passwd", "Work email": "rl@example.org\r\nBcc: all@example.org"}
    for label, text in fields.items():
        form.get_by_role("textbox", name=label).fill(text)
    form.get_by_label("First password (12+ characters; ask them to change it)").fill("short")
    form.get_by_role("button", name="Add clinician").click()
    expect(page.get_by_test_id("stAlertContentError").first).to_be_visible(timeout=30_000)
    settle(page)
    assert page.get_by_test_id("stAlertContentError").count() >= 3  # username, email, password
    expect(form.get_by_role("textbox", name="Full name")).to_have_value(NAME)
    expect(form.get_by_role("textbox", name="Username")).to_have_value("../../etc/passwd")
    guard.check("after the refused clinician")
    form.get_by_role("textbox", name="Username").fill("rl.eve")
    form.get_by_role("textbox", name="Work email").fill("rl.eve@example.org")
    form.get_by_label("First password (12+ characters; ask them to change it)").fill("a long enough password")
    form.get_by_role("button", name="Add clinician").click()
    expect(page.get_by_text(f"Added {NAME}.")).to_be_visible(timeout=30_000)  # as text
    settle(page)
    guard.check("after adding a clinician with a markup name")


CRISIS = f"Call 999 or Samaritans 116 123. {MARKUP}"


def test_practice_settings_keep_typed_values_after_a_refusal_and_crisis_text_reaches_clients_as_text(
        server, admin, tokens, phone_ctx):
    page, guard = admin
    go(page, "Practice settings")
    name, crisis = page.get_by_label("Practice name (shown on client pages)"), page.get_by_role(
        "textbox", name="Crisis resources shown to clients")
    expect(name).not_to_have_value("", timeout=30_000)  # the saved name has reached the widget
    original = name.input_value()
    name.fill("   ")
    crisis.fill(CRISIS)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Please enter the practice name.")).to_be_visible(timeout=30_000)
    settle(page)
    expect(crisis).to_have_value(CRISIS)  # nothing valid lost
    guard.check("after the refused settings")
    name.fill(original)
    name.press("Tab")  # commit the text input before the click (Streamlit sends it on blur)
    expect(name).to_have_value(original)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Practice settings saved.")).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after saving hostile crisis text")
    card, cguard = _open(phone_ctx, link(server, tokens["card"]))
    expect(card.get_by_role("heading", name="Your coping card")).to_be_visible()
    expect(card.get_by_text(f"[tap me](javascript:{PWN})", exact=False).first).to_be_visible()
    cguard.shows_as_text(CRISIS)
    cguard.check("coping card with hostile crisis text")
    card.close()


def test_a_hostile_consent_checklist_needs_its_confirmation_keeps_the_edits_and_clients_read_it_as_text(server, admin,
                                                                                                       phone_ctx):
    page, guard = admin
    go(page, "Consent checklist")
    title = page.get_by_label("Title").first
    text = page.get_by_label("Text").first
    hostile_title = f"What this is <img src=x onerror={PWN}>"
    title.fill(hostile_title)
    text.fill(f"How it works. {MARKUP}")
    page.get_by_role("button", name="Publish as version", exact=False).click()
    expect(page.get_by_text("Please tick the box above to confirm.")).to_be_visible(timeout=30_000)
    settle(page)
    expect(page.get_by_label("Title").first).to_have_value(hostile_title)
    guard.check("after the unconfirmed publish")
    page.get_by_test_id("stCheckbox").filter(has_text="every client will be asked").locator("label").click()
    page.get_by_role("button", name="Publish as version", exact=False).click()
    expect(page.get_by_text("published. Clients will be asked to confirm it.", exact=False)).to_be_visible(timeout=30_000)
    settle(page)
    guard.check("after publishing")
    client, cg = _open(phone_ctx, consent_link(server, "RL Checklist"))
    expect(client.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(client.get_by_text(hostile_title).first).to_be_visible()
    expect(client.get_by_text(f"[tap me](javascript:{PWN})", exact=False).first).to_be_visible()
    cg.shows_as_text(f"How it works. {MARKUP}")
    cg.check("client consent page with a hostile checklist")
    client.close()
