"""The client view's summary in sentences, each with its workings, and the printable one-page
session-prep summary (plain HTML with inline SVG charts, every typed string escaped, nothing loaded
from elsewhere). Pure: no streamlit, no database."""
from __future__ import annotations

import html as html_mod
from dataclasses import dataclass
from datetime import datetime

from core import checkins as checkin_rules, checkups as checkup_rules, measures as measure_rules, print_charts, \
    reliable_change
from core.client_view import ClientView
from core.metrics import fmt_day


@dataclass(frozen=True)
class Sentence:
    key: str
    text: str
    workings: str
    behind: str | None = None  # the check-ins it counts, for db.client_view.get(behind=...)


def sentences(view: ClientView) -> list[Sentence]:
    a = view.adherence
    start, end = view.start, view.end
    out = [Sentence("practice", a.sentence(), a.workings() + (
        f" Steps counted: {len(view.per_step)}; each step counts from the day it was added to the plan, "
        "and each day with the days of the week that were in effect on that day." if view.per_step else
        " The client has no active plan."), "practice" if a.planned else None)]
    for step, sa in view.per_step:
        removed = (f" (removed from the plan on {fmt_day(checkin_rules.local_today(view.zone, step['removed_at']))})"
                   if step.get("removed_at") else "")
        out.append(Sentence(f"step{step['step_id']}", f"{step['behaviour']}{removed}: " + (
            f"practised on {sa.practised} of {sa.planned} planned days ({sa.percent}%)." if sa.planned else
            "not planned in this period."), sa.workings(), f"practice:{step['step_id']}" if sa.planned else None))
    days = view.daily
    n_checkins = sum(d["checkins"] for d in days)
    span = (end - start).days + 1
    if days:
        mood = round(sum(d["mood"] for d in days) / len(days), 1)
        distress = round(sum(d["distress"] for d in days) / len(days), 1)
        worst = max(days, key=lambda d: (d["distress"], d["day"]))
        out.append(Sentence("checkins", f"{n_checkins} check-ins on {len(days)} of {span} days.",
                            f"Counted by the client's own day (time zone {view.zone}) between {fmt_day(start)} and "
                            f"{fmt_day(end)}; a correction is a check-in of its own.", "all"))
        out.append(Sentence("mood", f"Mood averaged {mood} and distress {distress} (0–10).",
                            f"Each day's check-ins are averaged first, then the {len(days)} days are averaged, so a "
                            f"day with several check-ins counts once. The highest day's distress was "
                            f"{worst['distress']} on {fmt_day(worst['day'])}.", "all"))
    else:
        out.append(Sentence("checkins", f"No check-ins between {fmt_day(start)} and {fmt_day(end)}.",
                            f"Counted by the client's own day (time zone {view.zone})."))
    flags = view.open_flags
    out.append(Sentence("safety", f"{flags} safety flag(s) waiting for review." if flags else
                        "No safety flag is waiting for review.",
                        "A flag is raised when distress is at or above the practice threshold or PHQ-9 item 9 is "
                        "answered above \"not at all\"; it stays until a clinician reviews it (Check-ins page).",
                        "safety" if flags else None))
    if view.reasons:
        total = sum(r["n"] for r in view.reasons)
        top = max(view.reasons, key=lambda r: r["n"])
        out.append(Sentence("reasons", f"Most given reason for not practising: "
                                       f"{checkin_rules.REASONS.get(top['reason'], top['reason'])} ({top['n']} of {total}).",
                            "Counts every answer 'partly' or 'not today' that gave a reason, in this period: " +
                            "; ".join(f"{checkin_rules.REASONS.get(r['reason'], r['reason'])}: {r['n']}"
                                      for r in view.reasons) + ".", "reasons"))
    if view.checkup:
        out.append(checkup_sentence(view.checkup))
    for code, m in measure_rules.MEASURES.items():
        mine = [s for s in view.scores if s["measure"] == code]
        if mine:
            last = mine[-1]
            first = mine[0]
            change = f"; {first['total']} on {fmt_day(first['day'])}" if len(mine) > 1 else ""
            out.append(Sentence(code, f"{m.title}: {last['total']} ({last['band']}) on {fmt_day(last['day'])}{change}.",
                                f"Total of {len(m.items)} items scored 0–{m.item_max}" + (f", × {m.multiplier}" if m.multiplier != 1 else "") + f" (0–{m.max_total}; higher is {'better' if m.higher_is_better else 'worse'}). Published bands: " +
                                ", ".join(f"{lo}–{hi} {label}" for lo, hi, label in m.bands) +
                                f". {len(mine)} response(s) in this period."))
    for episode in view.changes:
        text, workings = reliable_change.latest_sentence(episode)
        out.append(Sentence(f"reliable_{episode.measure}", text, workings))
    return out


def checkup_sentence(up: dict) -> Sentence:
    """The newest consent check-up in one sentence; its workings name the suggested talking points
    (suggestions only: core.checkups)."""
    wrong = [a for a in up["answers"] if not a["correct"]]
    caught = (f"{len(wrong)} misconception(s) caught and corrected" if wrong else "every statement understood")
    points = checkup_rules.talking_points(up)
    return Sentence("checkup", f"Consent check-up on {fmt_day(up['at'])}: {caught}; usefulness {up['usefulness']} "
                               f"and comfort {up['comfort']} of {checkup_rules.SCALE_MAX}.",
                    f"{len(up['answers'])} true/false statements about how Anchorstep works and two 1–5 scales, "
                    "answered by the client through a check-up link. " + (
                        "Suggested talking points: " + " ".join(points) if points else "No talking point suggested."))


def html(view: ClientView, *, now: datetime) -> str:
    """A one-page, print-ready summary. Every string that came from a person is escaped."""
    e = html_mod.escape
    rows = "".join(f"<li><strong>{e(s.text)}</strong><br><small>{e(s.workings)}</small></li>"
                   for s in sentences(view))
    steps = "".join(f"<li>{e(s['anchor'])} → {e(s['behaviour'])} (days: "
                    f"{e(', '.join(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][d] for d in s['days']))}; "
                    f"{e(s['window_start'])}–{e(s['window_end'])})</li>" for s in view.steps) or "<li>No active plan.</li>"
    helps = "".join(f"<li>{e(h.sentence())}</li>" for h in view.helps) or "<li>No skill used in the moment.</li>"
    thoughts = "".join(f"<li>{e(fmt_day(x['local_date']))}: {e(x['thought'])}</li>"
                       for x in view.entries[:10] if x["thought"]) or "<li>None written.</li>"
    charts = (print_charts.practice_per_week(view.weekly) +
              print_charts.mood_and_distress(view.daily, view.start, view.end)
              ) or "<p>No check-ins or planned practice in this period, so there is nothing to chart.</p>"
    nxt = f"Next session: {e(fmt_day(view.next_session))}." if view.next_session else ""
    note = (f"<h2>Consent check-up: the client's note, as written</h2><p>{e(view.checkup['note'])}</p>"
            if view.checkup and view.checkup.get("note") else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Session prep: {e(view.client['display_name'])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44em;margin:2em auto;font-size:11pt}}
li{{margin-bottom:.4em}} small{{color:#555}} figure{{margin:0 0 .8em}} figcaption{{font-size:9pt;color:#555}}
@media print{{body{{margin:0}} figure{{break-inside:avoid}}}}</style></head><body>
<h1>Session prep: {e(view.client['display_name'])}</h1>
<p>{e(fmt_day(view.start))} – {e(fmt_day(view.end))} {view.end.year} (client's days, {e(view.zone)}). {nxt}
Prepared {now:%d %b %Y %H:%M} UTC.</p>
<h2>Summary</h2><ul>{rows}</ul>
<h2>What helps (skills used in the moment)</h2><ul>{helps}</ul>
<h2>Key charts</h2>{charts}
<h2>Current plan</h2><ul>{steps}</ul>
<h2>Recent thoughts, as written</h2><ul>{thoughts}</ul>
{note}
</body></html>"""
