"""Two-factor sign-in rules: authenticator codes (TOTP, RFC 6238), recovery codes, and the secret's
encryption at rest. Pure functions; the database keeps the state (db.two_factor).

Choices, with their sources:
- TOTP as RFC 6238 specifies by default and every authenticator app expects: HMAC-SHA1, 6 digits,
  a 30-second time step (RFC 6238 section 4 and 5.2). NIST SP 800-63B (rev. 3, section 5.1.5.2) counts a
  password plus such a one-time-password device as AAL2; OWASP ASVS 4.0.3 V2.8 asks that a code is
  accepted once only (no replay within its validity) — `match_step` returns the time step a code
  belongs to so the database can refuse any step at or before the last one accepted.
- Clock drift: RFC 6238 section 5.2 recommends allowing at most one time step backward of transmission
  delay; we accept one step either side (±30 s), as most services do.
- Recovery codes: ten single-use codes of 10 characters from a 31-character alphabet (49 bits each), stored as
  SHA-256 hashes. They are random, not chosen by a person, so a fast hash is enough (as for link tokens);
  NIST SP 800-63B section 5.1.2 ("look-up secrets") asks for at least 20 bits of entropy and single use.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

STEP_SECONDS = 30  # RFC 6238 section 5.2
DIGITS = 6
DRIFT_STEPS = 1  # accept the step before and after the current one
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # 31 letters and digits, none easily misread (no i, l, o, 0, 1)
RECOVERY_LENGTH = 10  # shown as two groups of five: "abcde-fghjk"
MAX_INPUT = 64  # anything longer is not a code; it is refused before any work
ISSUER = "Anchorstep"


class SecretKeyError(Exception):
    """The configured key cannot read a stored secret (a wrong or missing key)."""


def new_secret() -> str:
    """A fresh base32 secret (160 bits, RFC 4226 section 4 recommends at least 128)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


@dataclass(frozen=True)
class Entry:
    """What a person typed in the code field, understood."""
    kind: str  # "totp", "recovery", "empty" or "malformed"
    value: str = ""


def read_entry(typed: object) -> Entry:
    """Normalise what was typed: spaces and dashes are ignored, digits from any script count as digits,
    letters are lower-cased. Six digits are an authenticator code; ten letters and digits of the recovery
    alphabet are a recovery code; nothing typed is "empty"; anything else cannot be a code ("malformed")
    and is not counted as a failed attempt, because it is not one."""
    raw = str(typed or "")
    if len(raw) > MAX_INPUT:
        return Entry("malformed")
    chars = []
    for ch in unicodedata.normalize("NFKC", raw):
        if ch.isspace() or ch in "-‐‑–—":
            continue
        if ch.isdecimal():
            chars.append(str(unicodedata.decimal(ch)))
        else:
            chars.append(ch.lower())
    text = "".join(chars)
    if not text:
        return Entry("empty")
    if len(text) == DIGITS and text.isdigit() and text.isascii():
        return Entry("totp", text)
    if len(text) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in text):
        return Entry("recovery", text)
    return Entry("malformed")


def match_step(secret: str, code: str, now: datetime, *, drift: int = DRIFT_STEPS) -> int | None:
    """The time step whose code equals `code` within ±drift steps of `now`, or None. Compared in
    constant time; the caller refuses a step that is not later than the last one accepted (no replay)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = step_at(now)
    found = None
    for step in range(current - drift, current + drift + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step  # keep looping: the same time for every input
    return found


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at `now` (tests and the operator's checks)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(now)


def new_recovery_codes(n: int = RECOVERY_CODES) -> list[str]:
    """Fresh codes as shown to the person: "abcde-fghjk"."""
    codes = []
    for _ in range(n):
        s = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{s[:5]}-{s[5:]}")
    return codes


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code (normalised first, so "ABCDE FGHJK" matches)."""
    entry = read_entry(code)
    return hashlib.sha256(entry.value.encode()).hexdigest()


def cipher(keys: str) -> MultiFernet:
    """The secret's cipher from the TWO_FACTOR_KEYS setting: comma-separated Fernet keys, the first
    encrypts and every one decrypts (so a key can be rotated: add the new one first, re-save, drop the old)."""
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise SecretKeyError("no two-factor key configured")
    try:
        return MultiFernet([Fernet(k.encode()) for k in parts])
    except (ValueError, TypeError) as exc:
        raise SecretKeyError("a two-factor key is not a valid Fernet key") from exc


def encrypt(secret: str, keys: str) -> str:
    return cipher(keys).encrypt(secret.encode()).decode()


def decrypt(stored: str, keys: str) -> str:
    try:
        return cipher(keys).decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError("the two-factor key cannot read this secret") from exc


def new_key() -> str:
    return Fernet.generate_key().decode()
