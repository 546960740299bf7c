"""AppTest runners for the measured pages and their floors. Each runner signs in once, runs the page
once (warm), reads the page's shape (how many cards, rows, thoughts it drew) for its floor, and
returns a function that reruns the script."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 365


def server_like_script_cache() -> None:
    """AppTest compiles the scripts again on every run (a new ScriptCache each time, with Streamlit's
    "magic" AST pass: about 100 ms for app.py and a page here); a server compiles each script once per
    process. One shared cache makes an AppTest run cost what a server run costs, for pages and floors alike."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


server_like_script_cache()


def _signed_in(username: str, state: dict | None = None):
    from streamlit.testing.v1 import AppTest
    from db import signins
    sid, _ = signins.start_session(username, datetime.now(timezone.utc))
    at = AppTest.from_file(str(ROOT / "portal.py"), default_timeout=120)  # the portal (app.py adds the client routes)
    at.session_state["as_sid"] = sid
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def caseload(username: str):
    at = _signed_in(username)
    flags: dict[str, int] = {}
    for b in at.button:
        if str(b.key or "").startswith("caseload_go_"):
            cid = b.key.split("_")[2]
            flags[cid] = flags.get(cid, 0) + 1
    shape = {"rows": len(at.dataframe[0].value) if at.dataframe else 0,
             "flags": list(flags.values())}
    return (lambda: at.run()), shape


def client_view(username: str, client_id: int, *, year: bool):
    at = _signed_in(username, {"cv_client": client_id})
    at.switch_page("pages/clinician/client_view.py")
    at.run()
    if year:
        at.radio(key="cv_mode").set_value("dates").run()
        today = date.today()
        at.date_input(key="cv_range").set_value((today - timedelta(days=YEAR - 1), today)).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cv_client").value == client_id
    thoughts = [e for e in at.expander if e.label == "Thoughts as written"]
    remove = [s for s in at.selectbox if s.key == "cv_session_remove_day"]
    shape = {"sentences": sum(1 for e in at.expander if e.label == "How this was worked out"),
             "entries": len(at.dataframe[0].value) if at.dataframe else 0,
             "thoughts": len(thoughts[0].markdown) if thoughts else 0, "dates": year,
             "sessions": min(12, len(remove[0].options)) if remove else 0,
             "charts": sum(1 for e in at.main if type(e).__name__ == "UnknownElement"),
             "personal": sum(1 for c in at.caption if str(c.value).startswith("How this was computed"))}
    return (lambda: at.run()), shape


def floor(script: str, shape: dict):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "bench" / script), default_timeout=120)
    at.session_state["floor_shape"] = shape
    at.run()
    assert not at.exception, at.exception
    return lambda: at.run()
