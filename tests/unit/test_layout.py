"""House rules that keep the portal safe to extend."""
import ast

from tests.conftest import ROOT


def test_no_page_script_sits_directly_in_pages():
    # Streamlit serves a top-level pages/*.py by URL before app.py's sign-in gate.
    assert sorted(p.name for p in (ROOT / "pages").glob("*.py")) == []


def test_every_page_checks_its_role_or_its_link_first():
    for page in (ROOT / "pages").rglob("*.py"):
        text = page.read_text()
        assert "require_role(" in text or "client_link" in text, page


def test_core_db_and_jobs_never_import_streamlit():
    offenders = []
    for folder in ("core", "db", "jobs"):
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
