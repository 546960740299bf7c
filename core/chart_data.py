"""Chart rows for the client view, shaped from small SQL aggregates: the distress heat map's cells
(weekday and hour in the client's zone), each step's planned days per week by answer, and each
day's means with its practice mark. Pure functions; the altair charts (components) and the
printable SVG charts (core.print_charts) draw from the same rows."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

# A planned day's answer as the charts name it; a planned day with no answer is "no answer".
ANSWER_WORDS = {"done": "done", "partly": "partly", "not_today": "not today"}
NO_ANSWER = "no answer"


def heat_cells(buckets: Iterable[tuple[str, float, int]], zone: str) -> list[dict]:
    """Mean distress per (weekday, hour) of the client's local time, Monday 0, sorted.

    `buckets`: ("YYYY-MM-DD HH" in UTC, sum of distress, check-ins) per UTC hour. Each hour is moved
    into `zone` on its own date, so a DST change moves the hours after it and no cell mixes offsets."""
    tz = ZoneInfo(zone)
    heat: dict[tuple[int, int], list[float]] = {}
    for b, dsum, n in buckets:
        local = datetime.strptime(b, "%Y-%m-%d %H").replace(tzinfo=timezone.utc).astimezone(tz)
        cell = heat.setdefault((local.weekday(), local.hour), [0.0, 0])
        cell[0] += float(dsum)
        cell[1] += int(n)
    return [{"weekday": w, "hour": h, "distress": round(v[0] / v[1], 1), "checkins": v[1]}
            for (w, h), v in sorted(heat.items())]


def weekly_counts(steps: Iterable[tuple[str, Iterable[date], dict[date, str]]]) -> list[dict]:
    """Planned days per step, week (its Monday) and answer, sorted: {"step", "week", "answer", "days"}.

    `steps`: (behaviour, its planned days, {day: status} of its answers). Only planned days count;
    an answer on a day with no plan is not in this chart."""
    counts: dict[tuple, int] = {}
    for behaviour, planned, answers in steps:
        for d in planned:
            key = (behaviour, d - timedelta(days=d.weekday()), ANSWER_WORDS.get(answers.get(d, ""), NO_ANSWER))
            counts[key] = counts.get(key, 0) + 1
    return [{"step": s, "week": w, "answer": a, "days": n} for (s, w, a), n in sorted(counts.items())]


def daily_points(daily: Iterable[dict], practised_days: Iterable[date]) -> list[dict]:
    """Each day's {"day", "mood", "distress", "checkins"} means rounded to one decimal, with
    "practised": whether any step was done or partly done that day (planned or not)."""
    practised = set(practised_days)
    return [{**d, "mood": round(float(d["mood"]), 1), "distress": round(float(d["distress"]), 1),
             "practised": d["day"] in practised} for d in daily]


def personal_series(rows: Iterable[dict]) -> list[dict]:
    """Personal items' rows (db.personal_items.series_in: one per version and day) grouped into one
    series per version, in the check-in's order: {"version_id", "item_id", "position", "kind", "wording",
    "low_word", "high_word", "valid_from", "valid_to", "points"}; each point {"day", "mean" (the day's
    mean, one decimal), "yes" (yes/no: how many said yes), "answers"}. A change of wording is a new
    version, so a new series: answers to different words are never joined in one line."""
    series: dict[int, dict] = {}
    for r in rows:
        s = series.setdefault(r["version_id"], {k: r[k] for k in (
            "version_id", "item_id", "position", "kind", "wording", "low_word", "high_word", "valid_from",
            "valid_to")} | {"points": []})
        s["points"].append({"day": r["day"], "mean": round(float(r["mean"]), 1), "yes": int(r["yes"]),
                            "answers": int(r["answers"])})
    return list(series.values())
