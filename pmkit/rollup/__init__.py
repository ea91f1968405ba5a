"""Stage 4: every figure of SPEC §4, as pure functions of (model, as-of date).

``compute(model, as_of)`` assembles the sections; ``as_json`` writes the
document ``pmkit rollup --format json`` prints (its JSON Schema is
schemas/rollup.schema.json). Money is a string with the currency's minor
digits, percentages and indices are numbers, a ratio with a zero divisor is
null. The JSON contract, top-level keys in this order:

as_of, currency
provenance  {revision, revision_date, status_date, undated_as_of_files, note}:
            where the figures come from. revision (commit id) and its date are
            null for files read from a folder; undated_as_of_files is true
            when undated values (task progress, risk status, candidate
            stage, funding status) are taken as the files stand at a date
            later than as_of (their status_date, else today), and the note
            says so in a sentence (null otherwise)
program     name, goal, start, end, progress, planned, schedule_gap (progress
            - planned, points), budget (Budget), evm (EVM), earned_schedule
            (ES), funded,
            funding_gap, milestones_late, milestones_upcoming, spend_by_month
            {YYYY-MM: money}, staffing {headcount, fte, employee_fte,
            contractor_fte, contractor_share, over_allocated [person ids]},
            open_problems
projects    {id: {name, status, counted, owner, team, start, end, progress,
            planned, tasks, effort, budget (Budget), lines {category: Budget},
            evm (EVM), earned_schedule (ES), milestones_late, milestones {total, done, late,
            upcoming}, fte, open_problems, depends_on}}
teams       {id: {name, department, lead, progress, planned, tasks, effort,
            members, fte}}
vendors     {id: {name, progress, planned, tasks, effort, contracts_value,
            invoiced, committed}}
staff       {id: {name, team, employment, vendor, fte, allocations {project:
            percent}, over_allocated, progress, tasks}}
objectives  {id: {title, metric, unit, baseline, target, current,
            progress_to_target, projects [ids], progress, planned}}
categories  {category: Budget}
funding     {requested, approved, received, funded, total_current_budget,
            funding_gap, sources [{id, name, amount, status, date,
            fiscal_year}]}
milestones  [{project, id, title, due, done, status (done|late|upcoming|
            planned), slipped_days}]
compliance  {total {applicable, acknowledged, pending, overdue, expired},
            rules {id: {title, category, <counts>}}, teams {id: {<counts>}}}
hiring      {funnel {stage: count}, positions {id: {title, team, project,
            status, decision, openings, filled, candidates {stage: count},
            interviews, mean_score, days_open}}}
risks       {open, overdue, by_severity {low, medium, high, critical},
            by_project {project id or "program": count}, items [{id, type,
            title, project, owner, severity, status, opened, due, overdue,
            score}]}

Budget = {baseline, transfers_in, transfers_out, current, actual, committed,
available, spent_pct}; EVM = {bac, pv, ev, ac, cv, sv, cpi, spi, eac, etc,
vac, tcpi}; ES = {es, at, sv_t, spi_t, planned_duration, forecast_duration,
forecast_finish} (earned schedule in days, rollup/earned_schedule.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pmkit.domain.model import Model
from pmkit.rollup.figures import to_json
from pmkit.core.vocabulary import minor_digits


UNDATED = "task progress, risk status, candidate stages and funding status"


@dataclass
class Provenance:
    revision: str | None = None
    revision_date: dt.date | None = None
    status_date: dt.date | None = None
    undated_as_of_files: bool = False
    note: str | None = None


def provenance(model: Model, as_of: dt.date, revision: str | None = None,
               revision_date: dt.date | None = None, today: dt.date | None = None) -> Provenance:
    """Where the figures as of D come from, and whether undated values are later than D."""
    status_date = model.program.status_date
    files_date = revision_date if revision is not None else (status_date or today or dt.date.today())
    if revision is not None and status_date is not None:
        files_date = min(files_date, status_date) if files_date else status_date
    later = files_date is not None and as_of < files_date
    note = None
    if later:
        where = (f"revision {revision[:12]} of {revision_date}" if revision is not None
                 else f"the files as they stand (status date {status_date})" if status_date
                 else "the files as they stand today")
        note = (f"Undated values ({UNDATED}) are those of {where}, later than {as_of}: "
                f"they are not known as of {as_of}.")
    return Provenance(revision, revision_date, status_date, later, note)


@dataclass
class Rollup:
    as_of: dt.date
    currency: str
    sections: dict[str, Any]
    provenance: Provenance | None = None


def compute(model: Model, as_of: dt.date, revision: str | None = None,
            revision_date: dt.date | None = None, forecasts: bool = True, plan_by_month: bool = True,
            only: Collection[str] | None = None) -> Rollup:
    """``forecasts=False`` leaves out the earned schedule and the planned value
    by month, ``plan_by_month=False`` the latter only; ``only`` names the
    sections wanted besides the program and projects (``assemble.sections``)."""
    from pmkit.rollup import assemble

    return Rollup(as_of, model.program.currency, assemble.sections(model, as_of, forecasts, plan_by_month, only),
                  provenance(model, as_of, revision, revision_date))


def as_json(rollup: Rollup) -> dict[str, Any]:
    digits = minor_digits(rollup.currency)
    document: dict[str, Any] = {"as_of": rollup.as_of.isoformat(), "currency": rollup.currency}
    if rollup.provenance is not None:
        document["provenance"] = to_json(rollup.provenance, digits)
    for key, value in rollup.sections.items():
        document[key] = to_json(value, digits)
    return document
