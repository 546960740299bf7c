"""Personal items: a client's own questions on the daily check-in (idiographic measures, as in m-Path
and mindLAMP), e.g. "urge to check the door locks". A clinician writes up to three, each either a
0–10 scale with the two end words the clinician writes, or yes/no. The client may leave any of them
blank: they are optional.

Validation here, storage in db.personal_items. What a clinician typed comes back in `clean` exactly as
typed (only trimmed), so a form can show it again beside a message: nothing valid is lost.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from core.i18n import N_

MAX_ACTIVE = 3
WORDING_MAX = 120
END_MAX = 40
KINDS = {"scale": "A number from 0 to 10", "yesno": "Yes or no"}  # the clinician's choice, in the portal
YES_NO = {"yes": N_("Yes"), "no": N_("No")}  # what the client taps; stored as 1 and 0
STORED = {"yes": 1, "no": 0}


@dataclass(frozen=True)
class Item:
    """One active item as the check-in shows it: its current version."""
    item_id: int
    version_id: int
    position: int
    kind: str
    wording: str
    low_word: str | None
    high_word: str | None

    @property
    def field(self) -> str:
        """The form field (and error key) of this version's answer on the check-in page."""
        return f"pi_{self.version_id}"


def _unsavable(text: str) -> bool:
    return "\x00" in text or any(unicodedata.category(c) in ("Cs", "Cc") for c in text)


def _words(raw, field: str, limit: int, what: str, errors: dict, *, required: bool) -> str:
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        errors[field] = f"Please write {what}."
    elif len(text) > limit:
        errors[field] = f"Please keep {what} to {limit} characters (it has {len(text)})."
    elif _unsavable(text):
        errors[field] = f"{what[0].upper()}{what[1:]} contains a line break or a character that can't be saved; please retype that part."
    return text


def validate(kind, wording, low_word=None, high_word=None) -> tuple[dict, dict[str, str]]:
    """A new item or a new wording. Returns (clean, errors), errors keyed by field (kind, wording,
    low_word, high_word) in the clinician's words. End words belong to scales; a yes/no item has none."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = "Please choose a number from 0 to 10 or yes/no."
    clean = {"kind": kind, "wording": _words(wording, "wording", WORDING_MAX, "the question", errors, required=True)}
    if kind == "scale":
        clean["low_word"] = _words(low_word, "low_word", END_MAX, "what 0 means", errors, required=True)
        clean["high_word"] = _words(high_word, "high_word", END_MAX, "what 10 means", errors, required=True)
    else:
        clean["low_word"] = clean["high_word"] = None
    return clean, errors


def room_for_one_more(active: int) -> dict[str, str]:
    """The limit of three, said calmly; {} when there is room."""
    if active >= MAX_ACTIVE:
        return {"form": f"This client already has {MAX_ACTIVE} personal items, the most the check-in asks. "
                        "End one to add another."}
    return {}


def _scale_answer(raw) -> int | None:
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    if math.isnan(value) or math.isinf(value) or value != int(value) or not 0 <= value <= 10:
        return None
    return int(value)


def validate_answers(form: dict, items: list[Item]) -> tuple[dict[int, int], dict[str, str]]:
    """The client's answers to their personal items: `form` maps a version id (int or str) to what was
    sent. Blank means not answered (every item is optional). Returns ({version_id: stored value},
    errors keyed by the item's field)."""
    by_version = {i.version_id: i for i in items}
    clean: dict[int, int] = {}
    errors: dict[str, str] = {}
    for key, raw in (form or {}).items():
        if raw is None or raw == "":
            continue
        try:
            item = by_version.get(int(key))
        except (TypeError, ValueError):
            item = None
        if item is None:
            errors["personal"] = N_("One of your own questions was changed by your clinician; please answer it "
                                    "again as it reads now.")
            continue
        if item.kind == "yesno":
            if raw in STORED:
                clean[item.version_id] = STORED[raw]
            else:
                errors[item.field] = N_("Please choose yes or no (or leave it blank).")
        else:
            value = None if isinstance(raw, bool) else _scale_answer(raw)
            if value is None:
                errors[item.field] = N_("Please choose a whole number from 0 to 10 (or leave it blank).")
            else:
                clean[item.version_id] = value
    return clean, errors


def shown_answer(kind: str, value: int | None) -> str:
    """An answer in the clinician's words (tables, tooltips)."""
    if value is None:
        return ""
    if kind == "yesno":
        return "yes" if value else "no"
    return str(value)


def how_computed(series: dict) -> str:
    """The chart's workings in the clinician's words, for one series (core.chart_data.personal_series)."""
    points = series["points"]
    answers = sum(p["answers"] for p in points)
    asked = f"These words were asked from {series['valid_from']:%d %b %Y}" + (
        f" to {series['valid_to']:%d %b %Y}" if series["valid_to"] else "") + \
        "; a change of words starts a new series, so earlier answers are charted with the words they answered."
    if series["kind"] == "yesno":
        yes = sum(p["yes"] for p in points)
        return (f"Each bar counts one day's answers, yes and no ({yes} yes of {answers} answers on {len(points)} "
                f"days in this period). Days without an answer have no bar; the question is optional. {asked}")
    return (f"Each point is the mean of the day's answers from 0 ({series['low_word']}) to 10 "
            f"({series['high_word']}), rounded to one decimal: {answers} answers on {len(points)} days in this "
            f"period. Days without an answer have no point; the question is optional. {asked}")
