"""The whole pipeline for one program directory: validate -> model -> rollup.

The CLI views, ``pmkit rollup`` and the site all start here, so they show the
same numbers by construction. The date of the figures is ``as_of``, else
program.yaml's ``status_date``, else today (SPEC §4). With any validation
error there is no model and no rollup: no figure is ever computed from
invalid data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit.model import Model
from pmkit.validate import Result, read_settings, validate_directory


@dataclass
class Figures:
    as_of: dt.date
    result: Result
    model: Model | None = None
    document: dict[str, Any] | None = None  # pmkit.rollup.as_json

    @property
    def ok(self) -> bool:
        return self.document is not None


def status_date(program_dir: Path) -> dt.date | None:
    """program.yaml's status_date; raises OSError if the file cannot be read."""
    return read_settings((program_dir / "program.yaml").read_bytes()).status_date


def figures(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True) -> Figures:
    from pmkit import model as domain
    from pmkit.rollup import as_json, compute

    day = as_of or status_date(program_dir) or dt.date.today()
    result = validate_directory(program_dir, day, use_cache=use_cache)
    out = Figures(day, result)
    if result.errors == 0 and result.index is not None and result.index.program is not None:
        out.model = domain.build(result.index)
        out.document = as_json(compute(out.model, day))
    return out
