"""Client languages: which are offered, each one's catalog, dates in the client's language, and the one
pattern for client words written in Python.

A language is offered when `locale/<code>/LC_MESSAGES/messages.po` exists (docs/languages.md: adding
one needs no code). English is the source language: its words are the msgids themselves.

Templates mark words with `{% trans %}` or `_()`. Python marks a client-facing sentence with `N_()`,
which returns a `Msg`: a str holding the English text (so clinician pages, logs and tests read it
as before) that remembers its msgid and parameters. `translate(text, translations)` turns a Msg into
the client's language when a page or an email is made, and returns any other str unchanged: text a
person typed (plan steps, crisis resources) is never looked up in a catalog.
"""
from __future__ import annotations

import functools
import io
import logging
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
DOMAIN = "messages"
SOURCE = "en"
MAX_CODE = 16  # longer than any code we could offer; a longer stored or posted value is not looked at

log = logging.getLogger("anchorstep.i18n")


class Msg(str):
    """English text that remembers how to be translated (see the module docstring)."""

    def __new__(cls, msgid: str, params: dict):
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def __reduce__(self):  # pickled (e.g. by a cache) as the Msg it is
        return Msg, (self.msgid, self.params)


def N_(msgid: str, **params) -> Msg:
    """Mark a client-facing sentence for the catalog (`pybabel extract` looks for `N_`). Parameters are
    named (`%(name)s`) so a translation may reorder them; a parameter may itself be a Msg."""
    return Msg(msgid, params)


def translate(text, translations) -> str:
    """A Msg in the catalog's language (its parameters too); anything else exactly as given."""
    if not isinstance(text, Msg):
        return text
    out = translations.gettext(text.msgid)
    if text.params:
        out = out % {k: translate(v, translations) for k, v in text.params.items()}
    return out


@functools.lru_cache(maxsize=1)
def offered() -> tuple[str, ...]:
    """English and every language with a catalog, in a stable order."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE, *[code for code in found if code != SOURCE])


def is_offered(code) -> bool:
    return isinstance(code, str) and len(code) <= MAX_CODE and code in offered()


def choose(code, practice_code=None) -> str:
    """The client's language when it is offered, else the practice's, else English. A code we do not
    offer (an old record, a hostile form) is never used to find a file: it is only compared."""
    for candidate in (code, practice_code):
        if is_offered(candidate):
            return candidate
    return SOURCE


def from_header(accept_language: str | None, default: str = SOURCE) -> str:
    """The browser's preferred offered language (for pages shown before we know whose link it is)."""
    tags = []
    for i, part in enumerate((accept_language or "")[:500].split(",")[:20]):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag and weight > 0 and weight == weight:
            tags.append((-weight, i, tag.strip()))
    preferred = [tag for *_, tag in sorted(tags)]
    return negotiate_locale(preferred, list(offered()), sep="-") or default


def name(code: str) -> str:
    """A language's own name for itself ("español"), for the switch on the client's pages."""
    return Locale.parse(code).get_display_name(code)


def english_name(code: str) -> str:
    """The language's name in English ("Spanish"), for the clinician's pages."""
    return Locale.parse(code).get_display_name(SOURCE)


@functools.lru_cache(maxsize=None)
def translations(code: str):
    """The catalog of an offered language (cached per process). The compiled `.mo` is used when it is
    up to date; otherwise the `.po` is compiled in memory (and a warning logged), so a checkout that
    skipped `make catalogs` never shows a Spanish client English by accident."""
    if code == SOURCE or not is_offered(code):
        return NullTranslations()
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    log.warning("locale %s: %s.mo is missing or older than its .po; compiled in memory (run `make catalogs`)",
                code, DOMAIN)
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def day_label(day: date, code: str) -> str:
    """A calendar day as the client's language writes it in full ("martes, 1 de diciembre de 2026")."""
    return format_date(day, format="full", locale=code)


def weekday_time(at: datetime, code: str) -> str:
    """A weekday and a time of day in the client's own zone (`at` is already local): "martes 7:30"."""
    return f"{get_day_names('wide', locale=code)[at.weekday()]} {format_time(at, format='short', locale=code)}"


def weekdays(days: list[int], code: str) -> str:
    """Monday-first weekday numbers as short names in the client's language, joined."""
    names = get_day_names("abbreviated", locale=code)
    return ", ".join(names[d] for d in sorted(days))
