"""What the site is rendered from: validate, build the model, compute the rollup.

``load(program_dir, as_of)`` runs :func:`pmkit.app.pipeline.figures`, the same
pipeline as ``pmkit rollup``, and returns everything
:func:`pmkit.app.site.pages.render_site` needs, with private values redacted
from the findings. With any validation error there is no model and no
rollup: the site shows the findings and no figure computed from invalid data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit.core.findings import Finding
from pmkit.domain.model import Model


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


def load(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True) -> SiteData:
    from pmkit.app.pipeline import figures
    from pmkit.app.site.privacy import collect, redact

    computed = figures(program_dir, as_of, use_cache)
    result = computed.result
    # Reading every private value means parsing the files again: only when there is something to redact.
    findings = redact(result.findings, collect(program_dir)) if result.findings else []
    return SiteData(program_dir, computed.as_of, findings, result.files, computed.model, computed.document)
