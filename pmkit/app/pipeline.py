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
from pmkit.engine.validate import (Checking, ProgramSource, Result, read_settings, source_settings, start_directory,
                                   start_source)


@dataclass
class Figures:
    as_of: dt.date
    result: Result
    model: Model | None = None
    document: dict[str, Any] | None = None  # pmkit.rollup.as_json
    #: the rollup the document was written from (``pmkit.rollup.Rollup``)
    rollup: Any = None

    @property
    def ok(self) -> bool:
        return self.document is not None


@dataclass
class Underway:
    """Figures being worked out: the files loaded, the rules started (in a
    child when that pays), the model and rollup built meanwhile. Between the
    start and ``finish()`` the caller may load another program (the head of
    ``pmkit diff`` while the base's rules run)."""

    day: dt.date
    checking: Checking
    extent: Extent
    built: tuple[Model, Any, dict[str, Any] | None] | None

    def finish(self) -> Figures:
        """Wait for the rules; the model and rollup are used only if they found no error."""
        result = self.checking.finish()
        out = Figures(self.day, result)
        if result.errors == 0 and result.index is not None and result.index.program is not None:
            out.model, out.rollup, out.document = (self.built if self.built is not None
                                                   else _build(result.index, self.day, self.extent))
        return out


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
            extent: Extent = Extent(), rules_in_child: bool = True) -> Figures:
    """``memory`` and ``name``: see ``validate_source``."""
    return start_figures(program_dir, as_of, use_cache, memory, name, extent, rules_in_child).finish()


def start_figures(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True,
                  memory: dict[tuple[str, str], object] | None = None, name: str | None = None,
                  extent: Extent = Extent(), rules_in_child: bool = True) -> Underway:
    """``figures`` begun: ``Underway.finish`` ends it. ``rules_in_child``: the
    rules may run in a forked child while this process builds the model (see
    ``start_pipeline``); leave it unset when a memo in ``memory`` already holds
    most rule parts, as for the head of a diff: then the few that re-run cost
    less here than forking a large process and sending its memo back."""
    day = as_of or status_date(program_dir) or dt.date.today()
    checking = start_directory(program_dir, day, use_cache=use_cache, rules_in_child=rules_in_child, memory=memory,
                               name=name)
    return _start(day, checking, extent)


def figures_of(source: ProgramSource, as_of: dt.date | None = None, use_cache: bool = True,
               name: str | None = None, memory: dict[tuple[str, str], object] | None = None,
               extent: Extent = Extent()) -> Figures:
    """``figures`` of a program from any source (a git revision: ``GitSource``);
    ``name`` names it in the rule cache."""
    return start_figures_of(source, as_of, use_cache, name, memory, extent).finish()


def start_figures_of(source: ProgramSource, as_of: dt.date | None = None, use_cache: bool = True,
                     name: str | None = None, memory: dict[tuple[str, str], object] | None = None,
                     extent: Extent = Extent(), rules_in_child: bool = True) -> Underway:
    """``figures_of`` begun, as ``start_figures``."""
    day = as_of or source_status_date(source) or dt.date.today()
    checking = start_source(source, day, use_cache=use_cache, name=name, rules_in_child=rules_in_child,
                            memory=memory)
    return _start(day, checking, extent)


def source_status_date(source: ProgramSource) -> dt.date | None:
    """program.yaml's status_date as a source holds it (None without one)."""
    return source_settings(source).status_date


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


def _start(day: dt.date, checking: Checking, extent: Extent) -> Underway:
    """The model and rollup are worked out while the rules run (in a child
    when that pays); ``Underway.finish`` uses them only if the rules then
    find no error."""
    return Underway(day, checking, extent, _try_build(checking.index, day, extent) if checking.loaded_ok else None)


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
