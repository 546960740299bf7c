"""The client's words and their catalogs (issue 16): every client-facing word in a template is in the
catalog, the catalog is up to date with the code, and the Spanish catalog is complete, never fuzzy,
with the same placeholders as the English source."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages import checkers
from babel.messages.pofile import read_po

from core import i18n
from tests.conftest import ROOT

TEMPLATES = ROOT / "client" / "templates"
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)s|\{([a-z_]+)\}")  # gettext's, and the checklist's {practice}/{crisis}
# What may stand outside {% trans %} in a template: punctuation, digits, the product's name, and the
# attributes a macro writes into its caller's tag (`described`).
ALLOWED_LEFTOVER = re.compile(r'^[\s·=,.:()0-9–—-]*$|^\s*·?\s*Anchorstep\s*$|^\s*([a-z-]+="[^"]*"\s*)+$')


def _read(path):
    with open(path, "rb") as fp:
        return read_po(fp)


def _outside_trans(source: str) -> list[str]:
    """The text a template shows that no {% trans %}, {{ }}, {% %}, {# #} or tag accounts for."""
    text = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", " ", source, flags=re.S)
    text = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", " ", text, flags=re.S)
    text = re.sub(r"<!doctype[^>]*>|<[^>]+>", "\n", text, flags=re.I)
    return [line.strip() for line in text.splitlines() if not ALLOWED_LEFTOVER.match(line)]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_catalog_every_word_of_each_client_template_is_marked_for_translation(template):
    assert _outside_trans((TEMPLATES / template).read_text()) == []


def test_catalog_the_check_finds_an_unmarked_word():
    # The check above can fail: a word added without {% trans %} is found.
    assert _outside_trans("<h1>{% trans %}Thank you{% endtrans %}</h1>\n<p>Thanks again</p>") == ["Thanks again"]


def test_catalog_the_template_in_locale_is_what_the_code_marks_now(tmp_path):
    """locale/messages.pot is up to date: a client word added to a template, an email or an N_() mark
    without `make catalogs-update` fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    fresh = {m.id for m in _read(pot) if m.id}
    committed = {m.id for m in _read(i18n.LOCALE_DIR / "messages.pot") if m.id}
    assert fresh - committed == set(), "run `make catalogs-update` and translate the new words"
    assert committed - fresh == set(), "run `make catalogs-update`: the catalog holds words nothing uses"


@pytest.mark.parametrize("code", [c for c in i18n.offered() if c != i18n.SOURCE])
def test_catalog_every_language_is_complete_not_fuzzy_and_keeps_the_placeholders(code):
    catalog = _read(i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po")
    source = {m.id for m in _read(i18n.LOCALE_DIR / "messages.pot") if m.id}
    assert {m.id for m in catalog if m.id} == source, "run `make catalogs-update`"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        want = sorted(PLACEHOLDER.findall(ids[0]))
        for s in strings:
            if sorted(PLACEHOLDER.findall(s)) != want:
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
    # Babel's own checks too (python-format: the same named placeholders, of the same types).
    for message, errors in catalog.check():
        problems += [f"babel: {message.id!r}: {e}" for e in errors]
    assert problems == []


def test_catalog_the_placeholder_check_finds_a_broken_translation():
    from babel.messages.catalog import Catalog
    catalog = Catalog(locale="es")
    message = catalog.add("Up to %(n)s characters.", "Hasta %(m)s caracteres.", flags=["python-format"])
    with pytest.raises(Exception):
        checkers.python_format(catalog, message)
    assert sorted(PLACEHOLDER.findall("If you need help now: {crisis}")) != sorted(PLACEHOLDER.findall("Ayuda: {crisi}"))


def test_translation_of_python_words_translates_the_frame_and_never_the_typed_text():
    from core import plans
    tr = i18n.translations("es")
    line = plans.card_line({"anchor": "After I pour my coffee", "behaviour": "Breathe out slowly", "duration_min": 2})
    assert line == "After I pour my coffee, I will breathe out slowly (2 min)."  # English stays as it was
    assert i18n.translate(line, tr) == "Después de pour my coffee, voy a breathe out slowly (2 min)."
    assert i18n.translate("Thank you", tr) == "Thank you"  # a plain str (typed text) is never looked up


@pytest.mark.parametrize("code", ["xx", "../../etc/passwd", "es\x00", "ES", "e" * 5000, "", None, 7, ["es"]])
def test_locale_a_code_not_offered_falls_back_to_the_practice_language(code):
    assert i18n.choose(code, "es") == "es"
    assert i18n.choose(code, "en") == "en"
    assert i18n.choose(code, code) == "en"


def test_locale_the_browser_language_picks_an_offered_one():
    assert i18n.from_header("es-MX,es;q=0.9,en;q=0.8") == "es"
    assert i18n.from_header("fr-FR, de;q=0.5") == "en"
    assert i18n.from_header("en;q=0.2, es;q=0.9") == "es"
    assert i18n.from_header("es;q=NaN, ;q=x, " + "a," * 5000) == "en"


def test_locale_dates_and_weekdays_in_spanish():
    from datetime import date, datetime
    assert i18n.day_label(date(2026, 12, 1), "es") == "martes, 1 de diciembre de 2026"
    assert i18n.weekday_time(datetime(2026, 12, 7, 7, 30), "es") == "lunes 7:30"
    assert i18n.weekdays([0, 2, 5], "es") == "lun, mié, sáb"
