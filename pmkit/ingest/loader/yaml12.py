"""Safe YAML 1.2 (core schema) parsing with positions, on PyYAML's C parser.

Why not ``yaml.safe_load``: PyYAML resolves YAML 1.1 (``NO`` → False,
``2026-01-05`` → date, ``0.1`` → binary float), silently keeps the last of two
duplicate keys, expands aliases without bound and recurses on deep nesting.
Here we drive libyaml's event stream ourselves: one flat loop with an explicit
stack, so every one of those becomes a finding with a position instead.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from collections.abc import Callable
from typing import Any

import yaml

from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.ingest.loader.explain import explain

try:  # the C parser; the pure one gives the same events, only slower
    from yaml._yaml import CParser as _Parser

    _BYTE_OFFSETS = True  # libyaml reports reader errors at a UTF-8 byte offset
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import Loader as _Parser  # type: ignore[assignment]

    _BYTE_OFFSETS = False

SYNTAX = Code(
    "yaml-syntax", Severity.ERROR, "yaml",
    "The file is not valid YAML: the parser stopped at the position shown. "
    "Common causes are tabs used for indentation, a value containing `: ` that "
    "needs quotes, or a list item indented differently from its siblings.",
)
DUPLICATE_KEY = Code(
    "duplicate-key", Severity.ERROR, "yaml",
    "The same key appears twice in one mapping. Most YAML tools silently keep "
    "the last one, so a reviewer sees a value that is not the one used; pmkit "
    "refuses both. Delete or rename one of them.",
)
ALIAS = Code(
    "yaml-alias", Severity.ERROR, "yaml",
    "Anchors (`&name`) and aliases (`*name`) are not allowed: they hide the "
    "real value from a reviewer reading the diff, and a small file can expand "
    "without bound. Write the value out in full.",
)
TAG = Code(
    "yaml-tag", Severity.ERROR, "yaml",
    "A tag other than YAML's core ones (`!!str`, `!!int`, `!!float`, `!!bool`, "
    "`!!null`, `!!map`, `!!seq`), such as `!!python/object`. pmkit never builds "
    "objects from tags; remove the tag.",
)
ENCODING = Code(
    "not-utf8", Severity.ERROR, "yaml",
    "The file is not valid UTF-8 text. Save it as UTF-8 (a UTF-8 byte order "
    "mark is accepted).",
)
TOO_DEEP = Code(
    "too-deep", Severity.ERROR, "yaml",
    "Mappings and lists are nested deeper than the bound (32 levels by default, "
    "`settings.max_depth` in program.yaml). No pmkit record needs more than a "
    "few levels; this is almost certainly a mistake or a hostile file.",
)
EMPTY = Code(
    "empty-file", Severity.ERROR, "yaml",
    "The file holds no YAML document. Delete it, or fill in the record.",
)
NOT_MAPPING = Code(
    "not-a-mapping", Severity.ERROR, "yaml",
    "The top level of a record file must be a mapping of field names to values "
    "(`name: ...`), not a list or a single value.",
)
MULTIPLE_DOCUMENTS = Code(
    "multiple-documents", Severity.ERROR, "yaml",
    "The file holds more than one YAML document (separated by `---`). Each "
    "record file holds exactly one.",
)

# YAML 1.2 core schema, for plain (unquoted) scalars only.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")

_NUMBER_START = frozenset("0123456789+-.")
_WORD_START = frozenset("~nNtTfF")
_WORDS: dict[str, Any] = {"~": None, "null": None, "Null": None, "NULL": None, **_BOOL}

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null")} | {"!"}
_COLLECTION_TAGS = {f"{_CORE}map", f"{_CORE}seq", "!"}

DEFAULT_MAX_DEPTH = 32
#: YAML-layer findings reported for one file before pmkit stops reading it.
MAX_FINDINGS_PER_FILE = 100

Path = tuple[str | int, ...]
#: path -> (key line, key column, value line, value column), all 1-based.
PositionTable = dict[Path, tuple[int, int, int, int]]


def resolve_plain(text: str) -> Any:
    """A plain scalar's value under the YAML 1.2 core schema.

    Numbers with a fraction or exponent become ``Decimal`` from their text, so
    money is exact.  ``.inf`` and ``.nan`` stay text: no pmkit field takes
    them, and text makes the schema say "not a number" at the right place.
    Dates stay text: YAML 1.2 has no timestamp type; schemas check them.
    """
    if not text:
        return None
    first = text[0]
    if first in _NUMBER_START:
        if _INT10.match(text):
            return _int(text, 10)
        if _FLOAT.match(text):
            return Decimal(text)
        if _INT8.match(text):
            return _int(text[2:], 8)
        if _INT16.match(text):
            return _int(text[2:], 16)
        return text
    if first in _WORD_START and text in _WORDS:
        return _WORDS[text]
    return text


def _int(digits: str, base: int) -> int | Decimal:
    """An integer, or the same number as a Decimal when it is too long for int.

    Python refuses to convert integers of more than a few thousand digits to
    and from text (``sys.get_int_max_str_digits``), so such a number, which
    no pmkit field takes anyway, would raise in every message that shows it.
    """
    limit = sys.get_int_max_str_digits() or len(digits) + 1
    if base == 10:
        return int(digits) if len(digits.lstrip("+-")) < limit else Decimal(digits)
    value = int(digits, base)  # no limit for power-of-two bases
    return value if value.bit_length() < 3 * limit else Decimal(value)


@dataclass
class Parsed:
    """The outcome of parsing one file: a value (None if it did not parse)."""

    value: Any = None
    positions: PositionTable = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    key: str | None = None  # pending key of a mapping, waiting for its value
    key_mark: tuple[int, int] = (1, 1)
    seen: dict[str, int] = field(default_factory=dict)  # key -> line


def decode(path: str, data: bytes) -> tuple[str | None, Finding | None]:
    """UTF-8 text of a file (BOM dropped), or a finding where decoding fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Everything before the first bad byte is valid: count characters in
        # it, as an editor does, not bytes.
        before = data[: exc.start].decode("utf-8")
        line, column = _line_column(before, len(before))
        byte = data[exc.start : exc.start + 1].hex()
        hint = None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "the file looks like UTF-16; save it as UTF-8"
        return None, Finding(
            path, line, column, ENCODING.id,
            f"byte 0x{byte} is not valid UTF-8", ENCODING.severity,
            hint or "save the file as UTF-8 in your editor",
        )
    nul = text.find("\0")
    if nul >= 0:  # valid UTF-8, but no text file holds NUL: UTF-16 without a byte order mark
        line, column = _line_column(text, nul)
        return None, Finding(
            path, line, column, ENCODING.id, "the file contains NUL bytes, so it is not UTF-8 text",
            ENCODING.severity, "the file looks like UTF-16 (or is not a text file); save it as UTF-8",
        )
    return text, None


def parse(path: str, data: bytes, max_depth: int = DEFAULT_MAX_DEPTH, want_positions: bool = True) -> Parsed:
    """Parse one YAML file into plain data, positions and findings."""
    text, problem = decode(path, data)
    if text is None:
        return Parsed(findings=[problem] if problem else [])
    return parse_text(path, text, max_depth, want_positions)


def parse_text(path: str, text: str, max_depth: int = DEFAULT_MAX_DEPTH, want_positions: bool = True) -> Parsed:
    """``parse`` of text already decoded."""
    if not want_positions:
        from pmkit.ingest.loader.flat import list_file  # it imports this module

        value = list_file(text, max_depth) if len(text) >= FLAT_MIN_CHARS else UNUSUAL
        if value is UNUSUAL:
            value = plain_record(text, max_depth)
        if value is not UNUSUAL:
            return Parsed(value=value)
    return _Builder(path, max_depth, want_positions).run(text)


UNUSUAL = object()

#: From this size on, a file is first tried in the flat list layout (``flat``):
#: below it the layout is rare and libyaml's events cost little.
FLAT_MIN_CHARS = 64 * 1024


def plain_record(text: str, max_depth: int) -> Any:
    """The value of an ordinary record file, or ``UNUSUAL``.

    The hot path for the ~all files that are fine: one flat loop without
    positions or findings. Anything out of the ordinary (an anchor, alias,
    tag, duplicate key, complex key, deep nesting, a second document, a
    syntax error, a top level that is not a mapping) returns ``UNUSUAL``,
    and ``_Builder`` parses the file again to say precisely what and where.
    tests/test_loader_paths.py checks both agree on every value.
    """
    parser = _Parser(text)
    next_event: Callable[[], Any] = parser.get_event  # events told apart by type identity, for speed
    scalar, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end, doc_start = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.DocumentStartEvent
    ends = (map_end, seq_end)
    quiet = (yaml.StreamStartEvent, yaml.DocumentEndEvent, yaml.StreamEndEvent)
    no_key = _NO_KEY
    containers: list[Any] = []
    keys: list[Any] = []  # the pending key of each open mapping (no_key: none yet)
    # One string object per distinct key: 30,000 expenses then share nine key
    # strings instead of holding 270,000, and pickles (cache, children) are
    # 30% smaller and faster.
    names: dict[str, str] = {}
    root: Any = UNUSUAL
    documents = 0
    try:
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is scalar or kind is map_start or kind is seq_start:
                if event.anchor is not None or event.tag is not None:
                    return UNUSUAL
                if kind is scalar:
                    value = resolve_plain(event.value) if event.implicit[0] else event.value
                elif len(containers) >= max_depth:
                    return UNUSUAL
                else:
                    value = {} if kind is map_start else []
                if not containers:
                    if kind is not map_start:
                        return UNUSUAL
                    root = value
                else:
                    parent = containers[-1]
                    if type(parent) is dict:
                        key = keys[-1]
                        if key is no_key:
                            if kind is not scalar or event.value in parent:
                                return UNUSUAL
                            keys[-1] = names.setdefault(event.value, event.value)
                            continue
                        parent[key] = value
                        keys[-1] = no_key
                    else:
                        parent.append(value)
                if kind is not scalar:
                    containers.append(value)
                    keys.append(no_key)
            elif kind in ends:
                containers.pop()
                keys.pop()
            elif kind is doc_start:
                documents += 1
                if documents > 1:
                    return UNUSUAL
            elif kind not in quiet:
                return UNUSUAL  # an alias
    except yaml.YAMLError:
        return UNUSUAL
    finally:
        parser.dispose()
    return root


_NO_KEY = object()


class _Builder:
    """Builds plain Python data from libyaml events, iteratively."""

    def __init__(self, path: str, max_depth: int, want_positions: bool) -> None:
        self.path = path
        self.max_depth = max_depth
        self.want_positions = want_positions
        self.result = Parsed()
        self.stack: list[_Frame] = []
        self.documents = 0
        self.root: Any = None

    def report(self, code: Code, mark: Any, message: str, hint: str | None = None) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.result.findings.append(Finding(self.path, line, column, code.id, message, code.severity, hint))

    def run(self, text: str) -> Parsed:
        parser = _Parser(text)
        try:
            while parser.check_event():
                if not self.handle(parser.get_event()):
                    break
                if len(self.result.findings) >= MAX_FINDINGS_PER_FILE:
                    self.stop_reading()
                    break
        except yaml.MarkedYAMLError as exc:
            self.syntax_error(exc, text)
            return self.result
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow
            self.reader_error(exc, text)
            return self.result
        except yaml.YAMLError as exc:  # pragma: no cover - libyaml raises only the above
            self.report(SYNTAX, None, f"YAML syntax error: {exc}")
            return self.result
        finally:
            parser.dispose()
        if self.documents == 0 and not self.result.findings:
            self.report(EMPTY, None, "the file is empty", "delete the file or fill in the record")
        elif self.documents == 1 and not self.result.findings and not isinstance(self.root, dict):
            found = "a list" if isinstance(self.root, list) else "a single value"
            self.report(
                NOT_MAPPING, None, f"the file holds {found}, but a record must be a mapping of fields",
                "write the fields at the top level, e.g. `name: ...`",
            )
        # A file with any YAML problem is not used at all: half a record (the
        # first of two duplicate keys, a truncated deep value) would give
        # numbers nobody wrote.
        if self.documents == 1 and isinstance(self.root, dict) and not self.result.findings:
            self.result.value = self.root
        return self.result

    def stop_reading(self) -> None:
        """Give up on a file that is problems all the way down.

        20 MB of `- *a` would otherwise be four million findings (and a CI
        log, or a JSON report, fifty times the size of the file).
        """
        last = self.result.findings[-1]
        self.result.findings.append(Finding(
            self.path, last.line, last.column, last.code,
            f"pmkit stopped reading the file here, after {MAX_FINDINGS_PER_FILE} problems",
            last.severity, "fix the problems above and run pmkit again",
        ))

    def syntax_error(self, exc: yaml.MarkedYAMLError, text: str) -> None:
        problem = exc.problem or "invalid YAML"
        mark = exc.problem_mark
        if "maximum nesting depth" in problem:  # libyaml's own bound (1000 levels)
            depth = min(self.max_depth, _LIBYAML_MAX_DEPTH)
            self.report(TOO_DEEP, mark, f"nesting deeper than {depth} levels",
                        "flatten the data; pmkit records need only a few levels")
            return
        if "tab" not in problem and not _tab_at(text, mark) and mark is not None:
            context_mark = exc.context_mark
            plain = explain(problem, _LINE_BREAK.split(text), mark.line, mark.column,
                            context_mark.line if context_mark is not None else None)
            if plain is not None:
                self.result.findings.append(Finding(
                    self.path, plain.line, plain.column, SYNTAX.id, plain.message, SYNTAX.severity, plain.hint))
                return
        hint = None
        if "tab" in problem or _tab_at(text, mark):
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        elif "mapping values are not allowed" in problem:
            hint = "a value that contains ': ' must be put in quotes"
        elif "could not find expected ':'" in problem:
            hint = "each line of a mapping needs `key: value`; check the indentation"
        elif "special characters are not allowed" in problem:
            hint = "remove control characters from the text"
        context = f" ({exc.context})" if exc.context else ""
        self.report(SYNTAX, _inside(text, mark), f"YAML syntax error: {problem}{context}", hint)

    def reader_error(self, exc: yaml.reader.ReaderError, text: str) -> None:
        position = exc.position if isinstance(exc.position, int) else 0
        if _BYTE_OFFSETS:
            position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        line, column = _line_column(text, position)
        self.result.findings.append(Finding(
            self.path, line, column, SYNTAX.id,
            f"YAML syntax error: the character U+{char:04X} is not allowed in YAML text ({exc.reason})",
            SYNTAX.severity, "remove control characters from the text",
        ))

    def handle(self, event: Any) -> bool:
        """Consume one event; False stops parsing (the file cannot be used)."""
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return self.scalar(event)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            return self.open(event, {} if kind is yaml.MappingStartEvent else [])
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.stack.pop()
            return True
        if kind is yaml.AliasEvent:
            self.report(ALIAS, event.start_mark, f"alias `*{event.anchor}` is not allowed", "write the value out in full")
            self.add(None, event.start_mark)
            return True
        if kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.report(MULTIPLE_DOCUMENTS, event.start_mark, "a second YAML document starts here",
                            "keep one record per file; remove the `---` and what follows or move it to its own file")
                return False
        return True

    def check_node(self, event: Any, allowed: set[str]) -> None:
        if event.anchor is not None:
            self.report(ALIAS, event.start_mark, f"anchor `&{event.anchor}` is not allowed", "remove the anchor and write values out in full")
        if event.tag is not None and event.tag not in allowed and not (
            isinstance(event, yaml.ScalarEvent) and event.tag == "!"
        ):
            self.report(TAG, event.start_mark, f"tag `{_short_tag(event.tag)}` is not allowed", "remove the tag")

    def open(self, event: Any, container: dict[str, Any] | list[Any]) -> bool:
        self.check_node(event, _COLLECTION_TAGS)
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            self.report(SYNTAX, event.start_mark, "a mapping key must be plain text, not a list or mapping",
                        "write the key as a simple name")
            return False
        if len(self.stack) >= self.max_depth:
            self.report(TOO_DEEP, event.start_mark, f"nesting deeper than {self.max_depth} levels",
                        "flatten the data; pmkit records need only a few levels")
            return False
        path = self.add(container, event.start_mark)
        self.stack.append(_Frame(container, path))
        return True

    def scalar(self, event: Any) -> bool:
        self.check_node(event, _SCALAR_TAGS)
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            self.key(frame, event)
            return True
        self.add(self.scalar_value(event), event.start_mark)
        return True

    def scalar_value(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            return resolve_plain(event.value) if event.implicit[0] and tag is None else event.value
        if tag == f"{_CORE}str":
            return event.value
        value = resolve_plain(event.value)
        expected: Any = {f"{_CORE}int": int, f"{_CORE}float": (Decimal, int), f"{_CORE}bool": bool,
                    f"{_CORE}null": type(None)}.get(tag)
        if expected is not None and not isinstance(value, expected):
            # The value is not quoted: the loader does not know whether the
            # field is private (an e-mail, a salary) and the finding is published.
            self.report(TAG, event.start_mark, f"the value is not a valid `{_short_tag(tag)}`",
                        "remove the tag or fix the value")
        return value

    def key(self, frame: _Frame, event: Any) -> None:
        key = event.value
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        first = frame.seen.get(key)
        if first is not None:
            self.report(DUPLICATE_KEY, event.start_mark, f"key `{key}` appears twice in this mapping",
                        f"it is first defined on line {first}; keep one of them")
            key = _DUPLICATE
        else:
            frame.seen[key] = mark[0]
        frame.key = key
        frame.key_mark = mark

    def add(self, value: Any, mark: Any) -> Path:
        """Place a finished value (or a new container) where it belongs."""
        vpos = (mark.line + 1, mark.column + 1)
        if not self.stack:
            self.root = value
            if self.want_positions:
                self.result.positions[()] = (*vpos, *vpos)
            return ()
        frame = self.stack[-1]
        container = frame.container
        if isinstance(container, list):
            path = (*frame.path, len(container))
            container.append(value)
            kpos = vpos
        else:
            key = frame.key
            frame.key = None
            if key is None or key is _DUPLICATE:
                return (*frame.path, "\0dup")  # the duplicate's value is dropped
            path = (*frame.path, key)
            container[key] = value
            kpos = frame.key_mark
        if self.want_positions:
            self.result.positions[path] = (*kpos, *vpos)
        return path


_LIBYAML_MAX_DEPTH = 1000
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting line breaks as libyaml does."""
    before = text[:position]
    breaks = list(_LINE_BREAK.finditer(before))
    return len(breaks) + 1, position - (breaks[-1].end() if breaks else 0) + 1


def _inside(text: str, mark: Any) -> Any:
    """The mark, or the end of the last line if it lies past it.

    At the end of a file that does not end in a line break, libyaml moves to
    a line of its own that no editor shows ("line 4" of a three-line file).
    """
    if mark is None:
        return None
    lines = _LINE_BREAK.split(text)
    if mark.line < len(lines):
        return mark
    return yaml.Mark(mark.name, mark.index, len(lines) - 1, len(lines[-1]), None, None)  # type: ignore[arg-type]  # PyYAML's stubs; it takes None


def _tab_at(text: str, mark: Any) -> bool:
    """Whether the line of an error is indented with a tab (libyaml does not always say so)."""
    if mark is None:
        return False
    lines = _LINE_BREAK.split(text, maxsplit=mark.line + 1)
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return "\t" in indent or line[mark.column : mark.column + 1] == "\t"


class _Duplicate(str):
    pass


_DUPLICATE = _Duplicate("\0duplicate")


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
