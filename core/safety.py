"""Safety signals. They raise a flag for the clinician and show crisis resources to the client;
they never act clinically by themselves, and none of this is real-time monitoring."""
from __future__ import annotations

from core.measures import Score

DEFAULT_DISTRESS_THRESHOLD = 9


def checkin_reasons(distress: int | None, threshold: int = DEFAULT_DISTRESS_THRESHOLD) -> list[str]:
    if distress is not None and distress >= threshold:
        return [f"distress {distress} of 10 (at or above the practice threshold of {threshold})"]
    return []


def measure_reasons(score: Score) -> list[str]:
    if score.safety_item_positive:
        return ["PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 'not at all'"]
    return []
