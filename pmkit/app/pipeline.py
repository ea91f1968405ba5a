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

from pmkit.domain.index import Index
from pmkit.domain.model import Model
from pmkit.engine.validate import Checking, ProgramSource, Result, read_settings, start_directory, start_source


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
    from pmkit.ingest.source import read_guarded

    return read_settings(read_guarded(program_dir, "program.yaml")).status_date


def figures(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True) -> Figures:
    day = as_of or status_date(program_dir) or dt.date.today()
    return _figures(day, start_directory(program_dir, day, use_cache=use_cache, rules_in_child=True))


def figures_of(source: ProgramSource, as_of: dt.date | None = None, use_cache: bool = True,
               name: str | None = None) -> Figures:
    """``figures`` of a program from any source (a git revision: ``GitSource``);
    ``name`` names it in the rule cache."""
    day = as_of or source_status_date(source) or dt.date.today()
    return _figures(day, start_source(source, day, use_cache=use_cache, name=name, rules_in_child=True))


def source_status_date(source: ProgramSource) -> dt.date | None:
    """program.yaml's status_date as a source holds it (None without one)."""
    reported = len(source.findings)
    read = source.read("program.yaml") if "program.yaml" in source.paths() else None
    del source.findings[reported:]
    return read_settings(read.data if read is not None else None).status_date


def _figures(day: dt.date, checking: Checking) -> Figures:
    """The model and rollup are worked out while the rules run (in a child
    when that pays); they are used only if the rules then find no error."""
    built = _try_build(checking.index, day) if checking.loaded_ok else None
    result = checking.finish()
    out = Figures(day, result)
    if result.errors == 0 and result.index is not None and result.index.program is not None:
        out.model, out.document = built if built is not None else _build(result.index, day)
    return out


def _try_build(index: Index, day: dt.date) -> tuple[Model, dict[str, Any]] | None:
    if index.program is None:
        return None
    try:
        return _build(index, day)
    except Exception:  # noqa: BLE001  (data a rule rejects may break the model: it is not used then)
        return None


def _build(index: Index, day: dt.date) -> tuple[Model, dict[str, Any]]:
    from pmkit.domain import model as domain
    from pmkit.rollup import as_json, compute

    model = domain.build(index, spent_as_of=day)  # the rollup is as of ``day`` only
    return model, as_json(compute(model, day))
