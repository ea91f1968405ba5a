"""The sections of the rollup document, in the contract's key order.

``sections(model, as_of)`` returns program, projects, teams, vendors, staff,
objectives, categories, funding, milestones, compliance, hiring and risks
(``as_of`` and ``currency`` are added by :func:`pmkit.rollup.as_json`). Every
value is a dataclass, dict or list that ``figures.to_json`` writes. Mappings
are sorted by id, except objectives (program.yaml order) and categories (the
program's ``categories`` order, then any other category a line uses).

Which records count where (see schedule.py, evm.py, budget.py, people.py):
- Money (budget, lines, categories, funding, vendors' contracts and spend,
  spend by month) covers every project, cancelled ones included: money spent
  is spent. So ``program.budget.current`` includes a cancelled project's
  budget while ``program.evm.bac`` (counted projects only) does not.
- Progress, planned, EVM, late and upcoming milestones and every by-group
  figure leave cancelled projects out. A cancelled project's own row still
  shows its progress and planned percent (``counted`` is false), with every
  EVM figure null, ``milestones_late`` 0 and none of its milestones late or
  upcoming; its milestones are not in the ``milestones`` list.
- ``schedule_gap`` = program progress - planned, in percentage points (null
  when either is null).
- teams: ``members`` counts the staff of the team employed on D; ``fte`` is
  their FTE. staff: ``allocations`` sums the person's active allocations on D
  per project (people.active_allocations), so ``fte`` = sum / 100.
- objectives: ``projects`` lists the counted projects naming the objective;
  metric values (baseline, target, current) are numbers with up to 4 places.
- program ``open_problems`` = every open risk and issue opened on or before D,
  with or without a project; a project's counts the open ones naming it. A
  risk opened after D does not exist on D (it is not in ``risks.items``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any
from collections.abc import Callable, Collection

from pmkit.domain.model import FundingSource, Model
from pmkit.domain.ledger import LineFigures
from pmkit.rollup import budget, earned_schedule, evm, people, schedule
from pmkit.rollup.budget import Budget, Funding, VendorSpend
from pmkit.rollup.earned_schedule import EarnedSchedule
from pmkit.rollup.evm import EVM
from pmkit.rollup.figures import ZERO, Money, Percent
from pmkit.rollup.schedule import Amount, MilestoneCounts, MilestoneRow, to_decimal

MoneyByKey = Annotated[dict[str, Decimal], "money"]


@dataclass
class ProgramFigures:
    name: str
    goal: str
    start: dt.date
    end: dt.date
    progress: Percent
    planned: Percent
    schedule_gap: Percent
    budget: Budget
    evm: EVM
    earned_schedule: EarnedSchedule
    funded: Money
    funding_gap: Money
    milestones_late: int
    milestones_upcoming: int
    spend_by_month: MoneyByKey
    planned_value_by_month: MoneyByKey
    staffing: people.Staffing
    open_problems: int


@dataclass
class ProjectFigures:
    name: str
    status: str
    counted: bool
    owner: str
    team: str
    start: dt.date
    end: dt.date
    progress: Percent
    planned: Percent
    tasks: int
    effort: Amount
    budget: Budget
    lines: dict[str, Budget]
    evm: EVM
    earned_schedule: EarnedSchedule
    milestones_late: int
    milestones: MilestoneCounts
    fte: Decimal
    open_problems: int
    depends_on: list[str]


@dataclass
class TeamFigures:
    name: str
    department: str
    lead: str | None
    progress: Percent
    planned: Percent
    tasks: int
    effort: Amount
    members: int
    fte: Decimal


@dataclass
class VendorFigures:
    name: str
    progress: Percent
    planned: Percent
    tasks: int
    effort: Amount
    contracts_value: Money
    invoiced: Money
    committed: Money


@dataclass
class PersonFigures:
    name: str
    team: str
    employment: str
    vendor: str | None
    fte: Decimal
    allocations: dict[str, Percent]
    over_allocated: bool
    progress: Percent
    planned: Percent
    tasks: int


@dataclass
class ObjectiveFigures:
    title: str
    metric: str
    unit: str | None
    baseline: Amount
    target: Amount
    current: Amount
    progress_to_target: Percent
    projects: list[str]
    progress: Percent
    planned: Percent


@dataclass
class SourceFigures:
    id: str
    name: str
    amount: Money
    status: str
    date: dt.date | None
    fiscal_year: int | None


def _source(source: FundingSource) -> SourceFigures:
    return SourceFigures(source.id, source.name, source.amount, source.status, source.date, source.fiscal_year)


#: The sections every rollup has: the others can be left out (``sections(only=...)``).
ALWAYS = ("program", "projects")
SECTIONS = ("program", "projects", "teams", "vendors", "staff", "objectives", "categories", "funding", "milestones",
            "compliance", "hiring", "risks")


def sections(model: Model, as_of: dt.date, forecasts: bool = True, plan_by_month: bool = True,
             only: Collection[str] | None = None) -> dict[str, Any]:
    """``forecasts``: the earned schedule and the planned value by month (the
    costliest figures; ``pmkit diff`` compares neither and leaves them out).
    ``plan_by_month``: the planned value by month (``pmkit history`` has no
    use for it; it is empty without it or without ``forecasts``). ``only``:
    the sections wanted besides ``ALWAYS`` (None: all); the others are
    neither computed nor in the result (``pmkit diff`` compares the program
    and its projects only)."""

    def wanted(*names: str) -> bool:
        return only is None or any(name in only for name in names)

    table = budget.lines(model, as_of)
    per_project = budget.by_project(table)
    program_budget = budget.total(per_project.values())
    funding: Funding = budget.funding(model, program_budget.current)
    funding.sources = [_source(s) for s in model.funding]  # type: ignore[misc]

    own = schedule.project_tallies(model, as_of)
    program_tally = schedule.program_tally(model, as_of, own)
    by = schedule.groups(model, as_of, own) if wanted("teams", "vendors", "staff", "objectives") else None
    milestone_rows: list[MilestoneRow] = schedule.milestones(model, as_of)

    fte_by_project = people.project_fte(model, as_of)
    problems = people.open_problems_by_project(model, as_of)
    risks = people.risks(model, as_of)

    projects: dict[str, ProjectFigures] = {}
    bases: list[evm.Basis] = []
    curve_parts = []
    lines_of: dict[str, dict[str, Budget]] = {}
    for line, figures_of_line in table.items():  # sorted by project, then category
        lines_of.setdefault(line.project, {})[line.category] = figures_of_line
    for pid, project in model.projects.items():
        figures = per_project.get(pid) or Budget.of(LineFigures())
        t = own[pid]
        progress, planned = t.progress, t.planned  # (each a sum over the tasks' spans: once)
        if project.counted:
            basis = evm.project_basis(figures.current, figures.actual, progress, planned)
            bases.append(basis)
            earned = evm.figures(basis)
            if forecasts:
                part = earned_schedule.project_part(figures.current, project.tasks)
                curve_parts.append(part)
                timed = earned_schedule.measure([part], basis.ev, project.start, as_of)
            else:
                timed = earned_schedule.unmeasured()
        else:
            earned = evm.unmeasured()
            timed = earned_schedule.unmeasured()
        counts = schedule.milestone_counts(project, as_of)
        projects[pid] = ProjectFigures(
            project.name, project.status, project.counted, project.owner, project.team, project.start, project.end,
            to_decimal(progress), to_decimal(planned), t.tasks, t.effort, figures,
            lines_of.get(pid, {}), earned, timed,
            counts.late, counts, fte_by_project.get(pid, ZERO), problems.get(pid, 0), list(project.depends_on),
        )

    progress, planned = program_tally.progress, program_tally.planned
    program_basis = evm.program_basis(bases)
    program = ProgramFigures(
        model.program.name, model.program.goal, model.program.start, model.program.end,
        to_decimal(progress), to_decimal(planned),
        None if progress is None or planned is None else to_decimal(progress - planned),
        program_budget, evm.figures(program_basis),
        earned_schedule.measure(curve_parts, program_basis.ev, model.program.start, as_of)
        if forecasts else earned_schedule.unmeasured(),
        funding.funded, funding.funding_gap,
        sum(r.status == "late" for r in milestone_rows), sum(r.status == "upcoming" for r in milestone_rows),
        budget.spend_by_month(model, as_of),
        earned_schedule.planned_by_month(curve_parts, model.program.start, model.program.end)
        if plan_by_month else {},
        people.staffing(model, as_of), risks.open,
    )

    out: dict[str, Any] = {"program": program, "projects": projects}
    if by is not None:
        out.update(_groups(model, as_of, by, wanted))
    if wanted("categories"):
        out["categories"] = budget.by_category(table, model.program.categories)
    if wanted("funding"):
        out["funding"] = funding
    if wanted("milestones"):
        out["milestones"] = milestone_rows
    if wanted("compliance"):
        out["compliance"] = people.compliance(model, as_of)
    if wanted("hiring"):
        out["hiring"] = people.hiring(model, as_of)
    if wanted("risks"):
        out["risks"] = risks
    return {name: out[name] for name in SECTIONS if name in out}


def _groups(model: Model, as_of: dt.date, by: schedule.Groups, wanted: Callable[[str], bool]) -> dict[str, Any]:
    """The teams, vendors, staff and objectives sections (those wanted)."""
    out: dict[str, Any] = {}
    if wanted("teams"):
        out["teams"] = _teams(model, as_of, by)
    if wanted("vendors"):
        out["vendors"] = _vendors(model, as_of, by)
    if wanted("staff"):
        out["staff"] = _staff(model, as_of, by)
    if wanted("objectives"):
        out["objectives"] = _objectives(model, by)
    return out


def _teams(model: Model, as_of: dt.date, by: schedule.Groups) -> dict[str, TeamFigures]:
    fte_by_team = people.team_fte(model, as_of)
    teams = {}
    for tid, team in model.teams.items():
        t = by.teams[tid]
        members = sum(p.team == tid and p.employed_on(as_of) for p in model.people.values())
        teams[tid] = TeamFigures(team.name, team.department, team.lead, to_decimal(t.progress), to_decimal(t.planned),
                                 t.tasks, t.effort, members, fte_by_team.get(tid, ZERO))
    return teams


def _vendors(model: Model, as_of: dt.date, by: schedule.Groups) -> dict[str, VendorFigures]:
    spend: dict[str, VendorSpend] = budget.vendor_spend(model, as_of)
    vendors = {}
    for vid, vendor in model.vendors.items():
        t, s = by.vendors[vid], spend[vid]
        vendors[vid] = VendorFigures(vendor.name, to_decimal(t.progress), to_decimal(t.planned), t.tasks, t.effort,
                                     s.contracts_value, s.invoiced, s.committed)
    return vendors


def _staff(model: Model, as_of: dt.date, by: schedule.Groups) -> dict[str, PersonFigures]:
    fte_by_person = people.person_fte(model, as_of)
    over = set(people.over_allocated(model, as_of))
    staff = {}
    for pid, person in model.people.items():
        t = by.people[pid]
        allocations: dict[str, Decimal] = {}
        for allocation in people.active_allocations(model, person, as_of):
            allocations[allocation.project] = allocations.get(allocation.project, ZERO) + allocation.percent
        staff[pid] = PersonFigures(person.name, person.team, person.employment, person.vendor,
                                   fte_by_person.get(pid, ZERO), dict(sorted(allocations.items())), pid in over,
                                   to_decimal(t.progress), to_decimal(t.planned), t.tasks)
    return staff


def _objectives(model: Model, by: schedule.Groups) -> dict[str, ObjectiveFigures]:
    objectives = {}
    for objective in model.program.objectives:
        t = by.objectives[objective.id]
        objectives[objective.id] = ObjectiveFigures(
            objective.title, objective.metric, objective.unit, objective.baseline, objective.target,
            objective.current, to_decimal(schedule.progress_to_target(objective)),
            schedule.objective_projects(model, objective.id), to_decimal(t.progress), to_decimal(t.planned),
        )
    return objectives
