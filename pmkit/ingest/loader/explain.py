"""Plain words for the YAML syntax errors people make most by hand.

libyaml names the grammar rule that failed ("did not find expected '-'
indicator", "mapping values are not allowed in this context"); a program
manager needs to hear that a line is indented wrongly, and which. Here the
lines around libyaml's position are read again: when they show an
over-indented key, an under-indented key or `key:value` without a space,
``explain`` returns the line, column, message and hint to report instead.
Anything it does not recognise returns None and libyaml's words are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `  - key: ...`, `key:`, `key: value`: the dashes of list items, then a plain key.
_KEY_LINE = re.compile(r"^( *)((?:- +)*)([A-Za-z0-9_][A-Za-z0-9_.-]*):(?: |$)")
# `key:value` with no space after the colon (a plain scalar to YAML).
_NO_SPACE = re.compile(r"^( *)((?:- +)*)([A-Za-z_][A-Za-z0-9_-]*):([^\s:/][^\s]*)\s*(?:#.*)?$")


@dataclass(frozen=True)
class Explained:
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str


@dataclass(frozen=True)
class _Key:
    number: int  # 0-based line number
    key: str
    column: int  # 0-based column of the key (after any `- `)
    dash: int  # 0-based column where the line's content starts (a dash or the key)


def _key(lines: list[str], number: int) -> _Key | None:
    match = _KEY_LINE.match(lines[number])
    if match is None:
        return None
    return _Key(number, match.group(3), len(match.group(1)) + len(match.group(2)), len(match.group(1)))


def _content_before(lines: list[str], number: int) -> list[int]:
    """The numbers of the lines above ``number`` that hold something, nearest first."""
    return [n for n in range(number - 1, -1, -1) if lines[n].strip() and not lines[n].lstrip().startswith("#")]


def explain(problem: str, lines: list[str], line: int, column: int,
            context_line: int | None) -> Explained | None:
    """A plain explanation of a syntax error at 0-based ``line``/``column``, if one fits."""
    if "could not find expected ':'" in problem and context_line is not None:
        return _no_space(lines, context_line)
    if line >= len(lines):
        return None
    here = _key(lines, line)
    if here is None:
        return None
    at_key = column == here.column
    after_key = column == here.column + len(here.key)
    if "mapping values are not allowed" in problem and after_key or "did not find expected key" in problem and at_key:
        above = _over(lines, here)
        if above is not None:
            return above
    if ("did not find expected '-' indicator" in problem or "did not find expected key" in problem) and at_key:
        return _under(lines, here)
    return None


def _over(lines: list[str], here: _Key) -> Explained | None:
    before = _content_before(lines, here.number)
    if not before:
        return None
    above = _key(lines, before[0])
    if above is None or here.column <= above.column:
        return None
    return Explained(
        here.number + 1, here.column + 1,
        f"the indentation is off: `{here.key}` (column {here.column + 1}) is indented more than "
        f"`{above.key}` on line {above.number + 1} (column {above.column + 1}), so YAML reads it "
        f"as part of `{above.key}`'s value",
        f"start `{here.key}` in column {above.column + 1}, like `{above.key}`",
    )


def _under(lines: list[str], here: _Key) -> Explained | None:
    # The key it should line up with: among the lines above, back to the one
    # that opens the block it fell out of, the nearest key with the smallest
    # column to the right of this one.
    best: _Key | None = None
    for number in _content_before(lines, here.number):
        other = _key(lines, number)
        if other is None:
            continue
        if other.column > here.column and (best is None or other.column < best.column):
            best = other
        if other.dash < here.column or other.column <= here.column:
            break
    if best is None:
        return None
    return Explained(
        here.number + 1, here.column + 1,
        f"the indentation is off: `{here.key}` (column {here.column + 1}) is indented less than "
        f"`{best.key}` on line {best.number + 1} (column {best.column + 1}), so it falls out of "
        f"the block it belongs to",
        f"fields of one record or list item start in the same column: start `{here.key}` in "
        f"column {best.column + 1}, like `{best.key}`",
    )


def _no_space(lines: list[str], number: int) -> Explained | None:
    if number >= len(lines):
        return None
    match = _NO_SPACE.match(lines[number])
    if match is None:
        return None
    key, value = match.group(3), match.group(4)
    column = len(match.group(1)) + len(match.group(2))
    return Explained(
        number + 1, column + 1,
        f"`{key}:{value}` needs a space after the colon: without one YAML reads it as "
        f"text, not as the field `{key}`",
        f"write `{key}: {value}`",
    )
