"""Counting days to a date the way a person reads a calendar: whole calendar days in one zone, so
"due in 6 days" means six of the reader's midnights away, whatever the hour. Every "in N days" the
portal shows about a date counts with `days_until`, so two places never disagree about one date.

Which zone: the caseload and the consent page are the clinician's, so their counts use the
practice's zone (as the caseload's "3 days ago" does)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def days_until(when: datetime, now: datetime, zone: str) -> int:
    """Calendar days from `now` to `when` in `zone`: 0 on the same local day, negative once past."""
    here = ZoneInfo(zone)
    return (when.astimezone(here).date() - now.astimezone(here).date()).days


def in_days(n: int) -> str:
    """"today", "in 1 day", "in 6 days" (n >= 0)."""
    if n <= 0:
        return "today"
    return "in 1 day" if n == 1 else f"in {n} days"
