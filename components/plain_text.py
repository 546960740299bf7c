"""Show text that a person typed (a client, a clinician, an admin) as text, never as markup."""
from __future__ import annotations

import string

import streamlit as st

_PUNCT = set(string.punctuation)


def escape(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark (CommonMark allows it), so links, images, HTML,
    LaTeX and Streamlit's own directives stay literal; line breaks are kept."""
    out = "".join("\\" + c if c in _PUNCT else c for c in str(text))
    return out.replace("\r\n", "\n").replace("\n", "  \n")


def show(text: str) -> None:
    st.markdown(escape(text))
