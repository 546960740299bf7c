"""Run each measurement several times; report median and spread; write bench/results.json."""
from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Result:
    name: str
    database: str
    unit: str
    runs: list[float] = field(default_factory=list)
    target: str = ""
    limit: float | None = None  # the target as a number in `unit` (the median must not pass it)
    cpu: list[float] = field(default_factory=list)  # this process's CPU seconds per run (less noisy)
    # What the page (or floor) drew, read from its last run: {"rows": 400, ...}. A ratio of two results
    # with shapes is refused when they differ (see `refusal`).
    shape: dict | None = None
    expected: dict | None = None  # the least of each shape count the generated practice should make it draw

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> float:
        return (max(self.runs) - min(self.runs)) if self.runs else 0.0

    @property
    def passed(self) -> bool | None:
        return None if self.limit is None or not self.runs else self.median <= self.limit

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    def row(self) -> dict:
        return {**asdict(self), "median": self.median, "spread": self.spread, "cpu_median": self.cpu_median,
                "passed": self.passed}


@dataclass
class Ratio:
    name: str
    database: str
    numerator: str
    denominator: str
    value: float
    limit: float
    cpu_value: float | None = None  # the same ratio over this process's CPU time (SQLite: the whole work)
    refused: str | None = None  # why this ratio measures nothing (then it is not passed, whatever its value)

    @property
    def passed(self) -> bool:
        return self.refused is None and self.value <= self.limit

    def row(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def ratio(name: str, results: list[Result], database: str, numerator: str, denominator: str,
          limit: float, *, same_shape: bool = True) -> Ratio | None:
    """numerator ÷ denominator (medians). `same_shape`: a page over its floor (their shapes must match);
    False for a page over itself at another size (a cost curve), where each must still draw all it should."""
    by = {(r.name, r.database): r for r in results if r.runs}
    top, bottom = by.get((numerator, database)), by.get((denominator, database))
    if top is None or bottom is None or bottom.median <= 0:
        return None
    cpu = (top.cpu_median / bottom.cpu_median) if top.cpu and bottom.cpu and bottom.cpu_median > 0 else None
    return Ratio(name, database, numerator, denominator, top.median / bottom.median, limit, cpu,
                 refused=refusal(top, bottom) if same_shape else (short_of(top) or short_of(bottom)))


def refusal(page: Result, floor: Result) -> str | None:
    """Why the ratio of a page to its floor would measure nothing, or None. A floor is built to draw what
    the page drew; if the page drew something else (fewer rows, charts, entries) by the time it was
    timed, or less than the generated practice holds (a window that emptied as the days passed), the
    two times are of different work. Results without shapes (not page/floor pairs) are not checked."""
    if page.shape is None and floor.shape is None:
        return None
    if page.shape != floor.shape:
        diff = sorted(k for k in {*(page.shape or {}), *(floor.shape or {})}
                      if (page.shape or {}).get(k) != (floor.shape or {}).get(k))
        return "the page and its floor drew different shapes (" + ", ".join(
            f"{k}: page {(page.shape or {}).get(k)!r}, floor {(floor.shape or {}).get(k)!r}" for k in diff) + ")"
    return short_of(page)


def short_of(page: Result) -> str | None:
    """Why `page` drew less than the generated practice should make it draw, or None."""
    short = [k for k, least in (page.expected or {}).items() if _size((page.shape or {}).get(k)) < least]
    if short:
        return f"{page.name} drew less than the generated practice holds (" + ", ".join(
            f"{k}: {_size((page.shape or {}).get(k))} < {page.expected[k]}" for k in short) + ")"
    return None


def _size(value) -> int:
    """A shape count as a number: a list counts its items (the caseload's buttons per flagged client)."""
    return sum(value) if isinstance(value, list) else int(value or 0)


def measure(name: str, database: str, fn: Callable[[], None], *, repeat: int = 7, warmup: int = 1,
            target: str = "", limit: float | None = None) -> Result:
    for _ in range(warmup):
        fn()
    res = Result(name, database, "s", target=target, limit=limit)
    for _ in range(repeat):
        _once(fn, res)
    return res


def _once(fn: Callable[[], None], res: Result) -> None:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    res.runs.append(time.perf_counter() - t0)
    res.cpu.append(time.process_time() - c0)


def measure_pair(names: tuple[str, str], database: str, page: Callable[[], None], floor: Callable[[], None], *,
                 repeat: int = 7, warmup: int = 1, target: str = "",
                 shapes: tuple[Callable[[], dict], Callable[[], dict]] | None = None,
                 expected: dict | None = None) -> tuple[Result, Result]:
    """A page and its floor, run alternately (page, floor, floor, page, ...) so that both meet the same
    background load on a shared machine. `shapes`: functions reading what each drew on its last run;
    read after the timed runs, so a ratio is refused (`refusal`) when what was timed differs."""
    for _ in range(warmup):
        page()
        floor()
    a, b = Result(names[0], database, "s", target=target), Result(names[1], database, "s")
    for i in range(repeat):
        for fn, res in ((page, a), (floor, b)) if i % 2 == 0 else ((floor, b), (page, a)):
            _once(fn, res)
    if shapes is not None:
        a.shape, b.shape = shapes[0](), shapes[1]()
        a.expected = expected
    return a, b


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.1f} s" if value >= 10 else f"{value * 1000:.1f} ms"
    return f"{value:.1f} {unit}" if unit == "KiB" else f"{value:.0f} {unit}"


def _mark(passed) -> str:
    return "" if passed is None else "met" if passed else "**missed**"


def markdown(data: dict) -> str:
    """The Markdown tables (results, then ratios) for a results.json document, as docs/benchmark.md shows them."""
    lines = ["| measurement | database | median | spread (max−min) | runs | target | |",
             "|---|---|---|---|---|---|---|"]
    for r in data["results"]:
        lines.append(f"| {r['name']} | {r['database']} | {_fmt(r['median'], r['unit'])} | "
                     f"{_fmt(r['spread'], r['unit'])} | {len(r['runs'])} | {r['target']} | {_mark(r.get('passed'))} |")
    if data.get("ratios"):
        lines += ["", "| ratio (medians) | database | wall clock | CPU time of the bench process | target | |",
                  "|---|---|---|---|---|---|"]
        for q in data["ratios"]:
            cpu = f"{q['cpu_value']:.2f}×" if q.get("cpu_value") else "—"
            mark = f"**refused**: {q['refused']}" if q.get("refused") else _mark(q["passed"])
            lines.append(f"| {q['name']} | {q['database']} | {q['value']:.2f}× | {cpu} | ≤ {q['limit']:g}× | {mark} |")
    for kind, curve in data.get("cost_curves", {}).items():
        if not curve["points"]:
            continue
        lines += ["", f"Cost curve, {kind} ({curve['x_label']}; bench/cost-{kind.replace(' ', '-')}.png):", "",
                  "| database | x | page | floor | page ÷ floor |", "|---|---|---|---|---|"]
        for database, points in curve["points"].items():
            lines += [f"| {database} | {x:g} | {_fmt(page, 's')} | {_fmt(floor, 's')} | {q:.2f}× |"
                      for x, page, floor, q in points]
    m = data.get("machine", {})
    lines += ["", f"Measured {data.get('when', '?')} on {m.get('cpus', '?')} CPUs, {m.get('platform', '?')}, "
                  f"Python {m.get('python', '?')}"
                  + (f", load average {m['load_average_1min']:.1f} at the end" if m.get("load_average_1min") else "")
                  + (f"; {m['note']}" if m.get("note") else "") + "."]
    return "\n".join(lines)


def table(results: list[Result], ratios: list[Ratio] = ()) -> str:
    return markdown(document(results, ratios))


def document(results: list[Result], ratios: list[Ratio] = (), extra: dict | None = None) -> dict:
    import os
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_1min": load,
                        "note": "shared with other work, so absolute times are noisy: the ratios are what count"},
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "results": [r.row() for r in results], "ratios": [q.row() for q in ratios if q is not None],
            **(extra or {})}


def write(results: list[Result], ratios: list[Ratio] = (), extra: dict | None = None) -> dict:
    data = document(results, ratios, extra)
    RESULTS.write_text(json.dumps(data, indent=2, default=str))
    return data


README = RESULTS.parent.parent / "docs" / "benchmark.md"  # the page that shows the latest table
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def replace_between(doc: Path, start: str, end: str, body: str) -> bool:
    """Put `body` between a page's `start` and `end` markers (False when the markers are missing)."""
    text = doc.read_text()
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{start}\n{body}\n{end}{tail}")
    return True


def update_readme(data: dict, readme: Path = README) -> bool:
    """Put the table between docs/benchmark.md's bench markers (False when the markers are missing)."""
    return replace_between(readme, START, END, markdown(data))


if __name__ == "__main__":  # python -m bench.harness [--readme]: the latest table, for docs/benchmark.md
    import sys
    latest = json.loads(RESULTS.read_text())
    print(markdown(latest))
    if "--readme" in sys.argv:
        update_readme(latest)
