"""Re-parsing only the changed entries of a list file gives exactly the whole parse.

``splice.reparse`` may decline (None) whenever it likes; when it answers, its
value and entry digests must be those of parsing the whole new text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkit.core.kinds import EXPENSES
from pmkit.ingest.loader import load_one, splice
from pmkit.ingest.loader.yaml12 import UNUSUAL, plain_record
from pmkit.ingest.source import SourceFile
from pmkit.engine.files import check_file
from pmkit.engine.validate import read_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "program"
FILE = "budget/expenses/2026-03.yaml"

BASE = """\
# March
expenses:
  - id: exp-1
    date: 2026-03-02
    amount: 10.50
    description: "first"
  - id: exp-2
    date: 2026-03-03
    amount: 20
    note: |
      two lines
      of text
  # a comment between entries
  - id: exp-3
    date: 2026-03-04
    amount: -5.25
"""


def _entries(text: str) -> tuple[object, splice.Entries]:
    value = plain_record(text, 32)
    entries = splice.entries(text, value, "expenses")
    assert entries is not None
    return value, entries


def test_an_edited_entry_is_parsed_alone_and_the_rest_reused():
    value, kept = _entries(BASE)
    new = BASE.replace("amount: 20", "amount: 21")
    spliced = splice.reparse(new, value, kept, 32)
    assert spliced is not None
    assert spliced.value == plain_record(new, 32)
    assert spliced.fresh == [1]
    assert spliced.value["expenses"][0] is value["expenses"][0]  # reused, not parsed again
    assert spliced.entries == splice.entries(new, spliced.value, "expenses")


@pytest.mark.parametrize("edit", [
    lambda t: t + "  - id: exp-4\n    amount: 1\n",                       # appended
    lambda t: t.replace("  - id: exp-2", "  - id: exp-9\n    amount: 2\n  - id: exp-2"),  # inserted
    lambda t: t.replace("  - id: exp-3\n    date: 2026-03-04\n    amount: -5.25\n", ""),   # deleted
    lambda t: t.replace("  - id: exp-1", "  - id: exp-2").replace("first", "two"),         # equal ids
])
def test_inserts_deletes_and_appends(edit):
    value, kept = _entries(BASE)
    new = edit(BASE)
    spliced = splice.reparse(new, value, kept, 32)
    assert spliced is not None
    assert spliced.value == plain_record(new, 32)


@pytest.mark.parametrize("text", [
    BASE + "other: 1\n",                              # a top-level key after the list
    BASE + "---\nexpenses: []\n",                     # a second document
    BASE.replace("    amount: 20", "\tamount: 20"),    # a tab
    BASE.replace("  - id: exp-2", "  -\n    id: exp-2"),  # an entry's dash alone on its line
    "expenses: [a, b]\n",                             # flow style
])
def test_other_layouts_are_not_cut(text):
    assert splice.cut(text, "expenses") is None


@pytest.mark.parametrize("broken", [
    '    description: "first\n',        # a quote left open swallows the next entry's start
    "    tags: [a,\n",                  # so does a flow list
    "    description: first\n    description: again\n",  # a duplicate key
    "    ref: *x\n",                    # an alias
])
def test_an_entry_that_does_not_parse_alone_declines(broken):
    value, kept = _entries(BASE)
    new = BASE.replace('    description: "first"\n', broken)
    assert splice.reparse(new, value, kept, 32) is None


def test_a_changed_head_declines():
    value, kept = _entries(BASE)
    assert splice.reparse(BASE.replace("# March", "# April"), value, kept, 32) is None


# Lines a hand edit might leave between entries, some harmless, some not.
LINES = st.sampled_from([
    "  - id: exp-x\n", "    amount: 7\n", "    amount: 7.125\n", '    description: "open\n', "    d: 'a\n",
    "    tags: [a,\n", "    tags: [a, b]\n", "  - plain\n", "  -\n", "    note: |\n", "      text\n",
    "# col 0 comment\n", "  # comment\n", "\n", "other: 1\n", "---\n", "...\n", "\tx: 1\n", "  - &a x\n",
    "  - *a\n", "   odd: 3\n", "  - id: exp-2\n    date: 2026-03-03\n", "    x: 1\r\n", '    q: "a\n  - b"\n',
    "  - !!str x\n", "    - nested\n", "      - deeper\n", "  - {a: 1}\n", "  - - x\n",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["insert", "replace", "delete"]), LINES),
                min_size=1, max_size=5))
def test_random_edits_splice_to_the_whole_parse(edits):
    value, kept = _entries(BASE)
    lines = BASE.splitlines(keepends=True)
    for at, how, line in edits:
        at %= len(lines) + 1
        if how == "insert" or at == len(lines):
            lines.insert(at, line)
        elif how == "replace":
            lines[at] = line
        else:
            del lines[at]
    new = "".join(lines)
    whole = plain_record(new, 32)
    spliced = splice.reparse(new, value, kept, 32)
    if spliced is None:
        return
    assert whole is not UNUSUAL, new
    assert spliced.value == whole, new
    assert spliced.entries == splice.entries(new, whole, "expenses")


def _source(text: str) -> SourceFile:
    return SourceFile(FILE, text.encode())


def test_check_file_with_the_previous_outcome_is_the_same_as_without(monkeypatch):
    """Through the per-file stages: the same data, findings and invalid entries,
    also when the edit makes an entry break its schema."""
    monkeypatch.setattr(splice, "MIN_BYTES", 0)
    conf = read_settings((EXAMPLE / "program.yaml").read_bytes())
    text = (EXAMPLE / FILE).read_text(encoding="utf-8")
    previous = check_file(_source(text), conf, remember=True)
    assert previous.entries is not None and not previous.findings
    first = text.index("amount: ")
    for new, broken in ((text.replace("amount: ", "amount: 1", 1), False),
                        (text[:first] + text[first:].replace("amount: ", "amount: fifty", 1), True),
                        (text + "  - id: extra\n", True)):  # a new entry missing its fields
        again = check_file(_source(new), conf, previous=previous, remember=True)
        whole = check_file(_source(new), conf)
        assert (again.data, again.findings, again.invalid) == (whole.data, whole.findings, whole.invalid)
        assert bool(whole.findings) == broken and bool(whole.invalid) == broken
        document, _ = load_one(_source(new), EXPENSES, 32, (previous.data, previous.entries))
        assert document is not None and document.fresh is not None and len(document.fresh) == 1


@pytest.mark.parametrize("head", [
    'note: "one\nexpenses:\n  - id: exp-0\n"\n',   # a multi-line double-quoted scalar
    "note: 'one\nexpenses:\n  - id: exp-0\n'\n",   # single-quoted
    "note: [one,\nexpenses:\n  - id: exp-0\n]\n",  # a flow sequence
    "note: {a: 1,\nexpenses:\n  - id: exp-0\n}\n",
])
def test_head_that_is_not_plain_is_refused(head: str):
    """``expenses:`` at column 0 inside a multi-line construct of the head is
    not the list's key: splice must not cut there (it would record a layout
    that a whole parse does not have)."""
    text = head + BASE.split("\n", 1)[1]
    assert splice.cut(text, "expenses") is None
    assert splice.entries(text, {"note": "x", "expenses": [{}, {}, {}]}, "expenses") is None


def test_plain_head_is_still_cut():
    text = "# March\nproject: erp-2 # the ERP\nnote: plain words here\n\n" + BASE.split("\n", 1)[1]
    head, chunks = splice.cut(text, "expenses")
    assert head.startswith("# March") and len(chunks) == 3
