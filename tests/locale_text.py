"""What the language tests compare a page against: the English source strings of the catalog
(locale/messages.pot), cut at their placeholders and tags into the pieces a person would read."""
from __future__ import annotations

import functools
import re

from babel.messages.pofile import read_po

from core import i18n

MIN_PIECE = 8  # characters: shorter pieces ("Done", "none") also occur inside typed text and other words


@functools.lru_cache(maxsize=None)
def english_pieces(language: str = "es") -> tuple[str, ...]:
    """Every English piece whose translation differs from it (so "Error:" in Spanish is not "English left")."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as fp:
        template = read_po(fp)
    tr = i18n.translations(language)
    pieces = set()
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if tr.gettext(msgid) == msgid and not isinstance(message.id, tuple):
                continue
            for piece in re.split(r"%\([a-z_]+\)s|<[^>]+>|\(|\)", msgid):
                piece = piece.strip(" .,:;")
                if len(piece) >= MIN_PIECE:
                    pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


def english_left(text: str, language: str = "es") -> list[str]:
    """The catalog's English pieces found in `text` (what a person reads on the page)."""
    return [p for p in english_pieces(language) if p in text]
