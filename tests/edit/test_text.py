"""Text-level edits in the file's own layout: exact expected bytes."""

from __future__ import annotations

import pytest

from pmkit.app.edit.text import TextProblem, append_entry, money, scalar, set_field

ENTRY = [("id", "b"), ("amount", "2.50")]


@pytest.mark.parametrize("before,after", [
    # entries at column 0, no blank line between them, no final newline
    ("x:\n- id: a\n  amount: 1", "x:\n- id: a\n  amount: 1\n- id: b\n  amount: 2.50\n"),
    # a blank line between entries, a comment for the next key stays with it
    ("x:\n  - id: a\n\n  - id: c\n\n# next\ny: 1\n",
     "x:\n  - id: a\n\n  - id: c\n\n  - id: b\n    amount: 2.50\n\n# next\ny: 1\n"),
    # a comment inside the last entry stays in it
    ("x:\n  - id: a\n    # note\ny: 1\n", "x:\n  - id: a\n    # note\n  - id: b\n    amount: 2.50\ny: 1\n"),
    # an empty flow list becomes a block list
    ("# head\nx: []  # none yet\n", "# head\nx:\n  - id: b\n    amount: 2.50\n"),
    # a missing list is added at the end
    ("y: 1\n", "y: 1\n\nx:\n  - id: b\n    amount: 2.50\n"),
])
def test_append_entry_follows_the_layout(before: str, after: str) -> None:
    assert append_entry(before, ("x",), ENTRY) == after


def test_a_flow_list_is_refused() -> None:
    with pytest.raises(TextProblem):
        append_entry("x: [{id: a}]\n", ("x",), ENTRY)


def test_set_field_replaces_the_value_and_keeps_a_comment() -> None:
    text = "t:\n  - id: a\n    progress: 10  # estimate\n  - id: b\n"
    assert set_field(text, ("t", 0), "progress", "40") == "t:\n  - id: a\n    progress: 40  # estimate\n  - id: b\n"


def test_set_field_adds_a_line_after_folded_text() -> None:
    text = "m:\n  - id: a\n    title: >-\n      long\n      title\n  - id: b\n"
    assert set_field(text, ("m", 0), "done", "2026-10-30") == \
        "m:\n  - id: a\n    title: >-\n      long\n      title\n    done: 2026-10-30\n  - id: b\n"


@pytest.mark.parametrize("text", ["no", "1.10", "2026-01", "null", "true", "007", "Yes", "~", "a: b", "x #y", ""])
def test_text_yaml_would_misread_is_quoted(text: str) -> None:
    assert scalar(text).startswith('"')


def test_money_is_written_as_given() -> None:
    assert money("1234.50") == "1234.50"
    for bad in ("1,234.50", "1e3", "12.", "$5", "nan", "007", "+5", "1 000"):
        with pytest.raises(ValueError):
            money(bad)
