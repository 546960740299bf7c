"""Client record rules: what a valid client looks like, with messages for each field."""
from __future__ import annotations

import functools
import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core import email_headers, i18n

STATUSES = ("active", "paused", "discharged")
STATUS_LABELS = {"active": "Active", "paused": "Paused", "discharged": "Discharged"}
NAME_MAX = 80
EMAIL_MAX = 254
# Deliberately plain: one @, no spaces or control characters, a dot in the domain.
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


@functools.lru_cache(maxsize=1)
def zones() -> list[str]:
    """IANA zones offered in forms: the canonical Area/City names, sorted."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))


def is_zone(name: str) -> bool:
    if not name or "/" not in name and name != "UTC" or ".." in name or name.startswith("/"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def clean_name(raw: str) -> tuple[str, str | None]:
    """A display name: trimmed, no line break (U+2028 too), control, direction-override or zero-width
    characters, and no "=?" (an email header would read it as an encoded-word)."""
    text = unicodedata.normalize("NFC", str(raw or "")).strip()
    if not text:
        return text, "Please enter a name (a first name or initials is enough)."
    if len(text) > NAME_MAX:
        return text, f"Please keep the name to {NAME_MAX} characters or fewer."
    err = email_headers.problem(text, "name")
    if err:
        return text, err
    if sum(1 for c in text if unicodedata.combining(c)) > 10:
        return text, "The name has too many combining marks; please retype it."
    return text, None


def clean_email(raw: str) -> tuple[str, str | None]:
    text = str(raw or "").strip()
    if not text:
        return text, "Please enter an email address: links and reminders go there."
    if len(text) > EMAIL_MAX or not _EMAIL.match(text):
        return text, "That doesn't look like an email address (for example name@example.org)."
    err = email_headers.problem(text, "email address")  # else mail would go to the address without them
    if err:
        return text, err
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}", None


def validate(form: dict) -> tuple[dict, dict[str, str]]:
    """Return (clean values, {field: message}). Nothing is dropped: bad values come back as typed."""
    clean: dict = {}
    errors: dict[str, str] = {}
    clean["display_name"], err = clean_name(form.get("display_name", ""))
    if err:
        errors["display_name"] = err
    clean["email"], err = clean_email(form.get("email", ""))
    if err:
        errors["email"] = err
    zone = str(form.get("timezone") or "").strip()
    clean["timezone"] = zone
    if not is_zone(zone):
        errors["timezone"] = "Please choose the client's time zone from the list (for example Europe/London)."
    status = str(form.get("status") or "active").strip().lower()
    clean["status"] = status
    if status not in STATUSES:
        errors["status"] = "Please choose active, paused or discharged."
    clinician_id = form.get("clinician_id")
    if clinician_id in (None, ""):
        errors["clinician_id"] = "Please choose the clinician this client works with."
        clean["clinician_id"] = None
    else:
        try:
            clean["clinician_id"] = int(clinician_id)
        except (TypeError, ValueError):
            errors["clinician_id"] = "Please choose the clinician this client works with."
            clean["clinician_id"] = None
    if "language" in form:  # absent: the record's language is left as it is
        clean["language"], err = clean_language(form["language"])
        if err:
            errors["language"] = err
    return clean, errors


def clean_language(raw) -> tuple[str | None, str | None]:
    """A client's language: "" or None is the practice's (stored as NULL); otherwise an offered code."""
    if raw in (None, ""):
        return None, None
    if not i18n.is_offered(raw):
        return None, "Please choose one of the languages in the list."
    return raw, None
