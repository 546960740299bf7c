"""The one path by which text a person typed (a client, a clinician, an admin) reaches the portal's
screen: as exactly the characters typed, never a link, an image, HTML, maths, a heading, a list, an
emoji, an icon or a colour. Every markdown string that carries a value is built with
`md(TEMPLATE, **values)`: the template is our own markdown, a constant; each value is escaped. Widget
labels, help tooltips, expander titles and radio options are markdown too, so they take `md(...)` as
well (tests/unit/test_layout.py scans the code for any other way in).

Why this rendering (tried in Chromium against `streamlit run`, Streamlit 1.67):
- Backslash-escaping every ASCII punctuation mark (CommonMark allows it) stops links, images, HTML,
  `$maths$`, headings, lists, `:red[...]` colours, `:skull:` emoji and `:material/...:` icons.
- It does not stop GFM's autolink literals: remark finds `www.x.y`, `x@y.z` and `https://...` in the
  text that the escapes leave, so they still became <a>. HTML character references (`&#46;`, `&#64;`,
  `&#58;`) decode to the same text and were linked too; an HTML comment is shown as text.
- An empty `:small[]` (Streamlit's own directive: an empty <span>, no characters) before every `.`,
  `@` and `:` splits the text, so no autolink or shortcode pattern ever sees `www.`, `x@y` or `://`
  in one piece. The page's text is unchanged, character for character.
- `st.html(html.escape(...))` and `st.text` also show text exactly, but labels accept only markdown:
  one markdown path covers every place, and tests/reliability/test_hostile_markup.py checks it in
  Chromium. Line breaks are kept as markdown hard breaks."""
from __future__ import annotations

import string

import streamlit as st

_PUNCT = set(string.punctuation)
_SPLIT = {".", "@", ":"}  # what autolink literals and shortcodes need in one text node
_BREAK = ":small[]"


def escape(value: object) -> str:
    """Markdown that shows `value` (as `str`) as exactly its characters."""
    text = str("" if value is None else value).replace("\r\n", "\n").replace("\r", "\n")
    # Leading blanks would make an indented code block; a browser does not show them in a line anyway.
    text = "\n".join(line.lstrip(" \t") for line in text.split("\n"))
    out = []
    for c in text:
        if c in _SPLIT:
            out.append(_BREAK)
        out.append("\\" + c if c in _PUNCT else c)
    return "".join(out).replace("\n", "  \n")


class _Escaping(string.Formatter):
    def format_field(self, value, format_spec):
        return escape(format(value, format_spec))


def md(template: str, /, **values) -> str:
    """`template` is our own markdown with `{name}` / `{name:spec}` fields; every value is escaped."""
    return _Escaping().vformat(template, (), values)


def show(template: str, /, **values) -> None:
    """`st.markdown(md(template, **values))`: e.g. `show("**Now:** {step}", step=typed)`."""
    st.markdown(md(template, **values))


def typed(value: object) -> None:
    """A block of typed text on its own."""
    st.markdown(escape(value))
