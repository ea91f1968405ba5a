"""The whole pipeline for one program directory: validate -> model -> rollup.

The CLI views, ``pmkit rollup`` and the site all start here, so they show the
same numbers by construction. The date of the figures is ``as_of``, else
program.yaml's ``status_date``, else today (SPEC §4). With any validation
error there is no model and no rollup: no figure is ever computed from
invalid data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
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
    #: the rollup the document was written from (``pmkit.rollup.Rollup``)
    rollup: Any = None
    #: ``figures_of(..., later=True)``: the document still being worked out by a child
    pending: Any = None

    @property
    def ok(self) -> bool:
        return self.document is not None

    def settle(self) -> Figures:
        """Wait for a document worked out later (``figures_of(..., later=True)``)."""
        if self.pending is not None:
            self.document, self.pending = self.pending.result(), None
        return self


def status_date(program_dir: Path) -> dt.date | None:
    """program.yaml's status_date; raises OSError if the file cannot be read."""
    from pmkit.ingest.source import read_guarded

    return read_settings(read_guarded(program_dir, "program.yaml")).status_date


@dataclass(frozen=True)
class Extent:
    """What the figures hold beyond the rollup as of the day."""

    #: the expenses added up as of each status report's month end before the
    #: as-of date (the site's report pages)
    report_months: bool = False
    #: the earned schedule and the planned value by month: the costliest
    #: figures, which ``pmkit diff`` does not compare
    forecasts: bool = True
    #: the planned value by month alone (``pmkit history`` has no use for it)
    plan_by_month: bool = True
    #: the rollup's sections wanted besides the program and projects (None: all;
    #: ``pmkit diff`` compares those two only)
    sections: frozenset[str] | None = None
    #: the rollup written as a JSON document (``pmkit history`` reads a few
    #: figures of the rollup itself: ``Figures.rollup``; ``ok`` is then unset)
    document: bool = True


def figures(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True,
            memory: dict[tuple[str, str], object] | None = None, name: str | None = None,
            extent: Extent = Extent()) -> Figures:
    """``memory`` and ``name``: see ``validate_source``."""
    day = as_of or status_date(program_dir) or dt.date.today()
    checking = start_directory(program_dir, day, use_cache=use_cache, rules_in_child=True, memory=memory, name=name)
    return _figures(day, checking, extent)


def figures_of(source: ProgramSource, as_of: dt.date | None = None, use_cache: bool = True,
               name: str | None = None, memory: dict[tuple[str, str], object] | None = None,
               later: bool = False, extent: Extent = Extent()) -> Figures:
    """``figures`` of a program from any source (a git revision: ``GitSource``);
    ``name`` names it in the rule cache. ``later``: the rollup document (no
    model) is worked out by a forked child while the caller goes on (the
    other side of a diff); ``Figures.settle`` waits for it."""
    day = as_of or source_status_date(source) or dt.date.today()
    checking = start_source(source, day, use_cache=use_cache, name=name, rules_in_child=True, memory=memory)
    return _document_later(day, checking, extent) if later else _figures(day, checking, extent)


def source_status_date(source: ProgramSource) -> dt.date | None:
    """program.yaml's status_date as a source holds it (None without one)."""
    reported = len(source.findings)
    read = source.read("program.yaml") if "program.yaml" in source.paths() else None
    del source.findings[reported:]
    return read_settings(read.data if read is not None else None).status_date


def month_ends(periods: Iterable[str], day: dt.date) -> list[dt.date]:
    """The last days of the ``YYYY-MM`` periods that end before ``day`` (malformed ones skipped)."""
    out = []
    for period in periods:
        try:
            first = dt.datetime.strptime(period, "%Y-%m").date()
        except (TypeError, ValueError):
            continue
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        if last < day:
            out.append(last)
    return sorted(set(out))


def _figures(day: dt.date, checking: Checking, extent: Extent) -> Figures:
    """The model and rollup are worked out while the rules run (in a child
    when that pays); they are used only if the rules then find no error."""
    built = _try_build(checking.index, day, extent) if checking.loaded_ok else None
    result = checking.finish()
    out = Figures(day, result)
    if result.errors == 0 and result.index is not None and result.index.program is not None:
        out.model, out.rollup, out.document = built if built is not None else _build(result.index, day, extent)
    return out


def _document_later(day: dt.date, checking: Checking, extent: Extent) -> Figures:
    """``_figures`` without the model: a child works out the rollup document
    (what crosses back is small) and outlives this call; ``Figures.settle``."""
    from pmkit.core.procs import in_child

    def document() -> dict[str, Any] | None:
        built = _try_build(checking.index, day, extent)
        return built[2] if built is not None else None

    pending = in_child(document, worth_it=True) if checking.loaded_ok else None
    result = checking.finish()
    out = Figures(day, result)
    if result.errors == 0 and result.index is not None and result.index.program is not None:
        out.pending = pending
        if pending is None:  # a file broke its schema, yet no error: work it out here
            out.model, out.rollup, out.document = _build(result.index, day, extent)
    return out


def _try_build(index: Index, day: dt.date, extent: Extent) -> tuple[Model, Any, dict[str, Any] | None] | None:
    if index.program is None:
        return None
    try:
        return _build(index, day, extent)
    except Exception:  # noqa: BLE001  (data a rule rejects may break the model: it is not used then)
        return None


def _build(index: Index, day: dt.date, extent: Extent) -> tuple[Model, Any, dict[str, Any] | None]:
    from pmkit.domain import model as domain
    from pmkit.rollup import as_json, compute

    also = month_ends(index.reports, day) if extent.report_months else []
    model = domain.build(index, spent_as_of=day, also=also)  # the rollup is as of ``day`` (and ``also``) only
    rollup = compute(model, day, forecasts=extent.forecasts, plan_by_month=extent.plan_by_month, only=extent.sections)
    return model, rollup, as_json(rollup) if extent.document else None
