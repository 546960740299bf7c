"""PHQ-9 and GAD-7 (both public domain): items, answers, scoring and published severity bands.

Scores are stored item by item; the total and band are computed here, never typed by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")  # scored 0..3
STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    items: tuple[str, ...]
    bands: tuple[tuple[int, int, str], ...]  # (low, high, label), inclusive

    @property
    def max_total(self) -> int:
        return 3 * len(self.items)


PHQ9 = Measure(
    "phq9", "PHQ-9 (mood over the last two weeks)",
    (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
        "or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"), (20, 27, "severe")),
)

GAD7 = Measure(
    "gad7", "GAD-7 (worry and anxiety over the last two weeks)",
    (
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")),
)

MEASURES = {m.code: m for m in (PHQ9, GAD7)}


@dataclass(frozen=True)
class Score:
    measure: str
    total: int
    band: str
    safety_item_positive: bool  # PHQ-9 item 9 answered above "not at all"

    def explain(self) -> str:
        m = MEASURES[self.measure]
        low, high = next((lo, hi) for lo, hi, label in m.bands if label == self.band)
        return (f"{m.code.upper().replace('PHQ9', 'PHQ-9').replace('GAD7', 'GAD-7')} total {self.total} of "
                f"{m.max_total}: the sum of {len(m.items)} items scored 0–3; {low}–{high} is the published "
                f"'{self.band}' band.")


def validate(code: str, answers: list) -> dict[int, str]:
    """{item index: message} for missing or out-of-range answers (every item is required)."""
    if code not in MEASURES:
        return {-1: "Unknown questionnaire."}
    m = MEASURES[code]
    problems = {}
    if not isinstance(answers, (list, tuple)) or len(answers) != len(m.items):
        return {-1: f"Please answer all {len(m.items)} questions."}
    for i, a in enumerate(answers):
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= 3:
            problems[i] = "Please choose one of the four answers."
    return problems


def band(code: str, total: int) -> str:
    for low, high, label in MEASURES[code].bands:
        if low <= total <= high:
            return label
    raise ValueError(f"{code} total {total} is out of range")


def score(code: str, answers: list[int]) -> Score:
    problems = validate(code, answers)
    if problems:
        raise ValueError(f"invalid answers: {problems}")
    total = sum(answers)
    return Score(code, total, band(code, total), code == "phq9" and answers[8] > 0)
