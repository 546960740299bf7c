"""One consent, one day count (issue 12, fault 12): the caseload's "Needs attention" flag and its
Consent column count the days to renewal with one function (core.days: calendar days in the
practice's zone), and the flag's window is the CONSENT_NOTICE_DAYS setting, not a fixed 14 days."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

import db
from db import caseload, consent
from demo import builders
from db.practices import practices

UTC = timezone.utc
RENEWS = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # Tue 8 Dec, 10:00 in New York


@pytest.fixture
def renewing(database, people):
    """Clara's client, confirmed so that renewal falls due at RENEWS; the practice works in New York."""
    with db.write() as conn:
        conn.execute(update(practices).where(practices.c.id == people["clara"].practice_id)
                     .values(timezone="America/New_York"))
        builders.record_confirmed_in(conn, people["client_clara"], at=RENEWS - timedelta(days=90), by="test")
    return people


def counts(people, now, notice_days=14) -> tuple[str, str | None]:
    (row,) = [r for r in caseload.rows(people["clara"], now=now, notice_days=notice_days)
              if r.id == people["client_clara"]]
    flag = next((f.words for f in row.flags if f.kind == "consent_due"), None)
    return row.consent, flag


def days_in(text: str) -> int:
    return 0 if "today" in text else int(re.search(r"in (\d+) days?", text).group(1))


@pytest.mark.parametrize("now,days", [
    (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), 7),   # Tue 1 Dec 07:00 in New York
    (datetime(2026, 12, 1, 20, 0, tzinfo=UTC), 7),   # 15:00: fewer than 7 x 24 hours, still 7 days
    (datetime(2026, 12, 2, 4, 59, 59, tzinfo=UTC), 7),  # one second before midnight in New York
    (datetime(2026, 12, 2, 5, 0, tzinfo=UTC), 6),    # midnight in New York (already 2 Dec in UTC since 00:00)
    (datetime(2026, 12, 8, 4, 59, 59, tzinfo=UTC), 1),
    (datetime(2026, 12, 8, 5, 0, tzinfo=UTC), 0),    # renewal day: "today"
])
def test_regression_one_consent_shows_one_day_count_in_the_column_and_the_attention_flag(renewing, now, days):
    column, flag = counts(renewing, now)
    assert flag is not None, column
    assert days_in(column) == days_in(flag) == days


def test_regression_the_attention_window_follows_consent_notice_days(renewing):
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 7 days to go
    assert counts(renewing, now, notice_days=6) == ("active", None)
    column, flag = counts(renewing, now, notice_days=7)
    assert days_in(column) == days_in(flag) == 7
    column, flag = counts(renewing, RENEWS - timedelta(days=20), notice_days=30)
    assert days_in(column) == days_in(flag) == 20
