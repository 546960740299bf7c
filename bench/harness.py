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

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> float:
        return (max(self.runs) - min(self.runs)) if self.runs else 0.0

    def row(self) -> dict:
        return {**asdict(self), "median": self.median, "spread": self.spread}


def measure(name: str, database: str, fn: Callable[[], None], *, repeat: int = 7, warmup: int = 1,
            target: str = "") -> Result:
    for _ in range(warmup):
        fn()
    res = Result(name, database, "s", target=target)
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        res.runs.append(time.perf_counter() - t0)
    return res


def table(results: list[Result], ratios: list[tuple[str, str, str, str]] = ()) -> str:
    lines = ["| measurement | database | median | spread (max-min) | runs | target |", "|---|---|---|---|---|---|"]
    for r in results:
        fmt = (lambda v: f"{v * 1000:.1f} ms") if r.unit == "s" else (lambda v: f"{v:.1f} {r.unit}")
        lines.append(f"| {r.name} | {r.database} | {fmt(r.median)} | {fmt(r.spread)} | {len(r.runs)} | {r.target} |")
    return "\n".join(lines)


def write(results: list[Result], extra: dict | None = None) -> None:
    RESULTS.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": [r.row() for r in results], **(extra or {})}, indent=2))
