"""The loader's hot path and its careful path must agree on every value.

``plain_record`` handles ordinary files in one flat loop and gives up
(``UNUSUAL``) on anything out of the ordinary; ``_Builder`` is the careful
path that reports findings. Whatever the hot path returns must be exactly
what the careful path builds, value for value and type for type.
"""

from decimal import Decimal

import pytest

from conftest import FIXTURES, REPO
from pmkit.ingest.loader.yaml12 import UNUSUAL, _Builder, plain_record, parse

SNIPPETS = [
    "a: 1\nb: 1.10\nc: NO\nd: on\ne: y\nf: 2026-01-05\ng: ~\nh: null\ni: ''\nj: \"1.5\"\n",
    "a: 017\nb: 0o17\nc: 0x1F\nd: -3\ne: +4\nf: .5\ng: 1e3\nh: .inf\ni: -.inf\nj: .nan\nk: 12:30\n",
    "a: true\nb: True\nc: TRUE\nd: false\ne: yes\nf: Null\ng: NULL\nh:\n",
    "list:\n  - 1\n  - [a, {b: c}]\n  - {}\n  - []\nflow: {x: [1, 2.50, three]}\n",
    "text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\n",
    "a: 1\na: 2\n",  # duplicate: hot path gives up
    "a: &x 1\nb: *x\n",  # anchors: hot path gives up
    "a: !!str 12\n",  # tags: hot path gives up
    "- 1\n- 2\n",  # not a mapping
    "",  # empty
    "a: 1\n---\nb: 2\n",  # two documents
    "? [a]\n: 1\n",  # complex key
    "a: [" * 40 + "]" * 40 + "\n",  # deep
    "a:\n\tb: 1\n",  # tab
    "\ufeffa: 1\r\nb: 2\r\n",  # BOM and CRLF
]


def _corpus() -> list[tuple[str, bytes]]:
    files = [p for root in (FIXTURES, REPO / "program") for p in sorted(root.rglob("*.yaml"))]
    out = [(str(p.relative_to(REPO)), p.read_bytes()) for p in files]
    out += [(f"snippet-{i}", s.encode()) for i, s in enumerate(SNIPPETS)]
    return out


def _same(a, b) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    return a == b


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=lambda v: v if isinstance(v, str) else "")
def test_hot_path_agrees_with_careful_path(name, data):
    text = data.decode("utf-8-sig")
    careful = _Builder(name, 32, want_positions=False).run(text)
    hot = plain_record(text, 32)
    if hot is UNUSUAL:
        return
    assert not careful.findings
    assert _same(hot, careful.value)


def test_hot_path_is_taken_for_ordinary_files():
    """If the hot path gave up on clean files, the speed would quietly be lost."""
    for path in sorted((REPO / "program").rglob("*.yaml")):
        assert plain_record(path.read_text(encoding="utf-8"), 32) is not UNUSUAL, path


def test_unusual_files_still_get_their_findings():
    assert [f.code for f in parse("f.yaml", b"a: 1\na: 2\n", want_positions=False).findings] == ["duplicate-key"]
    assert [f.code for f in parse("f.yaml", b"a: &x 1\n", want_positions=False).findings] == ["yaml-alias"]
