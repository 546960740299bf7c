"""The link-lookup rate limit: at most 20 lookups per source in any 10 minutes.

It slows a flood of guesses; 256-bit tokens are what make guessing hopeless. The hits are kept in the
database (db/ratelimit.py), so the limit holds across app replicas and restarts: 20 guesses spread over
four replicas are still 20. This module holds the rule and the keys; nothing here touches storage.

The window slides: a hit counts for exactly `window` after it was made. That is exact and still cheap,
because a refused lookup is not recorded, so a source never has more than `limit` hits in its window
and counting them reads at most `limit` index entries. (Fixed buckets would need one row per source but
let a guesser make twice the limit across a bucket's edge.)

A source is a "kind:value" string ("ip:203.0.113.9", "session:…"). What is stored is the kind and an
HMAC-SHA256 of the rule's name and the source, keyed with the cookie key (AUTH_COOKIE_KEY): never an
address or a session id. A plain SHA-256 would not do: every IPv4 address can be hashed in minutes.
Replicas must share the cookie key (they must anyway: re-login cookies and the client pages' forms are
signed with it), or each would count under its own names.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache


@dataclass(frozen=True)
class Rule:
    name: str  # part of every key's hash: two rules never count each other's hits
    limit: int  # hits allowed per source inside the window
    window: timedelta

    def cutoff(self, now: datetime) -> datetime:
        """A hit made at or before this no longer counts."""
        return now - self.window

    def allows(self, recent: int) -> bool:
        """May a source with `recent` hits inside the window make one more?"""
        return recent < self.limit


LINK_LOOKUPS = Rule("link-lookup", limit=20, window=timedelta(minutes=10))


@dataclass(frozen=True)
class Key:
    kind: str  # "ip", "session", …: the audit says which kind of source was held back
    digest: str  # 64 hex characters: HMAC-SHA256(secret, rule name | source)


def kind(source: str) -> str:
    return source.partition(":")[0]


@lru_cache(maxsize=4)
def _secret(secret: str) -> bytes:
    return hashlib.sha256(("anchorstep-rate-limit|" + secret).encode()).digest()


def key(rule: Rule, source: str, secret: str) -> Key:
    """The stored name of `source` under `rule`."""
    mac = hmac.new(_secret(secret), f"{rule.name}|{source}".encode(), hashlib.sha256).hexdigest()
    return Key(kind(source), mac)
