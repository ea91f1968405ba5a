"""Staffing, compliance, hiring and problems (SPEC §4), as of a date D.

Pure functions of (model, as-of date); every dict is sorted by id, so the
same input and date always give the same figures.

Staffing
    An allocation is *active* on D when
    - its person is employed on D (start ≤ D, no end or end ≥ D),
    - D lies within the allocation (its ``from``..``to``; in the model these
      already default to the person's and the project's dates, so an
      allocation without dates runs for the overlap of employment and
      project; ``to`` may be open-ended),
    - D lies within its project (``start``..``end``).
    FTE = Σ percent / 100 over active allocations. Allocations to cancelled
    projects count like any other (person, team, project and program FTE,
    and over-allocation): project status is undated, the allocation's dates
    say when time was given, and the ``over-allocated`` validation rule
    counts them too (its advice: end them on the day the project stopped),
    so ``pmkit validate`` and the rollup name the same people. SPEC leaves
    cancelled projects out of progress figures only. Hence program FTE =
    Σ person FTE = Σ project FTE = Σ team FTE.
    Headcount counts people employed on D, with or without an allocation
    (those without one add 0 FTE). People not yet started or already gone
    on D are neither in headcount nor in any FTE (their entries are 0).
    Over-allocated: active allocations total more than 100 % on D.
    contractor_share = contractor FTE / FTE × 100 (null when FTE is 0).

Compliance
    The pure logic of :mod:`pmkit.domain.compliance` (shared with the
    ``acknowledgement-overdue``/``-expired`` rules). Only staff employed on D
    count; a rule not yet effective on D applies to nobody (it is listed with
    zeros). Each applicable (person, rule) pair lands in exactly one of
    acknowledged / pending / overdue / expired. ``teams`` holds every team
    (zeros when none of its members is bound by any rule).

Hiring
    Candidate stages are undated and taken as they stand. Interviews are
    dated records: only those dated ≤ D count, in ``interviews`` and in
    ``mean_score`` (the mean of their scores, null without a scored one).
    ``filled`` = candidates at stage ``hired``. ``days_open`` = (closed if
    the position has ``closed`` ≤ D, else D) − opened, never negative: a
    position opened after D shows 0 (it is still listed, with its
    candidates as they stand).

Problems
    Risk status is undated and taken as it stands; risks are not filtered by
    their ``opened`` date. Open = open | mitigating | escalated; overdue =
    open and ``due`` < D (as the ``problem-overdue`` rule). Score =
    probability × impact (null for issues or when either is missing).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from pmkit.core.vocabulary import FUNNEL_STAGES, SEVERITIES, STAGES
from pmkit.domain import compliance as policy_logic
from pmkit.domain.model import Allocation, Model, Person, Risk
from pmkit.rollup.figures import HUNDRED, ZERO, Percent, percent

PROGRAM = "program"  # the by_project key of risks without a project


# ---------------------------------------------------------------- staffing


@dataclass
class Staffing:
    headcount: int
    fte: Decimal
    employee_fte: Decimal
    contractor_fte: Decimal
    contractor_share: Percent
    over_allocated: list[str]


def _active(model: Model, person: Person, allocation: Allocation, as_of: dt.date) -> bool:
    if not person.employed_on(as_of):
        return False
    if allocation.start > as_of or (allocation.end is not None and allocation.end < as_of):
        return False
    project = model.projects.get(allocation.project)
    if project is not None and not project.start <= as_of <= project.end:
        return False
    return True


def active_allocations(model: Model, person: Person, as_of: dt.date) -> list[Allocation]:
    """The person's allocations that count on D (see the module docstring)."""
    return [a for a in person.allocations if _active(model, person, a, as_of)]


def _percent(model: Model, person: Person, as_of: dt.date) -> Decimal:
    return sum((a.percent for a in active_allocations(model, person, as_of)), ZERO)


def person_fte(model: Model, as_of: dt.date) -> dict[str, Decimal]:
    """Every person's FTE on D (0 when not employed on D or without an active allocation)."""
    return {pid: _percent(model, model.people[pid], as_of) / HUNDRED for pid in sorted(model.people)}


def project_fte(model: Model, as_of: dt.date) -> dict[str, Decimal]:
    """Every project's FTE on D: its active allocations (cancelled projects included)."""
    out: dict[str, Decimal] = {pid: ZERO for pid in model.projects}
    for person in model.people.values():
        for allocation in active_allocations(model, person, as_of):
            out[allocation.project] = out.get(allocation.project, ZERO) + allocation.percent / HUNDRED
    return dict(sorted(out.items()))


def team_fte(model: Model, as_of: dt.date) -> dict[str, Decimal]:
    """Every team's FTE on D: the FTE of its members (their allocations to any project)."""
    out: dict[str, Decimal] = {tid: ZERO for tid in model.teams}
    for pid, fte in person_fte(model, as_of).items():
        team = model.people[pid].team
        out[team] = out.get(team, ZERO) + fte
    return dict(sorted(out.items()))


def over_allocated(model: Model, as_of: dt.date) -> list[str]:
    """Sorted ids of people whose active allocations on D total more than 100 %."""
    return [pid for pid in sorted(model.people) if _percent(model, model.people[pid], as_of) > HUNDRED]


def staffing(model: Model, as_of: dt.date) -> Staffing:
    employee = contractor = ZERO
    headcount = 0
    for pid, fte in person_fte(model, as_of).items():
        person = model.people[pid]
        if not person.employed_on(as_of):
            continue
        headcount += 1
        if person.employment == "contractor":
            contractor += fte
        else:
            employee += fte
    total = employee + contractor
    return Staffing(headcount, total, employee, contractor, percent(contractor, total),
                    over_allocated(model, as_of))


# -------------------------------------------------------------- compliance


@dataclass
class Counts:
    applicable: int = 0
    acknowledged: int = 0
    pending: int = 0
    overdue: int = 0
    expired: int = 0

    def add(self, state: str) -> None:
        self.applicable += 1
        setattr(self, state, getattr(self, state) + 1)


@dataclass
class PolicyCompliance:
    title: str
    category: str
    applicable: int = 0
    acknowledged: int = 0
    pending: int = 0
    overdue: int = 0
    expired: int = 0

    def add(self, state: str) -> None:
        self.applicable += 1
        setattr(self, state, getattr(self, state) + 1)


@dataclass
class Compliance:
    total: Counts
    rules: dict[str, PolicyCompliance]
    teams: dict[str, Counts]


def standings(model: Model, as_of: dt.date) -> dict[tuple[str, str], policy_logic.Standing]:
    """(person id, rule id) → standing, for every applicable pair on D, sorted."""
    out: dict[tuple[str, str], policy_logic.Standing] = {}
    for pid in sorted(model.people):
        person = model.people[pid]
        for policy_id in sorted(model.policies):
            policy = model.policies[policy_id]
            found = policy_logic.standing_on(
                as_of,
                effective_date=policy.effective, within_days=policy.acknowledge_within_days,
                renew_every_days=policy.renew_every_days, employments=policy.applies_employment,
                teams=policy.applies_teams, roles=policy.applies_roles,
                start=person.start, end=person.end,
                employment=person.employment, team=person.team, role=person.role,
                acknowledged=[a.date if a.policy == policy_id else None for a in person.acknowledgements],
            )
            if found is not None:
                out[(pid, policy_id)] = found
    return out


def compliance(model: Model, as_of: dt.date) -> Compliance:
    total = Counts()
    by_policy = {policy_id: PolicyCompliance(r.title, r.category) for policy_id, r in sorted(model.policies.items())}
    by_team: dict[str, Counts] = {tid: Counts() for tid in model.teams}
    for (pid, policy_id), found in standings(model, as_of).items():
        total.add(found.state)
        by_policy[policy_id].add(found.state)
        by_team.setdefault(model.people[pid].team, Counts()).add(found.state)
    return Compliance(total, by_policy, dict(sorted(by_team.items())))


# ------------------------------------------------------------------ hiring


@dataclass
class PositionFigures:
    title: str
    team: str
    project: str | None
    status: str
    decision: str
    openings: int
    filled: int
    candidates: dict[str, int]
    interviews: int
    mean_score: Percent
    days_open: int


@dataclass
class Hiring:
    funnel: dict[str, int]
    positions: dict[str, PositionFigures] = field(default_factory=dict)


def _stages(stages: list[str]) -> dict[str, int]:
    counted = Counter(stages)
    return {stage: counted.get(stage, 0) for stage in STAGES}


def reached(stage: str, interviewed: bool) -> int:
    """How many funnel stages (``FUNNEL_STAGES``) a candidate reached: all up to the current one.

    A rejected or withdrawn candidate left at a stage the file does not record;
    what is known is that they applied and, with an interview on file, that
    they were screened and interviewed."""
    if stage in FUNNEL_STAGES:
        return FUNNEL_STAGES.index(stage) + 1
    return FUNNEL_STAGES.index("interview") + 1 if interviewed else 1


def funnel_reached(candidates: list[tuple[str, bool]]) -> dict[str, int]:
    """A true funnel: for each stage, how many candidates reached it (never more than the stage before).

    ``candidates``: (current stage, has an interview on file) per candidate."""
    counts = dict.fromkeys(FUNNEL_STAGES, 0)
    for stage, interviewed in candidates:
        for name in FUNNEL_STAGES[:reached(stage, interviewed)]:
            counts[name] += 1
    return counts


def hiring(model: Model, as_of: dt.date) -> Hiring:
    positions: dict[str, PositionFigures] = {}
    every_stage: list[str] = []
    for pid in sorted(model.positions):
        position = model.positions[pid]
        stages = [c.stage for c in position.candidates]
        every_stage += stages
        interviews = [i for c in position.candidates for i in c.interviews if i.date <= as_of]
        scores = [Decimal(i.score) for i in interviews if i.score is not None]
        mean = sum(scores, ZERO) / len(scores) if scores else None
        until = position.closed if position.closed is not None and position.closed <= as_of else as_of
        positions[pid] = PositionFigures(
            position.title, position.team, position.project, position.status, position.decision,
            position.openings, stages.count("hired"), _stages(stages), len(interviews), mean,
            max(0, (until - position.opened).days),
        )
    return Hiring(_stages(every_stage), positions)


# ---------------------------------------------------------------- problems


@dataclass
class RiskItem:
    id: str
    type: str
    title: str
    project: str | None
    owner: str | None
    severity: str
    status: str
    opened: dt.date
    due: dt.date | None
    overdue: bool
    score: int | None


@dataclass
class Risks:
    open: int
    overdue: int
    by_severity: dict[str, int]
    by_project: dict[str, int]
    items: list[RiskItem]


def is_overdue(risk: Risk, as_of: dt.date) -> bool:
    """Open and past its due date (due < D)."""
    return risk.is_open and risk.due is not None and risk.due < as_of


def existing(model: Model, as_of: dt.date) -> list[Risk]:
    """The risks and issues that exist on D: opened on or before it (one opened later does not exist yet)."""
    return [r for r in model.risks.values() if r.opened <= as_of]


def open_problems_by_project(model: Model, as_of: dt.date) -> dict[str, int]:
    """Open risks and issues per project as of D: every project (0 included), sorted by id.

    Risks without a project are not here (see ``risks().by_project["program"]``).
    """
    out = {pid: 0 for pid in model.projects}
    for risk in existing(model, as_of):
        if risk.is_open and risk.project is not None:
            out[risk.project] = out.get(risk.project, 0) + 1
    return dict(sorted(out.items()))


def score(risk: Risk) -> int | None:
    """probability × impact of a risk; None for an issue or when either is missing."""
    return None if risk.type == "issue" else risk.score


def _order(risk: Risk) -> tuple[object, ...]:
    value = score(risk)
    return (
        not risk.is_open,
        -SEVERITIES.index(risk.severity),
        value is None, -(value or 0),
        risk.due is None, risk.due or dt.date.min,
        risk.id,
    )


def risks(model: Model, as_of: dt.date) -> Risks:
    """Open and overdue problems as of D; ``by_project`` lists every project then ``"program"``.

    Only the risks and issues opened on or before D count or are listed.
    """
    present = existing(model, as_of)
    open_ = [r for r in present if r.is_open]
    by_severity = {s: sum(r.severity == s for r in open_) for s in SEVERITIES}
    by_project = open_problems_by_project(model, as_of)
    by_project[PROGRAM] = sum(r.project is None for r in open_)
    items = [
        RiskItem(r.id, r.type, r.title, r.project, r.owner, r.severity, r.status, r.opened, r.due,
                 is_overdue(r, as_of), score(r))
        for r in sorted(present, key=_order)
    ]
    return Risks(len(open_), sum(is_overdue(r, as_of) for r in open_), by_severity, by_project, items)


__all__ = [
    "Compliance", "Counts", "Hiring", "PositionFigures", "PolicyCompliance", "RiskItem", "Risks", "Staffing",
    "active_allocations", "compliance", "existing", "hiring", "is_overdue", "open_problems_by_project", "over_allocated",
    "person_fte", "project_fte", "risks", "score", "staffing", "standings", "team_fte",
]
