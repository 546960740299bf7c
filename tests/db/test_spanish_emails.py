"""A Spanish-speaking client's reminder email, consent email and calendar file (issue 16): Spanish,
read back from the console outbox and with `icalendar`, and still no name, no step text, no health data."""
import email
from email import policy

from icalendar import Calendar
from sqlalchemy import update

import db
from core import calendar as calendar_rules
from db import clients
from jobs import invites, sender
from tests.conftest import NOW
from tests.db.test_consent import FORM
from tests.db.test_reminders import _due_row, cfg
from tests.locale_text import english_left

CANARY = "CANARY-es-41"


def _spanish(people, name=f"Rocío {CANARY}"):
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == people["client_clara"])
                     .values(language="es", display_name=name))


def _outbox(c):
    files = sorted((c.data_dir / "outbox").glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def _text(msg) -> str:
    return "\n".join(part.get_content() for part in msg.walk() if part.get_content_maintype() == "text")


def test_spanish_reminder_email_from_the_console_outbox(database, people, tmp_path):
    _spanish(people)
    _due_row(people, tmp_path)
    c = cfg(tmp_path)
    assert sender.run(NOW, "w1", c).sent == 1
    (msg,) = _outbox(c)
    body = _text(msg)
    assert msg["Subject"] == "Un recordatorio de Anchorstep"
    assert "Cuando esté listo o lista, puede hacer su registro aquí:" in body and "pausar recordatorios" in body
    assert english_left(body) == [] and english_left(str(msg["Subject"])) == []
    raw = msg.as_string()
    assert CANARY not in raw and "Rocío" not in raw and "breath" not in raw.lower()


def test_spanish_consent_email_from_the_console_outbox(database, people, tmp_path, monkeypatch):
    _spanish(people)
    out = invites.consent_link(people["clara"], people["client_clara"], {**FORM, "tech_note": CANARY}, now=NOW,
                               via="email")
    assert out.emailed
    from core import settings
    (msg,) = _outbox(settings.load())
    body = _text(msg)
    assert msg["Subject"] == "Un mensaje de Anchorstep" and "le ha enviado un enlace" in body
    assert english_left(body) == [] and CANARY not in msg.as_string() and "Rocío" not in msg.as_string()


def test_locale_an_english_client_still_gets_english_email(database, people, tmp_path):
    _due_row(people, tmp_path)
    c = cfg(tmp_path)
    sender.run(NOW, "w1", c)
    (msg,) = _outbox(c)
    assert msg["Subject"] == "A reminder from Anchorstep"


def test_spanish_calendar_file_parsed_with_icalendar():
    step = {"step_id": 3, "version_id": 1, "anchor": "tomar el café", "behaviour": "respirar despacio",
            "duration_min": 3, "days": [0, 2], "window_start": "07:30", "if_then": "si llueve, respiro en casa"}
    cal = Calendar.from_ical(calendar_rules.build_ics([step], zone="America/Mexico_City", now=NOW, language="es"))
    (event,) = [c for c in cal.walk("VEVENT")]
    assert str(event["summary"]) == "Después de tomar el café, voy a respirar despacio (3 min)."
    assert str(event["description"]) == "Plan para un día difícil: si llueve, respiro en casa"
    english = Calendar.from_ical(calendar_rules.build_ics([step], zone="America/Mexico_City", now=NOW, language="xx"))
    assert str(next(iter(english.walk("VEVENT")))["summary"]).startswith("After I tomar el café")
