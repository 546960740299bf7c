"""Every download the portal offers is recorded (issue 12, fault 8): each st.download_button in pages/
gets its data from a db function that writes an export audit row (one of db.audit.EXPORTS), and no
page builds a file itself. Read from the code, so a new download button cannot skip the audit."""
import ast
import importlib
import inspect
import re

from db import audit
from tests.conftest import ROOT


def _call_of(node: ast.AST) -> ast.Call | None:
    """The call that produces a download's data: `f(...)`, `lambda: f(...)`, `lambda: f(...) or b""`."""
    if isinstance(node, ast.Lambda):
        node = node.body
    if isinstance(node, ast.BoolOp):
        node = node.values[0]
    return node if isinstance(node, ast.Call) else None


def _stored(tree: ast.Module, node: ast.Subscript) -> ast.AST | None:
    """For data read back from session state, `ss["k"][1]`: the value stored there, `ss["k"] = (id, f(...))`."""
    if not (isinstance(node.value, ast.Subscript) and isinstance(node.slice, ast.Constant)):
        return None
    key = ast.unparse(node.value)
    for a in ast.walk(tree):
        if isinstance(a, ast.Assign) and any(ast.unparse(t) == key for t in a.targets) and isinstance(a.value, ast.Tuple):
            return a.value.elts[node.slice.value]
    return None


def _imports(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def downloads():
    """(page, line, db module, function) for every download button in pages/."""
    found = []
    for page in sorted((ROOT / "pages").rglob("*.py")):
        tree = ast.parse(page.read_text())
        names = _imports(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "download_button"):
                continue
            data = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "data")
            if isinstance(data, ast.Subscript):
                data = _stored(tree, data)
            call = _call_of(data)
            where = f"{page.relative_to(ROOT)}:{node.lineno}"
            assert call is not None and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name), \
                f"{where}: a download's data must come straight from a db function call"
            found.append((where, names.get(call.func.value.id, call.func.value.id), call.func.attr))
    return found


def test_every_download_button_gets_its_data_from_a_db_function_that_records_an_export():
    found = downloads()
    assert len(found) >= 4  # the CSV, the session summary, the admin's zip, templates, the card's .ics
    for where, module, function in found:
        assert module.startswith("db."), f"{where}: {module}.{function} is not a db function"
        source = inspect.getsource(getattr(importlib.import_module(module), function))
        actions = set(re.findall(r'audit\.record\([^)]*action="([a-z_.]+)"', source, re.S))
        assert actions & audit.EXPORTS, f"{where}: {module}.{function} writes no export audit row"


def test_every_export_action_has_words_in_the_audit_log():
    assert audit.EXPORTS <= set(audit.ACTIONS)
