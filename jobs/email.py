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
import unicodedata
from datetime import datetime, timezone
from email import errors as email_errors
from email.headerregistry import Address, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid
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
    if any(c in email_headers.LINE_BREAKS for c in value):
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    if _ENCODED_WORD.search(value):
        raise ValueError(f"The {name} header may not contain an RFC 2047 encoded-word")
    return value


# What the email package decodes as an encoded-word (its own pattern, email._header_value_parser).
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[qQbB]\?.*?\?=")


def make_message(*, to: str, link: str, sender: str, sender_name: str | None = None,
                 practice_name: str | None = None, now: datetime | None = None) -> EmailMessage:
    """A neutral message with one link. Subject and body say nothing about health or therapy steps.
    The subject and From name use `sender_name` (neutral by default); the practice name appears only
    in the body, and only when given (the practice chose to show it)."""
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME) or email_headers.DEFAULT_SENDER_NAME
    practice = _one_line(practice_name or "") or name
    msg = EmailMessage()
    for header, value in (("Subject", f"A message from {name}"), ("From", _from(name, sender)), ("To", _to(to)),
                          ("Date", format_datetime(now or datetime.now(timezone.utc))),
                          ("Message-ID", make_msgid(domain="anchorstep.invalid")),
                          ("Auto-Submitted", "auto-generated")):
        msg[header] = _checked(header, value)
    msg.set_content(
        f"Hello,\n\n{practice} has sent you a link:\n\n{link}\n\n"
        "The link is just for you, so please don't forward this email. "
        "If you weren't expecting it, you can ignore it.\n")
    return msg


# Headers whose few distinct values many reminders share: parsed once (`_header`) and folded once
# per value and policy (`_Policy`). Parsing and refolding headers was most of the cost of a message.
_SHARED = frozenset({"subject", "from", "auto-submitted", "list-unsubscribe-post", "mime-version", "content-type",
                     "content-transfer-encoding"})


class _Policy(EmailPolicy):
    """The default policy, except that a shared header is folded once per value and policy (the
    generator refolds every header of every message it writes)."""

    def _folded(self, kind: str, name: str, value) -> object:
        key = (kind, name, str(value), self.linesep, self.max_line_length, self.utf8, self.cte_type)
        hit = _FOLDED.get(key)
        if hit is None:
            if len(_FOLDED) > 512:
                _FOLDED.clear()
            hit = _FOLDED[key] = (super().fold_binary(name, value) if kind == "b" else super().fold(name, value))
        return hit

    def fold(self, name, value):
        if hasattr(value, "name") and name.lower() in _SHARED:
            return self._folded("s", name, value)
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if hasattr(value, "name") and name.lower() in _SHARED:
            return self._folded("b", name, value)
        return super().fold_binary(name, value)


_FOLDED: dict = {}
_POLICY = _Policy()
_BOUNDARY = f"=_anchorstep_{secrets.token_hex(8)}"  # "=_" never occurs in a quoted-printable body


@functools.lru_cache(maxsize=512)
def _header(name: str, value: str):
    """A parsed header object for a shared value (immutable, so sharing it is safe)."""
    return _POLICY.header_factory(name, value)


def _put(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header (each of ours once per message). A shared header gets its cached parsed object;
    a short, plain-ASCII value is stored as it will be written, as the parser stores headers it
    reads (it is parsed only if someone reads it); anything else is parsed and checked now."""
    _checked(name, value)
    if name.lower() in _SHARED:
        msg.set_raw(name, _header(name, value))
    elif value.isascii() and value.isprintable() and len(name) + len(value) + 2 <= _POLICY.max_line_length:
        msg.set_raw(name, value)
    else:
        msg.set_raw(name, _POLICY.header_factory(name, value))


@functools.lru_cache(maxsize=64)
def _boundary_of(content_type: str) -> str | None:
    probe = EmailMessage(policy=_POLICY)
    probe["Content-Type"] = content_type
    return probe.get_boundary()


def _head(msg: EmailMessage) -> bytes | None:
    """The header block BytesGenerator writes for `msg`, or None when a header is one this does not
    cover. A plain string (what `_put` stores for a short plain value) is written as `Name: value`,
    as the policy does for a value that fits one line; a shared header is folded by the policy (once
    per value, see `_Policy`); a parsed unstructured header that is one plain word too long for the
    first line goes on the next line by itself, as the folder puts it."""
    out = []
    for name, value in msg._headers:
        if type(value) is str:
            if not (value.isascii() and value.isprintable()) or len(name) + len(value) + 2 > _POLICY.max_line_length:
                return None
            out.append(f"{name}: {value}\n".encode("ascii"))
        elif name.lower() in _SHARED:
            out.append(_POLICY.fold_binary(name, value))
        elif (isinstance(value, UnstructuredHeader) and value.isascii() and value.isprintable()
              and " " not in value and "=?" not in value and len(value) + 1 <= _POLICY.max_line_length
              and len(name) + len(value) + 2 > _POLICY.max_line_length and value.defects == ()):
            out.append(f"{name}:\n {value}\n".encode("ascii"))
        else:
            return None
    out.append(b"\n")
    return b"".join(out)


def _text_body(part: EmailMessage) -> bytes | None:
    payload = part._payload
    if type(payload) is not str or not payload.isascii() or "\r" in payload:
        return None
    return payload.encode("ascii")


def _flat(msg: EmailMessage) -> bytes | None:
    """What `msg.as_bytes()` returns, written directly, for the messages `make_reminder` builds (our
    headers, then quoted-printable text parts under one multipart boundary); None for anything else,
    which the generator then writes. The generator re-walks every part and refolds every header of
    every message: that was most of the cost of a reminder."""
    if (msg.policy is not _POLICY or msg._unixfrom is not None or msg.preamble is not None
            or msg.epilogue is not None or type(msg._payload) is not list):
        return None
    head = _head(msg)
    ctype = next((str(v) for k, v in msg._headers if k.lower() == "content-type"), None)
    boundary = _boundary_of(ctype) if ctype and ctype.startswith("multipart/") else None
    if head is None or not boundary:
        return None
    out = [head]
    for i, part in enumerate(msg._payload):
        if (not isinstance(part, EmailMessage) or part.policy is not _POLICY or part.preamble is not None
                or part.epilogue is not None or part._unixfrom is not None
                or not str(part.get_content_type()).startswith("text/")):
            return None
        part_head, body = _head(part), _text_body(part)
        if part_head is None or body is None:
            return None
        out += [b"--" if i == 0 else b"\n--", boundary.encode("ascii"), b"\n", part_head, body]
    out += [b"\n--", boundary.encode("ascii"), b"--\n"]
    return b"".join(out)


class _Message(EmailMessage):
    """An EmailMessage whose `as_bytes()` skips the generator when `_flat` can write it (same bytes)."""

    def as_bytes(self, unixfrom=False, policy=None):
        if not unixfrom and policy is None:
            data = _flat(self)
            if data is not None:
                return data
        return super().as_bytes(unixfrom=unixfrom, policy=policy)

    def __bytes__(self):
        return self.as_bytes()


def _qp_part(subtype: str, text: str) -> EmailMessage:
    part = EmailMessage(policy=_POLICY)
    _put(part, "Content-Type", f'text/{subtype}; charset="utf-8"')
    _put(part, "Content-Transfer-Encoding", "quoted-printable")
    part.set_payload(binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii"))
    return part


def make_reminder(*, to: str, checkin_link: str, pause_link: str, sender: str, ref: str,
                  sender_name: str | None = None, practice_name: str | None = None,
                  now: datetime | None = None) -> EmailMessage:
    """A reminder: neutral subject and body, one check-in link, one pause link, plain text and HTML.
    It takes no client name and no step: nothing about health can reach it.

    Built directly rather than through set_content() (the worker makes thousands in a row): both
    parts quoted-printable UTF-8 under one multipart/alternative, shared headers parsed once."""
    from html import escape
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME) or email_headers.DEFAULT_SENDER_NAME
    practice = _one_line(practice_name or "") or name
    msg = _Message(policy=_POLICY)
    _put(msg, "Subject", f"A reminder from {name}")
    _put(msg, "From", _from(name, sender))
    _put(msg, "To", _to(to))
    _put(msg, "Date", format_datetime(now or datetime.now(timezone.utc)))
    _put(msg, "Message-ID", make_msgid(domain="anchorstep.invalid"))
    _put(msg, "Auto-Submitted", "auto-generated")
    # No List-Unsubscribe-Post: RFC 8058 one-click means the mail provider POSTs to this URL and the
    # reminders stop with no page in between; Streamlit's server answers a POST with 405, so the
    # header would tell Gmail "done" while reminders went on. The link opens the pause page instead.
    _put(msg, "List-Unsubscribe", f"<{_link_line(pause_link)}>")
    _put(msg, REF_HEADER, _one_line(ref, 64))
    _put(msg, "MIME-Version", "1.0")
    _put(msg, "Content-Type", f'multipart/alternative; boundary="{_BOUNDARY}"')
    p, c, u = escape(practice), escape(checkin_link, quote=True), escape(pause_link, quote=True)
    msg.set_payload([
        _qp_part("plain",
                 f"Hello,\n\nA reminder from {practice}. When you're ready, you can check in here:\n\n{checkin_link}\n\n"
                 f"To pause these reminders: {pause_link}\n\n"
                 "The links are just for you, so please don't forward this email.\n"),
        _qp_part("html",
                 f"<p>Hello,</p><p>A reminder from {p}. When you're ready, you can check in here:</p>"
                 f'<p><a href="{c}">Check in</a></p>'
                 f'<p style="font-size:small">To pause these reminders: <a href="{u}">pause reminders</a>. '
                 "The links are just for you, so please don't forward this email.</p>\n"),
    ])
    return msg


def send(message: EmailMessage, cfg: settings_mod.Settings | None = None) -> str:
    """Send through the configured backend; returns the provider's message id (or ours).
    Raises EmailError (or TransientEmailError / AuthEmailError)."""
    cfg = cfg or settings_mod.load()
    backend = {"console": _console, "smtp": _smtp, "sendgrid": _sendgrid}[cfg["EMAIL_BACKEND"]]
    provider_id = backend(message, cfg)
    return str(provider_id or _header_text(message, "Message-ID"))


def outbox_dir(cfg: settings_mod.Settings) -> Path:
    return cfg.data_dir / "outbox"


def _header_text(message: EmailMessage, name: str) -> str:
    """A header's text without parsing it (reading message[name] parses; for a log line or an id we
    only need the text we stored)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


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
    print(f"[email:console] to {_mask(_header_text(message, 'To'))}: {_header_text(message, 'Subject')} -> {name}",
          flush=True)


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
