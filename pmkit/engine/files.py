"""The per-file stages' outcome for one file (what the cache keeps), and
running those stages over many files on every core."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pmkit.core.findings import Finding
from pmkit.core.procs import fork_map
from pmkit.ingest.loader.splice import Entries
from pmkit.ingest.source import SourceFile

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
