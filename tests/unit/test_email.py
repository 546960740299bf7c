"""The email seam: console writes an .eml and prints no link; smtp delivers to a real local aiosmtpd
server; messages carry one link and no health information."""
import email
from email import policy

import pytest

from core import settings as settings_mod
from jobs import email as mail
from tests.conftest import NOW, free_port

LINK = "http://localhost:8501/?t=" + "A" * 43


def cfg(tmp_path, **env):
    return settings_mod.load({"DATA_DIR": str(tmp_path), **{k: str(v) for k, v in env.items()}},
                             secrets_file=tmp_path / "none.toml")


def message(**kw):
    return mail.make_message(to="robin@example.org", practice_name=kw.get("practice", "Harbour Street"), link=LINK,
                             sender_name=kw.get("sender_name"), sender="Practice <no-reply@example.org>", now=NOW)


def test_a_message_is_neutral_with_one_link():
    msg = message()
    assert msg["Subject"] == "A message from Anchorstep"  # neutral by default (issue 12): the name is in the body
    body = msg.get_content()
    assert body.count("http") == 1 and LINK in body


def test_header_injection_in_the_practice_name_goes_nowhere():
    msg = message(practice="Evil\r\nBcc: victim@example.org", sender_name="Evil\r\nBcc: victim@example.org")
    raw = msg.as_string()
    assert "\nBcc:" not in raw and msg["Bcc"] is None


def test_console_writes_an_eml_and_prints_no_link(tmp_path, capsys):
    c = cfg(tmp_path)
    mail.send(message(), c)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1 and oct(files[0].stat().st_mode)[-3:] == "600"
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert LINK in parsed.get_content()
    out = capsys.readouterr().out
    assert "A message from Anchorstep" in out and "?t=" not in out and "robin@" not in out


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def test_smtp_delivers_to_a_real_server(tmp_path, smtp_server):
    port, inbox = smtp_server
    mail.send(message(), cfg(tmp_path, EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port))
    assert len(inbox.messages) == 1
    env = inbox.messages[0]
    assert env.rcpt_tos == ["robin@example.org"]
    parsed = email.message_from_bytes(env.content, policy=policy.default)
    assert parsed["Subject"] == "A message from Anchorstep" and LINK in parsed.get_content()


def test_smtp_refuses_to_send_in_clear_when_starttls_is_required(tmp_path, smtp_server):
    port, inbox = smtp_server
    with pytest.raises(mail.EmailError, match="STARTTLS"):
        mail.send(message(), cfg(tmp_path, EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                                 SMTP_STARTTLS="required"))
    assert inbox.messages == []


def test_an_unreachable_smtp_server_gives_a_clear_error(tmp_path):
    with pytest.raises(mail.EmailError, match="did not accept"):
        mail.send(message(), cfg(tmp_path, EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(),
                                 SMTP_TIMEOUT_SECONDS=2))


def test_sendgrid_without_an_api_key_says_so_and_stops(tmp_path):
    with pytest.raises(mail.AuthEmailError, match="SENDGRID_API_KEY is empty"):
        mail.send(message(), cfg(tmp_path, EMAIL_BACKEND="sendgrid"))


def test_a_reminder_s_bytes_are_the_generator_s_bytes_whatever_its_values():
    """make_reminder's messages write themselves without the generator when they can (jobs.email._flat):
    byte for byte what email's BytesGenerator writes, for plain, non-ASCII, quoted and overlong values."""
    import random
    import string
    from email.message import EmailMessage
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "-_"
    bases = ["http://localhost:8501", "https://portal.example-practice.org.uk/anchorstep", "https://a.b",
             "https://x" + "y" * 50, "https://héllo.example/p", "https://ex.org/a b"]
    practices = ["Harbour Street", "Ünïcode Praxis", "P" * 100, "", "Evil\r\nBcc: x@y", 'A "quoted" name, Inc.',
                 "  spaces  around ", "From here"]
    senders = ["Anchorstep <no-reply@localhost>", "no-reply@example.org", '"Dr. Smith, PhD" <d@e.org>',
               "Praxis Müller <p@m.de>"]
    tos = ["rb00001@bench.invalid", "x" * 70 + "@example.org", "jörg@example.de", "Robin <r@e.org>"]
    fast = 0
    for _ in range(600):
        base = rng.choice(bases)
        links = [f"{base}/?t={''.join(rng.choice(alphabet) for _ in range(43))}" for _ in range(2)]
        msg = mail.make_reminder(to=rng.choice(tos), practice_name=rng.choice(practices),
                                 sender_name=rng.choice(practices), checkin_link=links[0],
                                 pause_link=links[1], sender=rng.choice(senders), ref=rng.choice(["0f" * 16, "r"]),
                                 now=NOW)
        expected = EmailMessage.as_bytes(msg)
        assert msg.as_bytes() == expected and bytes(msg) == expected
        fast += mail._flat(msg) is not None
    assert fast > 100  # the direct path was taken, and agreed
    msg = mail.make_reminder(to="robin@example.org", practice_name="Harbour Street", checkin_link=LINK,
                             pause_link=LINK, sender="Practice <no-reply@example.org>", ref="r", now=NOW)
    assert mail._flat(msg) is not None
    msg["X-Extra"] = "changed after it was built"  # any change is written too (here by the direct path)
    assert msg.as_bytes() == EmailMessage.as_bytes(msg) and b"X-Extra: changed" in msg.as_bytes()
    msg.get_payload()[0].set_payload("plain\r\nchanged")
    assert msg.as_bytes() == EmailMessage.as_bytes(msg)
