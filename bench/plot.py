"""The benchmark's cost curves as PNG files (matplotlib, headless: the Agg backend, no display).

    save_curve(path, title, x_label, y_label, {"series name": [(x, y), ...], ...})

One line with markers per series, x ticks at the measured points, y from zero (a curve that starts
at zero shows growth honestly). Used by the cost curves `make bench` writes into bench/.
"""
from __future__ import annotations

from pathlib import Path


def save_curve(path, title: str, x_label: str, y_label: str, series: dict[str, list[tuple[float, float]]]) -> Path:
    """Draw each series as a line through its (x, y) points and write the PNG to `path`."""
    import matplotlib
    matplotlib.use("Agg")  # no display on a server or in CI
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0), dpi=100)
    ax = fig.subplots()
    xs: set[float] = set()
    for name, points in series.items():
        points = sorted(points)
        ax.plot([x for x, _ in points], [y for _, y in points], marker="o", label=name)
        xs.update(x for x, _ in points)
    ax.set_title(title)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if xs:
        ax.set_xticks(sorted(xs))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if len(series) > 1:
        ax.legend()
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path
