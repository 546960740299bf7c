"""Showing text a person typed: always escaped, so it reads as text and never as markup or a link."""
from __future__ import annotations

import streamlit as st

from components.plain_text import escape


def md_escape(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark (one rule for the whole app: components.plain_text)."""
    return escape(str(text or ""))


def typed(text: str, *, prefix: str = "", suffix: str = "") -> None:
    """`prefix`/`suffix` are our own markdown; only `text` comes from a person."""
    st.markdown(prefix + md_escape(text) + suffix)
