"""What may reach an email header: one line of visible text with no RFC 2047 encoded-word.

One rule, used twice: forms refuse such text with a message (`problem`), and jobs/email/message.py
makes whatever is already stored safe before it writes a header (`one_line`). Python's email package
decodes an encoded-word such as `=?utf-8?q?Clinic=0D=0ABcc:_x@evil.example?=` in a value it is given
and can write the decoded CR/LF back raw, which adds headers; so "=?" is refused like a line break.
"""
from __future__ import annotations

import unicodedata

# Every character str.splitlines() splits on: each ends a header line for some reader.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# Direction overrides and zero-width characters: they make text read differently from what it is.
INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff")
ENCODED_WORD_START = "=?"

HIDDEN_MESSAGE = "The {what} contains hidden or control characters; please retype it."
ENCODED_WORD_MESSAGE = ("The {what} contains \"=?\", which email programs read as a hidden code; "
                        "please leave it out.")


def is_hidden(c: str) -> bool:
    """A line break, a control or format character, or an invisible/direction character."""
    return c in LINE_BREAKS or c in INVISIBLE or unicodedata.category(c)[0] == "C"


def problem(text: str, what: str = "name") -> str | None:
    """Why `text` may not go into an email header (None: it may). For form messages."""
    text = str(text)
    if not (text.isascii() and text.isprintable()) and any(is_hidden(c) for c in text):
        return HIDDEN_MESSAGE.format(what=what)
    if ENCODED_WORD_START in text:
        return ENCODED_WORD_MESSAGE.format(what=what)
    return None


def one_line(text: str, limit: int = 120) -> str:
    """`text` made safe for a header, whatever was stored: line breaks become spaces, hidden
    characters go, and "=?" becomes "= ?" (no encoded-word can start). Then cut to `limit`."""
    text = str(text)
    if not (text.isascii() and text.isprintable()):  # the common case has nothing to drop (checked in C)
        text = "".join(" " if c in LINE_BREAKS else c for c in text if c in LINE_BREAKS or not is_hidden(c))
    while ENCODED_WORD_START in text:  # removing characters above may have joined "=" and "?"
        text = text.replace(ENCODED_WORD_START, "= ?")
    return text[:limit].strip()


DEFAULT_SENDER_NAME = "Anchorstep"


def email_names(sender_name: str | None, practice_name: str, show_practice_name: bool) -> tuple[str, str | None]:
    """(the name in the From line and the subject, the practice name for the message body or None).
    The sender name is neutral unless the practice chose otherwise: a subject that names a therapy
    practice tells anyone who sees the inbox that the client is in therapy."""
    return (sender_name or DEFAULT_SENDER_NAME), (practice_name if show_practice_name else None)
