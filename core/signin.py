"""Sign-in rules: lockout and idle timeout. Pure functions; the database keeps the state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FailureOutcome:
    failed_count: int
    locked_until: datetime | None
    just_locked: bool


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(failed_count: int, now: datetime, *, threshold: int, minutes: int) -> FailureOutcome:
    """Count a failure; the threshold-th failure in a row locks the account for `minutes`.

    The counter starts again from zero once the lock is set, so after the lock expires the
    person has the full number of tries again.
    """
    count = failed_count + 1
    if count >= threshold:
        return FailureOutcome(0, now + timedelta(minutes=minutes), True)
    return FailureOutcome(count, None, False)


def is_idle_expired(last_seen: datetime, now: datetime, *, idle_minutes: int) -> bool:
    return now - last_seen >= timedelta(minutes=idle_minutes)
