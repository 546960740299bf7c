"""Client link tokens: 256 random bits, only their SHA-256 stored, one purpose each.

A raw token exists in exactly three places: the email, the browser's session state, and the
argument of the function handling a submit. Never in logs, audit details or the database.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

PURPOSES = ("consent", "checkin", "card", "preferences", "checkup")
TOKEN_BYTES = 32
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32) is always 43 characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def well_formed(raw: object) -> bool:
    """Shape check before any lookup: anything else (padding, NULs, 10,000 characters, homoglyphs,
    double encoding) is refused without touching the database."""
    return isinstance(raw, str) and bool(_SHAPE.match(raw))


def expiry(purpose: str, now: datetime, ttl_days: dict[str, float]) -> datetime:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return now + timedelta(days=ttl_days[purpose])
