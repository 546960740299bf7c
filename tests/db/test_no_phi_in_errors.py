"""An error from the database can reach a log with its message: the engine never puts the values a person
typed (a thought, a name) in it as bound parameters, on SQLite and PostgreSQL. (PostgreSQL's own DETAIL of
a NOT NULL or CHECK failure can still quote the row, so the client pages log an error's type and place,
never its message: tests/client.)"""
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

import db
from db.tables import checkins


def test_a_database_error_message_never_carries_the_text_a_person_typed(database, people):
    thought = "my private thought about my sister"
    with pytest.raises(Exception) as failed:
        with db.write() as conn:  # no such client: the foreign key (or NOT NULL) refuses the row
            conn.execute(insert(checkins).values(client_id=999_999, idempotency_key="k" * 20, local_date=None,
                                                 submitted_at=datetime.now(timezone.utc), thought=thought))
    message = str(failed.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in message
    assert "'" + thought + "'" not in message  # never as a bound parameter
