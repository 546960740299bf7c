"""Safe CSV for spreadsheets: a cell that starts with = + - @, a tab or a carriage return is
neutralised with a leading apostrophe, so a spreadsheet shows it as text instead of running it."""
from __future__ import annotations

import csv
import io
from typing import Iterable

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_START) else text


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buf.getvalue()


def practice_cell(answers: list[tuple[str, str, str | None]]) -> str:
    """One check-in's practice answers for the CSV, raw values as stored (a spreadsheet filters on
    them): "behaviour: status (reason)", joined by "; ". `answers`: (behaviour, status, reason or None)."""
    return "; ".join(f"{behaviour}: {status}" + (f" ({reason})" if reason else "") for behaviour, status, reason in answers)
