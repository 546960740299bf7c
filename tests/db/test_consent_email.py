"""Sending the consent link: the outbox holds a neutral email with a working link and no client data."""
import email
from email import policy

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
    token = body.split("?t=")[1].split()[0]
    assert consent.for_link(token, NOW)["state"] == "open"


def test_copying_the_link_sends_nothing(database, people):
    out = invites.consent_link(people["clara"], people["client_clara"], FORM, now=NOW, via="copy")
    assert out.url and "?t=" in out.url and not out.emailed
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
