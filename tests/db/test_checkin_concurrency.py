"""Concurrent submissions lose nothing and duplicate nothing (RELIABILITY.md): 200 threads with their
own keys give 200 rows; 200 threads with the same key give one, on SQLite and on PostgreSQL."""
from concurrent.futures import ThreadPoolExecutor

from db import checkins
from tests.db.test_checkins import count, form, setup_client
from tests.conftest import NOW

N = 200


def _run(raw, forms):
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda f: checkins.submit(raw, f, now=NOW, threshold=9,
                                                       ttl_days={"card": 7}), forms))


def test_200_concurrent_check_ins_give_exactly_200_rows(database, people):
    raw, (breathing, _) = setup_client(people)
    results = _run(raw, [form(breathing, key=f"key-{i:04d}-" + "x" * 16) for i in range(N)])
    assert [r.status for r in results] == ["saved"] * N
    assert count() == N and count("checkin_steps") == N


def test_200_concurrent_submissions_of_one_form_give_exactly_one_row(database, people):
    raw, (breathing, _) = setup_client(people)
    results = _run(raw, [form(breathing, key="same-key-" + "x" * 16)] * N)
    assert [r.status for r in results].count("saved") == 1
    assert len({r.checkin_id for r in results}) == 1
    assert count() == 1 and count("checkin_steps") == 1


def test_200_concurrent_submissions_of_one_questionnaire_give_one_response(database, people):
    from db import measures
    raw, _ = setup_client(people)
    measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=NOW)
    aid = measures.overview(people["clara"], people["client_clara"], now=NOW)["assigned"][0]["id"]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: measures.submit(raw, aid, [1] * 9, "same-key-" + "m" * 16, now=NOW),
                                range(N)))
    assert [r.status for r in results].count("saved") == 1
    assert {r.status for r in results} <= {"saved", "already"}
    assert count("measure_responses") == 1 and count("measure_answers") == 9 and count("safety_flags") == 1
