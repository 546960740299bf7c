"""What can go wrong when sending, in words that say what the sender should do: `TransientEmailError`
(try again later, maybe after `retry_after` seconds), `AuthEmailError` (the credentials are wrong:
stop the whole batch), any other `EmailError` (this message will never go: a dead letter).
Every backend raises these and only these; the builders raise `EmailError` for a value they refuse."""
from __future__ import annotations


class EmailError(RuntimeError):
    """Sending failed; the message says why in words an admin can act on (never the body or link)."""


class TransientEmailError(EmailError):
    """Worth another try later (rate limit, server error, network)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class AuthEmailError(EmailError):
    """The provider refused our credentials: every message would fail the same way."""
