"""Small in-memory models for the rollup tests (no YAML, no validation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pmkit.domain.model import (Contract, Expense, Line, Milestone, Model, Objective, Person, Program, Project, Task, Team,
                         Transfer, Vendor)

D = dt.date.fromisoformat


def program(start: str = "2026-01-01", end: str = "2026-12-31", objectives: tuple[Objective, ...] = ()) -> Program:
    return Program("P", "Goal", "pm", None, D(start), D(end), "USD", 1, None, objectives,
                   ("labor", "contractors", "hardware", "software", "cloud", "training", "travel", "other"))


def task(ident: str, start: str | None = None, end: str | None = None, *, effort: str | int = 1,
         progress: str | int = 0, assignee: str | None = None, project: str = "p",
         project_dates: tuple[str, str] = ("2026-01-01", "2026-12-31")) -> Task:
    """A task; without dates it takes ``project_dates`` (as the model does)."""
    return Task(ident, project, ident, assignee, Decimal(effort), D(start or project_dates[0]),
                D(end or project_dates[1]), Decimal(progress), (), start is not None or end is not None)


def project(ident: str = "p", tasks: tuple[Task, ...] = (), *, status: str = "active", start: str = "2026-01-01",
            end: str = "2026-12-31", budget: dict[str, str | int] | None = None,
            milestones: tuple[Milestone, ...] = (), objectives: tuple[str, ...] = ()) -> Project:
    return Project(ident, ident.title(), None, objectives, "pm", "team", (), status, D(start), D(end),
                   {k: Decimal(v) for k, v in (budget or {}).items()}, (), milestones,
                   tuple(Task(t.id, ident, t.title, t.assignee, t.effort, t.start, t.end, t.progress, t.depends_on,
                              t.dated) for t in tasks))


def milestone(ident: str, due: str, done: str | None = None, project: str = "p") -> Milestone:
    return Milestone(ident, project, ident, D(due), None if done is None else D(done))


def expense(ident: str, date: str, amount: str | int | Decimal, project: str = "p", category: str = "labor",
            **extra: object) -> Expense:
    fields: dict[str, object] = {"vendor": None, "contract": None, "invoice": None, "description": None,
                                 "refund_of": None, **extra}
    return Expense(ident, D(date), project, category, Decimal(amount), **fields)  # type: ignore[arg-type]


def transfer(ident: str, date: str, amount: str | int, source: tuple[str, str], target: tuple[str, str]) -> Transfer:
    return Transfer(ident, D(date), Decimal(amount), Line(*source), Line(*target), "reason", None)


def person(ident: str, team: str = "team", employment: str = "employee", vendor: str | None = None) -> Person:
    return Person(ident, ident.title(), None, team, employment, vendor, D("2020-01-01"), None, (), (), ())


def team(ident: str = "team") -> Team:
    return Team(ident, ident.title(), "Dept", None, None)


def vendor(ident: str, *contracts: Contract) -> Vendor:
    return Vendor(ident, ident.title(), contracts)


def model(*projects: Project, expenses: tuple[Expense, ...] = (), transfers: tuple[Transfer, ...] = (),
          people: tuple[Person, ...] = (), teams: tuple[Team, ...] = (team(),), vendors: tuple[Vendor, ...] = (),
          objectives: tuple[Objective, ...] = (), start: str = "2026-01-01", end: str = "2026-12-31") -> Model:
    return Model(
        program=program(start, end, objectives),
        projects={p.id: p for p in sorted(projects, key=lambda p: p.id)},
        teams={t.id: t for t in teams},
        people={p.id: p for p in people},
        vendors={v.id: v for v in vendors},
        expenses=sorted(expenses, key=lambda e: (e.date, e.id)),
        transfers=sorted(transfers, key=lambda t: (t.date, t.id)),
    )
