"""The README's list of codes is generated from the rules and must not drift."""

from conftest import REPO
from pmkit.engine.catalog import all_codes
from pmkit.app.docs import readme_with_codes


def test_readme_lists_every_code_as_generated():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_codes(readme), "README codes are stale: run `make readme`"
    for code in all_codes():
        assert f"| `{code.id}` |" in readme


def test_every_code_has_a_doc_paragraph():
    for code in all_codes():
        assert len(code.doc.split()) >= 12, code.id
        assert code.doc.strip().endswith((".", ")")), code.id
