"""The flat list fast path gives exactly what the event parser gives, or declines.

``flat.list_file`` may return ``UNUSUAL`` whenever it likes; when it answers,
its value must be ``plain_record``'s, with the same types (``True == 1`` and
``Decimal("1") == 1`` in Python, so the comparison is by type as well).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pmkit.ingest.loader import flat
from pmkit.ingest.loader.yaml12 import FLAT_MIN_CHARS, UNUSUAL, parse_text, plain_record

TYPICAL = """\
# Expenses of March
expenses:
  - id: exp-000001
    date: 2024-01-02
    project: warehouse-modernization-0293
    category: cloud
    amount: 991.52
    vendor: fabrikam-consulting-093
    invoice: INV-00001
    description: Cloud hosting (EU), R&D / ops
  # a comment between entries

  - id: exp-000002
    date: 2024-01-02
    amount: -19116
    refund_of: exp-000001
    description: Café – remboursé 50%
"""


def typed(value: Any) -> Any:
    """``value`` with the type of every scalar beside it."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return type(value).__name__, value


def test_the_usual_layout_takes_the_fast_path_with_the_parser_s_values():
    value = flat.list_file(TYPICAL, 32)
    assert value is not UNUSUAL
    assert typed(value) == typed(plain_record(TYPICAL, 32))
    first, second = value["expenses"]
    assert first["amount"] == Decimal("991.52") and type(second["amount"]) is int
    assert first["description"] == "Cloud hosting (EU), R&D / ops"
    assert second["description"] == "Café – remboursé 50%"


def test_a_large_file_is_parsed_by_the_fast_path_through_parse_text(monkeypatch):
    text = TYPICAL + "".join(f"  - id: exp-{i:06d}\n    amount: {i}.25\n" for i in range(3, 6000))
    assert len(text) >= FLAT_MIN_CHARS
    calls: list[object] = []
    real = flat.list_file
    monkeypatch.setattr(flat, "list_file", lambda *a: calls.append(real(*a)) or calls[-1])
    quick = parse_text("budget/expenses/2024-03.yaml", text, 32, want_positions=False)
    assert calls and calls[0] is not UNUSUAL
    assert typed(quick.value) == typed(parse_text("x.yaml", text, 32).value)  # the full parser, with positions


# Declined: each would parse differently (or fail) in YAML, so the parser must decide.
DECLINED = {
    "quoted value": 'expenses:\n  - id: "a"\n',
    "comment after a value": "expenses:\n  - id: a # note\n",
    "value continued on the next line": "expenses:\n  - id: a\n    description: two\n      lines\n",
    "nested mapping": "expenses:\n  - id: a\n    meta:\n      x: 1\n",
    "key at another indent": "expenses:\n  - id: a\n     date: 2024-01-02\n",
    "duplicate key": "expenses:\n  - id: a\n    id: b\n",
    "second top-level key": "expenses:\n  - id: a\nother: 1\n",
    "document marker": "---\nexpenses:\n  - id: a\n",
    "CRLF": "expenses:\r\n  - id: a\r\n",
    "NEL in a comment": "# x\x85y: 1\nexpenses:\n  - id: a\n",
    "control character": "expenses:\n  - id: a\x07\n",
    "tab": "expenses:\n  - id:\ta\n",
    "trailing space": "expenses:\n  - id: a \n",
    "anchor": "expenses:\n  - id: &x a\n",
    "flow list": "expenses:\n  - id: [a]\n",
    "empty list": "expenses:\n",
    "entry without a key": "expenses:\n  - a\n",
}


def test_anything_outside_the_layout_is_left_to_the_parser():
    for why, text in DECLINED.items():
        assert flat.list_file(text, 32) is UNUSUAL, why


KEYS = st.sampled_from(["id", "date", "amount", "true", "null", "a_b", "x1", "_"])
PIECES = st.sampled_from([
    "a", "Z9", "exp-000001", "2024-01-02", "12", "-3", "+4", "0.50", "1e3", "-.5", ".inf", ".nan", "0o17", "0x1F",
    "true", "False", "NULL", "~", "null", "yes", "1_000", "é", "–", "😀", "\xa0", "\ufeff", "\u2028", "\x85", "\x7f",
    " ", "  ", "\t", ": ", ":", " #", "#", "'", '"', "-", "- ", "?", "[", "]", "{", "}", ",", "&", "*", "!", "|",
    ">", "%", "@", "`", "\\", "(", ")", "/", "=", ";", "$", "^", "<", "~", ".",
])
VALUES = st.lists(PIECES, min_size=0, max_size=5).map("".join)
LINES = st.one_of(
    st.tuples(st.sampled_from(["  - ", "    ", "   ", "     ", "- ", "  "]), KEYS, st.sampled_from([": ", ":"]), VALUES)
    .map("".join),
    st.sampled_from(["", "  # note", "# x", "   ", "---", "...", "  -", "\t", "  - a"]),
)


SAFE_PIECES = st.sampled_from(["a", "Z9", "exp-1", "2024-01-02", "12", "-3", "0.50", "1e3", "true", "null", " ", "é",
                               "(x)", "R&D", "50%", "a/b", "x,y", "it's", "1.5"])
SAFE_VALUES = st.lists(SAFE_PIECES, min_size=1, max_size=4).map("".join).map(str.strip).filter(bool)
ENTRY_VALUES = st.one_of(*[SAFE_VALUES] * 40, VALUES)
FIELDS = st.lists(st.tuples(KEYS, ENTRY_VALUES), min_size=1, max_size=4, unique_by=lambda field: field[0])
ENTRIES = st.lists(FIELDS, min_size=1, max_size=5)


@settings(max_examples=1500, deadline=None)
@given(ENTRIES, st.sampled_from([0, 2, 4]), st.lists(st.tuples(st.integers(0, 30), LINES), max_size=2))
def test_random_entries_parse_as_the_parser_says(entries, indent, strays):
    """Mostly the layout itself, with a stray line now and then."""
    lines = []
    for fields in entries:
        for i, (key, value) in enumerate(fields):
            lines.append(" " * indent + ("- " if i == 0 else "  ") + f"{key}: {value}")
    for at, line in strays:
        lines.insert(min(at, len(lines)), line)
    text = "expenses:\n" + "\n".join(lines) + "\n"
    value = flat.list_file(text, 32)
    if value is not UNUSUAL:
        expected = plain_record(text, 32)
        assert expected is not UNUSUAL, "accepted a file the parser refuses"
        assert typed(value) == typed(expected)


@settings(max_examples=600, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=12), st.sampled_from(["expenses:\n", "# head\nexpenses:\n", "x: 1\n"]),
       st.sampled_from(["\n", "\r\n"]), st.booleans())
@example(["  - id: a", "    date: 2024-01-02"], "expenses:\n", "\n", True)
def test_random_files_parse_as_the_parser_says(lines, head, newline, final_newline):
    text = head + newline.join(lines) + (newline if final_newline else "")
    value = flat.list_file(text, 32)
    if value is not UNUSUAL:
        expected = plain_record(text, 32)
        assert expected is not UNUSUAL, "accepted a file the parser refuses"
        assert typed(value) == typed(expected)


CORPUS = sorted({*Path(__file__).parent.rglob("*.yaml"), *(Path(__file__).parent.parent / "program").rglob("*.yaml")})


def test_on_the_whole_test_corpus_the_fast_path_agrees_with_the_parser():
    """SPEC §9: a faster parser only with a differential test on the whole corpus.

    Every YAML file of the tests and the example program, whatever its size
    (the loader tries the fast path only from FLAT_MIN_CHARS on)."""
    taken = 0
    for path in CORPUS:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # an encoding fixture: never reaches a parser
        value = flat.list_file(text, 32)
        if value is not UNUSUAL:
            taken += 1
            assert typed(value) == typed(plain_record(text, 32)), path
    assert len(CORPUS) > 100 and taken >= 5, (len(CORPUS), taken)
