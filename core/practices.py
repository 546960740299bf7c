"""Practice settings rules: the practice name, the crisis resources clients see, and the neutral
sender name used in emails.

Both can reach an email header, so both follow core/email_headers: one line, no hidden characters,
no "=?". Messages are per field; values come back as typed."""
from __future__ import annotations

import unicodedata

from core import email_headers

NAME_MAX = 120
CRISIS_MIN, CRISIS_MAX = 20, 2000  # at least a phone number and a few words
SENDER_NAME_MAX = 60
SENDER_NAME_WHY = ("Emails show this name in the sender line and the subject instead of the practice name, so "
                   "nobody who sees a client's inbox learns that they are in therapy.")


def _clean(raw, *, what: str, limit: int) -> tuple[str, str | None]:
    text = unicodedata.normalize("NFC", str(raw or "")).strip()
    if len(text) > limit:
        return text, f"Please keep the {what} to {limit} characters or fewer."
    return text, email_headers.problem(text, what)


def validate(form: dict) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) for `name`, `crisis_resources` and `email_sender_name` (empty:
    the neutral default)."""
    clean: dict = {}
    errors: dict[str, str] = {}
    clean["name"], err = _clean(form.get("name"), what="practice name", limit=NAME_MAX)
    if not clean["name"]:
        err = "Please enter the practice name."
    if err:
        errors["name"] = err
    clean["crisis_resources"] = str(form.get("crisis_resources") or "").strip()
    if "crisis_resources" in form and not CRISIS_MIN <= len(clean["crisis_resources"]) <= CRISIS_MAX:
        errors["crisis_resources"] = (f"Please give clients real crisis resources (at least one phone number), "
                                      f"{CRISIS_MIN} to {CRISIS_MAX} characters.")
    clean["email_sender_name"], err = _clean(form.get("email_sender_name"), what="sender name",
                                             limit=SENDER_NAME_MAX)
    if err:
        errors["email_sender_name"] = err
    return clean, errors
