"""EMAIL_BACKEND=sendgrid: the `sendgrid` package's v3 mail send, with tracking off (tracking would
route the client's token link through a third party), an optional sandbox, a timeout, and only the
outbox's opaque ref in custom args. SendGrid signs no BAA for standard accounts: no PHI goes here,
and the messages jobs.email.message builds have none.
"""
from __future__ import annotations

import socket
import time
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (ClickTracking, CustomArg, Header, HtmlContent, Mail, MailSettings, OpenTracking,
                                   PlainTextContent, SandBoxMode, SubscriptionTracking, TrackingSettings)

from core import settings as settings_mod
from jobs.email.errors import AuthEmailError, EmailError, TransientEmailError
from jobs.email.message import REF_HEADER

PASSED_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted")


def _parts(message: EmailMessage) -> tuple[str, str | None]:
    text = html = None
    for part in message.walk():
        if part.get_content_type() == "text/plain" and text is None:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and html is None:
            html = part.get_content()
    return text or "", html


def build(message: EmailMessage, cfg: settings_mod.Settings) -> Mail:
    text, html = _parts(message)
    from_name, from_addr = parseaddr(str(message["From"]))
    mail = Mail(from_email=(from_addr, from_name) if from_name else from_addr, to_emails=str(message["To"]),
                subject=str(message["Subject"]), plain_text_content=PlainTextContent(text),
                html_content=HtmlContent(html) if html else None)
    for name in PASSED_HEADERS:
        if message[name]:
            mail.add_header(Header(name, str(message[name])))
    if message[REF_HEADER]:
        mail.add_custom_arg(CustomArg("ref", str(message[REF_HEADER])))
    mail.tracking_settings = TrackingSettings(click_tracking=ClickTracking(False, False),
                                              open_tracking=OpenTracking(False),
                                              subscription_tracking=SubscriptionTracking(False))
    mail.mail_settings = MailSettings(sandbox_mode=SandBoxMode(cfg["SENDGRID_SANDBOX"] == "on"))
    return mail


def _retry_after(headers) -> float | None:
    """SendGrid's X-RateLimit-Reset is a Unix time; Retry-After (seconds) is honoured too."""
    try:
        if headers is not None and headers.get("X-RateLimit-Reset"):
            return max(0.0, float(headers.get("X-RateLimit-Reset")) - time.time())
        if headers is not None and headers.get("Retry-After"):
            return max(0.0, float(headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None
    return None


def send(message: EmailMessage, cfg: settings_mod.Settings) -> str:
    """Returns SendGrid's X-Message-Id. Raises AuthEmailError (401/403), TransientEmailError (429,
    5xx, timeouts, network) or EmailError (any other refusal: a dead letter)."""
    if not cfg["SENDGRID_API_KEY"]:
        raise AuthEmailError("EMAIL_BACKEND is sendgrid but SENDGRID_API_KEY is empty; nothing was sent.")
    client = SendGridAPIClient(cfg["SENDGRID_API_KEY"], host=cfg["SENDGRID_HOST"])
    client.client.timeout = cfg["SENDGRID_TIMEOUT_SECONDS"]
    try:
        response = client.send(build(message, cfg))
    except HTTPError as exc:
        code = exc.status_code
        if code in (401, 403):
            raise AuthEmailError(f"SendGrid refused the API key (HTTP {code}); check SENDGRID_API_KEY. "
                                 "Sending stopped.") from None
        if code == 429 or code >= 500:
            raise TransientEmailError(f"SendGrid answered HTTP {code}; will try again.",
                                      retry_after=_retry_after(exc.headers)) from None
        raise EmailError(f"SendGrid refused the message (HTTP {code}).") from None
    except (URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        raise TransientEmailError(f"SendGrid did not answer ({type(exc).__name__}); will try again.") from None
    if not 200 <= response.status_code < 300:
        raise EmailError(f"SendGrid answered HTTP {response.status_code}.")
    headers = response.headers or {}
    return str(headers.get("X-Message-Id") or message["Message-ID"])
