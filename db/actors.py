"""Who is acting. Every function that touches client data takes one of these."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    clinician_id: int
    practice_id: int
    role: str  # "admin" or "clinician"
    username: str
    display_name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SYSTEM = "system"
