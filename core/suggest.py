"""Suggested reminder time: the hours of the day when a client is most vulnerable, with the data
behind it, so the clinician can judge it ("distress ≥ 7 on 6 of 9 evenings between 20:00 and
22:00"). Vulnerable: a check-in with high distress, or a moment the client reached for a skill from
the coping card (some of them after tapping "I'm struggling right now"); the workings say which was
which. Pure: it takes (local timestamp, distress 0-10) pairs and (local timestamp, from struggling)
moments, and decides nothing on its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Suggestion:
    start_hour: int     # local, inclusive
    end_hour: int       # local, exclusive (may be 24)
    high_days: int      # days with distress >= threshold in the window
    days: int           # days with any check-in or skill use in the window
    threshold: int
    distress_days: int = 0    # of high_days: with a check-in at or above the threshold
    skill_days: int = 0       # of high_days: with a skill used in the moment
    struggling_days: int = 0  # of skill_days: the skill was reached after tapping "I'm struggling"

    @property
    def at(self) -> str:
        """The suggested reminder time: the start of the window."""
        return f"{self.start_hour:02d}:00"

    @property
    def evidence(self) -> str:
        word = part_of_day(self.start_hour)
        hours = f"between {self.start_hour:02d}:00 and {self.end_hour % 24:02d}:00"
        if not self.skill_days:
            return f"distress ≥ {self.threshold} on {self.high_days} of {self.days} {word} {hours}"
        return (f"a hard moment on {self.high_days} of {self.days} {word} {hours}: distress ≥ {self.threshold} in a "
                f"check-in on {self.distress_days}, a skill used from the coping card on {self.skill_days} "
                f"({self.struggling_days} of them after tapping \"I'm struggling right now\")")


def part_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "mornings"
    if 12 <= hour < 17:
        return "afternoons"
    if 17 <= hour < 22:
        return "evenings"
    return "nights"


def suggest(pairs: list[tuple[datetime, float]], *, moments: list[tuple[datetime, bool]] = (), threshold: int = 7,
            width: int = 2, min_high_days: int = 3) -> Suggestion | None:
    """The `width`-hour window with the most vulnerable days (ties: the higher share, then the earlier
    hour): days with distress >= threshold, or with a skill used in the moment (`moments`: local time,
    whether it followed "I'm struggling"). None when fewer than `min_high_days` days show it."""
    seen: dict[int, set] = {h: set() for h in range(24)}
    high: dict[int, set] = {h: set() for h in range(24)}
    skill: dict[int, set] = {h: set() for h in range(24)}
    struggling: dict[int, set] = {h: set() for h in range(24)}
    for at, after_struggling in moments:
        seen[at.hour].add(at.date())
        skill[at.hour].add(at.date())
        if after_struggling:
            struggling[at.hour].add(at.date())
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
        d_days = set().union(*(high[h] for h in hours))
        k_days = set().union(*(skill[h] for h in hours))
        h_days = d_days | k_days
        s_days = set().union(*(seen[h] for h in hours))
        if not s_days:
            continue
        key = (len(h_days), len(h_days) / len(s_days), -start)
        if best is None or key > best[0]:
            best = (key, Suggestion(start, start + width, len(h_days), len(s_days), threshold, len(d_days), len(k_days),
                                    len(set().union(*(struggling[h] for h in hours)))))
    if best is None or best[1].high_days < min_high_days:
        return None
    return best[1]
