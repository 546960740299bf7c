"""The reminder's faster header handling (jobs/email/message.py `_Policy`: shared headers folded once,
short plain headers of our own making stored unparsed) writes the very bytes the standard policy
writes, for short and long values alike."""
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
    assert fast == slow_msg.as_bytes()


def test_headers_kept_unparsed_still_read_back_parsed():
    msg = _reminder()
    assert msg["Date"].datetime == NOW
    assert str(msg[m.REF_HEADER]) == "0f" * 16
    assert str(msg["Message-ID"]).endswith("@anchorstep.invalid>")
