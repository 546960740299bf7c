"""Password policy and hashing (bcrypt, cost >= 12).

bcrypt only reads the first 72 bytes and bcrypt 5 refuses longer input with ValueError, so the
policy measures bytes, not characters: a 20-emoji password is 80 bytes and gets a message.
"""
from __future__ import annotations

import functools
import secrets

import bcrypt

MIN_CHARS = 12
MAX_BYTES = 72


def problems(password: str, *, username: str = "") -> list[str]:
    """Every reason a new password is not acceptable, in words a person can act on."""
    found = []
    if password != password.strip():
        found.append("It can't start or end with a space.")
    if len(password) < MIN_CHARS:
        found.append(f"Use at least {MIN_CHARS} characters (a short phrase works well).")
    if len(password.encode("utf-8")) > MAX_BYTES:
        found.append(f"It is too long: at most {MAX_BYTES} bytes (emoji and accented letters count as 2 to 4 bytes each).")
    if username and password.strip().lower() == username.strip().lower():
        found.append("It can't be the same as the username.")
    if "\x00" in password:
        found.append("It contains a character that can't be used.")
    return found


def hash_password(password: str, rounds: int = 12) -> str:
    bad = problems(password)
    if bad:
        raise ValueError(" ".join(bad))
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=max(12, rounds))).decode()


def verify(password: str, hashed: str) -> bool:
    """False for any password bcrypt cannot take (never raises)."""
    data = password.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BYTES or not hashed:
        return False
    try:
        return bcrypt.checkpw(data, hashed.encode())
    except ValueError:
        return False


def cost(hashed: str) -> int:
    """The cost factor recorded in a bcrypt hash ("$2b$12$...")."""
    return int(hashed.split("$")[2])


@functools.lru_cache(maxsize=None)
def unusable_hash(rounds: int) -> str:
    """A valid hash of a random secret nobody knows, at the cost new hashes get (made once per cost).

    Unknown and locked accounts are checked against it, so the answer and the time taken are those
    of a wrong password: a stand-in cheaper than the real hashes would tell real usernames apart."""
    secret = b"no one knows this: " + secrets.token_bytes(16).hex().encode()
    return bcrypt.hashpw(secret, bcrypt.gensalt(rounds=max(12, rounds))).decode()
