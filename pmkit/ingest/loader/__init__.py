"""Stage 1: bytes from a source -> documents with positions, or findings.

Nothing here knows about schemas or rules: a document is a parsed file, its
kind (from where it lives) and a way to turn a JSON path into file:line:col.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.kinds import Kind, file_id, kind_of
from pmkit.ingest.loader import splice
from pmkit.ingest.loader.splice import Entries
from pmkit.ingest.loader.yaml12 import (
    DEFAULT_MAX_DEPTH,
    Path,
    PositionTable,
    decode,
    parse,
    parse_text,
)
from pmkit.ingest.source import SourceFile

UNKNOWN_FILE = Code(
    "unknown-file", Severity.WARNING, "yaml",
    "A YAML file sits where pmkit expects no record (for example `project/x.yaml` "
    "instead of `projects/x.yaml`, or a `.yml` extension), so it is ignored. "
    "Move or rename it, or delete it.",
)
INVALID_FILE_ID = Code(
    "invalid-file-name", Severity.ERROR, "yaml",
    "A record's id is its file name without `.yaml`, and ids use lower-case "
    "letters, digits and single dashes (`erp-replacement`). Status reports are "
    "named by period (`2026-10.yaml`). Rename the file.",
)


class PositionStore(Protocol):
    """Where a document's positions, once worked out, are kept for the next
    run that meets the same file version (the engine's cache)."""

    def load(self) -> PositionTable | None: ...

    def keep(self, table: PositionTable) -> None: ...


@dataclass
class Document:
    """One parsed record file.

    Positions are worked out only when a finding needs one: re-parsing the
    few files that have findings costs far less than keeping a line and
    column for every value of a 100 MB program. With a ``store``, the
    positions of a file version are parsed once, ever: a late milestone is
    found again at every commit of ``pmkit history`` and every ``--rev``.
    """

    path: str
    kind: Kind
    data: dict[str, Any]
    source: bytes | Callable[[], bytes] = field(repr=False)  # or how to read them, when first needed
    max_depth: int = DEFAULT_MAX_DEPTH
    _positions: PositionTable | None = field(default=None, repr=False)
    #: where a long list file's entries are, for the next parse to reuse (``splice``)
    entries: Entries | None = field(default=None, repr=False)
    #: when entries of the last parse were reused: the positions of those parsed anew
    fresh: list[int] | None = field(default=None, repr=False)
    store: PositionStore | None = field(default=None, repr=False, compare=False)

    @property
    def positions(self) -> PositionTable:
        if self._positions is None:
            kept = self.store.load() if self.store is not None else None
            if kept is None:
                source = self.source if isinstance(self.source, bytes) else self.source()
                kept = parse(self.path, source, self.max_depth).positions
                if self.store is not None:
                    self.store.keep(kept)
            self._positions = kept
        return self._positions

    @property
    def id(self) -> str | None:
        """The record id the file name gives, for one-record-per-file kinds."""
        return file_id(self.path) if self.kind.id_from_file else None

    def locate(self, path: Path, at: str = "value") -> tuple[int, int]:
        """Line and column of a JSON path: its key or its value.

        A path that does not exist (a missing required field) is placed at
        its nearest existing parent, which is where the field should go.
        """
        probe = tuple(path)
        while probe not in self.positions and probe:
            probe = probe[:-1]
            at = "key" if probe else at
        entry = self.positions.get(probe)
        if entry is None:
            return (1, 1)
        return (entry[0], entry[1]) if at == "key" else (entry[2], entry[3])

    def typed(self, path: Path) -> str | None:
        """The text of a plain scalar as it was typed (``0011``, not ``11``), or None
        when the path has no position of its own."""
        entry = self.positions.get(tuple(path))
        if entry is None:
            return None
        source = self.source if isinstance(self.source, bytes) else self.source()
        lines = source.decode("utf-8", "replace").splitlines()
        if not 0 < entry[2] <= len(lines):
            return None
        text = lines[entry[2] - 1][entry[3] - 1:].split(" #", 1)[0].strip()
        return text or None


@dataclass
class Loaded:
    """Every document that parsed, and the findings of those that did not."""

    documents: list[Document]
    findings: list[Finding]
    files: int
    #: record ids of files that did not parse: they still exist for references.
    unparsed: dict[str, set[str]] = field(default_factory=dict)


def load(files: Iterable[SourceFile], max_depth: int = DEFAULT_MAX_DEPTH) -> Loaded:
    """Parse every record file of a program."""
    loaded = Loaded([], [], 0)
    for source in files:
        loaded.files += 1
        kind = kind_of(source.path)
        if kind is None:
            loaded.findings.append(_unknown(source.path))
            continue
        name_problem = file_name_finding(source.path, kind)
        if name_problem is not None:
            loaded.findings.append(name_problem)
        document, findings = load_one(source, kind, max_depth)
        loaded.findings.extend(findings)
        if document is None:
            if kind.id_from_file:
                loaded.unparsed.setdefault(kind.name, set()).add(file_id(source.path))
            continue
        loaded.documents.append(document)
    return loaded


def load_one(source: SourceFile, kind: Kind, max_depth: int = DEFAULT_MAX_DEPTH,
             previous: tuple[Any, Entries] | None = None,
             remember: bool = False) -> tuple[Document | None, list[Finding]]:
    """Parse one record file; a document only if it parsed cleanly.

    For a long list file, ``remember`` notes where its entries are
    (``Document.entries``), and ``previous`` (the value and entries of its
    last parse) lets only the entries that changed be parsed again.
    """
    if kind.list_key is None or len(source.data) < splice.MIN_BYTES or not (remember or previous):
        parsed = parse(source.path, source.data, max_depth, want_positions=False)
        if parsed.value is None:
            return None, parsed.findings
        return Document(source.path, kind, parsed.value, source.data, max_depth), parsed.findings
    text, problem = decode(source.path, source.data)
    if text is None:
        return None, [problem] if problem else []
    if previous is not None:
        spliced = splice.reparse(text, *previous, max_depth)
        if spliced is not None:
            return Document(source.path, kind, spliced.value, source.data, max_depth, entries=spliced.entries,
                            fresh=spliced.fresh), []
    parsed = parse_text(source.path, text, max_depth, want_positions=False)
    if parsed.value is None:
        return None, parsed.findings
    entries = splice.entries(text, parsed.value, kind.list_key) if not parsed.findings else None
    return Document(source.path, kind, parsed.value, source.data, max_depth, entries=entries), parsed.findings


def _unknown(path: str) -> Finding:
    hint = "rename it to end in `.yaml`" if path.endswith(".yml") else (
        "record files live in projects/, teams/, staff/, vendors/, hiring/, rules/, "
        "risks/, reports/, budget/expenses/ or are program.yaml, budget/funding.yaml, "
        "budget/transfers.yaml"
    )
    return Finding(path, 1, 1, UNKNOWN_FILE.id, "pmkit does not read this file", UNKNOWN_FILE.severity, hint)


def file_name_finding(path: str, kind: Kind) -> Finding | None:
    if kind.folder is None or kind.list_key is not None:
        return None
    name = file_id(path)
    if kind.file_id_pattern.match(name):
        return None
    if kind.name == "report":
        message = f"`{name}` is not a period"
        hint: str | None = "name status reports by month: `2026-10.yaml`"
    else:
        suggestion = "-".join(name.lower().replace("_", " ").split())
        message = f"`{name}` is not a valid id: use lower-case letters, digits and dashes"
        hint = f"rename the file to `{suggestion}.yaml`" if suggestion else None
    return Finding(path, 1, 1, INVALID_FILE_ID.id, message, INVALID_FILE_ID.severity, hint)
