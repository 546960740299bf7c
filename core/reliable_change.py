"""Reliable and clinically significant change (Jacobson & Truax, 1991, Journal of Consulting and Clinical
Psychology 59:12-19) between a baseline score and a later one, with its workings. Pure: no streamlit, no
database.

- Reliable change index: RCI = (x2 - x1) / S_diff, S_diff = sqrt(2 * SE^2), SE = SD * sqrt(1 - r)
  (Jacobson & Truax 1991, equations 4 and 5). |RCI| > 1.96 is a reliable change: one that measurement
  error alone would produce less than 5% of the time. Where a paper publishes the threshold in points
  (PCL-5), a change of that many points or more is reliable.
- Fixed points (a practice setting): a change of the rule's points or more is reliable (e.g. the IAPT
  manual's PHQ-9 6 / GAD-7 4).
- Direction: a fall is an improvement, except where higher is better (WHO-5).
- Clinical cut-off: "recovered" = the baseline was on the clinical side and the later score is not;
  "reliably recovered" = recovered with a reliable improvement. A baseline already on the healthy side
  cannot recover: said so, never counted as recovery.

Every constant lives in the instrument's definition (core.measures), with its source."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from core import measures as measure_rules
from core.metrics import fmt_day

Z = 1.96
JACOBSON_TRUAX = "jacobson-truax"
FIXED_POINTS = "fixed-points"
RULES = {JACOBSON_TRUAX: "Reliable change index (Jacobson & Truax, 1991), from each questionnaire's published "
                         "standard deviation and reliability",
         FIXED_POINTS: "Published fixed points (for PHQ-9 and GAD-7 the NHS Talking Therapies / IAPT manual's "
                       "6 and 4 points, caseness 10 and 8)"}
JT_SOURCE = "Jacobson & Truax (1991), Journal of Consulting and Clinical Psychology 59:12-19, equations 4-5"

IMPROVED, DETERIORATED, NO_CHANGE = "reliable improvement", "reliable deterioration", "no reliable change"
CATEGORIES = (IMPROVED, NO_CHANGE, DETERIORATED)


@dataclass(frozen=True)
class Change:
    """One comparison: `baseline` (x1) on `baseline_day` against `later` (x2) on `later_day`."""
    measure: str
    rule: str
    baseline: int
    baseline_day: date
    later: int
    later_day: date

    @property
    def m(self) -> measure_rules.Measure:
        return measure_rules.MEASURES[self.measure]

    @property
    def clinical_at(self) -> int:
        return self._fixed.clinical_at if self.rule == FIXED_POINTS else self._norms.clinical_at

    @property
    def _norms(self) -> measure_rules.ChangeNorms:
        return self.m.change

    @property
    def _fixed(self) -> measure_rules.FixedPoints:
        return self.m.fixed_points

    @property
    def s_diff(self) -> float | None:
        """The standard error of a difference (Jacobson & Truax's rule only)."""
        if self.rule != JACOBSON_TRUAX:
            return None
        n = self._norms
        if n.sd is None:
            return n.published_points / Z
        return math.sqrt(2 * (n.sd * math.sqrt(1 - n.reliability)) ** 2)

    @property
    def rci(self) -> float | None:
        return None if self.s_diff is None else (self.later - self.baseline) / self.s_diff

    @property
    def gain(self) -> int:
        """The change in the good direction (positive: better), in points."""
        diff = self.later - self.baseline
        return diff if self.m.higher_is_better else -diff

    @property
    def reliable(self) -> bool:
        if self.rule == FIXED_POINTS:
            return abs(self.later - self.baseline) >= self._fixed.points
        if self._norms.sd is None:
            return abs(self.later - self.baseline) >= self._norms.published_points
        return abs(self.rci) > Z

    @property
    def category(self) -> str:
        if not self.reliable:
            return NO_CHANGE
        return IMPROVED if self.gain > 0 else DETERIORATED

    def clinical(self, total: int) -> bool:
        """On the clinical side of the cut-off."""
        return total <= self.clinical_at if self.m.higher_is_better else total >= self.clinical_at

    @property
    def recovery(self) -> str | None:
        """"reliably recovered", "recovered" (crossed the cut-off, the change not reliable), or None
        (not crossed, or the baseline was not on the clinical side: nothing to recover from)."""
        if not self.clinical(self.baseline) or self.clinical(self.later):
            return None
        return "reliably recovered" if self.category == IMPROVED else "recovered"

    def sentence(self) -> str:
        m = self.m
        recovery = {"reliably recovered": ", and reliably recovered (now on the other side of the cut-off)",
                    "recovered": "; the score has crossed the cut-off (recovered), though the change is not "
                                 "reliable"}.get(self.recovery, "")
        return (f"{m.short}: {self.category}{recovery}, from {self.baseline} on {fmt_day(self.baseline_day)} "
                f"to {self.later} on {fmt_day(self.later_day)}.")

    def workings(self) -> str:
        m = self.m
        diff = self.later - self.baseline
        better = "higher" if m.higher_is_better else "lower"
        if self.rule == FIXED_POINTS:
            f = self._fixed
            how = (f"Rule chosen by the practice: published fixed points. A change of {f.points} points or more "
                   f"either way is reliable. Source: {f.source}. ")
        elif self._norms.sd is None:
            n = self._norms
            how = (f"Reliable change (Jacobson & Truax, 1991): a paper published the threshold for {m.short} "
                   f"itself, {n.published_points:g} points, so S_diff = {n.published_points:g} / {Z} = "
                   f"{self.s_diff:.2f} and RCI = ({self.later} − {self.baseline}) / {self.s_diff:.2f} = "
                   f"{self.rci:.2f}; a change of {n.published_points:g} points or more is reliable. "
                   f"Source: {n.source}. ")
        else:
            n = self._norms
            how = (f"Reliable change index (Jacobson & Truax, 1991): RCI = (x2 − x1) / S_diff, with "
                   f"S_diff = √(2 · (SD · √(1 − r))²) = √(2 · ({n.sd:g} · √(1 − {n.reliability:g}))²) = "
                   f"{self.s_diff:.2f}. RCI = ({self.later} − {self.baseline}) / {self.s_diff:.2f} = {self.rci:.2f}; "
                   f"|RCI| above {Z} is a reliable change (here a change of more than {Z * self.s_diff:.1f} "
                   f"points). Constants: {n.source}; formula: {JT_SOURCE}. ")
        side = (f"{self.clinical_at} and below is the clinical side" if m.higher_is_better
                else f"{self.clinical_at} and above is the clinical side")
        if not self.clinical(self.baseline):
            recovery = (f"The baseline ({self.baseline}) was already on the healthy side of the cut-off, so "
                        "there was nothing to recover from: recovery does not apply.")
        elif self.recovery:
            recovery = f"The baseline ({self.baseline}) was on the clinical side and {self.later} is not: recovered."
        else:
            recovery = "Both scores are on the clinical side."
        return (f"{how}Change: {self.later} − {self.baseline} = {diff:+d} points ({better} is better for "
                f"{m.short}). Clinical cut-off: {side}. {recovery} Scores compared: {self.baseline} on "
                f"{fmt_day(self.baseline_day)} {self.baseline_day.year} and {self.later} on "
                f"{fmt_day(self.later_day)} {self.later_day.year}.")


@dataclass(frozen=True)
class Episode:
    """One instrument's episode for one client: its assignment, the baseline response and the later ones
    (oldest first). `chosen_by` names the clinician who picked the baseline (None: the first answer)."""
    measure: str
    assignment_id: int
    since: date
    baseline: dict  # {"id", "total", "day"}
    later: list[dict]
    rule: str
    chosen_by: str | None = None

    @property
    def changes(self) -> list[Change]:
        b = self.baseline
        return [Change(self.measure, self.rule, b["total"], b["day"], r["total"], r["day"]) for r in self.later]

    def baseline_words(self) -> str:
        if self.chosen_by:
            return (f"Baseline: the answer of {fmt_day(self.baseline['day'])} {self.baseline['day'].year}, "
                    f"chosen by {self.chosen_by}.")
        return (f"Baseline: the first answer since this questionnaire was assigned on {fmt_day(self.since)} "
                f"{self.since.year}.")


def latest_sentence(ep: Episode) -> tuple[str, str]:
    """(sentence, workings) for the newest answer against the baseline, or a sentence that says why there
    is nothing to compare yet."""
    m = measure_rules.MEASURES[ep.measure]
    if not ep.later:
        return (f"{m.short}: reliable change needs a second answer after the baseline "
                f"({ep.baseline['total']} on {fmt_day(ep.baseline['day'])}).", ep.baseline_words())
    c = ep.changes[-1]
    return c.sentence(), c.workings() + " " + ep.baseline_words()


def counts(rows, rule: str) -> dict[str, dict[str, int]]:
    """Per instrument: how many episodes show each category, and how many recovered / reliably recovered,
    from (measure, baseline total, later total) rows. Counts only."""
    out = {code: {**{c: 0 for c in CATEGORIES}, "recovered": 0, "reliably recovered": 0, "episodes": 0}
           for code in measure_rules.MEASURES}
    for measure, first, last in rows:
        c = Change(measure, rule, first, date.min, last, date.min)
        row = out[measure]
        row["episodes"] += 1
        row[c.category] += 1
        if c.recovery:
            row[c.recovery] += 1
    return out
