"""What every stage of the pipeline reports: a finding at a place in a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


def path_text(path: tuple[str | int, ...], data: Any = None) -> str:
    """A JSON path as a PM reads it: ``tasks[3].end``; given the record's data, a
    list item with an id is named by it (``expenses[exp-2026-10-030].amount``),
    not by a 0-based position nobody counts."""
    out = ""
    node = data
    for i, part in enumerate(path):
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            named = item.get("id") if isinstance(item, dict) and path[i + 1:] != ("id",) else None
            out += f"[{named}]" if isinstance(named, str) and named else f"[{part}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "the record"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where it is, its stable code, and what to do about it.

    The field order is the sort order: by file, then position, then code, so
    output is deterministic whatever order the checks ran in.
    """

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)
    hint: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }
