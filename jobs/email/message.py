"""The two messages Anchorstep sends, built with the standard library's `EmailMessage` (public API
only): `make_message` (a consent link) and `make_reminder` (a check-in link and a pause link). No
health information ever goes in: a neutral subject and sender name, a greeting, the links.

Every value passes `core.email_headers` (one visible line, no hidden characters, no RFC 2047
encoded-word) and `_checked`, the last guard before any header is set. The client's address is
refused, never rewritten, when it fails that rule (`EmailError`).

`REF_HEADER` carries the outbox's opaque id; backends that can (SendGrid) move it into custom args.
"""
from __future__ import annotations

import binascii
import functools
import re
import secrets
from datetime import datetime, timezone
from email import errors as email_errors
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid
from html import escape

from core import email_headers, i18n
from core import measure_followups as followup_rules
from core.i18n import N_
from jobs.email.errors import EmailError

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
    makes a new class (`type(...)`) for every header it parses: a fifth of a reminder's cost."""

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


# Headers whose few values every reminder of a practice shares: parsed once (a parsed header is an
# immutable str, safe to set on many messages), and folded once when the message is written; the
# others are parsed as they are set and folded every time.
_SHARED = frozenset({"subject", "from", "auto-submitted", "mime-version", "content-type",
                     "content-transfer-encoding", "list-unsubscribe-post"})


# Headers our own code makes (never a person's words): stored unparsed when short and plain.
# (List-Unsubscribe has its own rule, below: stored unparsed however long.)
_PLAIN = frozenset({"date", "message-id", "x-anchorstep-ref"})


# List-Unsubscribe holds one URL in angle brackets (RFC 2369), the address a mail provider POSTs to for
# a one-click pause (RFC 8058). A URL has no whitespace to fold at, so the default policy writes one
# longer than a line (about 76 characters: any https link with a real domain and its 43-character
# token) as an RFC 2047 encoded-word, which is not a URL and is not decoded in this header: providers
# then offer no one-click pause. It is written as it is instead, on a line of its own when it does not
# fit after the name; RFC 5322 allows a line of up to 998 characters.
_URL_HEADER = "list-unsubscribe"
_MAX_LINE = 998


def _one_url(value) -> bool:
    """Whether `value` is kept unparsed in List-Unsubscribe: our own plain ASCII, with no whitespace
    and no encoded-word, short enough for one line of its own. Anything else is parsed as usual."""
    return (isinstance(value, str) and not hasattr(value, "name") and value.isascii() and value.isprintable()
            and not any(c.isspace() for c in value) and "=?" not in value and len(value) + 1 <= _MAX_LINE)


class _Policy(policy.EmailPolicy):
    """The default policy, except that a shared header's folded bytes are made once (folding parses
    the header again: the largest part of writing a reminder), and that a long List-Unsubscribe URL is
    written plain, never as an encoded-word (above). Otherwise the same bytes as the default policy's
    (tests/unit/test_email_folding.py)."""

    def _url_line(self, name, value) -> str:
        if len(name) + 2 + len(value) <= self.max_line_length:
            return f"{name}: {value}{self.linesep}"
        return f"{name}:{self.linesep} {value}{self.linesep}"

    def fold(self, name, value):
        if name.lower() == _URL_HEADER and _one_url(value):
            return self._url_line(name, value)
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() == _URL_HEADER and _one_url(value):
            return self._url_line(name, value).encode("ascii")
        if name.lower() in _SHARED and isinstance(value, str):
            return _folded(self, name, str(value))
        return super().fold_binary(name, value)

    def header_store_parse(self, name, value):
        """A header of our own making whose value is one short line of plain ASCII (a date, a
        message id, the outbox ref) is kept as it is: the default policy would parse it here and fold
        it again when writing, to the same bytes. So is the List-Unsubscribe URL, however long
        (`_one_url`). Anything else (an address, a long or non-ASCII value) is parsed as usual.
        Reading the header back still parses it."""
        if (name.lower() in _PLAIN and isinstance(value, str) and not hasattr(value, "name") and value.isascii()
                and value.isprintable() and "=?" not in value and len(name) + 2 + len(value) <= self.max_line_length):
            return name, value
        if name.lower() == _URL_HEADER and _one_url(value):
            return name, value  # written plain however long (`_url_line`)
        return super().header_store_parse(name, value)


@functools.lru_cache(maxsize=512)
def _folded(pol: policy.EmailPolicy, name: str, value: str) -> bytes:
    return policy.EmailPolicy.fold_binary(pol, name, _parsed(name, value))


_POLICY = _Policy(header_factory=_HeaderClasses())


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
    allows 78), without its parse-and-rewrite of Content-Type: a quarter of a reminder's cost."""
    part = MIMEPart(policy=_POLICY)  # a MIMEPart: an EmailMessage part would repeat MIME-Version
    _set(part, "Content-Type", f'text/{subtype}; charset="utf-8"')
    _set(part, "Content-Transfer-Encoding", "quoted-printable")
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    part.set_payload(binascii.b2a_qp(body, istext=True).decode("ascii"))
    return part


def _text(words: str) -> str:
    """Words for an HTML text node: escaped (a translation is text, never markup); quotes stay quotes."""
    return escape(words, quote=False)


def _words(language: str):
    """The translate function for the client's language (core.i18n; an unknown code is English)."""
    tr = i18n.translations(i18n.choose(language))
    return lambda msg: i18n.translate(msg, tr)


def make_message(*, to: str, link: str, sender: str, sender_name: str | None = None,
                 practice_name: str | None = None, now: datetime | None = None,
                 language: str = i18n.SOURCE) -> EmailMessage:
    """A neutral message with one link, in the client's language. Subject and body say nothing about
    health or therapy steps. The subject and From name use `sender_name` (neutral by default); the
    practice name appears only in the body, and only when given (the practice chose to show it)."""
    t = _words(language)
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME) or email_headers.DEFAULT_SENDER_NAME
    practice = _one_line(practice_name or "") or name
    msg = EmailMessage(policy=_POLICY)
    for header, value in (("Subject", t(N_("A message from %(name)s", name=name))), ("From", _from(name, sender)),
                          ("To", _to(to)),
                          ("Date", format_datetime(now or datetime.now(timezone.utc))),
                          ("Message-ID", make_msgid(domain="anchorstep.invalid")),
                          ("Auto-Submitted", "auto-generated")):
        _set(msg, header, value)
    msg.set_content("\n\n".join((
        t(N_("Hello,")), t(N_("%(practice)s has sent you a link:", practice=practice)), link,
        t(N_("The link is just for you, so please don't forward this email. "
             "If you weren't expecting it, you can ignore it.")))) + "\n")
    return msg


def make_reminder(*, to: str, checkin_link: str, pause_link: str, sender: str, ref: str,
                  sender_name: str | None = None, practice_name: str | None = None,
                  now: datetime | None = None, language: str = i18n.SOURCE, nudge: bool = False) -> EmailMessage:
    """A reminder in the client's language: neutral subject and body, one check-in link, one pause link,
    plain text and HTML. It takes no client name and no step: nothing about health can reach it.
    `nudge`: add one neutral sentence that a short questionnaire is waiting (core.measure_followups;
    never which one)."""
    t = _words(language)
    name = _one_line(sender_name or email_headers.DEFAULT_SENDER_NAME) or email_headers.DEFAULT_SENDER_NAME
    practice = _one_line(practice_name or "") or name
    msg = EmailMessage(policy=_POLICY)
    # RFC 8058 one-click: the mail provider POSTs "List-Unsubscribe=One-Click" to the pause link
    # (client.web.one_click), which pauses reminders and never withdraws consent. A GET of the same
    # address (a person, or a scanner) only shows the pause page.
    for header, value in (("Subject", t(N_("A reminder from %(name)s", name=name))), ("From", _from(name, sender)),
                          ("To", _to(to)),
                          ("Date", format_datetime(now or datetime.now(timezone.utc))),
                          ("Message-ID", make_msgid(domain="anchorstep.invalid")),
                          ("Auto-Submitted", "auto-generated"),
                          ("List-Unsubscribe", f"<{_link_line(pause_link)}>"),
                          ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                          (REF_HEADER, _one_line(ref, 64)),
                          ("MIME-Version", "1.0"),
                          ("Content-Type", f'multipart/alternative; boundary="{_BOUNDARY}"')):
        _set(msg, header, value)
    c, u = escape(checkin_link, quote=True), escape(pause_link, quote=True)
    hello = t(N_("Hello,"))
    ready = t(N_("A reminder from %(practice)s. When you're ready, you can check in here:", practice=practice))
    waiting = t(followup_rules.NUDGE_WORDS) if nudge else ""  # said after the link it is behind
    pause = t(N_("To pause these reminders:"))
    private = t(N_("The links are just for you, so please don't forward this email."))
    check_in, pause_them = t(N_("Check in")), t(N_("pause reminders"))
    also = f"{waiting}\n\n" if waiting else ""
    msg.attach(_text_part("plain", f"{hello}\n\n{ready}\n\n{checkin_link}\n\n{also}{pause} {pause_link}\n\n{private}\n"))
    # The HTML part escapes every word: a translation is text, never markup.
    msg.attach(_text_part(
        "html",
        f"<p>{_text(hello)}</p><p>{_text(ready)}</p>"
        f'<p><a href="{c}">{_text(check_in)}</a></p>'
        + (f"<p>{_text(waiting)}</p>" if waiting else "") +
        f'<p style="font-size:small">{_text(pause)} <a href="{u}">{_text(pause_them)}</a>. '
        f"{_text(private)}</p>\n"))
    return msg


def make_staff_email(*, to: str, subject: str, lines: list[str], link: str, sender: str, ref: str,
                     now: datetime | None = None) -> EmailMessage:
    """An email to a member of staff (a safety alert, an escalation, the weekly digest): a neutral
    subject, plain sentences and counts, one link to the portal's sign-in. It takes no client name,
    answer or text: nothing about a client can reach it."""
    if email_headers.problem(str(to).strip(), "address") or not str(to).strip():
        raise EmailError("The staff alert address contains hidden characters or \"=?\"; correct it on "
                         "My account. Nothing was sent.")
    msg = EmailMessage(policy=_POLICY)
    for header, value in (("Subject", _one_line(subject)),
                          ("From", _from(email_headers.DEFAULT_SENDER_NAME, sender)), ("To", _to(to)),
                          ("Date", format_datetime(now or datetime.now(timezone.utc))),
                          ("Message-ID", make_msgid(domain="anchorstep.invalid")),
                          ("Auto-Submitted", "auto-generated"),
                          (REF_HEADER, _one_line(ref, 64))):
        _set(msg, header, value)
    body = "\n\n".join(["Hello,", *lines, f"Sign in to Anchorstep to see it: {link}",
                        "This email contains no client details. Anchorstep is not monitored in real time."])
    msg.set_content(body + "\n")
    return msg
