"""Charts for the printable session-prep page as inline SVG: self-contained (no script, no font, no
CDN: the deploy's CSP is strict and clinics may print offline), drawn from the same small aggregates
as the altair charts. Pure functions; every typed string (step names) is escaped; each chart carries a
text alternative (<title>, <desc>) and a caption in plain words."""
from __future__ import annotations

import html as html_mod
from datetime import date, timedelta

ANSWERS = ["done", "partly", "not today", "no answer"]
ANSWER_COLOURS = {"done": "#2e7d32", "partly": "#9ccc65", "not today": "#ef6c00", "no answer": "#bdbdbd"}
MOOD_COLOUR, DISTRESS_COLOUR, PRACTICE_COLOUR = "#1565c0", "#c62828", "#2e7d32"

# Geometry, shared with the tests: plot area inside a WIDTH x HEIGHT view box.
WIDTH, HEIGHT = 640, 190
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 52
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
WEEK_DAYS = 7  # the practice chart's y axis: days in a week


def _e(text) -> str:
    return html_mod.escape(str(text), quote=True)


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%b')}"


def _num(x: float) -> str:
    return f"{x:.1f}"


def _svg(label_id: str, title: str, desc: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
            f'aria-labelledby="{label_id}-t {label_id}-d" font-family="sans-serif" font-size="11">'
            f'<title id="{label_id}-t">{_e(title)}</title><desc id="{label_id}-d">{_e(desc)}</desc>{body}</svg>')


def _legend(items: list[tuple[str, str]], y: float) -> str:
    out, x = [], LEFT
    for words, colour in items:
        out.append(f'<rect x="{x}" y="{_num(y - 9)}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{_num(y)}">{_e(words)}</text>')
        x += 24 + 7 * len(words)
    return "".join(out)


def _y_axis(ticks: list[tuple[float, str]], label: str) -> str:
    out = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_H}" stroke="#666"/>',
           f'<line x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{LEFT + PLOT_W}" y2="{TOP + PLOT_H}" stroke="#666"/>',
           f'<text x="12" y="{_num(TOP + PLOT_H / 2)}" text-anchor="middle" '
           f'transform="rotate(-90 12 {_num(TOP + PLOT_H / 2)})">{_e(label)}</text>']
    for y, words in ticks:
        out.append(f'<line x1="{LEFT - 4}" y1="{_num(y)}" x2="{LEFT + PLOT_W}" y2="{_num(y)}" stroke="#ddd"/>'
                   f'<text x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">{_e(words)}</text>')
    return "".join(out)


def practice_per_week(weekly: list[dict]) -> str:
    """One small stacked-bar chart per step: its planned days each week, by the client's answer.
    `weekly`: rows of {"step", "week" (Monday), "answer", "days"} (core.chart_data). Empty: ""."""
    if not weekly:
        return ""
    weeks = sorted({r["week"] for r in weekly})
    steps = list(dict.fromkeys(r["step"] for r in weekly))
    slot = PLOT_W / len(weeks)
    bar = min(48.0, slot * 0.7)
    figures = []
    for n, step in enumerate(steps):
        counts = {(r["week"], r["answer"]): r["days"] for r in weekly if r["step"] == step}
        body = [_y_axis([(TOP + PLOT_H * (1 - v / WEEK_DAYS), str(v)) for v in (0, 7)], "Planned days")]
        desc = []
        for i, week in enumerate(weeks):
            x = LEFT + slot * i + (slot - bar) / 2
            base = TOP + PLOT_H
            parts = []
            for answer in ANSWERS:
                days = counts.get((week, answer), 0)
                if not days:
                    continue
                h = PLOT_H * days / WEEK_DAYS
                base -= h
                body.append(f'<rect x="{_num(x)}" y="{_num(base)}" width="{_num(bar)}" height="{_num(h)}" '
                            f'fill="{ANSWER_COLOURS[answer]}" data-week="{week.isoformat()}" data-answer="{answer}" '
                            f'data-days="{days}"><title>{_e(f"Week of {_day(week)}: {answer} on {days} day(s)")}'
                            f'</title></rect>')
                parts.append(f"{answer} {days}")
            if len(weeks) <= 12 or i % 2 == 0:
                body.append(f'<text x="{_num(x + bar / 2)}" y="{TOP + PLOT_H + 14}" text-anchor="middle">'
                            f'{_e(_day(week))}</text>')
            desc.append(f"week of {_day(week)}: " + (", ".join(parts) or "nothing planned"))
        body.append(f'<text x="{LEFT + PLOT_W / 2}" y="{TOP + PLOT_H + 28}" text-anchor="middle">'
                    f'Week (starting Monday)</text>')
        body.append(_legend([(a, ANSWER_COLOURS[a]) for a in ANSWERS], HEIGHT - 6))
        title = f"Practice per week: {step}"
        figures.append(f'<figure class="chart">{_svg(f"practice{n}", title, "; ".join(desc) + ".", "".join(body))}'
                       f'<figcaption>{_e(title)}. Each bar is one week of planned days, coloured by the '
                       f'client\'s answer.</figcaption></figure>')
    return "".join(figures)


def mood_and_distress(daily: list[dict], start: date, end: date) -> str:
    """Mood and distress per day (each day's mean, 0–10) from `start` to `end`, with the days the
    client practised marked along the bottom. `daily`: rows of {"day", "mood", "distress", "practised"}."""
    if not daily:
        return ""
    span = max(1, (end - start).days)

    def x(d: date) -> float:
        return LEFT + PLOT_W * (d - start).days / span

    def y(v: float) -> float:
        return TOP + PLOT_H * (1 - float(v) / 10)

    body = [_y_axis([(y(v), str(v)) for v in (0, 5, 10)], "Day's mean (0–10)")]
    for d in sorted({start, end, start + timedelta(days=(end - start).days // 2)}):
        anchor = "start" if d == start else "end" if d == end else "middle"
        body.append(f'<text x="{_num(x(d))}" y="{TOP + PLOT_H + 14}" text-anchor="{anchor}">{_e(_day(d))}</text>')
    rows = sorted(daily, key=lambda r: r["day"])
    for measure, colour in (("mood", MOOD_COLOUR), ("distress", DISTRESS_COLOUR)):
        points = " ".join(f"{_num(x(r['day']))},{_num(y(r[measure]))}" for r in rows)
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5" '
                    f'data-measure="{measure}"/>')
        for r in rows:
            body.append(f'<circle cx="{_num(x(r["day"]))}" cy="{_num(y(r[measure]))}" r="2.5" fill="{colour}" '
                        f'data-day="{r["day"].isoformat()}" data-measure="{measure}" data-value="{r[measure]}"/>')
    practised = [r["day"] for r in rows if r.get("practised")]
    for d in practised:
        px, py = x(d), TOP + PLOT_H - 2
        body.append(f'<path d="M{_num(px - 4)},{_num(py)} L{_num(px + 4)},{_num(py)} L{_num(px)},{_num(py - 7)} Z" '
                    f'fill="{PRACTICE_COLOUR}" data-practised-day="{d.isoformat()}"/>')
    body.append(_legend([("Mood", MOOD_COLOUR), ("Distress", DISTRESS_COLOUR), ("▲ practised", PRACTICE_COLOUR)],
                        HEIGHT - 6))
    if len(rows) <= 31:
        values = "; ".join(f"{_day(r['day'])}: mood {r['mood']}, distress {r['distress']}"
                           + (", practised" if r.get("practised") else "") for r in rows)
    else:
        hi = max(rows, key=lambda r: (r["distress"], r["day"]))
        values = (f"{len(rows)} days with check-ins; mood from {min(r['mood'] for r in rows)} to "
                  f"{max(r['mood'] for r in rows)}; highest distress {hi['distress']} on {_day(hi['day'])}")
    title = "Mood and distress per day"
    desc = (f"From {_day(start)} to {_day(end)}, each day's mean on a 0–10 scale. {values}. "
            f"Practice on {len(practised)} of these days.")
    return (f'<figure class="chart">{_svg("mood", title, desc, "".join(body))}<figcaption>{_e(title)} '
            f'(0–10, the day\'s mean); triangles mark days with practice.</figcaption></figure>')
