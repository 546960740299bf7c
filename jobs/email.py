"""The one email seam: `make_message` builds a neutral message, `send` hands it to the backend that
EMAIL_BACKEND names. No health information ever goes in: a greeting from the practice and one link.

Backends: `console` (default; prints a notice without body or link, writes an .eml file under
DATA_DIR/outbox/ for the developer or test to read), `smtp` (STARTTLS when offered), `sendgrid`
(finished by the reminders feature).
"""
from __future__ import annotations

import os
import secrets
import smtplib
import ssl
import unicodedata
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from core import settings as settings_mod


class EmailError(RuntimeError):
    """Sending failed; the message says why in words an admin can act on (never the body or link)."""


def _one_line(text: str, limit: int = 120) -> str:
    # Header injection and invisible tricks: keep printable characters of one line only.
    return "".join(c for c in str(text) if unicodedata.category(c)[0] != "C")[:limit].strip()


def make_message(*, to: str, practice_name: str, link: str, sender: str, now: datetime | None = None) -> EmailMessage:
    """A neutral message with one link. Subject and body say nothing about health or therapy steps."""
    practice = _one_line(practice_name) or "your practice"
    msg = EmailMessage()
    msg["Subject"] = f"A message from {practice}"
    msg["From"] = _one_line(sender, 254)
    msg["To"] = _one_line(to, 254)
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="anchorstep.invalid")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Hello,\n\n{practice} has sent you a link:\n\n{link}\n\n"
        "The link is just for you, so please don't forward this email. "
        "If you weren't expecting it, you can ignore it.\n")
    return msg


def send(message: EmailMessage, cfg: settings_mod.Settings | None = None) -> str:
    """Send through the configured backend; returns the message id. Raises EmailError."""
    cfg = cfg or settings_mod.load()
    backend = {"console": _console, "smtp": _smtp, "sendgrid": _sendgrid}[cfg["EMAIL_BACKEND"]]
    backend(message, cfg)
    return str(message["Message-ID"])


def outbox_dir(cfg: settings_mod.Settings) -> Path:
    return cfg.data_dir / "outbox"


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _console(message: EmailMessage, cfg: settings_mod.Settings) -> None:
    folder = outbox_dir(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    # The file holds a live link: readable by its owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(message.as_bytes())
    print(f"[email:console] to {_mask(str(message['To']))}: {message['Subject']!s} -> {path.name}", flush=True)


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
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailError(f"The SMTP server at {cfg['SMTP_HOST']}:{cfg['SMTP_PORT']} did not accept the email "
                         f"({type(exc).__name__}).") from None


def _sendgrid(message: EmailMessage, cfg: settings_mod.Settings) -> None:
    raise EmailError("The sendgrid email backend is not available yet; set EMAIL_BACKEND to smtp or console.")
