"""Bench only, never deployed: the server `app.py` builds (the portal, the client routes and their
middleware, the same `st.App` call) plus one static folder at /bench-static/, so the benchmark can
load a static HTML file from the same process that serves the client pages:

    BENCH_STATIC_DIR=/tmp/x streamlit run bench/serve_static.py

The product has no such route; this script is the only place it exists."""
import os
from pathlib import Path

import streamlit as st
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from client import web

ROOT = Path(__file__).resolve().parent.parent

app = st.App(str(ROOT / "portal.py"),
             routes=[Mount("/bench-static", StaticFiles(directory=os.environ["BENCH_STATIC_DIR"]))] + web.routes(),
             middleware=web.middleware())
