"""Altair charts for the client view, from the small aggregates of db.client_view (never raw rows).
Labelled in plain words; every chart gets at most a few hundred rows."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core import checkins as checkin_rules, measures as measure_rules, reliable_change

ANSWERS = ["done", "partly", "not today", "no answer"]
ANSWER_COLOURS = ["#2e7d32", "#9ccc65", "#ef6c00", "#bdbdbd"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def practice_by_week(weekly: list[dict]) -> alt.Chart | None:
    if not weekly:
        return None
    df = pd.DataFrame(weekly)
    df["week"] = df["week"].map(lambda d: f"week of {d:%d %b}")
    return alt.Chart(df, title="Practice per step per week (planned days)").mark_bar().encode(
        x=alt.X("week:N", title=None, sort=None),
        y=alt.Y("sum(days):Q", title="Planned days"),
        color=alt.Color("answer:N", title="Answer", scale=alt.Scale(domain=ANSWERS, range=ANSWER_COLOURS),
                        sort=ANSWERS),
        order=alt.Order("answer_order:Q"),
        row=alt.Row("step:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["step:N", "week:N", "answer:N", "days:Q"],
    ).transform_calculate(answer_order=f"indexof({ANSWERS!r}, datum.answer)").properties(height=120)


def mood_and_distress(daily: list[dict]) -> alt.Chart | None:
    if not daily:
        return None
    df = pd.DataFrame(daily)
    df["day"] = pd.to_datetime(df["day"])
    long = df.melt(id_vars=["day", "practised"], value_vars=["mood", "distress"], var_name="measure",
                   value_name="score")
    long["measure"] = long["measure"].map({"mood": "Mood", "distress": "Distress"})
    base = alt.Chart(long, title="Mood and distress per day (0–10; dots mark days with practice)")
    lines = base.mark_line().encode(x=alt.X("day:T", title=None), y=alt.Y("score:Q", title="Day's mean (0–10)",
                                                                          scale=alt.Scale(domain=[0, 10])),
                                    color=alt.Color("measure:N", title=None))
    dots = alt.Chart(df[df["practised"]]).mark_point(shape="triangle-up", size=60, filled=True, color="#2e7d32").encode(
        x="day:T", y=alt.datum(0.3), tooltip=[alt.Tooltip("day:T", title="Practised on")])
    return alt.layer(lines, dots)


def distress_heatmap(heat: list[dict], zone: str) -> alt.Chart | None:
    if not heat:
        return None
    df = pd.DataFrame(heat)
    df["weekday"] = df["weekday"].map(lambda w: WEEKDAYS[w])
    return alt.Chart(df, title=f"Mean distress by hour and weekday (client's time, {zone})").mark_rect().encode(
        x=alt.X("hour:O", title="Hour of the day", scale=alt.Scale(domain=list(range(24)))),
        y=alt.Y("weekday:N", title=None, sort=WEEKDAYS),
        color=alt.Color("distress:Q", title="Mean distress", scale=alt.Scale(domain=[0, 10], scheme="orangered")),
        tooltip=["weekday:N", "hour:O", "distress:Q", alt.Tooltip("checkins:Q", title="Check-ins")])


def reasons(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    df = pd.DataFrame(rows)
    df["reason"] = df["reason"].map(lambda r: checkin_rules.REASONS.get(r, r))
    return alt.Chart(df, title="Reasons given for not practising (or partly)").mark_bar().encode(
        x=alt.X("n:Q", title="Times given"), y=alt.Y("reason:N", title=None, sort="-x"), tooltip=["reason:N", "n:Q"])


MARKS = {reliable_change.IMPROVED: ("triangle-down", "#2e7d32"), reliable_change.NO_CHANGE: ("circle", "#757575"),
         reliable_change.DETERIORATED: ("triangle-up", "#c62828")}


def scores(rows: list[dict], changes: list | None = None) -> list[alt.Chart]:
    """Each instrument's totals over its severity bands; with its reliable-change episode
    (core.reliable_change.Episode), a dashed rule at the baseline's day and each later answer in the
    period marked by its verdict (shape and colour, named in the legend and the tooltip)."""
    out = []
    episodes = {e.measure: e for e in changes or []}
    for code, m in measure_rules.MEASURES.items():
        mine = [r for r in rows if r["measure"] == code]
        if not mine:
            continue
        df = pd.DataFrame(mine)
        df["day"] = pd.to_datetime(df["day"])
        bands = pd.DataFrame([{"low": lo, "high": min(hi + 1, m.max_total), "band": label} for lo, hi, label in m.bands])
        # The warm colours mark the worrying end: the top for PHQ-9, GAD-7 and PCL-5, the bottom for WHO-5.
        band_layer = alt.Chart(bands).mark_rect(opacity=0.15).encode(
            y=alt.Y("low:Q", title=f"Total score (0–{m.max_total})"), y2="high:Q",
            color=alt.Color("band:N", title="Band" if m.higher_is_better else "Severity band",
                            sort=[b for _, _, b in m.bands],
                            scale=alt.Scale(scheme="yelloworangered", reverse=m.higher_is_better)))
        line = alt.Chart(df).mark_line(point=True, color="#333").encode(
            x=alt.X("day:T", title=None), y=alt.Y("total:Q", scale=alt.Scale(domain=[0, m.max_total])),
            tooltip=[alt.Tooltip("day:T"), "total:Q", "band:N"])
        marks, note = _change_layers(episodes.get(code), df["day"].min(), df["day"].max())
        direction = "higher is better" if m.higher_is_better else "higher is worse"
        out.append(alt.layer(band_layer, line, *marks,
                             title=f"{m.title} total with its bands (0–{m.max_total}; {direction}){note}")
                   .resolve_scale(color="independent", shape="independent"))
    return out


def _change_layers(episode, first, last) -> tuple[list[alt.Chart], str]:
    """The baseline rule and the verdict marks for the days the chart shows, and the title's words."""
    if episode is None:
        return [], ""
    day = pd.Timestamp(episode.baseline["day"])
    layers = []
    note = (" and reliable change from the baseline (dashed line)" if first <= day <= last else
            f" and reliable change from the baseline of {day:%d %b %Y} ({episode.baseline['total']}, outside "
            "this period)")
    if first <= day <= last:
        base = pd.DataFrame([{"day": day, "label": f"baseline {episode.baseline['total']}"}])
        layers.append(alt.Chart(base).mark_rule(strokeDash=[6, 4], color="#1565c0").encode(
            x="day:T", tooltip=[alt.Tooltip("day:T", title="Baseline"), alt.Tooltip("label:N", title="Score")]))
    marks = pd.DataFrame([{"day": pd.Timestamp(c.later_day), "total": c.later, "verdict": c.category,
                           "recovery": c.recovery or ""} for c in episode.changes])
    if not marks.empty:
        marks = marks[(marks["day"] >= first) & (marks["day"] <= last)]
    if not marks.empty:
        verdicts = list(MARKS)
        layers.append(alt.Chart(marks).mark_point(size=140, filled=True).encode(
            x="day:T", y="total:Q",
            shape=alt.Shape("verdict:N", title="Against the baseline", sort=verdicts,
                            scale=alt.Scale(domain=verdicts, range=[MARKS[v][0] for v in verdicts])),
            color=alt.Color("verdict:N", title="Against the baseline", sort=verdicts,
                            scale=alt.Scale(domain=verdicts, range=[MARKS[v][1] for v in verdicts])),
            tooltip=[alt.Tooltip("day:T"), "total:Q", alt.Tooltip("verdict:N", title="Against the baseline"),
                     alt.Tooltip("recovery:N", title="Recovery")]))
    return layers, note


def skill_changes(rows: list[dict]) -> alt.Chart | None:
    """Before → after for each rated skill use, one panel per skill. `rows` are grouped by (skill,
    before, after) in SQL, so a panel has at most 121 lines whatever the period; thicker: more uses."""
    if not rows:
        return None
    long = pd.DataFrame([{"pair": i, "skill": r["skill"], "when": when, "distress": r[key], "uses": r["uses"],
                          "before": r["before"], "after": r["after"]}
                         for i, r in enumerate(rows) for when, key in (("before", "before"), ("after", "after"))])
    return alt.Chart(long, title="Distress before → after each rated skill use (0–10; thicker lines: more uses)"
                     ).mark_line(point=True, opacity=0.6).encode(
        x=alt.X("when:N", title=None, sort=["before", "after"]),
        y=alt.Y("distress:Q", title="Distress (0–10)", scale=alt.Scale(domain=[0, 10])),
        detail="pair:N", strokeWidth=alt.StrokeWidth("uses:Q", title="Uses", scale=alt.Scale(range=[1, 6])),
        column=alt.Column("skill:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["skill:N", "before:Q", "after:Q", alt.Tooltip("uses:Q", title="Uses")],
    ).properties(width=160, height=200)


def personal_item(series: dict) -> alt.Chart:
    """One version of a personal item (core.chart_data.personal_series): a 0–10 scale as the day's mean,
    yes/no as the day's count of each answer. The clinician's wording is not put in the chart: the page
    shows it as text above (components.text)."""
    df = pd.DataFrame(series["points"])
    df["day"] = pd.to_datetime(df["day"])
    if series["kind"] == "yesno":
        long = pd.DataFrame([{"day": p["day"], "answer": answer, "n": n}
                             for p in series["points"]
                             for answer, n in (("yes", p["yes"]), ("no", p["answers"] - p["yes"])) if n])
        long["day"] = pd.to_datetime(long["day"])
        return alt.Chart(long, title=f"Personal item {series['position']}: answers per day (yes / no)").mark_bar().encode(
            x=alt.X("yearmonthdate(day):T", title=None), y=alt.Y("sum(n):Q", title="Answers"),
            color=alt.Color("answer:N", title="Answer", scale=alt.Scale(domain=["yes", "no"],
                                                                        range=["#1565c0", "#bdbdbd"])),
            tooltip=[alt.Tooltip("day:T"), "answer:N", alt.Tooltip("n:Q", title="Answers")]).properties(height=160)
    return alt.Chart(df, title=f"Personal item {series['position']}: the day's mean (0–10)").mark_line(
        point=True, color="#6a1b9a").encode(
        x=alt.X("day:T", title=None), y=alt.Y("mean:Q", title="Day's mean (0–10)", scale=alt.Scale(domain=[0, 10])),
        tooltip=[alt.Tooltip("day:T"), alt.Tooltip("mean:Q", title="Mean"),
                 alt.Tooltip("answers:Q", title="Answers")]).properties(height=160)
