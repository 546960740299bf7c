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
