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


def caseload_shape(at) -> dict:
    """What a caseload run drew, read the same way from the page and from its floor: the table's rows and
    columns, the attention buttons per flagged client, the admin's clinician filter (its options)."""
    flags: dict[str, int] = {}
    for b in at.button:
        if str(b.key or "").startswith("caseload_go_"):
            cid = b.key.split("_")[2]
            flags[cid] = flags.get(cid, 0) + 1
    table = at.dataframe[0].value if at.dataframe else None
    who = [s for s in at.selectbox if s.key == "caseload_clinician"]
    return {"rows": 0 if table is None else len(table), "columns": 0 if table is None else len(table.columns),
            "flags": list(flags.values()), "clinicians": len(who[0].options) if who else 0}


def caseload(username: str):
    """(rerun, shape, read the shape of the latest run)."""
    at = _signed_in(username)
    return (lambda: at.run()), caseload_shape(at), (lambda: caseload_shape(at))


def client_view_shape(at) -> dict:
    """What a client-view run drew, read the same way from the page and from its floor."""
    thoughts = [e for e in at.expander if e.label == "Thoughts as written"]
    remove = [s for s in at.selectbox if s.key == "cv_session_remove_day"]
    return {"sentences": sum(1 for e in at.expander if e.label == "How this was worked out"),
            "entries": len(at.dataframe[0].value) if at.dataframe else 0,
            "thoughts": len(thoughts[0].markdown) if thoughts else 0,
            "dates": at.radio(key="cv_mode").value == "dates",
            "sessions": min(12, len(remove[0].options)) if remove else 0,
            "charts": sum(1 for e in at.main if getattr(e, "type", None) == "vega_lite_chart"),  # altair
            "personal": sum(1 for c in at.caption if str(c.value).startswith("How this was computed"))}


def client_view(username: str, client_id: int, *, year: bool, days: int = YEAR):
    """(rerun, shape, read the shape of the latest run). `year`: the "dates" mode over the client's last
    `days` days up to today (the whole span the generator gave them), else the default window."""
    at = _signed_in(username, {"cv_client": client_id})
    at.switch_page("pages/clinician/client_view.py")
    at.run()
    if year:
        at.radio(key="cv_mode").set_value("dates").run()
        today = date.today()
        at.date_input(key="cv_range").set_value((today - timedelta(days=days - 1), today)).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cv_client").value == client_id
    return (lambda: at.run()), client_view_shape(at), (lambda: client_view_shape(at))


def floor(script: str, shape: dict, read=None):
    """The floor built with the page's shape: rerun, or (rerun, read the shape of its latest run) with `read`."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "bench" / script), default_timeout=120)
    at.session_state["floor_shape"] = shape
    at.run()
    assert not at.exception, at.exception
    return (lambda: at.run()) if read is None else ((lambda: at.run()), (lambda: read(at)))
