"""Add-to-calendar: an .ics file with one weekly recurring event per step, in the client's zone.

The client's own calendar then reminds them, with no email involved. Event text is the card line
only (what the client already sees), and the file is built for download, never sent.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from core import i18n, plans
from core.i18n import N_


def _next_on_days(today: date, days: list[int]) -> date:
    for offset in range(7):
        day = today + timedelta(days=offset)
        if day.weekday() in days:
            return day
    return today


def build_ics(steps: list[dict], *, zone: str, now: datetime, uid_host: str = "anchorstep",
              language: str = i18n.SOURCE) -> bytes:
    """Steps without days or a time window are left out (nothing to schedule). The words around the
    clinician's typed text are in `language` (core.i18n); the typed text is as typed."""
    tr = i18n.translations(i18n.choose(language))
    tz = ZoneInfo(zone)
    cal = Calendar()
    cal.add("prodid", "-//Anchorstep//coping card//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", zone)
    today = now.astimezone(tz).date()
    for step in steps:
        if not step.get("days") or not step.get("window_start"):
            continue
        h, m = (int(x) for x in step["window_start"].split(":"))
        start = datetime.combine(_next_on_days(today, step["days"]), time(h, m), tzinfo=tz)
        ev = Event()
        ev.add("uid", f"step-{step.get('step_id', 0)}-v{step.get('version_id', 0)}@{uid_host}")
        ev.add("summary", i18n.translate(plans.card_line(step), tr))
        if plans.if_then_line(step):
            ev.add("description", i18n.translate(N_("Plan for a hard day: %(plan)s", plan=plans.if_then_line(step)), tr))
        ev.add("dtstart", start)
        ev.add("duration", timedelta(minutes=int(step.get("duration_min") or 5)))
        ev.add("dtstamp", now)
        ev.add("rrule", {"freq": "weekly", "byday": [plans.ICAL_DAYS[d] for d in sorted(step["days"])]})
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
