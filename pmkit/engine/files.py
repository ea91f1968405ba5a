"""The per-file stages (YAML, then schema: all that one file decides alone),
their outcome for one file (what the cache keeps), and running them over
many files on every core. Validation and the incremental re-run both call
``check_file`` from here: neither hands it to the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmkit.core.findings import Finding
from pmkit.core.kinds import kind_of
from pmkit.core.procs import fork_map
from pmkit.ingest import schema
from pmkit.ingest.loader import Document, file_name_finding, load, load_one
from pmkit.ingest.loader.splice import Entries
from pmkit.ingest.loader.yaml12 import DEFAULT_MAX_DEPTH
from pmkit.ingest.source import DEFAULT_MAX_BYTES, SourceFile

#: Below this many bytes to check, starting a process costs more than it saves.
MIN_BYTES = 8 * 1024 * 1024

#: What checking one file costs beyond its bytes, in bytes (measured: small
#: record files parse at about half the speed per byte of an expense file).
FILE_COST = 8 * 1024


@dataclass
class FileOutcome:
    """What the per-file stages found in one file."""

    kind: str | None
    data: dict[str, Any] | None
    findings: list[Finding]
    #: None: the whole record is schema-invalid; a set: invalid list entries.
    invalid: set[int] | None
    #: where a long list file's entries are, for re-parsing only changed ones
    entries: Entries | None = None



def check_many(sources: Sequence[SourceFile], check: Callable[[SourceFile], FileOutcome],
               min_bytes: int | None = None) -> list[FileOutcome]:
    """``[check(s) for s in sources]``, on every core for a large program."""
    return fork_map(sources, check, lambda s: len(s.data) + FILE_COST, MIN_BYTES if min_bytes is None else min_bytes)


@dataclass
class Settings:
    """What program.yaml sets for checking (``validate.read_settings``)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    currency: str | None = None
    status_date: dt.date | None = None
    overrides: dict[str, str] = field(default_factory=dict)


def check_file(source: SourceFile, settings: Settings, previous: FileOutcome | None = None,
               remember: bool = False) -> FileOutcome:
    """The per-file stages, YAML and schema: all that one file decides alone.

    ``remember`` and ``previous`` (this file's outcome last time) are for a
    cache: a long list file then re-parses only its changed entries.
    """
    kind = kind_of(source.path)
    if kind is None:
        loaded = load([source], settings.max_depth)
        return FileOutcome(None, None, loaded.findings, None)
    name_problem = file_name_finding(source.path, kind)
    reuse = (previous.data, previous.entries) if previous and previous.data and previous.entries else None
    document, findings = load_one(source, kind, settings.max_depth, reuse, remember)
    findings = [name_problem, *findings] if name_problem else findings
    if document is None:
        return FileOutcome(kind.name, None, findings, None)
    checked = _schema_check(document, previous, settings.currency)
    return FileOutcome(kind.name, document.data, [*findings, *checked.findings],
                       checked.invalid.get(source.path, set()), document.entries)


def _schema_check(document: Document, previous: FileOutcome | None, currency: str | None) -> schema.SchemaResult:
    """The schema layer; after a re-parse of a valid file's changed entries,
    only those entries need checking."""
    if document.fresh is not None and previous is not None and not previous.findings and previous.invalid == set():
        if schema.entries_valid(document, document.fresh, currency):
            return schema.SchemaResult()
    return schema.validate([document], currency)
