"""EMAIL_BACKEND=smtp: one connection per message, STARTTLS when offered (or required by
SMTP_STARTTLS), login when SMTP_USERNAME is set. SMTP replies become jobs.email.errors: 4xx and
network trouble are temporary, a refused login stops the batch, anything else is a dead letter."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from core import settings as settings_mod
from jobs.email.errors import AuthEmailError, EmailError, TransientEmailError


def send(message: EmailMessage, cfg: settings_mod.Settings) -> None:
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
