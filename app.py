"""Anchorstep's entrypoint: one server for the clinician portal (Streamlit, `portal.py`) and the
client's pages (small HTML routes under /c/, `client.web`). `streamlit run app.py` finds `app` and
serves both on one port; `make run` does that."""
import streamlit as st

from client import web

app = st.App("portal.py", routes=web.routes(), middleware=web.middleware())
