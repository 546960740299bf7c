"""The reminder's faster header handling (jobs/email/message.py `_Policy`: shared headers folded once,
short plain headers of our own making stored unparsed) writes the very bytes the standard policy
writes, for short and long values alike; the one difference is on purpose: a List-Unsubscribe URL too
long for a line is written plain where the standard policy makes it an encoded-word (the regression
tests below)."""
import email
import re
from datetime import datetime, timezone
from email import policy

import pytest

from jobs.email import message as m

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
CASES = [
    dict(),
    dict(sender_name="A Practice Name Long Enough That Its Subject Line Folds Over Seventy-Eight Characters"),
    dict(pause_link="https://anchorstep.example.org/l/" + "p" * 90, nudge=True),
    dict(to="Ünïcode Person <person@example.org>", language="es"),
]


def _reminder(**kw):
    args = dict(to="client@example.org", checkin_link="https://anchorstep.example.org/l/abc",
                pause_link="https://anchorstep.example.org/l/def", sender="Anchorstep <no-reply@example.org>",
                ref="0f" * 16, now=NOW)
    return m.make_reminder(**{**args, **kw})


@pytest.mark.parametrize("kw", CASES)
def test_reminder_bytes_are_the_standard_policys(kw, monkeypatch):
    monkeypatch.setattr(m, "make_msgid", lambda domain: "<1.2.3@anchorstep.invalid>")
    fast = _reminder(**kw).as_bytes()
    standard = policy.default.clone(header_factory=m._HeaderClasses())
    monkeypatch.setattr(m, "_POLICY", standard)
    monkeypatch.setattr(m, "_PLAIN", frozenset())
    slow_msg = _reminder(**kw)
    assert slow_msg.policy is standard
    slow = slow_msg.as_bytes()
    if len(kw.get("pause_link", "")) > 70:  # the standard policy's encoded-word (below): every other byte the same
        assert b"=?utf-8?q?" in _list_unsubscribe(slow) and b"=?" not in _list_unsubscribe(fast)
        fast, slow = _without_list_unsubscribe(fast), _without_list_unsubscribe(slow)
    assert fast == slow


def _list_unsubscribe(raw: bytes) -> bytes:
    """The List-Unsubscribe header as written, continuation lines included (not List-Unsubscribe-Post)."""
    return re.search(rb"^List-Unsubscribe:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*", raw, re.M).group(0)


def _without_list_unsubscribe(raw: bytes) -> bytes:
    return raw.replace(_list_unsubscribe(raw), b"", 1)


# A deployment's own address with its 43-character token: the common case is over a line's length.
LINKS = ["https://a.b/c/?t=" + "T" * 43, "http://localhost:8501/c/?t=" + "T" * 43,
         "https://anchorstep.harbourstreettherapy.example.org/c/?t=" + "T" * 43,
         "https://portal.example-practice.org.uk/anchorstep/c/?t=" + "T" * 43,
         "https://x" + "y" * 900 + ".org/c/?t=" + "T" * 43]


@pytest.mark.parametrize("link", LINKS, ids=lambda l: f"{len(l)}-characters")
@pytest.mark.parametrize("linesep", ["\n", "\r\n"], ids=["file", "smtp"])
def test_regression_a_long_pause_link_is_one_plain_url_in_list_unsubscribe_never_an_encoded_word(link, linesep):
    """The one-click pause (RFC 8058) needs the URL itself in List-Unsubscribe; a link of about 76
    characters or more used to be written as =?utf-8?q?=3Chttps=3A//...?=, which is not a URL."""
    raw = _reminder(pause_link=link).as_bytes(policy=m._POLICY.clone(linesep=linesep))
    header = _list_unsubscribe(raw)
    assert b"=?" not in header and f"<{link}>".encode() in header
    assert all(len(line) <= 998 for line in raw.partition(linesep.encode() * 2)[0].split(linesep.encode()))
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.defects == [] and str(parsed["List-Unsubscribe"]).strip() == f"<{link}>"
    assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    fits = len("List-Unsubscribe: ") + len(link) + 2 <= 78
    assert header == (f"List-Unsubscribe: <{link}>" if fits else f"List-Unsubscribe:{linesep} <{link}>").encode()


@pytest.mark.parametrize("link", ["https://ex.org/a b/c/?t=" + "T" * 43, "https://héllo.example/c/?t=" + "T" * 43],
                         ids=["space", "non-ascii"])
def test_a_pause_link_with_a_space_or_a_non_ascii_letter_is_written_as_the_standard_policy_writes_it(link, monkeypatch):
    """Only our own plain URL is written unparsed; a LINK_BASE_URL with a space or an "é" (no link we
    make, but a setting can hold one) is folded or encoded as the standard policy does, 7-bit."""
    monkeypatch.setattr(m, "make_msgid", lambda domain: "<1.2.3@anchorstep.invalid>")
    fast = _reminder(pause_link=link).as_bytes()
    monkeypatch.setattr(m, "_POLICY", policy.default.clone(header_factory=m._HeaderClasses()))
    monkeypatch.setattr(m, "_PLAIN", frozenset())
    assert fast.isascii() and fast == _reminder(pause_link=link).as_bytes()
    assert str(email.message_from_bytes(fast, policy=policy.default)["List-Unsubscribe"]).strip() == f"<{link}>"
