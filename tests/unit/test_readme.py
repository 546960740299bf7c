"""README and docs/ stay true: every test they name as proof of a promise exists; README stays a short front door."""
import re

from tests.conftest import ROOT


def test_every_test_the_readme_names_exists():
    text = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) > 20
    missing = [f"{p}::{n}" if n else p for p, n in named
               if not (ROOT / p).exists() or (n and f"def {n}" not in (ROOT / p).read_text())]
    assert missing == []


def test_the_readme_is_a_front_door_under_150_lines_that_links_every_doc():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 150
    assert "make run" in text.split("\n## ")[1] and "make test" in text.split("\n## ")[1]  # the two commands first
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{doc.name})" in text, doc.name
