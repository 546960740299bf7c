"""What the client view shows for one client over a period, as one typed row: the figures, the chart
rows (core.chart_data), one page of entries and the session dates. db.client_view fills it; the page,
the altair charts and the printable summary (core.session_prep) read it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.metrics import Adherence


@dataclass(frozen=True)
class ClientView:
    client: dict  # the client's row (display_name, timezone, status, ...)
    zone: str  # the client's time zone: every day below is one of the client's days
    today: date
    start: date
    end: date
    last_session: date | None
    next_session: date | None
    sessions: list[date]  # recorded session dates, newest first
    adherence: Adherence  # summed over the steps
    per_step: list[tuple[dict, Adherence]]  # (step, its adherence), steps removed in the period included
    steps: list[dict]  # the current plan's steps
    daily: list[dict]  # {"day", "mood", "distress", "checkins", "practised"} per day with check-ins
    weekly: list[dict]  # {"step", "week", "answer", "days"}: planned days per step and week
    heat: list[dict]  # {"weekday", "hour", "distress", "checkins"} in the client's zone
    reasons: list[dict]  # {"reason", "n"}: reasons given for 'partly' or 'not today'
    scores: list[dict]  # {"day", "measure", "total", "band"}: questionnaire totals
    entries: list[dict]  # one page of the check-ins behind `behind`, newest first, "practice" in words
    entries_total: int
    entries_page: int
    behind: str | None  # which check-ins the entries are (see db.client_view); None: all of the period
    open_flags: int  # safety flags waiting for review, whenever raised
    helps: list = field(default_factory=list)  # core.skill_uses.Helps per skill used in the period
    helps_chart: list = field(default_factory=list)  # {"skill", "before", "after", "uses"}: rated uses, grouped
    checkup: dict | None = None  # the newest consent check-up with its answers (db.checkups.latest_in)
    changes: list = field(default_factory=list)  # core.reliable_change.Episode per instrument (whole episode, not the period)
    personal: list = field(default_factory=list)  # core.chart_data.personal_series: one per personal item version
