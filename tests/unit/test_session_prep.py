"""Session prep: summary sentences with workings, and the printable page escapes every typed string
and carries its key charts as self-contained inline SVG with the values in the right places."""
import re
from datetime import date, datetime, timezone

from core import metrics, print_charts, session_prep
from core.client_view import ClientView


def view(**kw):
    a = metrics.adherence([date(2026, 11, 16), date(2026, 11, 18)], {date(2026, 11, 16): "done"},
                          date(2026, 11, 16), date(2026, 11, 22))
    step = {"step_id": 1, "anchor": "After <coffee>", "behaviour": "Breathe & <b>rest</b>", "days": [0, 2],
            "window_start": "08:00", "window_end": "10:00"}
    base = {"adherence": a, "per_step": [(step, a)], "steps": [step], "start": date(2026, 11, 16),
            "end": date(2026, 11, 22), "zone": "Europe/London", "open_flags": 0, "next_session": None,
            "daily": [{"day": date(2026, 11, 16), "mood": 6.0, "distress": 4.0, "checkins": 2, "practised": True},
                      {"day": date(2026, 11, 17), "mood": 4.0, "distress": 7.0, "checkins": 1, "practised": False}],
            "weekly": [{"step": "Breathe & <b>rest</b>", "week": date(2026, 11, 16), "answer": "done", "days": 1},
                       {"step": "Breathe & <b>rest</b>", "week": date(2026, 11, 16), "answer": "no answer", "days": 1}],
            "reasons": [{"reason": "no_time", "n": 2}, {"reason": "forgot", "n": 1}], "scores": [],
            "entries": [{"local_date": date(2026, 11, 17), "thought": "<script>alert(1)</script>"}],
            "client": {"display_name": "Ann <i>"},
            # the rest of the view, which the sentences and the printable page do not read
            "today": date(2026, 11, 22), "last_session": None, "sessions": [], "heat": [], "entries_total": 1,
            "entries_page": 0, "behind": None}
    return ClientView(**{**base, **kw})


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


def test_the_printable_page_has_the_practice_and_mood_charts_inline_and_self_contained():
    page = session_prep.html(view(), now=datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc))
    assert "<h2>Key charts</h2>" in page and page.count("<svg ") == 2
    assert "<title id=\"practice0-t\">Practice per week: Breathe &amp; &lt;b&gt;rest&lt;/b&gt;</title>" in page
    assert "<title id=\"mood-t\">Mood and distress per day</title>" in page
    # Nothing is fetched: no script, no stylesheet or image link, no URL but the SVG namespace.
    assert "<script" not in page and "<link" not in page and "src=" not in page and "href" not in page
    assert re.findall(r"https?://[^\s\"]+", page) == ["http://www.w3.org/2000/svg"] * 2


def test_practice_bars_stack_the_weeks_answers_at_hand_computed_heights():
    svg = print_charts.practice_per_week(view().weekly)
    # Plot 126 high for 7 days: 18 per day. One week: a 48-wide bar centred in the 580-wide plot at x 314.
    assert ('<rect x="314.0" y="120.0" width="48.0" height="18.0" fill="#2e7d32" data-week="2026-11-16" '
            'data-answer="done" data-days="1">') in svg
    assert 'y="102.0" width="48.0" height="18.0" fill="#bdbdbd" data-week="2026-11-16" data-answer="no answer"' in svg
    assert "week of 16 Nov: done 1, no answer 1." in svg  # the text alternative
    assert "Planned days" in svg and "Week (starting Monday)" in svg
    assert print_charts.practice_per_week([]) == ""


def test_mood_and_distress_points_sit_at_hand_computed_places():
    v = view()
    svg = print_charts.mood_and_distress(v.daily, v.start, v.end)
    # 16..22 Nov spans 6 days over 580: 16 Nov at x 48, 17 Nov at 144.7; 0..10 over 126 from y 138 up.
    assert '<circle cx="48.0" cy="62.4" r="2.5" fill="#1565c0" data-day="2026-11-16" data-measure="mood"' in svg
    assert 'cx="144.7" cy="49.8" r="2.5" fill="#c62828" data-day="2026-11-17" data-measure="distress"' in svg
    assert 'data-practised-day="2026-11-16"' in svg and 'data-practised-day="2026-11-17"' not in svg
    assert "16 Nov: mood 6.0, distress 4.0, practised; 17 Nov: mood 4.0, distress 7.0." in svg
    assert "Day&#x27;s mean (0–10)" in svg and ">22 Nov</text>" in svg
    assert print_charts.mood_and_distress([], v.start, v.end) == ""


def test_session_prep_includes_the_latest_checkup_and_its_misconception():
    up = {"at": datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), "usefulness": 4, "comfort": 2, "change": None,
          "previous_comfort": 4, "note": "<img src=x onerror=alert(1)> please call",
          "answers": [{"key": "realtime", "text": "My clinician sees what I enter as soon as I send it.",
                       "answer": "true", "correct": False},
                      {"key": "stop", "text": "I can stop.", "answer": "true", "correct": True}]}
    by_key = {s.key: s for s in session_prep.sentences(view(checkup=up))}
    assert by_key["checkup"].text == ("Consent check-up on 20 Nov: 1 misconception(s) caught and corrected; "
                                      "usefulness 4 and comfort 2 of 5.")
    assert "Client thought entries are watched in real time; corrected on 20 Nov." in by_key["checkup"].workings
    page = session_prep.html(view(checkup=up), now=datetime(2026, 11, 22, tzinfo=timezone.utc))
    assert "Consent check-up on 20 Nov" in page and "&lt;img src=x onerror=alert(1)&gt; please call" in page
    assert "<img" not in page


def test_session_prep_who5_and_pcl_sentences_give_the_scale_and_its_direction():
    scores = [{"day": date(2026, 11, 16), "measure": "who5", "total": 36, "band": "low (screen for depression)"},
              {"day": date(2026, 11, 22), "measure": "who5", "total": 56, "band": "not low"},
              {"day": date(2026, 11, 20), "measure": "pcl5", "total": 33,
               "band": "at or above the provisional PTSD cut-off"}]
    by_key = {s.key: s for s in session_prep.sentences(view(scores=scores))}
    assert by_key["who5"].text == ("WHO-5 (well-being over the last two weeks): 56 (not low) on 22 Nov; "
                                   "36 on 16 Nov.")
    assert by_key["who5"].workings.startswith("Total of 5 items scored 0–5, × 4 (0–100; higher is better).")
    assert "0–28 very low" in by_key["who5"].workings and "2 response(s)" in by_key["who5"].workings
    assert by_key["pcl5"].text.startswith("PCL-5 (stress after a very stressful experience, past month): 33 (at or "
                                          "above the provisional PTSD cut-off)")
    assert "(0–80; higher is worse)" in by_key["pcl5"].workings and "33–80 at or above" in by_key["pcl5"].workings
