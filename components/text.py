"""Showing text a person typed: always escaped, so it reads as text and never as markup or a link."""
from __future__ import annotations

import re

import streamlit as st

_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md_escape(text: str) -> str:
    """Backslash-escape every markdown/HTML character (a colon too, so no autolinked `javascript:`)."""
    return _MD.sub(r"\\\1", str(text or "")).replace("\n", "  \n")


def typed(text: str, *, prefix: str = "", suffix: str = "") -> None:
    """`prefix`/`suffix` are our own markdown; only `text` comes from a person."""
    st.markdown(prefix + md_escape(text) + suffix)
