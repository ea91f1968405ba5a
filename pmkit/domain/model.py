"""Stage 3: the typed domain model, built from schema-valid records.

Everything downstream (rollups, reports, the site) reads these dataclasses,
never raw YAML. Private fields (``x-pmkit-private`` in the schemas) are not
carried into the model at all, so no renderer can publish them by mistake.
Dates are ``datetime.date`` and money is ``Decimal``; defaults from SPEC §2
are applied here, once (a task without dates takes its project's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from pmkit.core.vocabulary import DEFAULT_CATEGORIES, OPEN_STATUSES
from pmkit.domain.index import Index, Record
from pmkit.domain.ledger import Line

Date = dt.date
ZERO = Decimal(0)


def _day(value: Any) -> Date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _num(value: Any, default: Decimal = ZERO) -> Decimal:
    return default if value is None else Decimal(value)


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    title: str
    metric: str
    unit: str | None
    baseline: Decimal
    target: Decimal
    current: Decimal | None
    due: Date | None


@dataclass(frozen=True, slots=True)
class Program:
    name: str
    goal: str
    manager: str
    sponsor: str | None
    start: Date
    end: Date
    currency: str
    fiscal_year_start: int
    status_date: Date | None
    objectives: tuple[Objective, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    project: str
    title: str
    assignee: str | None
    effort: Decimal
    start: Date  # the task's own, else its project's
    end: Date
    progress: Decimal
    depends_on: tuple[str, ...]  # fully qualified: "project/task"
    dated: bool  # False when the dates are the project's

    @property
    def key(self) -> str:
        return f"{self.project}/{self.id}"


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    project: str
    title: str
    due: Date
    done: Date | None


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    summary: str | None
    objectives: tuple[str, ...]
    owner: str
    team: str
    departments: tuple[str, ...]
    status: str
    start: Date
    end: Date
    budget: dict[str, Decimal]
    depends_on: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    tasks: tuple[Task, ...]

    @property
    def counted(self) -> bool:
        """Cancelled projects are left out of progress and schedule figures."""
        return self.status != "cancelled"


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    department: str
    lead: str | None
    purpose: str | None


@dataclass(frozen=True, slots=True)
class Allocation:
    project: str
    percent: Decimal
    start: Date  # from, else the person's start, else the project's start
    end: Date | None  # to, else the person's end, else the project's end


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    policy: str  # the id of a rules/ file (YAML key `rule`)
    date: Date


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    role: str | None
    team: str
    employment: str
    vendor: str | None
    start: Date
    end: Date | None
    allocations: tuple[Allocation, ...]
    acknowledgements: tuple[Acknowledgement, ...]
    qualifications: tuple[str, ...]

    def employed_on(self, day: Date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    vendor: str
    project: str
    category: str
    value: Decimal
    start: Date | None
    end: Date | None
    scope: str | None
    deliverables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vendor:
    id: str
    name: str
    contracts: tuple[Contract, ...]


@dataclass(frozen=True, slots=True)
class Interview:
    date: Date
    interviewer: str
    score: int | None


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    stage: str
    applied: Date | None
    interviews: tuple[Interview, ...]
    hired_as: str | None


@dataclass(frozen=True, slots=True)
class Position:
    id: str
    title: str
    team: str
    project: str | None
    openings: int
    status: str
    opened: Date
    closed: Date | None
    decision: str
    shortlist_size: int
    requirements: tuple[str, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title: str
    category: str
    authority: str | None
    summary: str | None
    url: str | None
    effective: Date
    applies_employment: tuple[str, ...]
    applies_teams: tuple[str, ...]
    applies_roles: tuple[str, ...]
    acknowledge_within_days: int
    renew_every_days: int | None


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    type: str  # risk | issue
    title: str
    project: str | None
    owner: str | None
    opened: Date
    due: Date | None
    status: str
    severity: str
    probability: int | None
    impact: int | None
    escalated_to: str | None
    resolution: str | None
    description: str | None = None
    response: str | None = None  # avoid | mitigate | transfer | accept | escalate
    mitigation: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def score(self) -> int | None:
        if self.probability is None or self.impact is None:
            return None
        return self.probability * self.impact


@dataclass(frozen=True, slots=True)
class ReportEntry:
    team: str
    rag: str
    summary: str
    done: tuple[str, ...]
    next: tuple[str, ...]
    blockers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusReport:
    period: str
    author: str | None
    entries: tuple[ReportEntry, ...]


@dataclass(frozen=True, slots=True)
class FundingSource:
    id: str
    name: str
    amount: Decimal
    status: str  # requested | approved | received
    date: Date | None
    fiscal_year: int | None


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    date: Date
    amount: Decimal
    source: Line
    target: Line
    reason: str
    approved_by: str | None


# Not frozen, unlike the other records: a model with every expense holds
# 500,000 at SPEC §9 scale, and a frozen dataclass is built five times
# slower. Nothing hashes or changes one. (The pipeline's model only adds
# them up: ``Spending``.)
@dataclass(slots=True)
class Expense:
    id: str
    date: Date
    project: str
    category: str
    amount: Decimal
    vendor: str | None
    contract: str | None
    invoice: str | None
    description: str | None
    refund_of: str | None

    @property
    def line(self) -> Line:
        return Line(self.project, self.category)


@dataclass
class Spending:
    """The expenses dated on or before ``as_of``, added up: all that the
    rollup reads of them (SPEC §4: actual spend counts as of its date)."""

    as_of: Date
    lines: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (project, category) -> amount
    contracts: dict[str, Decimal] = field(default_factory=dict)
    vendors: dict[str, Decimal] = field(default_factory=dict)
    months: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (year, month) -> amount


#: What ``add_up`` reads of an expense: date, project, category, amount, vendor, contract.
SpendRow = tuple[Date, str, str, Decimal, "str | None", "str | None"]


def add_up(rows: Iterable[SpendRow], as_of: Date) -> Spending:
    """The ``Spending`` of expense rows as of a date (refunds are negative amounts)."""
    out = Spending(as_of)
    lines, contracts, vendors, months = out.lines, out.contracts, out.vendors, out.months
    for day, project, category, amount, vendor, contract in rows:  # the hot loop: 500,000 at SPEC §9 scale
        if day > as_of:
            continue
        line = (project, category)
        lines[line] = lines.get(line, ZERO) + amount
        month = (day.year, day.month)
        months[month] = months.get(month, ZERO) + amount
        if vendor is not None:
            vendors[vendor] = vendors.get(vendor, ZERO) + amount
        if contract is not None:
            contracts[contract] = contracts.get(contract, ZERO) + amount
    return out


@dataclass
class Model:
    program: Program
    projects: dict[str, Project] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    vendors: dict[str, Vendor] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    risks: dict[str, Risk] = field(default_factory=dict)
    reports: dict[str, StatusReport] = field(default_factory=dict)
    funding: list[FundingSource] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    #: every expense; empty when the model was built with ``spending`` instead
    expenses: list[Expense] = field(default_factory=list)
    #: the expenses added up as of one date, instead of ``expenses`` (``build(..., spent_as_of=D)``)
    spending: Spending | None = None
    #: the expenses added up as of a few earlier dates too (``build(..., also=...)``: the site's monthly reports)
    earlier: dict[Date, Spending] = field(default_factory=dict)

    def spent(self, as_of: Date) -> Spending:
        """The expenses added up as of ``as_of``."""
        if self.spending is None:
            return add_up(((e.date, e.project, e.category, e.amount, e.vendor, e.contract) for e in self.expenses),
                          as_of)
        if self.spending.as_of != as_of:
            if as_of in self.earlier:
                return self.earlier[as_of]
            raise ValueError(f"the model holds the expenses added up as of {self.spending.as_of}, not {as_of}")
        return self.spending

    @property
    def contracts(self) -> dict[str, Contract]:
        return {c.id: c for v in self.vendors.values() for c in v.contracts}

    def assignee_kind(self, assignee: str | None) -> str | None:
        """What a task's assignee names: ``person``, ``team`` or ``vendor``."""
        if assignee is None:
            return None
        if assignee in self.people:
            return "person"
        if assignee in self.teams:
            return "team"
        if assignee in self.vendors:
            return "vendor"
        return None


# ---------------------------------------------------------------- building


def add_up_many(rows: Iterable[SpendRow], dates: Iterable[Date]) -> dict[Date, Spending]:
    """``add_up`` as of several dates in one pass over the rows (equal to one ``add_up`` per date)."""
    wanted = sorted(set(dates))
    if len(wanted) == 1:
        return {wanted[0]: add_up(rows, wanted[0])}
    out = {d: Spending(d) for d in wanted}
    for row in rows:
        for d in wanted:
            if row[0] <= d:
                one = out[d]
                day, project, category, amount, vendor, contract = row
                line = (project, category)
                one.lines[line] = one.lines.get(line, ZERO) + amount
                month = (day.year, day.month)
                one.months[month] = one.months.get(month, ZERO) + amount
                if vendor is not None:
                    one.vendors[vendor] = one.vendors.get(vendor, ZERO) + amount
                if contract is not None:
                    one.contracts[contract] = one.contracts.get(contract, ZERO) + amount
    return out


def build(index: Index, spent_as_of: Date | None = None, also: Iterable[Date] = ()) -> Model:
    """The typed model of a program whose records passed validation.

    With ``spent_as_of``, the expenses are only added up as of that date
    (``Model.spending``), which is all the rollup needs: at SPEC §9 scale
    that saves building 500,000 ``Expense`` objects (2 s). ``also``: earlier
    dates to add the expenses up as of too, in the same pass (``Model.earlier``).
    """
    if index.program is None:
        raise ValueError("program.yaml is missing or invalid; validate first")
    model = Model(program=_program(index.program.data))
    for ident, rec in sorted(index.projects.items()):
        model.projects[ident] = index.derived(rec.doc, "project", lambda: _project(ident, rec.data))
    for ident, rec in sorted(index.teams.items()):
        d = rec.data
        model.teams[ident] = Team(ident, d["name"], d["department"], d.get("lead"), d.get("purpose"))
    for ident, rec in sorted(index.staff.items()):
        model.people[ident] = _kept_person(index, ident, rec, model.projects)
    for ident, rec in sorted(index.vendors.items()):
        model.vendors[ident] = _vendor(ident, rec.data)
    for ident, rec in sorted(index.positions.items()):
        model.positions[ident] = _position(ident, rec.data)
    for ident, rec in sorted(index.policies.items()):
        model.policies[ident] = _policy(ident, rec.data)
    for ident, rec in sorted(index.risks.items()):
        model.risks[ident] = _risk(ident, rec.data)
    for ident, rec in sorted(index.reports.items()):
        model.reports[ident] = status_report(rec.data)
    model.funding = [_funding(r.data) for r in index.funding]
    model.transfers = sorted((_transfer(r.data) for r in index.transfers), key=lambda t: (t.date, t.id))
    if spent_as_of is None:
        model.expenses = _expenses(index.expenses)
    else:
        earlier = sorted({d for d in also if d < spent_as_of})
        if earlier:
            sums = add_up_many(_spend_rows(index.expenses), [*earlier, spent_as_of])
            model.spending = sums.pop(spent_as_of)
            model.earlier = sums
        else:
            index.use("expenses")  # (loads them, on an index that loads kinds when first read)
            model.spending = spent_by_file(index, spent_as_of)
    return model


def spent_by_file(index: Index, as_of: Date) -> Spending:
    """``add_up`` of the valid expenses, file by file: a file whose every expense
    is dated on or before ``as_of`` adds its own sums, worked out once per file
    version (``Index.derived``: a past month's file in ``pmkit history``, an
    unchanged file on both sides of ``pmkit diff``).

    Equal to ``add_up`` of all rows in ``index.expenses`` order: the money sums
    are exact (no amount has more than 14 digits, so no sum comes near
    Decimal's 28), each key comes first in the same order, and an exact sum's
    exponent is the least of its terms' whatever the grouping."""
    out = Spending(as_of)
    for records in index.expense_records.values():
        if not records:
            continue
        earliest, latest, whole = index.derived(records[0].doc, "spent", lambda: _whole_file(records),
                                                lasting=True)
        if earliest > as_of:
            continue
        part = whole if latest <= as_of else add_up(_spend_rows(records), as_of)
        _merge(out.lines, part.lines)
        _merge(out.contracts, part.contracts)
        _merge(out.vendors, part.vendors)
        _merge(out.months, part.months)
    return out


def _whole_file(records: list[Record]) -> tuple[Date, Date, Spending]:
    """The first and last day of a file's expenses, and all of them added up."""
    rows = list(_spend_rows(records))
    return min(r[0] for r in rows), max(r[0] for r in rows), add_up(rows, dt.date.max)


def _merge(into: dict[Any, Decimal], part: dict[Any, Decimal]) -> None:
    get = into.get
    for key, amount in part.items():
        into[key] = get(key, ZERO) + amount


def _spend_rows(records: Iterable[Record]) -> Iterable[SpendRow]:
    days: dict[str, Date] = {}
    for record in records:
        d = record.data
        text, amount = d["date"], d["amount"]
        day = days.get(text)
        if day is None:
            day = days[text] = dt.date.fromisoformat(text)
        yield (day, d["project"], d["category"], amount if type(amount) is Decimal else _num(amount),
               d.get("vendor"), d.get("contract"))


def _expenses(records: Iterable[Record]) -> list[Expense]:
    """Every expense, by date and id (dates repeat, so each is parsed once)."""
    days: dict[str, Date | None] = {}
    out = []
    for record in records:
        d = record.data
        text, amount = d["date"], d["amount"]
        day = days.get(text)
        if day is None:
            day = days[text] = _day(text)
        out.append(Expense(d["id"], day, d["project"], d["category"],  # type: ignore[arg-type]
                           amount if type(amount) is Decimal else _num(amount), d.get("vendor"), d.get("contract"),
                           d.get("invoice"), d.get("description"), d.get("refund_of")))
    out.sort(key=attrgetter("date", "id"))
    return out


def _program(d: dict[str, Any]) -> Program:
    objectives = tuple(
        Objective(o["id"], o["title"], o["metric"], o.get("unit"), _num(o["baseline"]), _num(o["target"]),
                  None if o.get("current") is None else _num(o["current"]), _day(o.get("due")))
        for o in d.get("objectives", [])
    )
    return Program(
        d["name"], d["goal"], d["manager"], d.get("sponsor"), _day(d["start"]), _day(d["end"]),  # type: ignore[arg-type]
        d["currency"], int(d.get("fiscal_year_start", 1)), _day(d.get("status_date")), objectives,
        tuple(d.get("categories", DEFAULT_CATEGORIES)),
    )


def _project(ident: str, d: dict[str, Any]) -> Project:
    start, end = _day(d["start"]), _day(d["end"])
    assert start is not None and end is not None
    tasks = tuple(
        Task(
            t["id"], ident, t["title"], t.get("assignee"), _num(t.get("effort"), Decimal(1)),
            _day(t.get("start")) or start, _day(t.get("end")) or end, _num(t.get("progress")),
            tuple(dep if "/" in dep else f"{ident}/{dep}" for dep in t.get("depends_on", [])),
            "start" in t or "end" in t,
        )
        for t in d.get("tasks", [])
    )
    milestones = tuple(
        Milestone(m["id"], ident, m["title"], _day(m["due"]), _day(m.get("done")))  # type: ignore[arg-type]
        for m in d.get("milestones", [])
    )
    return Project(
        ident, d["name"], d.get("summary"), tuple(d.get("objectives", [])), d["owner"], d["team"],
        tuple(d.get("departments", [])), d["status"], start, end,
        {k: _num(v) for k, v in d.get("budget", {}).items()}, tuple(d.get("depends_on", [])), milestones, tasks,
    )


def _kept_person(index: Index, ident: str, rec: Record, projects: dict[str, Project]) -> Person:
    """``_person``, built once per staff file version while the projects it
    allocates keep their dates (an allocation without ``from`` or ``to`` takes
    them): the next commit of ``pmkit history`` reuses 3,000 people at full scale."""
    read = tuple(_dates_of(projects.get(a["project"])) for a in rec.data.get("allocations", []))
    kept: dict[str, tuple[dict[str, Any], tuple[tuple[Date, Date] | None, ...], Person]] = \
        index.derived(rec.doc, "people", dict)
    before = kept.get(ident)
    if before is not None and before[0] is rec.data and before[1] == read:
        return before[2]
    person = _person(ident, rec.data, projects)
    kept[ident] = (rec.data, read, person)
    return person


def _dates_of(project: Project | None) -> tuple[Date, Date] | None:
    return None if project is None else (project.start, project.end)


def _person(ident: str, d: dict[str, Any], projects: dict[str, Project]) -> Person:
    start, end = _day(d["start"]), _day(d.get("end"))
    assert start is not None
    allocations = []
    for a in d.get("allocations", []):
        project = projects.get(a["project"])
        a_start = _day(a.get("from")) or max(start, project.start if project else start)
        a_end = _day(a.get("to")) or _earliest(end, project.end if project else None)
        allocations.append(Allocation(a["project"], _num(a["percent"]), a_start, a_end))
    acks = tuple(Acknowledgement(a["rule"], _day(a["date"])) for a in d.get("acknowledgements", []))  # type: ignore[arg-type]
    return Person(ident, d["name"], d.get("role"), d["team"], d["employment"], d.get("vendor"), start, end,
                  tuple(allocations), acks, tuple(d.get("qualifications", [])))


def _earliest(a: Date | None, b: Date | None) -> Date | None:
    dates = [x for x in (a, b) if x is not None]
    return min(dates) if dates else None


def _vendor(ident: str, d: dict[str, Any]) -> Vendor:
    contracts = tuple(
        Contract(c["id"], ident, c["project"], c.get("category", "contractors"), _num(c["value"]),
                 _day(c.get("start")), _day(c.get("end")), c.get("scope"), tuple(c.get("deliverables", [])))
        for c in d.get("contracts", [])
    )
    return Vendor(ident, d["name"], contracts)


def _position(ident: str, d: dict[str, Any]) -> Position:
    candidates = tuple(
        Candidate(
            c["id"], c["stage"], _day(c.get("applied")),
            tuple(Interview(_day(i["date"]), i["interviewer"], i.get("score")) for i in c.get("interviews", [])),  # type: ignore[arg-type]
            c.get("hired_as"),
        )
        for c in d.get("candidates", [])
    )
    return Position(ident, d["title"], d["team"], d.get("project"), int(d["openings"]), d["status"],
                    _day(d["opened"]), _day(d.get("closed")), d["decision"], int(d.get("shortlist_size", 3)),  # type: ignore[arg-type]
                    tuple(d.get("requirements", [])), candidates)


def _policy(ident: str, d: dict[str, Any]) -> Policy:
    applies = d.get("applies_to", {})
    renew = d.get("renew_every_days")
    return Policy(ident, d["title"], d["category"], d.get("authority"), d.get("summary"), d.get("url"),
                _day(d["effective"]), tuple(applies.get("employment", [])), tuple(applies.get("teams", [])),  # type: ignore[arg-type]
                tuple(applies.get("roles", [])), int(d.get("acknowledge_within_days", 30)),
                None if renew is None else int(renew))


def _risk(ident: str, d: dict[str, Any]) -> Risk:
    return Risk(ident, d["type"], d["title"], d.get("project"), d.get("owner"), _day(d["opened"]),  # type: ignore[arg-type]
                _day(d.get("due")), d["status"], d["severity"], d.get("probability"), d.get("impact"),
                d.get("escalated_to"), d.get("resolution"), d.get("description"), d.get("response"),
                d.get("mitigation"))


def status_report(d: dict[str, Any]) -> StatusReport:
    """A schema-valid status report record (reports/<period>.yaml) as the model holds it."""
    entries = tuple(
        ReportEntry(e["team"], e["rag"], e["summary"], tuple(e.get("done", [])), tuple(e.get("next", [])),
                    tuple(e.get("blockers", [])))
        for e in d.get("entries", [])
    )
    return StatusReport(d["period"], d.get("author"), entries)


def _funding(d: dict[str, Any]) -> FundingSource:
    fy = d.get("fiscal_year")
    return FundingSource(d["id"], d["name"], _num(d["amount"]), d["status"], _day(d.get("date")),
                         None if fy is None else int(fy))


def _transfer(d: dict[str, Any]) -> Transfer:
    return Transfer(d["id"], _day(d["date"]), _num(d["amount"]),  # type: ignore[arg-type]
                    Line(d["from"]["project"], d["from"]["category"]), Line(d["to"]["project"], d["to"]["category"]),
                    d["reason"], d.get("approved_by"))



