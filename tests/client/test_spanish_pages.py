"""A Spanish-speaking client's pages over HTTP (issue 16): every page in Spanish with `lang="es"` and no
English catalog words left, the PHQ-9 in its published Spanish wording, the language switch stored,
and a language code we do not offer (posted or stored) falling back calmly to the practice's."""
import re

from sqlalchemy import select, update

import db
from core import measures as measure_rules
from db import clients, links, measures, practices
from tests.client.helpers import browser, form, now, open_link, seen, submit
from tests.client.test_checkin_pages import minimal, setup
from tests.client.test_consent_pages import consent_link
from tests.locale_text import english_left

ITEM_9_ES = "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"  # Pfizer, US Spanish


def speaks(people, code, owner="clara"):
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == people[f"client_{owner}"])
                     .values(language=code))


def practice_speaks(people, code, who="clara"):
    with db.write() as conn:
        conn.execute(update(practices.practices).where(practices.practices.c.id == people[who].practice_id)
                     .values(language=code))


def spanish(page, what):
    """Spanish throughout, except what is marked as another language (the stored consent checklist, which
    has no Spanish version yet: see docs/languages.md)."""
    assert page.status_code in (200, 400), (what, page.status_code)
    assert '<html lang="es">' in page.text, what
    ours = re.sub(r'<(h2|p)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", page.text, flags=re.S)
    assert english_left(seen(ours)) == [], what


def test_spanish_client_sees_every_page_in_spanish(sqlite_db, people):
    speaks(people, "es")
    raw = setup(people)
    measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=now())
    tc = browser()
    page = open_link(tc, raw)
    spanish(page, "check-in")
    assert "Registrar" in seen(page) and "Su estado de ánimo ahora" in seen(page)
    errors = submit(tc, page, "/c/checkin")
    spanish(errors, "check-in with errors")
    assert "Elija un número del 0 al 10 para su estado de ánimo." in seen(errors)
    done = minimal(tc, page)
    spanish(done, "check-in done")
    assert "Gracias por hacer su registro." in seen(done)
    href = re.search(r'href="(/c/checkin/questionnaire/\d+)"', page.text).group(1)
    questionnaire = tc.get(href)
    spanish(questionnaire, "PHQ-9")
    text = seen(questionnaire)
    assert f"9. {ITEM_9_ES}" in text and "Casi todos los días" in text
    assert measure_rules.PHQ9.wording("es").items[8] == ITEM_9_ES
    answered = submit(tc, questionnaire, href, **{f"item_{i}": 0 for i in range(8)}, item_8=1)
    spanish(answered, "PHQ-9 answered, item 9 positive")
    assert "Si necesita ayuda ahora" in seen(answered)
    with db.read() as conn:  # scored as always: item 9 answered 1, whatever the language
        from db.tables import measure_responses
        assert conn.execute(select(measure_responses.c.total)).scalar() == 1

    card = open_link(browser(), links.issue_for(people["clara"], people["client_clara"], "card", now=now(),
                                                ttl_days={"card": 7}))
    spanish(card, "card")
    assert "Después de" in seen(card) and "todos los días" in seen(card)

    prefs_tc = browser()
    prefs = open_link(prefs_tc, links.issue_for(people["clara"], people["client_clara"], "preferences", now=now(),
                                                ttl_days={"preferences": 7}))
    spanish(prefs, "preferences")
    spanish(submit(prefs_tc, prefs, "/c/preferences"), "preferences without the tick")
    paused = submit(prefs_tc, prefs, "/c/preferences", sure="yes")
    spanish(paused, "paused")
    assert "Los recordatorios están en pausa." in seen(paused)
    spanish(submit(tc, page, "/c/checkin/stop"), "stop without the tick")
    stopped = submit(tc, page, "/c/checkin/stop", sure="yes")
    spanish(stopped, "withdrawn")
    assert "Ha dejado de participar" in seen(stopped)


def test_spanish_consent_page_and_thanks(sqlite_db, people):
    speaks(people, "es")
    tc = browser()
    page = open_link(tc, consent_link(people))
    spanish(page, "consent")
    assert not re.search(r'<(h2|p)\b[^>]*lang="en"', page.text)  # the default checklist has its Spanish version
    assert "Participar es su decisión" in seen(page) and "Samaritans" in seen(page)  # crisis resources as typed
    spanish(submit(tc, page, "/c/consent"), "consent with errors")
    ticked = submit(tc, page, "/c/consent", item=form(page, "/c/consent").options("item"), name="Rocío")
    spanish(ticked, "consent thanks")


def test_locale_the_language_check_finds_english_left():
    # The comparison can fail: an English sentence of the catalog on a page is found.
    assert english_left("Hola. Your reminders") == ["Your reminders"]


def test_spanish_switch_is_stored_and_a_code_not_offered_falls_back_to_the_practice_language(sqlite_db, people):
    raw = setup(people)
    tc = browser()
    page = open_link(tc, raw)
    assert '<html lang="en">' in page.text
    switched = submit(tc, page, "/c/checkin/language", language="es")
    assert switched.status_code == 303 and switched.headers["location"] == "/c/checkin"
    again = tc.get("/c/checkin")
    spanish(again, "after switching")
    assert clients.get(people["clara"], people["client_clara"], now=now())["language"] == "es"
    practice_speaks(people, "es")
    for hostile in ("xx", "../../etc/passwd", "es\r\nX: y", "e" * 10_000, ""):
        back = submit(tc, again, "/c/checkin/language", language=hostile)
        assert back.status_code == 303
        assert clients.get(people["clara"], people["client_clara"], now=now())["language"] is None
        spanish(tc.get("/c/checkin"), f"practice language after {hostile[:20]!r}")
    # The form submitted as found (a mail scanner) names the page's language: nothing is written or audited.
    from db.tables import audit_events
    with db.read() as conn:
        audited = conn.execute(select(audit_events.c.id).where(audit_events.c.action == "client.language")).all()
    as_found = submit(tc, tc.get("/c/checkin"), "/c/checkin/language")
    assert as_found.status_code == 303
    with db.read() as conn:
        assert conn.execute(select(audit_events.c.id).where(audit_events.c.action == "client.language")).all() \
            == audited
    # Without the page's CSRF token nothing changes.
    refused = tc.post("/c/checkin/language", data={"language": "en"})
    assert refused.status_code == 400 and clients.get(people["clara"], people["client_clara"], now=now())["language"] is None


def test_locale_a_stored_code_not_offered_falls_back_calmly(sqlite_db, people):
    raw = setup(people)
    for stored, practice, expected in (("zz", "es", "es"), ("../../x", "en", "en"), ("es", "zz", "es"),
                                       ("zz", "zz", "en")):
        speaks(people, stored)
        practice_speaks(people, practice)
        page = open_link(browser(), raw)
        assert page.status_code == 200 and f'<html lang="{expected}">' in page.text, (stored, practice)


def test_locale_the_calm_page_follows_the_browser_language(sqlite_db):
    tc = browser()
    tc.headers["accept-language"] = "es-MX,es;q=0.9"
    spanish(tc.get("/c/?t=not-a-link", follow_redirects=True), "calm page")
    tc.headers["accept-language"] = "de"
    assert '<html lang="en">' in tc.get("/c/link-problem").text


def test_locale_the_clinician_sets_the_language_and_a_code_not_offered_is_refused(sqlite_db, people):
    cid = people["client_clara"]
    c = clients.get(people["clara"], cid, now=now())
    assert c["language"] is None
    assert clients.update_client(people["clara"], cid, {**c, "language": "es"}, now=now()) == {}
    assert clients.get(people["clara"], cid, now=now())["language"] == "es"
    errors = clients.update_client(people["clara"], cid, {**c, "language": "klingon"}, now=now())
    assert "language" in errors and clients.get(people["clara"], cid, now=now())["language"] == "es"
    assert clients.update_client(people["clara"], cid, {**c, "language": ""}, now=now()) == {}
    assert clients.get(people["clara"], cid, now=now())["language"] is None


def test_spanish_checklist_is_a_stored_version_and_a_custom_english_one_is_marked(sqlite_db, people):
    from db import consent, consent_templates
    from db.tables import consent_templates as table
    speaks(people, "es")
    open_link(browser(), consent_link(people))
    with db.read() as conn:
        stored = {(r.version, r.language) for r in conn.execute(select(table.c.version, table.c.language))}
    assert stored == {(1, "en"), (1, "es")}
    # The Spanish client confirms version 1 in Spanish: consent is active, not "renewal due".
    tc = browser()
    page = open_link(tc, consent_link(people))
    submit(tc, page, "/c/consent", item=form(page, "/c/consent").options("item"), name="Rocío")
    assert consent.overview(people["clara"], people["client_clara"], now=now(), notice_days=14)["status"].state \
        == "active"
    # The practice publishes its own (English) version 2: the Spanish client reads it, marked as English.
    items = [{**it, "text": it["text"] + " (v2)"} for it in consent_templates.current(people["ada"], now=now())["items"]]
    assert consent_templates.publish(people["ada"], items, now=now()) == 2
    page = open_link(browser(), consent_link(people))
    assert '<html lang="es">' in page.text and re.search(r'<p class="typed" lang="en">[^<]*\(v2\)', page.text)


def test_spanish_switch_shows_the_open_checklist_in_the_new_language(sqlite_db, people):
    tc = browser()
    page = open_link(tc, consent_link(people))
    assert "Taking part is your choice" in seen(page)
    submit(tc, page, "/c/consent/language", language="es")
    again = tc.get("/c/consent")
    spanish(again, "consent after switching")
    assert "Participar es su decisión" in seen(again)


def test_locale_the_practice_language_is_set_by_an_admin_and_a_code_not_offered_is_refused(sqlite_db, people):
    pid = people["ada"].practice_id
    p = practices.get(pid)
    same = dict(name=p["name"], timezone=p["timezone"], crisis_resources=p["crisis_resources"], now=now())
    assert "language" in practices.update_settings(people["ada"], language="../es", **same)
    assert practices.get(pid)["language"] == "en"
    assert practices.update_settings(people["ada"], language="es", **same) == {}
    assert practices.get(pid)["language"] == "es"
    assert practices.update_settings(people["ada"], **same) == {} and practices.get(pid)["language"] == "es"


def test_spanish_client_gets_the_gad7_in_english_marked_as_english(sqlite_db, people):
    # No published Spanish GAD-7 could be checked word for word (core/measures.py): the English one, marked.
    speaks(people, "es")
    raw = setup(people)
    measures.assign(people["clara"], people["client_clara"], "gad7", "weekly", now=now())
    tc = browser()
    page = open_link(tc, raw)
    assert "GAD-7 (preocupación y ansiedad en las últimas dos semanas; en inglés)" in seen(page)
    questionnaire = tc.get(re.search(r'href="(/c/checkin/questionnaire/\d+)"', page.text).group(1))
    assert '<html lang="es">' in questionnaire.text and "Enviar mis respuestas" in seen(questionnaire)
    english = re.search(r'<div lang="en">(.*?)</div>', questionnaire.text, re.S).group(1)
    assert "Feeling nervous, anxious, or on edge" in english and "Nearly every day" in english


def test_spanish_client_uses_a_skill_and_every_skill_screen_is_spanish(sqlite_db, people):
    from tests.client.test_skill_pages import BY_KEY, href, skill_form, start, uses
    from tests.client.helpers import post_pairs
    speaks(people, "es")
    # the clinician writes a Spanish client's steps in Spanish (typed text is shown as typed)
    step = {**BY_KEY["grounding"]["step"], "anchor": "al estacionar el coche",
            "behaviour": "nombrar 5 cosas que veo, 4 que oigo, 3 que toco, 2 que huelo, 1 que saboreo",
            "levels": ["Recorrer el 5-4-3-2-1 en voz alta o mentalmente."] * 3, "barrier": "Me da vergüenza",
            "if_then": "Si hay gente, lo haré en silencio."}
    tc = browser()
    card = start(tc, people, [step], struggling=True)
    spanish(card, "card, struggling")
    choose = tc.get(href(card, "Usar una habilidad ahora"))
    spanish(choose, "choose a skill")
    before = tc.get(href(choose, "nombrar 5 cosas"))  # the step as the clinician typed it
    spanish(before, "before")
    f = skill_form(before)
    too_high = post_pairs(tc, f.action, f.fill(before="11"))
    spanish(too_high, "before with an error")
    assert "Por favor, elija un número del 0 al 10" in seen(too_high)
    screen = tc.get(post_pairs(tc, f.action, f.fill(before="6")).headers["location"])
    spanish(screen, "grounding, first sense")
    assert "Nombre 5 cosas que puede ver" in seen(screen) and "Paso 1 de 5" in seen(screen)
    after = tc.get(href(screen, "Ya terminé"))
    spanish(after, "after")
    f = skill_form(after)
    done = post_pairs(tc, f.action, f.fill(after="3", helped="yes"))
    spanish(done, "skill done")
    assert "Esto no se supervisa en tiempo real" in seen(done) and "Esta semana practicó 1 día" in seen(done)
    assert len(uses()) == 1


def test_spanish_client_checkup_and_its_misconception_correction_are_spanish(sqlite_db, people):
    from tests.client.test_checkup_pages import RIGHT, checkup_link
    from tests.client.helpers import submit
    speaks(people, "es")
    tc = browser()
    page = open_link(tc, checkup_link(people))
    spanish(page, "check-up")
    assert "Mi terapeuta ve lo que escribo en cuanto lo envío." in seen(page) and "¿Verdadero o falso?" in seen(page)
    errors = submit(tc, page, "/c/checkup", **RIGHT)  # the two scales left out
    spanish(errors, "check-up with errors")
    assert "Por favor, elija una respuesta." in seen(errors)
    done = submit(tc, errors, "/c/checkup", **{**RIGHT, "s_realtime": "true"}, usefulness=4, comfort=2)
    spanish(done, "check-up done")
    assert "Su terapeuta no ve sus registros en tiempo real" in seen(done)


def test_spanish_client_checkup_email_is_spanish(sqlite_db, people):
    from tests.client.test_checkup_pages import TTL_ALL
    from tests.conftest import make_reachable
    from datetime import timedelta
    from jobs.email.message import make_message
    speaks(people, "es")
    make_reachable(people["client_clara"], now() - timedelta(days=40))
    made = {}
    from db import checkups
    checkups.request(people["clara"], people["client_clara"], now=now(), ttl_days=TTL_ALL,
                     deliver=lambda m: made.update(m))
    assert made["language"] == "es"
    message = make_message(to=made["email"], link="https://example.org/c/?t=x", sender="a@example.org",
                           sender_name=made["sender_name"], language=made["language"])
    body = message.get_body(("plain",)).get_content()
    assert english_left(body) == [] and message["Subject"].startswith("Un mensaje de")
