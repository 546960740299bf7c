"""Sending the consent link: the outbox holds a neutral email with a working link and no client data."""
import email
from email import policy

import pytest

from db import clients, consent
from jobs import invites
from tests.conftest import NOW
from tests.db.test_consent import FORM

CANARY = "CANARY-7f3e"


def test_the_consent_email_carries_a_working_link_and_no_client_text(database, people, tmp_path):
    cid = people["client_clara"]
    c = clients.get(people["clara"], cid, now=NOW)
    clients.update_client(people["clara"], cid, {**c, "display_name": f"Robin {CANARY}"}, now=NOW)
    form = {**FORM, "tech_note": f"note {CANARY}"}
    out = invites.consent_link(people["clara"], cid, form, now=NOW, via="email")
    assert out.emailed and out.errors == {} and out.url is None
    from core import settings
    files = list((settings.load().data_dir / "outbox").glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    assert CANARY.encode() not in raw
    body = email.message_from_bytes(raw, policy=policy.default).get_content()
    token = body.split("/c/?t=")[1].split()[0]  # the client pages' address (links.url)
    assert consent.for_link(token, NOW)["state"] == "open"


def test_copying_the_link_sends_nothing(database, people):
    out = invites.consent_link(people["clara"], people["client_clara"], FORM, now=NOW, via="copy")
    assert out.url and "/c/?t=" in out.url and not out.emailed
    from core import settings
    assert not (settings.load().data_dir / "outbox").exists()


def test_a_failed_email_says_so_and_the_link_can_still_be_copied(database, people, monkeypatch):
    from tests.conftest import free_port
    monkeypatch.setenv("EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))
    out = invites.consent_link(people["clara"], people["client_clara"], FORM, now=NOW, via="email")
    assert not out.emailed and "did not accept" in out.problem
    again = invites.consent_link(people["clara"], people["client_clara"], None, now=NOW, via="copy")
    assert again.url


# Issue 12, faults 3 and 4: values that reach a header, and "sent" only when an email was handed over.
from sqlalchemy import select, update  # noqa: E402

import db  # noqa: E402
from db import audit, practices  # noqa: E402

OUR_HEADERS = ["Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "Content-Type",
               "Content-Transfer-Encoding", "MIME-Version"]


def _store_practice_name(people, name):
    """What an older version (or a direct database edit) may have stored: the forms refuse it now."""
    with db.write() as conn:
        conn.execute(update(practices.practices).where(practices.practices.c.id == people["clara"].practice_id)
                     .values(name=name))


def _events(cid):
    with db.read() as conn:
        return [r.event for r in conn.execute(select(consent.consent_events.c.event)
                                              .where(consent.consent_events.c.client_id == cid))]


@pytest.fixture
def smtp_inbox(monkeypatch):
    from aiosmtpd.controller import Controller
    from tests.conftest import free_port

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    yield inbox
    controller.stop()


def _sent_bytes(backend, request):
    from core import settings
    if backend == "smtp":
        (envelope,) = request.getfixturevalue("smtp_inbox").messages
        assert len(envelope.rcpt_tos) == 1  # no Bcc became a recipient
        return envelope.content
    (eml,) = (settings.load().data_dir / "outbox").glob("*.eml")
    return eml.read_bytes()


@pytest.mark.parametrize("backend", ["console", "smtp"])
def test_regression_an_encoded_word_in_the_practice_name_adds_no_header_to_the_consent_email(
        database, people, backend, request):
    if backend == "smtp":
        request.getfixturevalue("smtp_inbox")
    _store_practice_name(people, "=?utf-8?q?Clinic=0D=0ABcc:_x@evil.example=0D=0A=0D=0Abody?=")
    out = invites.consent_link(people["clara"], people["client_clara"], FORM, now=NOW, via="email")
    assert out.emailed, out.problem
    raw = _sent_bytes(backend, request)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert sorted(parsed.keys()) == sorted(OUR_HEADERS)  # exactly the headers we wrote
    assert parsed["Bcc"] is None and b"evil.example" not in raw.split(b"\n\n")[0].replace(b"\r", b"")
    assert "?t=" in parsed.get_content()  # the body is intact: the header block did not end early


def test_regression_a_line_separator_in_the_practice_name_never_records_sent_without_an_email(database, people):
    from core import settings
    cid = people["client_clara"]
    _store_practice_name(people, "Clinic\u2028Bcc: x@evil.example")
    out = invites.consent_link(people["clara"], cid, FORM, now=NOW, via="email")  # no ValueError on the page
    files = list((settings.load().data_dir / "outbox").glob("*.eml"))
    assert out.emailed and len(files) == 1 and _events(cid).count("sent") == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and "\u2028" not in str(parsed["Subject"])


def test_regression_sent_is_recorded_only_when_the_backend_took_the_email(database, people, monkeypatch):
    from tests.conftest import free_port
    cid = people["client_clara"]
    monkeypatch.setenv("EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nobody listens: nothing is sent
    out = invites.consent_link(people["clara"], cid, FORM, now=NOW, via="email")
    assert not out.emailed and out.problem
    assert "sent" not in _events(cid)
    view = consent.overview(people["clara"], cid, now=NOW, notice_days=14)
    assert view["status"].state == "draft"  # not "awaiting client": the client has nothing to open
    with db.read() as conn:
        actions = [r.action for r in conn.execute(select(audit.audit_events.c.action)
                                                  .where(audit.audit_events.c.client_id == cid))]
    assert "email.failed" in actions and "consent.send" not in actions and "email.sent" not in actions


def test_regression_a_zero_width_or_bidi_character_in_a_client_email_is_refused(database, people):
    for hostile in ("bob\u200b@example.org", "bob\u202e@example.org", "bob\ufeff@example.org",
                    "=?utf-8?q?bob=0D=0A?=@example.org"):
        new_id, errors = clients.create(people["clara"], {"display_name": "Bob", "email": hostile,
                                                          "timezone": "Europe/London"}, now=NOW)
        assert new_id is None and errors["email"] in (
            "The email address contains hidden or control characters; please retype it.",
            "The email address contains \"=?\", which email programs read as a hidden code; please leave it out.")
        c = clients.get(people["clara"], people["client_clara"], now=NOW)
        assert clients.update_client(people["clara"], people["client_clara"], {**c, "email": hostile},
                                      now=NOW).get("email")
    assert clients.get(people["clara"], people["client_clara"], now=NOW)["email"] == c["email"]
