"""The one email seam: `make_message` builds a neutral message, `send` hands it to the backend that
EMAIL_BACKEND names. No health information ever goes in: a greeting from the practice and one link.

Backends: `console` (default; prints a notice without body or link, writes an .eml file under
DATA_DIR/outbox/ for the developer or test to read), `smtp` (STARTTLS when offered), `sendgrid`
(jobs/sendgrid_backend.py).

Errors say what the sender should do: `TransientEmailError` (try again later, maybe after
`retry_after` seconds), `AuthEmailError` (the credentials are wrong: stop the whole batch), any
other `EmailError` (this message will never go: a dead letter).

`REF_HEADER` carries the outbox's opaque id; backends that can (SendGrid) move it into custom args.
"""
from __future__ import annotations

import binascii
import functools
import os
import re
import secrets
import smtplib
import ssl
from datetime import datetime, timezone
from email import errors as email_errors
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path

from core import email_headers
from core import settings as settings_mod


class EmailError(RuntimeError):
    """Sending failed; the message says why in words an admin can act on (never the body or link)."""


class TransientEmailError(EmailError):
    """Worth another try later (rate limit, server error, network)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class AuthEmailError(EmailError):
    """The provider refused our credentials: every message would fail the same way."""


REF_HEADER = "X-Anchorstep-Ref"


def _one_line(text: str, limit: int = 120) -> str:
    # Header injection and invisible tricks: one line of visible text, no encoded-word (core/email_headers).
    return email_headers.one_line(text, limit)


def _link_line(link: str) -> str:
    """A link for a header: our own URL, so nothing is rewritten; characters that are not visible go
    (`_checked` still refuses an encoded-word, which no link we make contains)."""
    text = str(link)
    if not (text.isascii() and text.isprintable()):
        text = "".join(c for c in text if not email_headers.is_hidden(c))
    return text[:2000].strip()


def _to(address: str) -> str:
    """The recipient exactly as stored, or EmailError: an address with hidden characters or "=?" is
    not quietly changed into another address (forms refuse these; this catches older rows)."""
    text = str(address).strip()
    if email_headers.problem(text, "address") or not text:
        raise EmailError("The client's email address contains hidden characters or \"=?\"; "
                         "correct it on the client's record. Nothing was sent.")
    return text[:254]


@functools.lru_cache(maxsize=256)  # a few distinct values per deployment; reminders come by the thousand
def _from(sender_name: str | None, sender: str) -> str:
    """EMAIL_FROM's address with the practice's neutral sender name in front of it. The address is the
    last <...> of EMAIL_FROM (or all of it), taken only when it is one plain address: a display name
    such as "Clinic Bcc: x@evil.example" would otherwise turn the From line into a group of others."""
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME)
    whole = _one_line(sender, 254)
    found = _ANGLE_ADDR.search(whole)
    try:
        return str(Address(display_name=name, addr_spec=found.group(1) if found else whole))
    except (ValueError, IndexError, TypeError, email_errors.HeaderParseError):
        raise EmailError("EMAIL_FROM is not one plain email address (for example "
                         "\"Anchorstep <no-reply@example.org>\"); nothing was sent.") from None


_ANGLE_ADDR = re.compile(r"<([^<>\s]+)>$")


def _checked(name: str, value: str) -> str:
    """The last guard before a header is set: every value is one line with no encoded-word."""
    if not email_headers.LINE_BREAKS.isdisjoint(value):
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    if _ENCODED_WORD.search(value):
        raise ValueError(f"The {name} header may not contain an RFC 2047 encoded-word")
    return value


# What the email package decodes as an encoded-word (its own pattern, email._header_value_parser).
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[qQbB]\?.*?\?=")


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, except that each header's class is made once: the stock one
    makes a new class (`type(...)`) for every header it parses, which was a third of a reminder's cost."""

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


_POLICY = policy.default.clone(header_factory=_HeaderClasses())
# Headers whose few values every reminder of a practice shares: parsed once (a parsed header is an
# immutable str, safe to set on many messages); the others are parsed as they are set.
_SHARED = frozenset({"subject", "from", "auto-submitted", "mime-version", "content-type",
                     "content-transfer-encoding"})


@functools.lru_cache(maxsize=512)
def _parsed(name: str, value: str):
    return _POLICY.header_factory(name, value)


def _set(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header after the last check (`_checked`); a shared value's parsed header is reused."""
    value = _checked(name, value)
    msg[name] = _parsed(name, value) if name.lower() in _SHARED else value


# One boundary per process: "=_" never occurs in a quoted-printable body, so no part can contain it
# (and the generator need not search every body for a boundary of its own).
_BOUNDARY = f"=_anchorstep_{secrets.token_hex(8)}"


def _text_part(subtype: str, text: str) -> MIMEPart:
    """A quoted-printable UTF-8 text part. Written as set_content() would write it (lines joined by
    LF, encoded lines of at most 76 characters, the limit in RFC 2045, where the default policy
    allows 78), without its parse-and-rewrite of Content-Type: a third of a reminder's cost."""
    part = MIMEPart(policy=_POLICY)  # a MIMEPart: an EmailMessage part would repeat MIME-Version
    _set(part, "Content-Type", f'text/{subtype}; charset="utf-8"')
    _set(part, "Content-Transfer-Encoding", "quoted-printable")
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    part.set_payload(binascii.b2a_qp(body, istext=True).decode("ascii"))
    return part


def make_message(*, to: str, link: str, sender: str, sender_name: str | None = None,
                 practice_name: str | None = None, now: datetime | None = None) -> EmailMessage:
    """A neutral message with one link. Subject and body say nothing about health or therapy steps.
    The subject and From name use `sender_name` (neutral by default); the practice name appears only
    in the body, and only when given (the practice chose to show it)."""
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME) or email_headers.DEFAULT_SENDER_NAME
    practice = _one_line(practice_name or "") or name
    msg = EmailMessage(policy=_POLICY)
    for header, value in (("Subject", f"A message from {name}"), ("From", _from(name, sender)), ("To", _to(to)),
                          ("Date", format_datetime(now or datetime.now(timezone.utc))),
                          ("Message-ID", make_msgid(domain="anchorstep.invalid")),
                          ("Auto-Submitted", "auto-generated")):
        _set(msg, header, value)
    msg.set_content(
        f"Hello,\n\n{practice} has sent you a link:\n\n{link}\n\n"
        "The link is just for you, so please don't forward this email. "
        "If you weren't expecting it, you can ignore it.\n")
    return msg


def make_reminder(*, to: str, checkin_link: str, pause_link: str, sender: str, ref: str,
                  sender_name: str | None = None, practice_name: str | None = None,
                  now: datetime | None = None) -> EmailMessage:
    """A reminder: neutral subject and body, one check-in link, one pause link, plain text and HTML.
    It takes no client name and no step: nothing about health can reach it."""
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME) or email_headers.DEFAULT_SENDER_NAME
    practice = _one_line(practice_name or "") or name
    msg = EmailMessage(policy=_POLICY)
    # No List-Unsubscribe-Post: RFC 8058 one-click means the mail provider POSTs to this URL and the
    # reminders stop with no page in between; Streamlit's server answers a POST with 405, so the
    # header would tell Gmail "done" while reminders went on. The link opens the pause page instead.
    for header, value in (("Subject", f"A reminder from {name}"), ("From", _from(name, sender)), ("To", _to(to)),
                          ("Date", format_datetime(now or datetime.now(timezone.utc))),
                          ("Message-ID", make_msgid(domain="anchorstep.invalid")),
                          ("Auto-Submitted", "auto-generated"),
                          ("List-Unsubscribe", f"<{_link_line(pause_link)}>"),
                          (REF_HEADER, _one_line(ref, 64)),
                          ("MIME-Version", "1.0"),
                          ("Content-Type", f'multipart/alternative; boundary="{_BOUNDARY}"')):
        _set(msg, header, value)
    p, c, u = escape(practice), escape(checkin_link, quote=True), escape(pause_link, quote=True)
    msg.attach(_text_part(
        "plain",
        f"Hello,\n\nA reminder from {practice}. When you're ready, you can check in here:\n\n{checkin_link}\n\n"
        f"To pause these reminders: {pause_link}\n\n"
        "The links are just for you, so please don't forward this email.\n"))
    msg.attach(_text_part(
        "html",
        f"<p>Hello,</p><p>A reminder from {p}. When you're ready, you can check in here:</p>"
        f'<p><a href="{c}">Check in</a></p>'
        f'<p style="font-size:small">To pause these reminders: <a href="{u}">pause reminders</a>. '
        "The links are just for you, so please don't forward this email.</p>\n"))
    return msg


def send(message: EmailMessage, cfg: settings_mod.Settings | None = None) -> str:
    """Send through the configured backend; returns the provider's message id (or ours).
    Raises EmailError (or TransientEmailError / AuthEmailError)."""
    cfg = cfg or settings_mod.load()
    backend = {"console": _console, "smtp": _smtp, "sendgrid": _sendgrid}[cfg["EMAIL_BACKEND"]]
    provider_id = backend(message, cfg)
    return str(provider_id or message["Message-ID"])


def outbox_dir(cfg: settings_mod.Settings) -> Path:
    return cfg.data_dir / "outbox"


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _console(message: EmailMessage, cfg: settings_mod.Settings) -> None:
    data = message.as_bytes()
    folder = outbox_dir(cfg)
    name = f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}.eml"
    path = os.path.join(folder, name)
    # The file holds a live link: readable by its owner only.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileNotFoundError:  # the first message: make the folder
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:  # plain os.write: no file object per message
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    print(f"[email:console] to {_mask(str(message['To']))}: {message['Subject']} -> {name}", flush=True)


def _smtp(message: EmailMessage, cfg: settings_mod.Settings) -> None:
    mode = cfg["SMTP_STARTTLS"]
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT_SECONDS"]) as smtp:
            smtp.ehlo()
            if mode != "off" and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            elif mode == "required":
                raise EmailError("The SMTP server does not offer STARTTLS and SMTP_STARTTLS is 'required'; "
                                 "nothing was sent.")
            if cfg["SMTP_USERNAME"]:
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
            smtp.send_message(message)
    except EmailError:
        raise
    except smtplib.SMTPAuthenticationError:
        raise AuthEmailError(f"The SMTP server at {cfg['SMTP_HOST']} refused SMTP_USERNAME/SMTP_PASSWORD; "
                             "nothing more is sent until they are fixed.") from None
    except smtplib.SMTPResponseException as exc:
        kind = TransientEmailError if 400 <= exc.smtp_code < 500 else EmailError
        raise kind(f"The SMTP server at {cfg['SMTP_HOST']}:{cfg['SMTP_PORT']} did not accept the email "
                   f"(code {exc.smtp_code}).") from None
    except smtplib.SMTPRecipientsRefused:
        raise EmailError(f"The SMTP server at {cfg['SMTP_HOST']}:{cfg['SMTP_PORT']} did not accept the email "
                         "(recipient refused).") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientEmailError(f"The SMTP server at {cfg['SMTP_HOST']}:{cfg['SMTP_PORT']} did not accept the "
                                  f"email ({type(exc).__name__}).") from None


def _sendgrid(message: EmailMessage, cfg: settings_mod.Settings) -> str:
    from jobs import sendgrid_backend
    return sendgrid_backend.send(message, cfg)
