"""Keep private fields out of the published findings.

The model carries no private field (pmkit.domain.model), so no page can show one;
but a finding's message may quote the value it is about ("email text `...` is
not an e-mail address"), and the data-quality page publishes findings. Before
that, :func:`redact` replaces every private value of the program (found by the
schemas' ``x-pmkit-private`` mark, :func:`pmkit.ingest.schema.private_paths`) in the
messages and hints, and withholds the message of a finding that points at a
line holding a private field.

What cannot be proved public is not printed: a finding of the YAML layer in
a file of a kind with private fields (the file may not parse, so where its
private values are is not known) keeps its code and position, and its
message is withheld. Every file is read through the guarded
``DirectorySource`` (no pipe, device, link out of the program or file over
the size bound), as validation reads it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pmkit.core.codes import registered
from pmkit.core.findings import Finding
from pmkit.core.kinds import KINDS, Kind, kind_of
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.schema import private_paths
from pmkit.ingest.source import DEFAULT_MAX_BYTES, DirectorySource

REDACTED = "[private]"
WITHHELD = "a private field has a problem; the details are not published (run `pmkit validate`)"
#: Shorter values (a one-digit rate) are not replaced inside messages: they would
#: mangle unrelated numbers. The line rule below still withholds such a message.
MIN_LENGTH = 3


@cache
def private_keys(kind: Kind) -> frozenset[str]:
    """The field names that are private somewhere in a kind (``email``, ``notes``...)."""
    return frozenset(path[-1] for path in private_paths(kind))


def _values_at(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for item in node:
                yield from _values_at(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from _values_at(node[head], rest)


def _leaves(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    elif node is not None and not isinstance(node, bool):
        yield str(node)


def _lexical(text: str, keys: frozenset[str]) -> tuple[set[str], set[int]]:
    """Values and line numbers of private keys, read line by line: this works on
    files that do not parse, whose values the validator may still quote."""
    pattern = re.compile(r"^(\s*)(?:-\s+)?(" + "|".join(map(re.escape, sorted(keys))) + r")\s*:(.*)$")
    values: set[str] = set()
    lines: set[int] = set()
    rows = text.splitlines()
    i = 0
    while i < len(rows):
        match = pattern.match(rows[i])
        i += 1
        if not match:
            continue
        lines.add(i)
        indent = len(match.group(1))
        value = match.group(3).strip().strip("'\"")
        if value and value not in (">", "|", ">-", "|-", ">+", "|+"):
            values.add(value)
        while i < len(rows) and (not rows[i].strip() or len(rows[i]) - len(rows[i].lstrip()) > indent + 2):
            if rows[i].strip():
                lines.add(i + 1)
                values.add(rows[i].strip())
            i += 1
    return values, lines


@dataclasses.dataclass
class PrivateData:
    values: set[str]
    lines: dict[str, set[int]]  # file -> lines holding a private field


def collect(root: Path, files: Iterable[str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> PrivateData:
    """Every private value in the record files of a program directory."""
    found = PrivateData(set(), {})
    private_kinds = {k.name for k in KINDS if private_paths(k)}
    source = DirectorySource(root, max_bytes)
    paths = files if files is not None else source.names()
    for rel in paths:
        kind = kind_of(rel)
        if kind is None or kind.name not in private_kinds:
            continue
        read = source.read(rel)  # None: a pipe, a device, a link out, too large (validation reports it)
        if read is None:
            continue
        _add(found, rel, kind, read.data)
    return found


def private_kinds() -> list[str]:
    """The kinds with a private field somewhere."""
    return [k.name for k in KINDS if private_paths(k)]


def collect_files(files: Iterable[tuple[str, bytes]],
                  memo: dict[tuple[str, bytes], PrivateData] | None = None,
                  parsed: Mapping[str, Any] | None = None) -> PrivateData:
    """Every private value in (program-relative path, bytes) pairs: a git revision's files.
    ``memo`` keeps each file's part, for another revision with the same file (``pmkit diff``);
    ``parsed``: the files' data as validation parsed them (path -> data), not parsed again."""
    found = PrivateData(set(), {})
    private_kinds = {k.name for k in KINDS if private_paths(k)}
    for rel, data in files:
        kind = kind_of(rel)
        if kind is None or kind.name not in private_kinds:
            continue
        known = (parsed or {}).get(rel)
        if memo is None:
            _add(found, rel, kind, data, known)
            continue
        if (rel, data) not in memo:
            memo[(rel, data)] = PrivateData(set(), {})
            _add(memo[(rel, data)], rel, kind, data, known)
        part = memo[(rel, data)]
        found.values |= part.values
        found.lines[rel] = part.lines[rel]
    return found


def _add(found: PrivateData, rel: str, kind: Kind, data: bytes, parsed: Any = None) -> None:
    keys = private_keys(kind)
    text = data.decode("utf-8", errors="replace")
    values, lines = _lexical(text, keys)
    found.values |= values
    found.lines[rel] = lines
    if parsed is None:
        try:
            parsed = parse(rel, data).value
        except Exception:  # noqa: BLE001  (a broken file: the lexical pass covers it)
            parsed = None
    for path in private_paths(kind):
        for value in _values_at(parsed, path):
            found.values.update(_leaves(value))


def redact(findings: Iterable[Finding], private: PrivateData) -> list[Finding]:
    found = list(findings)
    withheld = [finding.line in private.lines.get(finding.file, ()) or _unproven(finding) for finding in found]
    scrub = _scrubber(private.values, [text for f, hide in zip(found, withheld) if not hide
                                       for text in (f.message, f.hint or "")])
    return [dataclasses.replace(f, message=WITHHELD, hint=None) if hide else
            dataclasses.replace(f, message=scrub(f.message), hint=f.hint and scrub(f.hint))
            for f, hide in zip(found, withheld)]


#: Above this many characters scanned (the texts' length times the values), one
#: pattern of every value is compiled instead of looking for each value first.
SCAN_BOUND = 20_000_000


def _scrubber(values: Iterable[str], texts: list[str]) -> Callable[[str], str]:
    """What replaces every private value in a text. The pattern holds only the
    values found in ``texts``: compiling an alternation of thousands (a large
    program's rates and notes) took most of a second, and a value found in
    none of the texts cannot match in any of them."""
    wanted = [v for v in values if len(v) >= MIN_LENGTH]
    blob = "\0".join(texts)
    if not blob or not wanted:
        return lambda text: text
    if len(blob) * len(wanted) <= SCAN_BOUND:
        wanted = [v for v in wanted if v in blob]
        if not wanted:
            return lambda text: text
    pattern = re.compile("|".join(map(re.escape, sorted(wanted, key=len, reverse=True))))
    return lambda text: pattern.sub(REDACTED, text)


def _unproven(finding: Finding) -> bool:
    """A YAML-layer finding in a file of a kind with private fields: it may
    quote raw text of a file that did not parse, wherever its private values are."""
    kind = kind_of(finding.file)
    return kind is not None and bool(private_paths(kind)) and finding.code in _yaml_codes()


@cache
def _yaml_codes() -> frozenset[str]:
    from pmkit.ingest.loader import yaml12  # noqa: F401  (declares the YAML codes)
    from pmkit.ingest import source  # noqa: F401

    return frozenset(code.id for code in registered() if code.layer == "yaml")
