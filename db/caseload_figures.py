"""The caseload's per-client figures, kept in the database so a rerun does not compute them again.

The caseload page reruns on every click (a filter, a button), and a clinician's whole practice is
hundreds of clients: adherence over each client's last 7 and 28 days (every step's planned days
replayed version by version, the newest answer of each day) and the 7-day mood and distress means
were most of its time (bench/: 400 clients, ~110 ms on SQLite, ~130 ms on PostgreSQL, against a
drawing floor of ~60 ms). They change only when a check-in arrives, a plan changes, the client's day
turns or their zone changes, so they are kept per client with what they were computed for
(`computed_for`, one string):

- the client's local day and zone;
- the newest check-in's and the newest plan change's times, read by the caseload's own listing query
  each time (one index probe each), so a row written by a transaction that raced a check-in or a
  plan change is seen as out of date on the next read;
- and, because two check-ins can carry the same `submitted_at` (a test's fixed clock, a clock that
  steps back), every check-in (db/checkins.py) and every plan change (db/plans.py) deletes the
  client's row in its own transaction (`forget_in`); tests/unit/test_layout.py fails any module in db/,
  jobs/ or client/ that writes check-ins, their answers, step versions or plans without it.

A row computed for anything else is computed again by the caseload and written back (`keep_in`). It is in
the database, not in a process's memory, so every app replica and the worker's digest share it. It is
derived health data: erased with the client (db/lifecycle.py finds it by its client_id) and not
exported (it is a cache of what the export already holds)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

import db
from core import metrics
from db.adherence import COUNTS  # metrics.Adherence's counts, in its order
from db.tables import caseload_figures



def stamp(today: date, zone: str, last_checkin_at: datetime | None, plans_updated_at: datetime | None) -> str:
    """What a client's figures depend on besides the rows the two deletions cover, as one string."""
    return "|".join((today.isoformat(), zone, last_checkin_at.isoformat() if last_checkin_at else "",
                     plans_updated_at.isoformat() if plans_updated_at else ""))


def forget_in(conn, client_id) -> None:
    """The client's figures are out of date: inside the transaction that made them so (`client_id`: an
    id, or a scalar subquery that finds it)."""
    conn.execute(delete(caseload_figures).where(caseload_figures.c.client_id == client_id))


def read_in(conn, wanted: dict[int, str]) -> dict[int, dict]:
    """Kept figures per client whose row was computed for `wanted[client]` exactly; the others are missing."""
    if not wanted:
        return {}
    t = caseload_figures
    return {cid: json.loads(figures) for cid, kept_for, figures in
            conn.execute(select(t.c.client_id, t.c.computed_for, t.c.figures).where(db.one_of(conn, t.c.client_id, wanted)))
            if kept_for == wanted[cid]}


def keep_in(conn, computed: dict[int, tuple[str, dict]], now: datetime) -> None:
    """Write (or overwrite) the figures computed for these clients, in client order (two replicas
    writing overlapping sets lock the rows in the same order)."""
    if not computed:
        return
    t = caseload_figures
    rows = [{"client_id": cid, "computed_for": kept_for, "figures": json.dumps(figures, separators=(",", ":")),
             "computed_at": now} for cid, (kept_for, figures) in sorted(computed.items())]
    dialect = postgresql if db.is_postgres(conn) else sqlite
    stmt = dialect.insert(t).values(rows)
    conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.client_id],
                                            set_={c: stmt.excluded[c] for c in ("computed_for", "figures", "computed_at")}))


def as_figures(a7: metrics.Adherence, recent: metrics.Adherence, previous: metrics.Adherence,
               means: tuple) -> dict:
    """What is kept: the counts of the last 7 days, the last 14 and the 14 before, and the means."""
    return {"a7": [getattr(a7, f) for f in COUNTS], "recent": [getattr(recent, f) for f in COUNTS],
            "previous": [getattr(previous, f) for f in COUNTS], "means": list(means)}


def periods(today: date) -> dict[str, tuple[date, date]]:
    """The caseload's periods in the client's days: the last 7, the last 14 and the 14 before."""
    return {"a7": (today - timedelta(days=6), today), "recent": (today - timedelta(days=13), today),
            "previous": (today - timedelta(days=27), today - timedelta(days=14))}


def adherence(figures: dict, today: date) -> tuple[metrics.Adherence, metrics.Adherence, metrics.Adherence]:
    """The kept counts as the caseload's three periods: the last 7 days, the last 14, the 14 before."""
    return tuple(metrics.Adherence(*figures[name], start, end) for name, (start, end) in periods(today).items())
