"""The one email seam: `make_message` / `make_reminder` build a neutral message, `send` hands it to
the backend that EMAIL_BACKEND names. No health information ever goes in.

    errors.py    EmailError, TransientEmailError, AuthEmailError: what the sender should do
    message.py   make_message, make_reminder, REF_HEADER: plain EmailMessage, every header checked
    console.py   the default: an .eml file under DATA_DIR/outbox/ and a notice without the link
    smtp.py      STARTTLS when offered
    sendgrid.py  the v3 API, tracking off, only the opaque ref in custom args

Imports go one way: the backends import errors (and message), this module imports them all.
"""
from __future__ import annotations

from email.message import EmailMessage

from core import settings as settings_mod
from jobs.email import console, sendgrid, smtp
from jobs.email.console import outbox_dir
from jobs.email.errors import AuthEmailError, EmailError, TransientEmailError
from jobs.email.message import REF_HEADER, make_message, make_reminder, make_staff_email

__all__ = ["AuthEmailError", "EmailError", "REF_HEADER", "TransientEmailError", "make_message", "make_reminder", "make_staff_email",
           "outbox_dir", "send"]

BACKENDS = {"console": console.send, "smtp": smtp.send, "sendgrid": sendgrid.send}


def send(message: EmailMessage, cfg: settings_mod.Settings | None = None) -> str:
    """Send through the configured backend; returns the provider's message id (or ours).
    Raises EmailError (or TransientEmailError / AuthEmailError)."""
    cfg = cfg or settings_mod.load()
    provider_id = BACKENDS[cfg["EMAIL_BACKEND"]](message, cfg)
    # Our Message-ID as it was set (reading it through message[...] would parse it again, per email).
    return str(provider_id or next((v for k, v in message.raw_items() if k.lower() == "message-id"), ""))
