"""Stage 4: every figure of SPEC §4, as pure functions of (model, as-of date).

``compute(model, as_of)`` assembles the sections; ``as_json`` writes the
document ``pmkit rollup --format json`` prints (its JSON Schema is
schemas/rollup.schema.json). Money is a string with the currency's minor
digits, percentages and indices are numbers, a ratio with a zero divisor is
null. The JSON contract, top-level keys in this order:

as_of, currency
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
from dataclasses import dataclass
from typing import Any

from pmkit.domain.model import Model
from pmkit.rollup.figures import to_json
from pmkit.ingest.schema import minor_digits


@dataclass
class Rollup:
    as_of: dt.date
    currency: str
    sections: dict[str, Any]


def compute(model: Model, as_of: dt.date) -> Rollup:
    from pmkit.rollup import assemble

    return Rollup(as_of, model.program.currency, assemble.sections(model, as_of))


def as_json(rollup: Rollup) -> dict[str, Any]:
    digits = minor_digits(rollup.currency)
    document: dict[str, Any] = {"as_of": rollup.as_of.isoformat(), "currency": rollup.currency}
    for key, value in rollup.sections.items():
        document[key] = to_json(value, digits)
    return document
