"""RELIABILITY.md: "CR, LF, every Unicode line/paragraph separator and RFC 2047 encoded-words in every
value that reaches a header → refused or neutralised; the message has exactly the headers we wrote."

Below the browser, every value that reaches a header (the practice's sender name, the practice name,
EMAIL_FROM, the client's address) × every character str.splitlines() splits on and several
encoded-word forms, through both builders (the consent message and the reminder) and the bytes or
JSON of every backend: console (.eml), SMTP (a real aiosmtpd server) and SendGrid (the local
stand-in). The forms' rules refuse the same values with a message (core, db on both databases), and
in Chromium the Practice settings and client forms say so calmly and keep what was typed."""
from __future__ import annotations

import base64
import email as email_lib
from email import policy

import pytest

from core import clients as client_rules
from core import email_headers
from core import practices as practice_rules
from core import settings as settings_mod
from jobs import email as mail
from tests.conftest import NOW, free_port
from tests.sendgrid_standin import StandIn

LINK = "http://localhost:8501/?t=" + "L" * 43
PAUSE = "http://localhost:8501/?t=" + "P" * 43
TO = "robin@example.org"
FROM_ADDR = "no-reply@example.org"

# Every character str.splitlines() splits on, found by asking it (so a new Python cannot add one unseen).
SEPARATORS = [c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2]
assert set(SEPARATORS) == email_headers.LINE_BREAKS


def _b(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


ENCODED_WORDS = {
    "q": "=?utf-8?q?Clinic=0D=0ABcc:_x@evil.example?=",
    "Q upper": "=?UTF-8?Q?Clinic=0D=0ABcc:_x@evil.example?=",
    "b": f"=?utf-8?b?{_b('Clinic' + chr(13) + chr(10) + 'Bcc: x@evil.example')}?=",
    "B upper": f"=?UTF-8?B?{_b('Clinic' + chr(13) + chr(10) + 'Bcc: x@evil.example')}?=",
    "ends the header block": "=?utf-8?q?Clinic=0D=0A=0D=0AInjected_body_x@evil.example?=",
    "latin-1": "=?iso-8859-1?q?Clinic=0D=0ABcc:_x@evil.example?=",
    "inside a word": "Clinic=?utf-8?q?=0D=0ABcc:_x@evil.example?=Street",
    "after a space": "Harbour =?utf-8?q?=0D=0ABcc:_x@evil.example?= Street",
    "two in a row": "=?utf-8?q?A=0D=0A?= =?utf-8?q?Bcc:_x@evil.example?=",
    "joined by a hidden character": "=\u200b?utf-8?q?Clinic=0D=0ABcc:_x@evil.example?=",
    "with a literal CRLF": "=?utf-8?q?Clinic?=\r\nBcc: x@evil.example",
}
HOSTILE = {**{f"U+{ord(c):04X}": f"Clinic{c}Bcc: x@evil.example" for c in SEPARATORS}, **ENCODED_WORDS}


def cfg(tmp_path, **env):
    return settings_mod.load({"DATA_DIR": str(tmp_path), **{k: str(v) for k, v in env.items()}},
                             secrets_file=tmp_path / "none.toml")


@pytest.fixture(scope="module")
def smtp_inbox():
    from aiosmtpd.controller import Controller

    class Inbox:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def sendgrid():
    with StandIn() as s:
        yield s


def build(kind: str, **values):
    args = {"to": TO, "sender": f"Anchorstep <{FROM_ADDR}>", "sender_name": "Anchorstep", "practice_name": None,
            "now": NOW, **values}
    if kind == "consent":
        return mail.make_message(link=LINK, **args)
    return mail.make_reminder(checkin_link=LINK, pause_link=PAUSE, ref="0f" * 16, **args)


HEADERS = {kind: list(build(kind).keys()) for kind in ("consent", "reminder")}


def deliver(kind: str, backend: str, tmp_path, smtp_inbox, sendgrid, **values):
    """Send through `backend`; returns ("bytes", raw message) or ("json", SendGrid's request body)."""
    message = build(kind, **values)
    if backend == "console":
        mail.send(message, cfg(tmp_path))
        (eml,) = (tmp_path / "outbox").glob("*.eml")
        return "bytes", eml.read_bytes()
    if backend == "smtp":
        before = len(smtp_inbox.messages)
        mail.send(message, cfg(tmp_path, EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_inbox.port,
                               SMTP_STARTTLS="off"))
        (envelope,) = smtp_inbox.messages[before:]
        assert envelope.rcpt_tos == [TO] and envelope.mail_from == FROM_ADDR  # no Bcc became a recipient
        return "bytes", envelope.content
    before = len(sendgrid.requests)
    mail.send(message, cfg(tmp_path, EMAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.test", SENDGRID_HOST=sendgrid.url,
                           SENDGRID_TIMEOUT_SECONDS=2))
    (request,) = sendgrid.requests[before:]
    return "json", request["json"]


def one_line(text: str) -> bool:
    return not any(c in email_headers.LINE_BREAKS for c in str(text))


def assert_exactly_our_headers(kind: str, form: str, sent) -> None:
    if form == "bytes":
        head = sent.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
        names = [line.split(b":")[0].decode() for line in head.split(b"\n") if line and line[:1] not in b" \t"]
        assert names == HEADERS[kind]  # the raw header lines: nothing added, nothing ended early
        parsed = email_lib.message_from_bytes(sent, policy=policy.default)
        assert list(parsed.keys()) == HEADERS[kind]  # exactly the headers we wrote, in our order
        assert parsed["Bcc"] is None and parsed["Cc"] is None
        assert all(one_line(v) for v in parsed.values())
        assert [a.addr_spec for a in parsed["To"].addresses] == [TO]
        assert [a.addr_spec for a in parsed["From"].addresses] == [FROM_ADDR]
        body = parsed.get_body(("plain",)).get_content()
        assert LINK in body  # the header block did not end early and swallow the body
        return
    body = sent
    (person,) = body["personalizations"]
    assert person["to"] == [{"email": TO}] and "cc" not in person and "bcc" not in person
    assert body["from"]["email"] == FROM_ADDR and one_line(body["from"].get("name", ""))
    assert one_line(body["subject"])
    assert set(body.get("headers", {})) <= {"List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted"}
    assert all(one_line(v) for v in body.get("headers", {}).values())
    assert all(LINK in c["value"] for c in body["content"])


@pytest.mark.parametrize("backend", ["console", "smtp", "sendgrid"])
@pytest.mark.parametrize("kind", ["consent", "reminder"])
@pytest.mark.parametrize("field", ["sender_name", "practice_name", "sender"])
@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_value_is_neutralised_and_every_backend_sends_exactly_our_headers(
        tmp_path, smtp_inbox, sendgrid, backend, kind, field, hostile):
    value = HOSTILE[hostile]
    values = {"sender": f"{value} <{FROM_ADDR}>"} if field == "sender" else {field: value}
    form, sent = deliver(kind, backend, tmp_path, smtp_inbox, sendgrid, **values)
    assert_exactly_our_headers(kind, form, sent)


@pytest.mark.parametrize("kind", ["consent", "reminder"])
@pytest.mark.parametrize("hostile", [*HOSTILE, "zero-width", "bidi"], ids=[*HOSTILE, "zero-width", "bidi"])
def test_a_hostile_recipient_is_refused_not_rewritten_into_another_address(kind, hostile):
    value = {"zero-width": "robin\u200b@example.org", "bidi": "robin\u202e@example.org"}.get(hostile)
    value = value or HOSTILE[hostile].replace("Clinic", "robin@example.org")
    with pytest.raises(mail.EmailError, match="Nothing was sent"):
        build(kind, to=value)


@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
def test_every_form_rule_refuses_a_hostile_value_that_would_reach_a_header(hostile, tmp_path):
    value = HOSTILE[hostile]
    _, errors = practice_rules.validate({"name": value, "email_sender_name": value,
                                         "crisis_resources": "Call 999 in an emergency."})
    assert set(errors) == {"name", "email_sender_name"}
    _, errors = client_rules.validate({"display_name": value[:80], "email": f"{value}@example.org",
                                       "timezone": "Europe/London", "clinician_id": 1})
    assert set(errors) == {"display_name", "email"}
    with pytest.raises(settings_mod.SettingsError, match="EMAIL_FROM"):
        cfg(tmp_path, EMAIL_FROM=f"{value} <{FROM_ADDR}>")


def test_the_practice_settings_refuse_hostile_names_and_store_nothing(database, people):
    from db import practices
    before = practices.get(people["ada"].practice_id)
    for hostile in HOSTILE.values():
        for field in ("name", "email_sender_name"):
            values = {"name": "Practice A", "email_sender_name": "Anchorstep", field: hostile}
            errors = practices.update_settings(people["ada"], timezone="Europe/London",
                                               crisis_resources="Call 999 in an emergency.", now=NOW, **values)
            assert field in errors, (hostile, field)
    assert practices.get(people["ada"].practice_id) == before
    assert practices.update_settings(people["ada"], name="Practice A", timezone="Europe/London",
                                     crisis_resources="Call 999 in an emergency.", now=NOW,
                                     email_sender_name="", email_shows_practice_name=True) == {}
    saved = practices.get(people["ada"].practice_id)
    assert saved["email_sender_name"] is None and saved["email_shows_practice_name"] is True


def test_the_clinician_form_refuses_hostile_display_names():
    from db import clinicians
    for hostile in HOSTILE.values():
        _, errors = clinicians.validate_new({"display_name": hostile[:80], "username": "rl.header",
                                             "email": "rl.header@example.org", "password": "a long enough password"})
        assert set(errors) == {"display_name"}, hostile


# ---- in Chromium: the forms where these values are typed ------------------------------------------

def _signed_in_page(browser, server, username: str):
    from tests.reliability.conftest import DEMO_PASSWORD, Guard, sign_in
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    guard = Guard(page)
    sign_in(page, server.url, username, DEMO_PASSWORD)
    return ctx, page, guard


def _go(page, name: str) -> None:
    from tests.reliability.conftest import settle
    page.get_by_role("link", name=name, exact=True).click()
    settle(page)


HIDDEN = "hidden or control characters"
ENCODED = 'contains "=?"'


@pytest.mark.e2e
def test_practice_settings_refuse_encoded_words_and_line_separators_calmly_and_keep_what_was_typed(server, browser):
    from playwright.sync_api import expect
    from tests.reliability.conftest import settle
    ctx, page, guard = _signed_in_page(browser, server, "admin")
    try:
        _go(page, "Practice settings")
        expect(page.get_by_text(practice_rules.SENDER_NAME_WHY)).to_be_visible()  # says why, in one sentence
        name = page.get_by_role("textbox", name="Practice name (shown on client pages)")
        sender = page.get_by_role("textbox", name="Sender name in emails")
        shows = page.get_by_role("checkbox", name="Also name the practice inside each email")
        expect(sender).to_have_value(email_headers.DEFAULT_SENDER_NAME)  # neutral by default
        expect(shows).not_to_be_checked()
        read = ("import db; from sqlalchemy import text\nwith db.read() as c:\n"
                "    print(repr(tuple(c.execute(text('select name, email_sender_name from practices')).one())))")
        before = server.run_python(read)
        original = name.input_value()
        for hostile_name, hostile_sender in ((ENCODED_WORDS["q"], "Anchor\u2028step"),
                                             ("Clinic\u2029Bcc: x@evil.example", ENCODED_WORDS["B upper"])):
            name.fill(hostile_name)
            sender.fill(hostile_sender)
            page.get_by_role("button", name="Save", exact=True).click()
            settle(page)
            expect(page.get_by_text(HIDDEN, exact=False)).to_have_count(1, timeout=30_000)
            expect(page.get_by_text(ENCODED, exact=False)).to_have_count(1)
            expect(name).to_have_value(hostile_name)  # kept as typed
            expect(sender).to_have_value(hostile_sender)
            expect(page.get_by_text("Practice settings saved.")).to_have_count(0)
            guard.check("after refused practice settings")
        assert server.run_python(read) == before  # nothing stored
        name.fill(original)
        sender.fill("Appointments")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Practice settings saved.")).to_be_visible(timeout=30_000)
        settle(page)
        assert server.run_python(read).strip() == repr((original, "Appointments"))
        guard.check("after saving the sender name")
    finally:
        ctx.close()


@pytest.mark.e2e
def test_the_client_form_refuses_zero_width_emails_and_encoded_word_names_calmly_and_keeps_them(server, browser):
    from playwright.sync_api import expect
    from tests.reliability.conftest import settle
    ctx, page, guard = _signed_in_page(browser, server, "maya")
    try:
        _go(page, "Caseload")
        exp = page.get_by_test_id("stExpander").filter(has_text="Add a client").first
        if exp.locator("details[open]").count() == 0 and exp.get_attribute("open") is None:
            exp.get_by_text("Add a client", exact=True).click()
            settle(page)
        form = page.get_by_test_id("stForm").filter(has_text="Name the client goes by")
        name_box = form.get_by_role("textbox", name="Name the client goes by")
        email_box = form.get_by_role("textbox", name="Email for links and reminders")
        for name, address in (("Robin Header", "bob\u200b@example.org"), (ENCODED_WORDS["b"], "bob\u202e@example.org"),
                              ("Robin\u2028Header", "=?utf-8?q?bob=0D=0A?=@example.org")):
            name_box.fill(name)
            email_box.fill(address)
            form.get_by_role("button", name="Add client").click()
            settle(page)
            expect(page.get_by_text("The email address contains", exact=False)).to_be_visible(timeout=30_000)
            expect(email_box).to_have_value(address)  # kept as typed, for the clinician to correct
            expect(name_box).to_have_value(name)
            expect(page.get_by_text("to the caseload", exact=False)).to_have_count(0)
            guard.check("after a refused client")
        expect(page.get_by_text(ENCODED, exact=False).first).to_be_visible()
        stored = server.run_python("import db; from sqlalchemy import text\nwith db.read() as c:\n"
                                   "    print(c.execute(text(\"select count(*) from clients where email like "
                                   "'%bob%'\")).scalar())")
        assert stored.strip() == "0"
    finally:
        ctx.close()
