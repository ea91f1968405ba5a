"""A fast path for the one layout that holds most of a large program's bytes.

An expense file is 30,000 entries of one-line fields::

    expenses:
      - id: exp-000001
        date: 2024-01-02
        amount: 991.52
        description: Cloud hosting

Through libyaml's events each entry costs about 28 µs, most of it in
creating event objects, so the 500,000 expenses at SPEC §9 scale took 12 s
of one core. Here the lines are matched by one regular expression instead,
and each distinct value is resolved once (``resolve_plain``, the parser's own
rule), so the value is the same as ``yaml12.plain_record`` gives.

It is the same only because the layout is narrow: one top-level key, then
entries that are flat mappings of ``key: plain scalar`` lines at the two
fixed indents, comments and blank lines. A value is accepted only when it is
unambiguously a one-line plain scalar (no ``: ``, ``#``, quote, flow or block
indicator, leading or trailing space, tab, or character libyaml treats as a
line break). Anything else (a quoted string, a nested list, a duplicate key,
``---``, CRLF, an anchor) returns ``UNUSUAL``, and the file is parsed as
before. ``tests/test_loader_flat.py`` checks the equality on random files.
"""

from __future__ import annotations

import re
from typing import Any

from pmkit.ingest.loader.yaml12 import UNUSUAL, resolve_plain

# Characters of a plain scalar that are safe anywhere after its first: no
# space (see _VALUE), no indicator that could end or change the scalar (: #),
# nothing libyaml reads as a line break (\x85, \u2028, \u2029) or refuses as
# unprintable (controls, surrogates, \ufeff).
_UNICODE = r"\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_SAFE = rf"A-Za-z0-9._/()+,'&;=%@!*?~$<>^`|\[\]{{}}\\\"{_UNICODE}-"
# The first character: none of YAML's indicators (- ? : , [ ] { } # & * ! | > ' " % @ `),
# except a minus sign before a letter or digit.
_FIRST = rf"(?:[A-Za-z0-9._/()+;=~$<^\\{_UNICODE}]|-[A-Za-z0-9.])"
# Inner single spaces and runs of spaces are kept by YAML; trailing ones are not (so refused).
_VALUE = rf"{_FIRST}(?:[{_SAFE} ]*[{_SAFE}])?"
_KEY = r"[A-Za-z_][A-Za-z0-9_]*"

#: The top-level key and the indent of the entries' dashes.
_HEAD = re.compile(rf"\A(?:[ ]*(?:#[^\n]*)?\n)*({_KEY}):\n(?:[ ]*(?:#[^\n]*)?\n)*( *)- ")
#: One line of the entries: (indent, dash, key, value), or all empty for a comment or blank line.
_LINE = re.compile(rf"^(?:( *)(- )?({_KEY}): ({_VALUE})|[ ]*(?:#[^\n\r\x85\u2028\u2029]*)?)\n", re.MULTILINE)
#: Anything libyaml reads as a line break besides \n, or refuses as unprintable.
_REFUSED = re.compile("[\r\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def list_file(text: str, max_depth: int) -> Any:
    """``{key: [entries]}`` for a file in the flat list layout, else ``UNUSUAL``."""
    head = _HEAD.match(text)
    if head is None or max_depth < 3 or _REFUSED.search(text):
        return UNUSUAL
    body = text[head.start(2):]
    if not body.endswith("\n"):
        body += "\n"
    lines = _LINE.findall(body)
    if len(lines) != body.count("\n"):  # a line that is none of the above
        return UNUSUAL
    return _entries(head.group(1), lines, len(head.group(2)))


def _entries(list_key: str, lines: list[tuple[str, str, str, str]], indent: int) -> Any:
    deeper = indent + 2
    items: list[dict[str, Any]] = []
    entry: dict[str, Any] = {}
    names: dict[str, str] = {}  # one string per distinct key, as plain_record
    values: dict[str, Any] = {}  # each distinct value text resolved once
    for spaces, dash, key, text in lines:
        if not key:
            continue  # a comment or a blank line
        if dash:
            if len(spaces) != indent:
                return UNUSUAL
            entry = {}
            items.append(entry)
        elif len(spaces) != deeper or not items:
            return UNUSUAL
        name = names.setdefault(key, key)
        if name in entry:
            return UNUSUAL  # a duplicate key: the parser reports it
        value = values.get(text, UNUSUAL)
        if value is UNUSUAL:
            value = values[text] = resolve_plain(text)
        entry[name] = value
    return {list_key: items} if items else UNUSUAL
