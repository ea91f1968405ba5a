"""What every stage of the pipeline reports: a finding at a place in a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


def path_text(path: tuple[str | int, ...]) -> str:
    """A JSON path as a PM reads it: ``tasks[3].end``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
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
