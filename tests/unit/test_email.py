"""The email seam: console writes an .eml and prints no link; smtp delivers to a real local aiosmtpd
server; messages carry one link and no health information."""
import email
import re
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


def test_regression_a_reminder_through_a_real_smtp_server_keeps_a_long_pause_link_as_one_url(tmp_path, smtp_server):
    """What the mail server receives: List-Unsubscribe holds the pause URL itself (RFC 8058 one-click),
    not an encoded-word, for a deployment's real https address with its 43-character token."""
    port, inbox = smtp_server
    pause = "https://anchorstep.harbourstreettherapy.example.org/c/?t=" + "P" * 43
    msg = mail.make_reminder(to="robin@example.org", checkin_link=CHECKIN, pause_link=pause,
                             sender="Practice <no-reply@example.org>", ref="0f" * 16, now=NOW)
    mail.send(msg, cfg(tmp_path, EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port))
    (env,) = inbox.messages
    head = env.content.partition(b"\r\n\r\n")[0]
    assert f"List-Unsubscribe:\r\n <{pause}>\r\n".encode() in head + b"\r\n" and b"=?" not in head
    assert f"<{pause}>" in re.findall(r"<https://[^>\s]+>", head.decode("ascii"))
    parsed = email.message_from_bytes(env.content, policy=policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


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


CHECKIN = "http://localhost:8501/?t=" + "C" * 43
PAUSE = "http://localhost:8501/?t=" + "P" * 43


def _steady(raw: bytes) -> bytes:
    """The bytes with this message's Message-ID and this process's boundary named, not random."""
    raw = re.sub(rb"Message-ID: <[^>\n]+@anchorstep\.invalid>", b"Message-ID: <ID@anchorstep.invalid>", raw)
    return re.sub(rb"=_anchorstep_[0-9a-f]{16}", b"=_anchorstep_B", raw)


def test_a_reminder_is_exactly_the_bytes_a_mail_server_reads():
    """Header order and folding, the 7-bit quoted-printable parts (lines of at most 76 characters, RFC
    2045), one multipart/alternative boundary that no quoted-printable body can contain ("=_")."""
    msg = mail.make_reminder(to="robin@example.org", practice_name="Harbour Street", checkin_link=CHECKIN,
                             pause_link=PAUSE, sender="Practice <no-reply@example.org>", ref="0f" * 16, now=NOW)
    C, P = "C" * 16, "P" * 12
    assert _steady(msg.as_bytes()).decode("ascii") == (
        "Subject: A reminder from Anchorstep\n"
        "From: Anchorstep <no-reply@example.org>\n"
        "To: robin@example.org\n"
        "Date: Sat, 28 Nov 2026 09:30:00 +0000\n"
        "Message-ID: <ID@anchorstep.invalid>\n"
        "Auto-Submitted: auto-generated\n"
        "List-Unsubscribe:\n"
        f" <{PAUSE}>\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
        "X-Anchorstep-Ref: 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="=_anchorstep_B"\n'
        "\n"
        "--=_anchorstep_B\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "Hello,\n"
        "\n"
        "A reminder from Harbour Street. When you're ready, you can check in here:\n"
        "\n"
        f"http://localhost:8501/?t=3D{'C' * 43}\n"
        "\n"
        f"To pause these reminders: http://localhost:8501/?t=3D{'P' * 22}=\n"
        f"{'P' * 21}\n"
        "\n"
        "The links are just for you, so please don't forward this email.\n"
        "\n"
        "--=_anchorstep_B\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "<p>Hello,</p><p>A reminder from Harbour Street. When you're ready, you can =\n"
        f'check in here:</p><p><a href=3D"http://localhost:8501/?t=3D{C}=\n'
        f'{"C" * 27}">Check in</a></p><p style=3D"font-size:small">T=\n'
        f'o pause these reminders: <a href=3D"http://localhost:8501/?t=3D{P}=\n'
        f'{"P" * 31}">pause reminders</a>. The links are just fo=\n'
        "r you, so please don't forward this email.</p>\n"
        "\n"
        "--=_anchorstep_B--\n")
    assert bytes(msg) == msg.as_bytes() and msg.as_string().encode("ascii") == msg.as_bytes()


def test_a_reminder_reads_back_as_built_whatever_its_values():
    """For plain, non-ASCII, quoted, hostile and overlong values: 7-bit bytes, header lines within RFC
    5322, quoted-printable lines of at most 76 characters, exactly our headers once each, and both
    parts decode to the links."""
    import random
    import string
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "-_"
    bases = ["http://localhost:8501", "https://portal.example-practice.org.uk/anchorstep", "https://a.b",
             "https://x" + "y" * 50, "https://héllo.example/p", "https://ex.org/a b"]
    practices = ["Harbour Street", "Ünïcode Praxis", "P" * 100, "", "Evil\r\nBcc: x@y", 'A "quoted" name, Inc.',
                 "  spaces  around ", "From here", "日本語のクリニック", "=?utf-8?q?A=0D=0ABcc:_x@y?="]
    senders = ["Anchorstep <no-reply@localhost>", "no-reply@example.org", '"Dr. Smith, PhD" <d@e.org>',
               "Praxis Müller <p@m.de>"]
    tos = ["rb00001@bench.invalid", "x" * 70 + "@example.org", "jörg@example.de", "Robin <r@e.org>"]
    names = ["Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post",
             mail.REF_HEADER,
             "MIME-Version", "Content-Type"]
    for _ in range(300):
        base = rng.choice(bases)
        checkin, pause = (f"{base}/?t={''.join(rng.choice(alphabet) for _ in range(43))}" for _ in range(2))
        to, sender = rng.choice(tos), rng.choice(senders)
        msg = mail.make_reminder(to=to, practice_name=rng.choice(practices), sender_name=rng.choice(practices),
                                 checkin_link=checkin, pause_link=pause, sender=sender, ref="0f" * 16, now=NOW)
        raw = msg.as_bytes()
        assert raw.isascii() and b"\r" not in raw
        head, _, body = raw.partition(b"\n\n")
        assert all(len(line) <= 998 for line in head.split(b"\n"))  # RFC 5322 (a long URL cannot fold)
        assert all(len(line) <= 76 for line in body.split(b"\n"))
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert list(parsed.keys()) == names and parsed.defects == []
        assert [str(parsed[n]).strip() for n in names] == [str(msg[n]) for n in names]
        assert [a.addr_spec for a in parsed["To"].addresses] == [to.rpartition("<")[2].rstrip(">")]
        assert parsed["Subject"].startswith("A reminder from ") and "\n" not in parsed["Subject"]
        assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
        plain, html = (p.get_content() for p in parsed.iter_parts())
        assert f"{checkin}\n" in plain and f"To pause these reminders: {pause}\n" in plain
        assert html.count("<a href=") == 2 and parsed["Bcc"] is None
