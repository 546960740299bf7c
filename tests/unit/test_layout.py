"""House rules that keep the portal safe to extend."""
import ast
import re
from pathlib import Path

from tests.conftest import ROOT


def test_no_page_script_sits_directly_in_pages():
    # Streamlit serves a top-level pages/*.py by URL before portal.py's sign-in gate.
    assert sorted(p.name for p in (ROOT / "pages").glob("*.py")) == []


def test_every_page_checks_its_role_first():
    # The client's pages left Streamlit (issue 14): every Streamlit page is a signed-in person's.
    pages = list((ROOT / "pages").rglob("*.py"))
    assert pages
    for page in pages:
        assert "require_role(" in page.read_text(), page


def test_the_streamlit_client_pages_and_their_components_are_gone():
    # Two ways to draw a client page would drift apart; the client's pages are client/ alone.
    assert not (ROOT / "pages" / "client").exists()
    for name in ("client_link.py", "client_frame.py", "stop.py"):
        assert not (ROOT / "components" / name).exists(), name
    for path in [ROOT / "app.py", ROOT / "portal.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "components").rglob("*.py")]:
        text = path.read_text()
        assert "client_link" not in text and "client_frame" not in text and "pages/client" not in text, path


def test_core_db_and_jobs_never_import_streamlit():
    offenders = []
    for folder in ("core", "db", "jobs", "client"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_page_uses_unsafe_html():
    for path in list((ROOT / "pages").rglob("*.py")) + list((ROOT / "components").rglob("*.py")):
        assert "unsafe_allow_html=True" not in path.read_text(), path


# Streamlit calls whose text is markdown: the body, labels, help tooltips, expander titles, options.
MARKDOWN_CALLS = {
    "markdown", "write", "caption", "info", "warning", "error", "success", "toast", "title", "header", "subheader",
    "metric", "expander", "popover", "status", "tabs", "checkbox", "toggle", "radio", "pills", "segmented_control",
    "button", "download_button", "link_button", "page_link", "form_submit_button", "text_input", "text_area",
    "number_input", "selectbox", "multiselect", "select_slider", "slider", "date_input", "time_input",
    "color_picker", "file_uploader", "camera_input", "chat_input", "feedback"}
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control"}  # their options are markdown too
NOT_STREAMLIT = {"log", "logger", "logging", "warnings", "parser", "LOG"}


def _ours(node) -> bool:
    """Text the code itself wrote (a constant, or an UPPER_CASE constant table), or a value that went
    through the one escaping path (components.text.md / escape)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper() or (node.attr == "get" and _ours(node.value))
    if isinstance(node, ast.Subscript):
        return _ours(node.value)
    if isinstance(node, ast.IfExp):
        return _ours(node.body) and _ours(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _ours(node.left) and _ours(node.right)
    if isinstance(node, ast.Lambda):
        return _ours(node.body)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_ours(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_ours(v) for v in node.values)
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        if name in ("range", "list") and not isinstance(f, ast.Attribute):  # numbers
            return all(isinstance(a, ast.Constant) or (isinstance(a, ast.Call) and _ours(a)) for a in node.args)
        if name == "escape" and ast.unparse(f) in ("text.escape", "escape"):
            return True
        if name == "md" and ast.unparse(f) in ("text.md", "md"):
            return bool(node.args) and _ours(node.args[0])  # the template is ours; the values are escaped
        if name == "get" and isinstance(f, ast.Attribute):  # a constant table's .get(key[, default])
            return _ours(f.value) and all(_ours(a) for a in node.args[1:])
    return False


def _markdown_text_offenders(path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, owner = node.func.attr, ast.unparse(node.func.value)
        if name not in MARKDOWN_CALLS or owner in NOT_STREAMLIT or owner.startswith(("self", "ss", "st.session_state")):
            continue
        texts = list(node.args if name == "write" else node.args[:1])
        texts += [k.value for k in node.keywords if k.arg in ("body", "label", "help")]
        if name in MARKDOWN_OPTIONS:
            texts += [k.value for k in node.keywords if k.arg == "format_func"]
            if not any(k.arg == "format_func" for k in node.keywords):
                texts += node.args[1:2] + [k.value for k in node.keywords if k.arg == "options"]
        found += [f"{path.relative_to(ROOT)}:{node.lineno} {owner}.{name}({ast.unparse(t)[:70]})"
                  for t in texts if not _ours(t)]
    return found


def test_typed_text_reaches_markdown_only_through_the_one_escaping_path():
    """Every markdown text (st.markdown/write/caption/alerts/headings, widget labels, help, options) is a
    constant of ours or built by components.text.md/escape: an f-string or a variable could carry what a
    person typed (the sidebar once rendered a clinician's display name as markdown: issue 12)."""
    paths = [ROOT / "app.py", ROOT / "portal.py", *sorted((ROOT / "pages").rglob("*.py")),
             *sorted(p for p in (ROOT / "components").rglob("*.py") if p.name != "text.py")]  # text.py is the path
    offenders = [o for p in paths for o in _markdown_text_offenders(p)]
    assert offenders == []


def test_the_escaping_path_is_one_module():
    assert not (ROOT / "components" / "plain_text.py").exists()
    for path in [ROOT / "app.py", ROOT / "portal.py", *(ROOT / "pages").rglob("*.py"),
                 *(ROOT / "components").rglob("*.py")]:
        assert "plain_text" not in path.read_text() and "md_escape" not in path.read_text(), path


def _imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_production_module_imports_the_demo():
    # The demo and the builders tests share put data in place without the real flows: production
    # code that imported them could skip a rule (consent confirmed without the client, say).
    production = [ROOT / "app.py", ROOT / "portal.py"] + [p for folder in ("core", "db", "jobs", "components", "pages", "client")
                                      for p in (ROOT / folder).rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in production
                 if any(n == "demo" or n.startswith("demo.") for n in _imported_modules(p))]
    assert offenders == []


def test_every_portal_page_file_is_in_the_one_page_list():
    # components/navigation.py is the one definition portal.py and the tests read; a page file that is
    # not in it can never be reached (and would never be tested).
    from components import navigation
    on_disk = sorted(str(p.relative_to(ROOT)) for folder in ("clinician", "admin")
                     for p in (ROOT / "pages" / folder).glob("*.py"))
    assert sorted(navigation.page_paths("admin")) == on_disk
    assert set(navigation.page_paths("clinician")) == {p for p in on_disk if p.startswith("pages/clinician/")}



def _db_modules() -> dict[str, object]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for p in (ROOT / "db").glob("*.py")}


def _db_imports(path, mods) -> set[str]:
    """The db modules `path` imports, wherever the import stands (a function body included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m in mods}


def test_db_modules_import_each_other_in_one_direction_only():
    # A one-way stack: tables and helpers at the bottom, one module per noun, flows on top. A cycle
    # (even one dodged by an import inside a function) means two nouns each need the other.
    mods = _db_modules()
    graph = {m: _db_imports(p, mods) - {m, "db"} for m, p in mods.items()}
    cycles = []

    def visit(node, path):
        for dep in graph[node]:
            if dep in path:
                cycles.append(" -> ".join(path[path.index(dep):] + [dep]))
            elif dep not in done:
                visit(dep, path + [dep])
        done.add(node)

    done: set = set()
    for m in graph:
        if m not in done:
            visit(m, [m])
    assert cycles == []


def test_a_db_function_that_imports_inside_its_body_says_why():
    offenders = []
    for path in (ROOT / "db").rglob("*.py"):
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)):
                        # the reason: on the line, or above the run of imports it belongs to
                        at = inner.lineno - 1
                        while at > 0 and lines[at - 1].strip().startswith(("import ", "from ")):
                            at -= 1
                        above = lines[at - 1].strip() if at > 0 else ""
                        if "#" not in lines[inner.lineno - 1] and not above.startswith("#"):
                            offenders.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert offenders == []


def test_the_client_scope_check_is_written_once():
    # The security boundary is one function (db.clients.require); a copy elsewhere could drift from it.
    pattern = re.compile(r"scope\(\w+\)\s*,\s*clients\.c\.id\s*==")
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                 if ".venv" not in p.parts and p.relative_to(ROOT).parts[0] != "tests"
                 and p != ROOT / "db" / "clients.py" and pattern.search(p.read_text())]
    assert offenders == []


def test_function_suffixes_say_who_acts_and_in_which_transaction():
    # docs/design.md: name_in(conn, …) runs inside the caller's transaction; name_for(actor, …) acts
    # for a signed-in person in its own; name_by_link(raw, …) for a client through a link.
    offenders = []
    for path in (ROOT / "db").glob("*.py"):
        source = path.read_text()
        for node in ast.parse(source).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            args = [a.arg for a in node.args.args]
            body = ast.get_source_segment(source, node)
            opens = "db.write()" in body or "db.read()" in body
            if node.name.endswith("_in") and (args[:1] != ["conn"] or opens):
                offenders.append(f"{path.name}:{node.name}")
            if node.name.endswith("_for") and args[:1] != ["actor"]:
                offenders.append(f"{path.name}:{node.name}")
            if node.name.endswith("_by_link") and args[:1] != ["raw"]:
                offenders.append(f"{path.name}:{node.name}")
    assert offenders == []


PAGE_KEY_PREFIX = {  # docs/design.md: a page's session keys carry its prefix; no page writes another's
    "admin/audit.py": "audit_", "admin/checklist.py": "checklist_", "admin/clinicians.py": "clin_",
    "admin/data.py": "data_", "admin/outcomes.py": "outcomes_", "admin/practice.py": "practice_",
    "admin/worker.py": "worker_",
    "clinician/account.py": "account_", "clinician/caseload.py": "caseload_", "clinician/checkins.py": "ci_",
    "clinician/client_view.py": "cv_", "clinician/consent.py": "consent_", "clinician/plans.py": "plans_",
    "clinician/reminders.py": "rem_", "clinician/templates.py": "templates_",
}


def test_every_portal_page_keeps_its_session_keys_under_its_own_prefix():
    offenders = []
    for rel, prefix in PAGE_KEY_PREFIX.items():
        path = ROOT / "pages" / rel
        for node in ast.walk(ast.parse(path.read_text())):
            key = None
            if isinstance(node, ast.keyword) and node.arg == "key":
                key = node.value
            elif isinstance(node, ast.Subscript) and getattr(node.value, "id", None) in ("ss", "session_state"):
                key = node.slice
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in ("get", "pop", "setdefault") and getattr(node.func.value, "id", None) == "ss"
                  and node.args):
                key = node.args[0]
            if isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
                key = key.values[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and not key.value.startswith(prefix):
                offenders.append(f"{rel}: {key.value}")
    assert sorted(PAGE_KEY_PREFIX) == sorted(str(p.relative_to(ROOT / "pages")) for d in ("admin", "clinician")
                                             for p in (ROOT / "pages" / d).glob("*.py"))
    assert offenders == []


PRIVATE_EMAIL_ATTRIBUTES = ("._headers", "._payload", "._unixfrom")


def test_no_code_touches_the_email_librarys_private_attributes():
    # Messages are built and written with EmailMessage's public API: private attributes change
    # between Python releases, and a hand-written serializer is one more place for a header to slip.
    paths = [ROOT / "app.py", ROOT / "portal.py"] + [p for folder in ("client", "components", "core", "db", "jobs", "pages",
                                                                       "demo", "bench", "tests")
                                 for p in sorted((ROOT / folder).rglob("*.py"))]
    offenders = [f"{p.relative_to(ROOT)}: {attr}" for p in paths if p.resolve() != Path(__file__).resolve()
                 for attr in PRIVATE_EMAIL_ATTRIBUTES if attr in p.read_text()]
    assert offenders == []


def _jobs_import_graph() -> dict[str, set[str]]:
    """Each jobs/ module → the jobs/ modules its import statements name (in functions too).
    `from a.b import c` counts as a.b.c when that is a module, else as a.b."""
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (ROOT / "jobs").rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                          for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_jobs_modules_import_each_other_without_a_cycle():
    # One way only (the email package's backends import its errors, its front imports the backends):
    # a cycle is what function-level imports were hiding between jobs.email and the SendGrid backend.
    graph = _jobs_import_graph()
    done, path = set(), []

    def visit(module):
        if module in path:
            raise AssertionError(" → ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        path.append(module)
        for other in sorted(graph[module]):
            visit(other)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    assert graph["jobs.email"] >= {"jobs.email.console", "jobs.email.smtp", "jobs.email.sendgrid", "jobs.email.errors"}


# ---------------------------------------------------------------- the client's pages (client/)

CLIENT_TEMPLATES = ROOT / "client" / "templates"


def test_client_handlers_hold_no_sql():
    # A client route reads the form, calls one db/ function, renders: the link is re-checked inside
    # that function's transaction, which a query written in a handler would skip.
    offenders = []
    for path in sorted((ROOT / "client").rglob("*.py")):
        source = path.read_text()
        if any(n == "sqlalchemy" or n.startswith("sqlalchemy.") for n in _imported_modules(path)):
            offenders.append(f"{path.relative_to(ROOT)}: imports sqlalchemy")
        for needle in ("db.engine", "conn.execute", "db.write(", "db.read(", "text(\""):
            if needle in source:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []


def test_client_templates_escape_everything_and_never_mark_text_safe():
    # Jinja2's autoescape is the one path for typed text on client pages (a crisis line, an anchor, a
    # step): `|safe` or Markup would let one practice setting carry markup onto every phone.
    from client import web
    assert web.ENV.autoescape is True
    assert web.ENV.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"
    offenders = [str(p.relative_to(ROOT)) for p in sorted(CLIENT_TEMPLATES.glob("*.html"))
                 if "|safe" in p.read_text().replace(" ", "") or "autoescape false" in p.read_text()]
    offenders += [str(p.relative_to(ROOT)) for p in sorted((ROOT / "client").rglob("*.py"))
                  if "Markup" in p.read_text() or "autoescape=False" in p.read_text()]
    assert offenders == []


def test_every_client_page_template_extends_base_with_its_language():
    # base.html carries <html lang>, the stylesheet, the viewport and the stop control; macros.html holds macros.
    assert 'lang="{{ lang }}"' in (CLIENT_TEMPLATES / "base.html").read_text()
    pages = [p for p in sorted(CLIENT_TEMPLATES.glob("*.html")) if p.name not in ("base.html", "macros.html")]
    assert len(pages) >= 10
    offenders = [p.name for p in pages if not p.read_text().startswith('{% extends "base.html" %}')]
    assert offenders == []


def test_no_client_template_has_a_script():
    # The client's pages work without JavaScript, and the CSP (default-src 'none') would block one anyway.
    offenders = [p.name for p in sorted(CLIENT_TEMPLATES.glob("*.html"))
                 if re.search(r"<script|\bon[a-z]+\s*=|javascript:", p.read_text(), re.I)]
    assert offenders == []


def test_every_writer_of_check_ins_or_step_versions_forgets_the_caseload_figures():
    # db/caseload_figures.py: the caseload keeps each client's adherence and means; whatever writes what they
    # are computed from (a check-in with its step answers, a step version, a plan's status) deletes the
    # client's kept row in its own transaction (`forget_in`), or the caseload would show yesterday's figures.
    writes = re.compile(r"insert\((checkins|checkin_steps|step_versions|plans)\b|update\((checkins|checkin_steps|"
                        r"step_versions|plans)\b|delete\((checkins|checkin_steps|step_versions|plans)\b")
    offenders = []
    for path in [*(ROOT / "db").glob("*.py"), *(ROOT / "jobs").glob("*.py"), *(ROOT / "client").rglob("*.py")]:
        source = path.read_text()
        if path.name in ("tables.py", "caseload_figures.py") or not writes.search(source):
            continue
        if "caseload_figures.forget_in(" not in source:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    assert writes.search((ROOT / "db" / "checkins.py").read_text())  # the pattern still finds the writers
    assert writes.search((ROOT / "db" / "plans.py").read_text())
