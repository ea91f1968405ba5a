"""Text-level YAML edits that keep every untouched byte: new entries are
appended in the file's own indentation style, a value is replaced in place.

ruamel.yaml's round trip re-indents lists and re-wraps folded text of files
it did not need to change, so the diff of an edit would carry lines the
person did not edit; here only the lines that carry the new data change,
guided by the loader's positions, and the whole program is validated after.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

from pmkit.ingest.loader.yaml12 import parse

MONEY = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")  # no leading zero: 010 is octal 8 to YAML 1.1
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.,()'/&+@%–—-]*$")
#: Plain words other YAML readers (YAML 1.1: PyYAML, many editors) take for
#: booleans or null, and number- or date-like text: always quoted.
_AMBIGUOUS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_NUMBERISH = re.compile(r"^[-+.]?[0-9][0-9_:.eE+-]*$")


class TextProblem(Exception):
    """The file's layout is one these edits do not handle; nothing is changed."""


def scalar(value: Any) -> str:
    """A YAML 1.2 core scalar that reads back as exactly ``value``.

    Text is written plain when it reads back as the same text, else quoted
    (``no``, ``1.10``, ``2026-01``, ``null``, ``true``, ``007`` ...).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    text = str(value)
    if text.lower() in _AMBIGUOUS or _NUMBERISH.match(text):
        return json.dumps(text, ensure_ascii=False)
    if text and _PLAIN_SAFE.match(text) and not text.endswith(" ") and ": " not in text and " #" not in text:
        try:
            if parse("probe", f"k: {text}\n".encode()).value == {"k": text}:
                return text
        except Exception:  # noqa: BLE001 - anything odd is quoted
            pass
    return json.dumps(text, ensure_ascii=False)


def money(text: str) -> str:
    """Money exactly as given (digits, optional sign and decimals), never through float."""
    text = text.strip()
    if not MONEY.match(text):
        raise ValueError(f"{text!r} is not an amount (digits with an optional - and decimals, no leading zero, "
                         "e.g. 1234.56)")
    return text


def typed(text: str) -> Any:
    """A --set value as YAML 1.2 core would read it (numbers, booleans, text)."""
    try:
        value = parse("set", f"k: {text}\n".encode()).value
    except Exception:  # noqa: BLE001
        return text
    got = value.get("k") if isinstance(value, dict) else None
    if isinstance(got, (int, Decimal, bool)):
        return got
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def entry_lines(fields: list[tuple[str, str]], indent: int) -> list[str]:
    """``- k: v`` lines of one entry; values are already YAML text."""
    pad = " " * indent
    return [f"{pad}- {k}: {v}\n" if i == 0 else f"{pad}  {k}: {v}\n" for i, (k, v) in enumerate(fields)]


def append_entry(text: str, list_path: tuple[Any, ...], fields: list[tuple[str, str]]) -> str:
    """``text`` with one entry appended to the block list at ``list_path``,
    checked by parsing: the result reads as the old data plus that entry."""
    new = _append_entry(text, list_path, fields)
    old_value, new_value = parse("old", text.encode()).value, _parsed(new)
    try:
        entries = _get(new_value, list_path)
        added = entries[-1]
    except (KeyError, IndexError, TypeError):
        raise TextProblem("the entry could not be added in this file's layout") from None
    expected = copy.deepcopy(old_value) if old_value is not None else {}
    _put(expected, list_path, [*(_get_or(expected, list_path) or []), added])
    if expected != new_value or not isinstance(added, dict) or list(added) != [k for k, _ in fields]:
        raise TextProblem("the entry could not be added in this file's layout")
    return new


def _append_entry(text: str, list_path: tuple[Any, ...], fields: list[tuple[str, str]]) -> str:
    """``text`` with one entry appended to the block list at ``list_path``.

    A missing list is added (as the last field of its parent);
    ``key: []`` becomes ``key:`` with the entry under it.
    """
    parsed = parse("edit", text.encode())
    lines = _lines(text)
    position = parsed.positions.get(list_path)
    if position is None and len(list_path) > 1:
        return _add_list_field(parsed, lines, list_path, fields)
    if position is None:
        gap = ["\n"] if lines and lines[-1].strip() else []
        return "".join([*lines, *gap, f"{list_path[0]}:\n", *entry_lines(fields, 2)])
    key_line, key_col, value_line, value_col = position
    key_indent = key_col - 1
    value = _get(parsed.value, list_path)
    if not isinstance(value, list):
        raise TextProblem(f"`{list_path[-1]}` is not a list")
    if not value:
        line = lines[key_line - 1]
        if line[value_col - 1:].split("#")[0].strip() != "[]":
            raise TextProblem(f"`{list_path[-1]}` is written in a layout pmkit does not edit")
        lines[key_line - 1] = line[:value_col - 1].rstrip() + "\n"
        return "".join([*lines[:key_line], *entry_lines(fields, key_indent + 2), *lines[key_line:]])
    first_line, first_col = parsed.positions[(*list_path, 0)][:2]
    if first_line == key_line or lines[first_line - 1][first_col - 3:first_col - 1] != "- ":
        raise TextProblem(f"`{list_path[-1]}` is written in a layout pmkit does not edit (a flow list?)")
    dash_indent = first_col - 3
    blank = len(value) > 1 and not lines[parsed.positions[(*list_path, 1)][0] - 2].strip()
    last = key_line
    for number in range(key_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if not _content(line):
            if line.strip() and _indent(line) > key_indent:
                last = number  # a comment inside the list
            continue
        inside = _indent(line) > key_indent or (_indent(line) == dash_indent and line.lstrip().startswith("- "))
        if not inside:
            break
        last = number
    body = entry_lines(fields, dash_indent)
    return "".join([*lines[:last], *(["\n"] if blank else []), *body, *lines[last:]])


def set_field(text: str, entry_path: tuple[Any, ...], key: str, value: str) -> str:
    """``text`` with ``key: value`` set in the mapping at ``entry_path``,
    checked by parsing: the result reads as the old data with that value."""
    new = _set_field(text, entry_path, key, value)
    expected = copy.deepcopy(parse("old", text.encode()).value)
    _get(expected, entry_path)[key] = _parsed(f"k: {value}\n")["k"]
    if _parsed(new) != expected:
        raise TextProblem(f"`{key}` could not be set in this file's layout")
    return new


def _parsed(text: str) -> Any:
    try:
        return parse("new", text.encode()).value
    except Exception as exc:  # noqa: BLE001 - the edit broke the file: refuse it
        raise TextProblem("the edit would not parse") from exc


def _get_or(data: Any, path: tuple[Any, ...]) -> Any:
    try:
        return _get(data, path)
    except (KeyError, IndexError, TypeError):
        return None


def _put(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def _set_field(text: str, entry_path: tuple[Any, ...], key: str, value: str) -> str:
    """The value replaced on its line, or a new line after the entry's last line."""
    parsed = parse("edit", text.encode())
    lines = _lines(text)
    entry = _get(parsed.value, entry_path)
    if not isinstance(entry, dict):
        raise TextProblem("not a mapping")
    if key in entry:
        if isinstance(entry[key], (dict, list)):
            raise TextProblem(f"`{key}` is not a single value")
        _, _, line_no, col = parsed.positions[(*entry_path, key)]
        line = lines[line_no - 1]
        match = re.match(r"^(\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^#\n]*?)(\s+#.*)?(\n)?$", line[col - 1:])
        if not match:
            raise TextProblem(f"`{key}` is written in a layout pmkit does not edit")
        lines[line_no - 1] = line[:col - 1] + value + (match.group(2) or "") + (match.group(3) or "")
        return "".join(lines)
    last_line, field_col = _entry_end(parsed, lines, entry_path)
    new = " " * (field_col - 1) + f"{key}: {value}\n"
    return "".join([*lines[:last_line], new, *lines[last_line:]])


def _entry_end(parsed: Any, lines: list[str], entry_path: tuple[Any, ...]) -> tuple[int, int]:
    """The last line of the mapping at ``entry_path`` and the column of its keys."""
    entry = _get(parsed.value, entry_path)
    if not isinstance(entry, dict) or not entry:
        raise TextProblem("not a mapping pmkit can add to")
    field_col = parsed.positions[(*entry_path, next(iter(entry)))][1]
    last_line = max(p[2] for path, p in parsed.positions.items() if path[:len(entry_path)] == entry_path)
    # a multi-line value (folded text) goes on while lines are deeper than the field
    while last_line < len(lines) and lines[last_line].strip() and _indent(lines[last_line]) > field_col - 1:
        last_line += 1
    return last_line, field_col


def _add_list_field(parsed: Any, lines: list[str], list_path: tuple[Any, ...], fields: list[tuple[str, str]]) -> str:
    """A new ``key:`` list with one entry, as the last field of its parent mapping."""
    last_line, field_col = _entry_end(parsed, lines, list_path[:-1])
    head = " " * (field_col - 1) + f"{list_path[-1]}:\n"
    body = entry_lines(fields, field_col + 1)
    return "".join([*lines[:last_line], head, *body, *lines[last_line:]])


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data
