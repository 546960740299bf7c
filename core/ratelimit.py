"""A small sliding-window limiter for link lookups (per browser session and per client address).

Kept in process memory: it slows down a flood of guesses against one server; 256-bit tokens are
what make guessing hopeless. Functions take `now` so tests can drive time.
"""
from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta


class Limiter:
    def __init__(self, limit: int, window: timedelta):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: datetime) -> bool:
        """Record an attempt for `key`; False once it has made `limit` attempts inside the window."""
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def over(self, key: str, now: datetime) -> bool:
        """Has `key` used up its attempts inside the window? (Looks only; records nothing.)"""
        with self._lock:
            hits = self._hits.get(key)
            return bool(hits) and len([t for t in hits if now - t < self.window]) >= self.limit

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


LINK_LOOKUPS = Limiter(limit=20, window=timedelta(minutes=10))
