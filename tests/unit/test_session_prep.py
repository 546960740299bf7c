"""Session prep: summary sentences with workings, and the printable page escapes every typed string."""
from datetime import date, datetime, timezone

from core import metrics, session_prep


def view(**kw):
    a = metrics.adherence([date(2026, 11, 16), date(2026, 11, 18)], {date(2026, 11, 16): "done"},
                          date(2026, 11, 16), date(2026, 11, 22))
    step = {"step_id": 1, "anchor": "After <coffee>", "behaviour": "Breathe & <b>rest</b>", "days": [0, 2],
            "window_start": "08:00", "window_end": "10:00"}
    base = {"adherence": a, "per_step": [(step, a)], "steps": [step], "start": date(2026, 11, 16),
            "end": date(2026, 11, 22), "zone": "Europe/London", "open_flags": 0, "next_session": None,
            "daily": [{"day": date(2026, 11, 16), "mood": 6.0, "distress": 4.0, "checkins": 2},
                      {"day": date(2026, 11, 17), "mood": 4.0, "distress": 7.0, "checkins": 1}],
            "reasons": [{"reason": "no_time", "n": 2}, {"reason": "forgot", "n": 1}], "scores": [],
            "entries": [{"local_date": date(2026, 11, 17), "thought": "<script>alert(1)</script>"}],
            "client": {"display_name": "Ann <i>"}}
    return {**base, **kw}


def test_sentences_are_hand_computed_and_each_has_workings():
    by_key = {s.key: s for s in session_prep.sentences(view())}
    assert by_key["practice"].text == "Practised on 1 of 2 planned days (50%)."
    assert by_key["checkins"].text == "3 check-ins on 2 of 7 days."
    assert by_key["mood"].text == "Mood averaged 5.0 and distress 5.5 (0–10)."
    assert "highest day's distress was 7.0 on 17 Nov" in by_key["mood"].workings
    assert by_key["reasons"].text == "Most given reason for not practising: No time (2 of 3)."
    assert all(s.workings for s in by_key.values())


def test_an_empty_window_says_so():
    by_key = {s.key: s for s in session_prep.sentences(view(daily=[], reasons=[]))}
    assert by_key["checkins"].text == "No check-ins between 16 Nov and 22 Nov."
    assert "mood" not in by_key and "reasons" not in by_key


def test_the_printable_page_escapes_every_typed_string():
    page = session_prep.html(view(), now=datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>rest</b>" not in page and "Ann &lt;i&gt;" in page
