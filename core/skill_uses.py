"""Skill uses: a client uses one of their steps in a hard moment, optionally rating distress 0-10
before and after. Here: what a submitted use may hold, the guided screens for a step, and the
"what helps" arithmetic the clinician reads. Pure; db.skill_uses stores and aggregates.

The arithmetic takes small aggregates from SQL (per skill: counts of each (before, after, helped)
combination, and counts per local hour), so a year of five uses a day is at most a few hundred rows.
The change in distress is before minus after, over uses rated both times only; every use counts as
a use. A correction replaces the use it corrects (db.skill_uses leaves the corrected row out).

Sources for the numbers:
- Rating distress 0-10 before and after a skill, in the moment: the Subjective Units of Distress
  scale (Wolpe 1969, The Practice of Behavior Therapy), as DBT diary cards use it (Linehan 2015,
  DBT Skills Training Manual, 2nd ed.); a single 0-10 item is what EMA studies use to keep the burden
  low (Shiffman, Stone & Hufford 2008, Annu Rev Clin Psychol 4:1-32).
- "Fell by 2 or more": a 2-point change on an 11-point rating scale is the smallest change patients
  rate as meaningful for pain NRS (Farrar et al. 2001, Pain 94:149-158); we borrow it as a plain
  threshold and say so in the workings. The median, not the mean, because ratings are ordinal.
- Fewer than 5 rated uses: we say there are too few to mean much and never rank skills. A floor,
  not a statistical test: with under 5 pairs a median moves with a single use.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.suggest import part_of_day

RATING_MIN, RATING_MAX = 0, 10
FEW = 5  # fewer rated uses than this: too few to mean much (see the module docstring)
MEANINGFUL_FALL = 2  # points; see the module docstring
MAX_DURATION_S = 3 * 3600  # a use "lasting" longer was left open, not practised: no duration recorded
PARTS = ("mornings", "afternoons", "evenings", "nights")

# 5-4-3-2-1 grounding, one sense per screen (the built-in "grounding" template).
GROUNDING = [(5, "see"), (4, "hear"), (3, "touch"), (2, "smell"), (1, "taste")]
# Paced breathing (the built-in "breathing" template's level 2): in for 4, out for 6, about six
# breaths a minute, the slow rate used in resonance-breathing studies (Lehrer & Gevirtz 2014,
# Front Psychol 5:756). The CSS animation in client.css runs the same 10-second cycle.
BREATH_IN, BREATH_OUT = 4, 6


def guide(step: dict) -> str:
    """Which guided screens a step gets: "grounding", "breathing", or "steps" (its own instruction)."""
    key = step.get("template_key") or ""
    return key if key in ("grounding", "breathing") else "steps"


def screens(step: dict) -> int:
    """How many guided screens the step has (grounding: one sense per screen)."""
    return len(GROUNDING) if guide(step) == "grounding" else 1


def usable(steps: list[dict]) -> list[dict]:
    """The steps the clinician marked as usable in the moment (the editor's "usable in the moment" box)."""
    return [s for s in steps if s.get("distress_tolerance")]


def rating(value: object) -> tuple[int | None, bool]:
    """A 0-10 rating from a form: (the rating or None when skipped, whether it was valid)."""
    if value is None or value == "":
        return None, True
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 2:
        return None, False
    n = int(text)
    return (n, True) if RATING_MIN <= n <= RATING_MAX else (None, False)


def helped(value: object) -> tuple[bool | None, bool]:
    """The one-tap answer: the button pressed ("yes", "no", or "skip": saved without saying). A form
    sent without pressing one (a scanner submitting forms as found) is not an answer: nothing is saved."""
    return {"yes": (True, True), "no": (False, True), "skip": (None, True)}.get(str(value), (None, False))


def duration_s(started: datetime, now: datetime) -> int | None:
    seconds = int((now - started).total_seconds())
    return seconds if 0 <= seconds <= MAX_DURATION_S else None


def local_stamp(zone: str, at: datetime) -> tuple[date, str]:
    """The client's local date and "HH:MM" at the instant `at` (DST handled by the zone database)."""
    local = at.astimezone(ZoneInfo(zone))
    return local.date(), f"{local:%H:%M}"


def safety_reasons(before: int | None, after: int | None, threshold: int) -> list[str]:
    """Same rule as a check-in's distress: at or above the practice threshold raises a flag."""
    out = []
    for when, value in (("before", before), ("after", after)):
        if value is not None and value >= threshold:
            out.append(f"distress {value} of 10 {when} using a skill (at or above the practice threshold of "
                       f"{threshold})")
    return out


# ---------------------------------------------------------------- what helps

@dataclass(frozen=True)
class Helps:
    """One skill over a period. `pairs`: (before, after) of every use rated both times."""
    skill: str
    step_id: int
    uses: int
    pairs: tuple[tuple[int, int], ...]
    helped_yes: int
    helped_no: int
    parts: dict = field(default_factory=dict)  # part of day -> uses (client's time)

    @property
    def rated(self) -> int:
        return len(self.pairs)

    @property
    def too_few(self) -> bool:
        return self.rated < FEW

    @property
    def median_change(self) -> float | None:
        """Median of before minus after (positive: distress fell)."""
        return statistics.median(b - a for b, a in self.pairs) if self.pairs else None

    @property
    def median_before(self) -> float | None:
        return statistics.median(b for b, _ in self.pairs) if self.pairs else None

    @property
    def median_after(self) -> float | None:
        return statistics.median(a for _, a in self.pairs) if self.pairs else None

    @property
    def fell_meaningfully(self) -> int:
        return sum(1 for b, a in self.pairs if b - a >= MEANINGFUL_FALL)

    def sentence(self) -> str:
        times = _n(self.uses, "time")
        head = f"{self.skill}: used {times}"
        if self.parts:
            head += f", mostly {max(PARTS, key=lambda p: (self.parts.get(p, 0), -PARTS.index(p)))}"
        if not self.pairs:
            return f"{head}; never rated both before and after, so there is no change in distress to show."
        rated = f"rated before and after {_n(self.rated, 'time')}"
        if self.too_few:
            return (f"{head}; {rated}: too few rated uses to say whether it helps (fewer than {FEW}), "
                    "so it is not compared with other skills.")
        change = self.median_change
        move = (f"distress fell by a median of {_num(change)} point{'s' if change != 1 else ''}" if change > 0 else
                f"distress rose by a median of {_num(-change)} point{'s' if change != -1 else ''}" if change < 0 else
                "distress did not change (median)")
        return (f"{head}; {rated}; {move} (from {_num(self.median_before)} to {_num(self.median_after)}); "
                f"{self.fell_meaningfully} of {self.rated} fell by {MEANINGFUL_FALL} or more.")

    def workings(self) -> str:
        parts = ", ".join(f"{p} {self.parts[p]}" for p in PARTS if self.parts.get(p)) or "none"
        said = (f" The client said it helped {_n(self.helped_yes, 'time')} and that it did not "
                f"{_n(self.helped_no, 'time')}." if self.helped_yes or self.helped_no else "")
        changes = ", ".join(f"{b}→{a}" for b, a in sorted(self.pairs, reverse=True)[:40]) or "none"
        return (f"Uses counted: every use of this step in the period ({self.uses}), a corrected use replaced by its "
                f"correction. Change: before minus after, only for the {self.rated} use(s) rated both times "
                f"(unrated uses count as uses but not in the change); the median, since ratings are 0-10 steps, "
                f"not measurements. Before → after: {changes}. \"Fell by {MEANINGFUL_FALL} or more\" borrows the "
                f"smallest change people call meaningful on 0-10 rating scales (Farrar et al. 2001). Under {FEW} "
                f"rated uses the figures are shown but not compared. Times of day in the client's zone: "
                f"{parts}.{said}")


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}" if word != "time" else ("once" if n == 1 else f"{n} times")


def _num(x: float) -> str:
    return f"{x:g}"


def summarise(groups: list[tuple], hours: list[tuple], skills: dict[int, str]) -> list[Helps]:
    """Per skill, from SQL's groups: `groups` rows are (step id, before, after, helped, uses);
    `hours` rows are (step id, local hour 0-23, uses); `skills` names each step. Order: the plan's
    order (`skills`' order), never by effect."""
    pairs: dict[int, list] = {}
    uses: dict[int, int] = {}
    said: dict[int, list[int]] = {}
    for step_id, before, after, was_helpful, n in groups:
        uses[step_id] = uses.get(step_id, 0) + n
        if before is not None and after is not None:
            pairs.setdefault(step_id, []).extend([(before, after)] * n)
        tally = said.setdefault(step_id, [0, 0])
        if was_helpful is True:
            tally[0] += n
        elif was_helpful is False:
            tally[1] += n
    parts: dict[int, dict] = {}
    for step_id, hour, n in hours:
        p = parts.setdefault(step_id, {})
        p[part_of_day(int(hour))] = p.get(part_of_day(int(hour)), 0) + n
    order = [s for s in skills if s in uses] + sorted(s for s in uses if s not in skills)
    return [Helps(skill=skills.get(s, "A step no longer on the plan"), step_id=s, uses=uses[s],
                  pairs=tuple(pairs.get(s, [])), helped_yes=said.get(s, [0, 0])[0], helped_no=said.get(s, [0, 0])[1],
                  parts=parts.get(s, {}))
            for s in order]


# ---------------------------------------------------------------- small wins

def week_start(today: date) -> date:
    """The Monday of the client's week. The small-wins line counts the days of this week with any
    practice (a check-in that practised, or a skill use) and says so warmly; it counts what was done,
    never what was missed, and has no streak that can break. Sources: homework adherence grows with
    collaborative, non-judgemental review of what was done (Kazantzis, Whittington & Dattilio 2010,
    Clin Psychol Sci Pract 17:144-156; Kazantzis et al. 2016, Behav Ther 47:755-772); therapists'
    views on gamifying CBT homework (Lau, van Oppen & Riper 2026, "Gamification of Cognitive
    Behavioral Therapy Homework: Therapist Concept Mapping Approach", JMIR Form Res 10:e50923,
    doi:10.2196/50923; its existence and title were checked, its detailed findings were not re-read
    here). Leaving out streaks and "you missed" is our reading of both, not a quoted result."""
    return today - timedelta(days=today.weekday())
