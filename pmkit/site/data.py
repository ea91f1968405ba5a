"""What the site is rendered from: validate, build the model, compute the rollup.

``load(program_dir, as_of)`` runs the same pipeline as ``pmkit rollup`` and
returns everything :func:`pmkit.site.pages.render_site` needs. The date of
the figures is ``as_of``, else program.yaml's ``status_date``, else today
(SPEC §4). With any validation error there is no model and no rollup: the
site shows the findings and no figure computed from invalid data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit.findings import Finding
from pmkit.model import Model


@dataclass
class SiteData:
    program_dir: Path
    as_of: dt.date
    findings: list[Finding]  # private values redacted
    files: int
    model: Model | None = None
    document: dict[str, Any] | None = None  # pmkit.rollup.as_json

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


def status_date(program_dir: Path) -> dt.date | None:
    from pmkit.validate import read_settings

    try:
        return read_settings((program_dir / "program.yaml").read_bytes()).status_date
    except (OSError, ValueError):
        return None


def load(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True) -> SiteData:
    from pmkit import model as domain
    from pmkit.rollup import as_json, compute
    from pmkit.site.privacy import collect, redact
    from pmkit.validate import validate_directory

    day = as_of or status_date(program_dir) or dt.date.today()
    result = validate_directory(program_dir, day, use_cache=use_cache)
    findings = redact(result.findings, collect(program_dir))
    data = SiteData(program_dir, day, findings, result.files)
    if result.errors == 0 and result.index is not None and result.index.program is not None:
        data.model = domain.build(result.index)
        data.document = as_json(compute(data.model, day))
    return data
