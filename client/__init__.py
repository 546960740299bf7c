"""The client's pages: small server-rendered HTML (Jinja2, autoescaped) and POST handlers (Starlette),
served beside the Streamlit portal by `app.py`'s `st.App`. No page needs JavaScript, a websocket or
anything from another origin. Handlers read the request, call one function of `db/` or `core/`, and
render; the rules live there."""
