"""A Spanish-speaking client on a phone (issue 16), in Debian's Chromium against a real `streamlit run
app.py` server: consent, a check-in with a due PHQ-9 (item 9 in its published Spanish wording), the
coping card, a pause and "Dejar de participar". Every page says `lang="es"`, no English source string of
the catalog is left in what the page shows, and axe-core finds no violation."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.client_pages import open_link, pick, press, tick_all
from tests.e2e.test_client_pages_without_javascript import seed
from tests.locale_text import english_left

pytestmark = pytest.mark.e2e

AXE = Axe()
ITEM_9_ES = "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"  # Pfizer, US Spanish


def spanish_client(server, name: str, **kw) -> dict:
    made = seed(server, name, **kw)
    server.run_python("import db; from sqlalchemy import text\nwith db.write() as c:\n"
                      f"    c.execute(text(\"update clients set language = 'es' where id = {int(made['id'])}\"))")
    return made


class Check:
    def __init__(self, page):
        self.page, self.problems = page, {}

    def __call__(self, state: str) -> None:
        page, found = self.page, []
        if page.locator("html").get_attribute("lang") != "es":
            found.append(f"html lang is {page.locator('html').get_attribute('lang')!r}")
        found += [f"English left: {p!r}" for p in english_left(page.inner_text("body"))]
        found += [f"axe {v['impact']} {v['id']}: {v['help']}" for v in AXE.run(page).response["violations"]]
        if found:
            self.problems[state] = found


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              locale="es-MX")
    yield ctx.new_page()
    ctx.close()


def test_spanish_client_journey_on_a_phone_is_spanish_and_accessible(server, phone):
    page, check = phone, Check(phone)

    made = spanish_client(server, "ES Consent", consented=False)
    open_link(page, made["consent"])
    expect(page.get_by_role("heading", name="Antes de empezar")).to_be_visible()
    check("consent")
    press(page, "Estoy de acuerdo")
    check("consent with errors")
    tick_all(page, "Lo he leído y lo entiendo")
    page.get_by_role("textbox", name="Escriba su nombre para dar su acuerdo").fill("Rocío")
    press(page, "Estoy de acuerdo")
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    check("consent thanks")

    made = spanish_client(server, "ES Client", phq9=True)
    open_link(page, made["checkin"])
    expect(page.get_by_role("heading", name="Registrar")).to_be_visible()
    check("check-in")
    page.get_by_text("Dejar de participar", exact=True).click()
    check("check-in with the stop question open")
    pick(page, "¿Cómo le fue?", "Hecho")
    pick(page, "Su estado de ánimo ahora", "6")
    pick(page, "Malestar o impulso ahora", "3")
    press(page, "Enviar registro")
    expect(page.get_by_text("Gracias por hacer su registro.")).to_be_visible()
    check("check-in done")
    with page.expect_navigation():
        page.get_by_role("link", name="Responder ahora").first.click()
    expect(page.get_by_role("group", name=f"9. {ITEM_9_ES}")).to_be_visible()
    check("PHQ-9")
    for i in range(1, 10):
        pick(page, page.get_by_role("group").nth(i - 1).locator("legend").inner_text(), "Ningún día")
    press(page, "Enviar mis respuestas")
    expect(page.get_by_text("Sus respuestas están guardadas.", exact=False)).to_be_visible()
    check("PHQ-9 answered")

    open_link(page, made["card"])
    expect(page.get_by_role("heading", name="Su tarjeta de afrontamiento")).to_be_visible()
    check("card")
    with page.expect_navigation():
        page.get_by_role("link", name="Ahora mismo lo estoy pasando mal").click()
    check("card, struggling")

    open_link(page, made["preferences"])
    page.get_by_role("checkbox", name="Pausar mis recordatorios por correo").check()
    press(page, "Pausar recordatorios")
    expect(page.get_by_text("Los recordatorios están en pausa.", exact=False).first).to_be_visible()
    check("paused")

    open_link(page, made["card"])
    page.get_by_text("Dejar de participar", exact=True).click()
    page.get_by_role("checkbox", name="Quiero dejar de participar").check()
    press(page, "Sí, dejar de participar")
    expect(page.get_by_role("heading", name="Ha dejado de participar")).to_be_visible()
    check("withdrawn")

    assert check.problems == {}
