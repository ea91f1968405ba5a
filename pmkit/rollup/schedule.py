"""Progress, planned progress, milestones and objectives as of a date D.

Planned percent of a task as of D (calendar days, SPEC §4):
  0                                  when D < start
  100                                when D >= end (a one-day task, start ==
                                     end, is 0 before that day, 100 from it on)
  100 x (D - start) / (end - start)  in between
A task without dates has its project's (the model applies that default), so a
dateless task is planned like its project.

A task's weight is its effort. Progress and planned of any set of tasks are
the effort-weighted means of task progress and task planned percent; they are
null (None) for a set without tasks (or, impossible after validation, with a
total effort of 0): "no measurable work" is not 0 % done.

Which tasks count:
- A project's own figures use all of its tasks, whatever its status; a
  cancelled project's row still shows how far it had got.
- Every other figure (program, team, vendor, person, objective) counts only
  the tasks of *counted* projects: cancelled ones are left out. On-hold,
  proposed and done projects are counted: an on-hold project keeps falling
  behind its plan, which is the point of showing it.
- team = tasks assigned to the team id or to a person whose ``team`` is it;
  vendor = tasks assigned to the vendor id itself (not to its contractor
  staff, who count for their person and team); person = tasks assigned to the
  person; objective = tasks of the counted projects that name the objective.
Task progress is undated and taken as it stands in the files, whatever D.

Milestones as of D (cancelled projects' milestones are left out):
  done      done date <= D (a milestone done after D is not done as of D, and
            its ``done`` is shown as null)
  late      not done and due < D
  upcoming  not done and D <= due <= D + 30 days
  planned   otherwise (not done, due more than 30 days after D)
  slipped_days = done - due when done (negative when early), D - due when
  late, else null.

Objectives: progress_to_target = (current - baseline) / (target - baseline) x
100, clamped to 0..100; null when target == baseline or current is missing.
Works for metrics that should fall (baseline 12 days, target 2).

Exactness: sums of effort x progress are exact decimals; planned percents are
rationals (x / span days), so they are summed per span and combined as
``fractions.Fraction``; nothing is rounded until JSON is written. Internals
return Fractions (``Tally``); the dataclasses hold Decimals (``to_decimal``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Annotated

from pmkit.domain.model import Milestone, Model, Objective, Project, Task
from pmkit.rollup.figures import Percent

UPCOMING_DAYS = 30
# A metric value or an effort: written as a JSON number with up to 4 places.
Amount = Annotated[Decimal | None, "ratio"]

_HUNDRED = Fraction(100)
_WIDE = Context(prec=60)


def to_decimal(value: Fraction | None) -> Decimal | None:
    """A Fraction as a Decimal: exact when it terminates within 60 digits.

    A value exactly halfway between two displayed digits always terminates, so
    the one rounding at display time never rounds an already-rounded value the
    wrong way.
    """
    if value is None:
        return None
    # (the context's own division: a rollup makes thousands, and entering a local context costs more)
    return _WIDE.divide(Decimal(value.numerator), Decimal(value.denominator))


# ------------------------------------------------------------------ tasks


def task_planned(task: Task, as_of: dt.date) -> Fraction:
    """Planned percent of a task as of D, exact."""
    if as_of < task.start:
        return Fraction(0)
    if as_of >= task.end:
        return _HUNDRED
    return _HUNDRED * (as_of - task.start).days / (task.end - task.start).days


class Tally:
    """Effort-weighted progress and planned percent of a set of tasks.

    Planned contributions are kept per span (end - start in days) as exact
    decimals ``effort x 100 x elapsed``; dividing once per distinct span at
    the end keeps the sum exact and fast over 100,000 tasks.
    """

    __slots__ = ("tasks", "effort", "earned", "planned_by_span")

    def __init__(self) -> None:
        self.tasks = 0
        self.effort = Decimal(0)
        self.earned = Decimal(0)  # sum of effort x progress
        self.planned_by_span: dict[int, Decimal] = defaultdict(Decimal)

    def add(self, task: Task, as_of: dt.date) -> None:
        self.tasks += 1
        self.effort += task.effort
        self.earned += task.effort * task.progress
        if as_of >= task.end:
            self.planned_by_span[1] += task.effort * 100
        elif as_of > task.start:
            self.planned_by_span[(task.end - task.start).days] += task.effort * 100 * (as_of - task.start).days

    def merge(self, other: Tally) -> None:
        self.tasks += other.tasks
        self.effort += other.effort
        self.earned += other.earned
        for span, value in other.planned_by_span.items():
            self.planned_by_span[span] += value

    @property
    def progress(self) -> Fraction | None:
        """Effort-weighted mean of task progress (0-100), or None without effort."""
        if self.effort == 0:
            return None
        return Fraction(self.earned) / Fraction(self.effort)

    @property
    def planned(self) -> Fraction | None:
        """Effort-weighted mean of task planned percent (0-100), or None without effort."""
        if self.effort == 0:
            return None
        total = sum((Fraction(value) / span for span, value in sorted(self.planned_by_span.items())), Fraction(0))
        return total / Fraction(self.effort)


def tally(tasks: Iterable[Task], as_of: dt.date) -> Tally:
    out = Tally()
    for task in tasks:
        out.add(task, as_of)
    return out


@dataclass
class Progress:
    """Progress and planned percent of a group of tasks, with its size."""

    progress: Percent
    planned: Percent
    tasks: int
    effort: Amount

    @classmethod
    def of(cls, t: Tally) -> Progress:
        return cls(to_decimal(t.progress), to_decimal(t.planned), t.tasks, t.effort)


def project_tallies(model: Model, as_of: dt.date) -> dict[str, Tally]:
    """Every project's own tally (all its tasks, whatever its status)."""
    return {pid: tally(p.tasks, as_of) for pid, p in model.projects.items()}


def counted_projects(model: Model) -> list[Project]:
    return [p for p in model.projects.values() if p.counted]


def program_tally(model: Model, as_of: dt.date, projects: dict[str, Tally] | None = None) -> Tally:
    """Every task of the counted (not cancelled) projects."""
    projects = projects if projects is not None else project_tallies(model, as_of)
    out = Tally()
    for project in counted_projects(model):
        out.merge(projects[project.id])
    return out


@dataclass
class Groups:
    """Tallies by team, vendor, person and objective (counted projects only)."""

    teams: dict[str, Tally]
    vendors: dict[str, Tally]
    people: dict[str, Tally]
    objectives: dict[str, Tally]


def groups(model: Model, as_of: dt.date, projects: dict[str, Tally] | None = None) -> Groups:
    projects = projects if projects is not None else project_tallies(model, as_of)
    teams = {tid: Tally() for tid in model.teams}
    vendors = {vid: Tally() for vid in model.vendors}
    people = {pid: Tally() for pid in model.people}
    objectives = {o.id: Tally() for o in model.program.objectives}
    for project in counted_projects(model):
        for task in project.tasks:
            assignee = task.assignee
            if assignee is None:
                continue
            if assignee in people:
                people[assignee].add(task, as_of)
                team = model.people[assignee].team
                if team in teams:
                    teams[team].add(task, as_of)
            elif assignee in teams:
                teams[assignee].add(task, as_of)
            elif assignee in vendors:
                vendors[assignee].add(task, as_of)
        for objective in dict.fromkeys(project.objectives):
            if objective in objectives:
                objectives[objective].merge(projects[project.id])
    return Groups(teams, vendors, people, objectives)


# ------------------------------------------------------------- objectives


def progress_to_target(objective: Objective) -> Fraction | None:
    """(current - baseline) / (target - baseline) x 100, clamped to 0..100."""
    if objective.current is None or objective.target == objective.baseline:
        return None
    value = _HUNDRED * Fraction(objective.current - objective.baseline) / Fraction(objective.target - objective.baseline)
    return min(_HUNDRED, max(Fraction(0), value))


def objective_projects(model: Model, objective_id: str) -> list[str]:
    """Ids of the counted projects serving an objective, sorted."""
    return sorted(p.id for p in counted_projects(model) if objective_id in p.objectives)


# ------------------------------------------------------------- milestones


def milestone_status(milestone: Milestone, as_of: dt.date) -> str:
    if milestone.done is not None and milestone.done <= as_of:
        return "done"
    if milestone.due < as_of:
        return "late"
    if milestone.due <= as_of + dt.timedelta(days=UPCOMING_DAYS):
        return "upcoming"
    return "planned"


@dataclass
class MilestoneRow:
    project: str
    id: str
    title: str
    due: dt.date
    done: dt.date | None  # null when not done as of D
    status: str  # done | late | upcoming | planned
    slipped_days: int | None


def milestone_row(milestone: Milestone, as_of: dt.date) -> MilestoneRow:
    status = milestone_status(milestone, as_of)
    done = milestone.done if status == "done" else None
    if done is not None:
        slipped: int | None = (done - milestone.due).days
    elif status == "late":
        slipped = (as_of - milestone.due).days
    else:
        slipped = None
    return MilestoneRow(milestone.project, milestone.id, milestone.title, milestone.due, done, status, slipped)


def milestones(model: Model, as_of: dt.date) -> list[MilestoneRow]:
    """Milestones of the counted projects, by due date, project and id."""
    rows = [milestone_row(m, as_of) for p in counted_projects(model) for m in p.milestones]
    return sorted(rows, key=lambda r: (r.due, r.project, r.id))


@dataclass
class MilestoneCounts:
    total: int = 0
    done: int = 0
    late: int = 0
    upcoming: int = 0


def milestone_counts(project: Project, as_of: dt.date) -> MilestoneCounts:
    """A project's milestones by status; a cancelled project has none late or upcoming."""
    out = MilestoneCounts(total=len(project.milestones))
    for milestone in project.milestones:
        status = milestone_status(milestone, as_of)
        if status == "done":
            out.done += 1
        elif project.counted and status == "late":
            out.late += 1
        elif project.counted and status == "upcoming":
            out.upcoming += 1
    return out
