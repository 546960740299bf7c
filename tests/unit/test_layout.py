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
    production = [ROOT / "app.py"] + [p for folder in ("core", "db", "jobs", "components", "pages")
                                      for p in (ROOT / folder).rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in production
                 if any(n == "demo" or n.startswith("demo.") for n in _imported_modules(p))]
    assert offenders == []


def test_every_portal_page_file_is_in_the_one_page_list():
    # components/navigation.py is the one definition app.py and the tests read; a page file that is
    # not in it can never be reached (and would never be tested).
    from components import navigation
    on_disk = sorted(str(p.relative_to(ROOT)) for folder in ("clinician", "admin")
                     for p in (ROOT / "pages" / folder).glob("*.py"))
    assert sorted(navigation.page_paths("admin")) == on_disk
    assert set(navigation.page_paths("clinician")) == {p for p in on_disk if p.startswith("pages/clinician/")}

