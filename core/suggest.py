"""Suggested reminder time: the hours of the day when a client's distress runs highest, with the
data behind it, so the clinician can judge it ("distress ≥ 7 on 6 of 9 evenings between 20:00 and
22:00"). Pure: it takes (local timestamp, distress 0-10) pairs and decides nothing on its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Suggestion:
    start_hour: int     # local, inclusive
    end_hour: int       # local, exclusive (may be 24)
    high_days: int      # days with distress >= threshold in the window
    days: int           # days with any check-in in the window
    threshold: int

    @property
    def at(self) -> str:
        """The suggested reminder time: the start of the window."""
        return f"{self.start_hour:02d}:00"

    @property
    def evidence(self) -> str:
        word = part_of_day(self.start_hour)
        return (f"distress ≥ {self.threshold} on {self.high_days} of {self.days} {word} between "
                f"{self.start_hour:02d}:00 and {self.end_hour % 24:02d}:00")


def part_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "mornings"
    if 12 <= hour < 17:
        return "afternoons"
    if 17 <= hour < 22:
        return "evenings"
    return "nights"


def suggest(pairs: list[tuple[datetime, float]], *, threshold: int = 7, width: int = 2, min_high_days: int = 3
            ) -> Suggestion | None:
    """The `width`-hour window with the most days of distress >= threshold (ties: the higher share,
    then the earlier hour). None when fewer than `min_high_days` days show it: too little to go on."""
    seen: dict[int, set] = {h: set() for h in range(24)}
    high: dict[int, set] = {h: set() for h in range(24)}
    for at, distress in pairs:
        try:
            value = float(distress)
        except (TypeError, ValueError):
            continue
        if value != value:  # NaN
            continue
        seen[at.hour].add(at.date())
        if value >= threshold:
            high[at.hour].add(at.date())
    best = None
    for start in range(0, 24 - width + 1):
        hours = range(start, start + width)
        h_days = set().union(*(high[h] for h in hours))
        s_days = set().union(*(seen[h] for h in hours))
        if not s_days:
            continue
        key = (len(h_days), len(h_days) / len(s_days), -start)
        if best is None or key > best[0]:
            best = (key, Suggestion(start, start + width, len(h_days), len(s_days), threshold))
    if best is None or best[1].high_days < min_high_days:
        return None
    return best[1]
