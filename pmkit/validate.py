"""The validation pipeline: load -> schema -> references and business rules."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pmkit import checks, codes, schema
from pmkit.checks.index import Index, build_index
from pmkit.codes import Code
from pmkit.findings import Finding, Severity
from pmkit.loader import Document, Loaded, load
from pmkit.loader.yaml12 import DEFAULT_MAX_DEPTH, parse
from pmkit.source import DEFAULT_MAX_BYTES, DirectorySource, SourceFile

BAD_OVERRIDE = Code(
    "invalid-check-override", Severity.WARNING, "config",
    "program.yaml `checks:` names a code that does not exist or that cannot be "
    "re-graded (only business rules can; a file that does not parse or breaks "
    "its schema is always an error). The override is ignored.",
)


@dataclass
class Settings:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    currency: str | None = None
    status_date: dt.date | None = None
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    findings: list[Finding]
    files: int
    index: Index | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


def read_settings(program_yaml: bytes | None) -> Settings:
    """The few program.yaml settings validation itself needs, read leniently.

    program.yaml is validated properly with everything else; here a broken
    value just means the default.
    """
    settings = Settings()
    if program_yaml is None:
        return settings
    data = parse("program.yaml", program_yaml).value or {}
    limits = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    size = limits.get("max_file_size_mb")
    if isinstance(size, (int, Decimal)) and not isinstance(size, bool) and size > 0:
        settings.max_bytes = int(size * 1024 * 1024)
    depth = limits.get("max_depth")
    if isinstance(depth, int) and not isinstance(depth, bool) and depth >= 4:
        settings.max_depth = depth
    if isinstance(data.get("currency"), str):
        settings.currency = data["currency"]
    try:
        settings.status_date = dt.date.fromisoformat(str(data.get("status_date")))
    except ValueError:
        pass
    if isinstance(data.get("checks"), dict):
        settings.overrides = {str(k): str(v) for k, v in data["checks"].items()}
    return settings


def run_pipeline(loaded: Loaded, settings: Settings, as_of: dt.date | None) -> Result:
    checked = schema.validate(loaded.documents, settings.currency)
    day = as_of or settings.status_date or dt.date.today()
    index = build_index(loaded, checked.invalid, day)
    found = [*loaded.findings, *checked.findings, *checks.run(index, settings.overrides)]
    found.extend(_override_findings(loaded.documents, settings.overrides))
    return Result(sorted(set(found)), loaded.files, index)


def validate_directory(root: Path, as_of: dt.date | None = None) -> Result:
    source = DirectorySource(root)
    program = source.root / "program.yaml"
    settings = read_settings(program.read_bytes() if program.is_file() else None)
    source.max_bytes = settings.max_bytes
    loaded = load(source.files(), settings.max_depth)
    loaded.findings.extend(source.findings)
    return run_pipeline(loaded, settings, as_of)


def validate_files(files: list[SourceFile], as_of: dt.date | None = None) -> Result:
    """The same pipeline over (path, bytes) pairs from anywhere (git blobs, tests)."""
    program = next((f.data for f in files if f.path == "program.yaml"), None)
    settings = read_settings(program)
    loaded = load(files, settings.max_depth)
    return run_pipeline(loaded, settings, as_of)


def _override_findings(documents: list[Document], overrides: dict[str, str]) -> list[Finding]:
    program = next((d for d in documents if d.path == "program.yaml"), None)
    if program is None:
        return []
    out = []
    known = {c.id: c for c in codes.all_codes()}
    configurable = sorted(c for c, v in known.items() if v.configurable)
    for code_id in sorted(overrides):
        line, column = program.locate(("checks", code_id), "key")
        if code_id not in known:
            close = difflib.get_close_matches(code_id, configurable, n=1)
            hint = f"did you mean `{close[0]}`?" if close else "run `pmkit rules` for the list of codes"
            out.append(Finding("program.yaml", line, column, BAD_OVERRIDE.id,
                               f"`{code_id}` is not a pmkit finding code", BAD_OVERRIDE.severity, hint))
        elif not known[code_id].configurable:
            out.append(Finding("program.yaml", line, column, BAD_OVERRIDE.id,
                               f"`{code_id}` cannot be re-graded", BAD_OVERRIDE.severity,
                               "only business rules can be switched off or re-graded"))
    return out
