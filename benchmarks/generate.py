#!/usr/bin/env python3
"""Generate a large, valid pmkit program directory for benchmarks.

    python benchmarks/generate.py OUT_DIR [--scale 1.0] [--seed 1] [--hledger FILE]

At ``--scale 1.0`` this writes the program of SPEC §9: 2,000 projects, 100,000
tasks, 3,000 staff and 500,000 expense lines (about 100 MB of YAML). Every count
is multiplied by the scale (at least 1 of each), so ``--scale 0.002`` gives a
program small enough for a unit test.

Why it is built this way:
- Deterministic: one seeded ``random.Random``, no clock, no set iteration, so
  the same arguments give byte-identical files (benchmarks compare like with
  like, and a test can check it).
- Valid: the benchmark measures the happy path, so the data must pass every
  layer of ``pmkit validate`` (references exist, dates in order, nobody over
  100 %, expenses inside project dates and budget lines, invoices unique per
  vendor and within contract values, funding covers the budget, ...). The
  generator builds values so that each rule holds by construction (see the
  comments at each step) rather than checking afterwards.
- Fast: YAML text is written with f-strings, block style as a person would write
  it; ``yaml.dump`` is far too slow for 100 MB.
- ``--hledger FILE`` writes the same expense postings (and the budget lines and
  transfers as single-date periodic transactions) as an hledger journal, so that
  ``hledger balance --budget`` can be compared with ``pmkit rollup``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from random import Random

# --------------------------------------------------------------------------
# The calendar of the generated program.

PROGRAM_START = date(2024, 1, 1).toordinal()
PROGRAM_END = date(2026, 12, 31).toordinal()
STATUS_DATE = date(2025, 12, 31).toordinal()  # the ledger runs up to here
LEDGER_MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
EARLIEST_HIRE = date(2008, 1, 1).toordinal()

CURRENCY = "USD"
CATEGORIES = ["labor", "contractors", "hardware", "software", "cloud", "training", "travel", "other"]

# Full-scale counts (SPEC §9 for the first four; the rest sized to match).
FULL = {
    "projects": 2000,
    "tasks": 100_000,
    "staff": 3000,
    "expenses": 500_000,
    "teams": 100,
    "vendors": 150,
    "contracts": 450,
    "positions": 150,
    "rules": 20,
    "risks": 1000,
    "objectives": 40,
    "transfers": 1000,
}


@dataclass(frozen=True)
class Counts:
    """How many records of each kind a scale gives (at least one of each)."""

    projects: int
    tasks: int
    staff: int
    expenses: int
    teams: int
    vendors: int
    contracts: int
    positions: int
    rules: int
    risks: int
    objectives: int
    transfers: int

    @classmethod
    def at(cls, scale: float) -> "Counts":
        return cls(**{k: max(1, round(v * scale)) for k, v in FULL.items()})


# --------------------------------------------------------------------------
# Text helpers.

_DATES: dict[int, str] = {}


def d(ordinal: int) -> str:
    """ISO text of a date ordinal (memoised: called a million times)."""
    s = _DATES.get(ordinal)
    if s is None:
        s = _DATES[ordinal] = date.fromordinal(ordinal).isoformat()
    return s


def money(cents: int) -> str:
    """Exact decimal text of an amount in cents, always two decimals."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.()/'&+-]*[A-Za-z0-9.)]\Z|[A-Za-z]\Z")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def q(text: str) -> str:
    """A YAML scalar for free text: plain where YAML allows it, else quoted.

    Plain only for text that both YAML 1.1 and 1.2 read as the same string
    (no `: `, ` #`, leading indicator, or yes/no/on/off-like words).
    """
    if _PLAIN.match(text) and text.lower() not in _RESERVED and ": " not in text and " #" not in text:
        return text
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------
# Vocabulary.

FIRST = ["Ana", "Ben", "Chen", "Dana", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jon", "Kira", "Luis",
         "Maya", "Nils", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vik", "Wen", "Yara", "Zoe"]
LAST = ["Garcia", "Smith", "Nguyen", "Kowalski", "Okafor", "Haddad", "Rossi", "Tanaka", "Novak", "Silva",
        "Jensen", "Patel", "Murphy", "Schmidt", "Dubois", "Ivanova", "Kim", "Lopez", "Ahmed", "Berg"]
DEPARTMENTS = ["IT Operations", "Engineering", "Finance", "Human Resources", "Security", "Data",
               "Customer Service", "Procurement"]
TEAM_WORDS = ["platform", "network", "data", "identity", "service-desk", "apps", "cloud", "security",
              "integration", "qa", "infra", "analytics", "web", "mobile", "erp", "crm"]
SYSTEMS = ["erp", "crm", "billing", "payroll", "identity", "network", "datacenter", "portal", "analytics",
           "security", "mobile", "hr", "warehouse", "email", "backup", "voip", "intranet", "reporting",
           "compliance", "storage"]
ACTIONS = ["migration", "upgrade", "rollout", "consolidation", "modernization", "integration",
           "replacement", "automation", "hardening", "refresh"]
TASK_VERBS = ["Design", "Build", "Test", "Deploy", "Document", "Review", "Configure", "Migrate",
              "Train users on", "Decommission", "Audit", "Plan"]
TASK_OBJECTS = ["data model", "interfaces", "user accounts", "reports", "network links", "servers",
                "access rules", "backups", "test plan", "cutover", "monitoring", "licences", "workflows",
                "dashboards", "runbooks"]
ROLES = ["Developer", "Engineer", "Analyst", "Architect", "Project manager", "Tester", "Administrator",
         "Designer", "Team lead"]
QUALIFICATIONS = ["PMP", "ITIL Foundation", "AWS Solutions Architect", "CISSP", "Scrum Master",
                  "Azure Administrator", "CCNA", "Prince2"]
VENDOR_WORDS = ["Northwind", "Contoso", "Fabrikam", "Initech", "Globex", "Umbrella", "Stark", "Wayne",
                "Acme", "Tyrell", "Cyberdyne", "Hooli", "Vandelay", "Soylent", "Wonka"]
VENDOR_KINDS = ["Consulting", "Systems", "Solutions", "Labs", "Partners", "Services"]
EXPENSE_TEXT = {
    "labor": ["Payroll allocation", "Overtime", "Internal staff time"],
    "contractors": ["Contractor services", "Consulting hours", "Implementation services"],
    "hardware": ["Laptops", "Servers", "Network switches", "Docking stations", "Storage disks"],
    "software": ["Licence renewal", "Subscription", "Support plan"],
    "cloud": ["Cloud hosting", "Object storage", "Compute instances"],
    "training": ["Course fees", "Certification exam", "Workshop"],
    "travel": ["Flights", "Hotel", "Site visit"],
    "other": ["Office supplies", "Printing", "Catering"],
}
# Amount ranges in cents per category (general expenses).
AMOUNTS = {
    "labor": (50_000, 2_000_000), "contractors": (100_000, 2_000_000), "hardware": (10_000, 1_500_000),
    "software": (5_000, 800_000), "cloud": (10_000, 500_000), "training": (10_000, 300_000),
    "travel": (5_000, 250_000), "other": (2_000, 100_000),
}
CATEGORY_WEIGHT = {"labor": 5, "contractors": 2, "hardware": 2, "software": 2, "cloud": 2, "training": 1,
                   "travel": 1, "other": 1}
RULES = [
    ("code-of-conduct", "Code of conduct", "workplace", "Employee handbook"),
    ("anti-harassment", "Anti-harassment policy", "workplace", "Employee handbook"),
    ("information-security", "Information security policy", "governance", "ISO 27001 policy"),
    ("data-protection", "Data protection", "regulation", "GDPR"),
    ("sox-controls", "Financial controls", "regulation", "Sarbanes-Oxley Act"),
    ("change-management", "Change management", "governance", "IT governance policy"),
    ("acceptable-use", "Acceptable use", "workplace", "IT policy"),
    ("export-control", "Export control", "regulation", "Export Administration Regulations"),
    ("accessibility", "Accessibility standard", "regulation", "Section 508"),
    ("procurement", "Procurement policy", "governance", "Finance policy"),
]
OBJECTIVES = [
    ("Cut infrastructure cost", "monthly infrastructure cost", "USD"),
    ("Raise system availability", "availability", "%"),
    ("Shorten ticket resolution", "median resolution time", "hours"),
    ("Retire legacy systems", "legacy systems retired", "systems"),
    ("Improve user satisfaction", "satisfaction score", "points"),
]


# --------------------------------------------------------------------------
# The in-memory model: just enough to keep every rule true by construction.


@dataclass
class Person:
    id: str
    name: str
    team: str
    role: str
    employment: str
    vendor: str | None
    start: int
    end: int | None
    allocations: list[tuple[str, int, int, int]] = field(default_factory=list)


@dataclass
class Task:
    start: int
    end: int
    id: str = ""
    title: str = ""
    assignee: str = ""
    effort: int = 1
    progress: int = 0
    depends_on: list[str] = field(default_factory=list)


@dataclass
class Project:
    id: str
    name: str
    team: str
    owner: str
    start: int
    end: int
    status: str
    objectives: list[str]
    departments: list[str]
    categories: list[str] = field(default_factory=list)
    budget: dict[str, int] = field(default_factory=dict)  # whole currency units
    depends_on: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    staff: list[tuple[str, int, int]] = field(default_factory=list)  # (person, from, to)

    @property
    def spend_end(self) -> int:
        """Last day an expense can fall on: inside the project and the ledger."""
        return min(self.end, STATUS_DATE)


@dataclass
class Contract:
    id: str
    vendor: str
    project: str
    category: str
    start: int
    end: int
    value: int = 0  # whole units
    invoiced: int = 0  # cents


@dataclass
class Expense:
    date: int
    project: str
    category: str
    cents: int
    vendor: str | None = None
    contract: str | None = None
    refund_of: "Expense | None" = None
    description: str = ""
    seq: int = 0
    id: str = ""
    invoice: str = ""


class Generator:
    """Builds the whole program in memory, then writes it out."""

    def __init__(self, scale: float, seed: int) -> None:
        self.scale = scale
        self.n = Counts.at(scale)
        self.rng = Random(seed)
        self.teams: list[dict] = []
        self.people: list[Person] = []
        self.projects: list[Project] = []
        self.vendors: list[dict] = []
        self.contracts: list[Contract] = []
        self.expenses: list[Expense] = []
        self.transfers: list[dict] = []
        self.rules: list[dict] = []
        self.objectives: list[str] = []

    # ---- people and teams -------------------------------------------------

    def build_vendors(self) -> None:
        for i in range(self.n.vendors):
            word = VENDOR_WORDS[i % len(VENDOR_WORDS)]
            kind = VENDOR_KINDS[(i // len(VENDOR_WORDS)) % len(VENDOR_KINDS)]
            vid = f"{slug(word)}-{slug(kind)}-{i + 1:03d}"
            self.vendors.append({"id": vid, "name": f"{word} {kind}", "contracts": []})

    def build_people(self) -> None:
        r = self.rng
        team_ids = []
        for i in range(self.n.teams):
            word = TEAM_WORDS[i % len(TEAM_WORDS)]
            team_ids.append(f"{word}-team-{i + 1:03d}")
        for i in range(self.n.staff):
            first, last = r.choice(FIRST), r.choice(LAST)
            # The first member of each team is an employee employed all along:
            # it becomes the team lead (and person 0 the program manager).
            team = team_ids[i] if i < len(team_ids) else r.choice(team_ids)
            contractor = i >= len(team_ids) and r.random() < 0.2
            if contractor:
                start = r.randint(PROGRAM_START - 365, STATUS_DATE - 90)
                end = start + r.randint(365, 900)
                end = None if end > PROGRAM_END else end
                vendor = r.choice(self.vendors)["id"]
            else:
                lead = i < len(team_ids)
                start = r.randint(EARLIEST_HIRE, PROGRAM_START - 30 if lead else STATUS_DATE + 90)
                end = None
                if not lead and r.random() < 0.05:  # leaves during the program
                    end = r.randint(max(start + 200, PROGRAM_START + 60), PROGRAM_END)
                vendor = None
            role = "Team lead" if i < len(team_ids) else r.choice(ROLES[:-1])
            self.people.append(Person(
                id=f"{first.lower()}-{last.lower()}-{i + 1:04d}", name=f"{first} {last}", team=team,
                role=role, employment="contractor" if contractor else "employee", vendor=vendor,
                start=start, end=end))
        by_team: dict[str, list[Person]] = {t: [] for t in team_ids}
        for p in self.people:
            by_team[p.team].append(p)
        self.members = by_team
        for i, tid in enumerate(team_ids):
            dept = DEPARTMENTS[i % len(DEPARTMENTS)]
            word = TEAM_WORDS[i % len(TEAM_WORDS)].replace("-", " ")
            self.teams.append({"id": tid, "name": f"{word.capitalize()} team {i + 1}", "department": dept,
                               "lead": by_team[tid][0].id if by_team[tid] else self.people[0].id})
        self.team_dept = {t["id"]: t["department"] for t in self.teams}

    # ---- projects ----------------------------------------------------------

    def build_projects(self) -> None:
        r = self.rng
        n = self.n
        self.objectives = [f"obj-{i + 1:02d}" for i in range(n.objectives)]
        for i in range(n.projects):
            pid = f"{SYSTEMS[i % len(SYSTEMS)]}-{ACTIONS[(i // len(SYSTEMS)) % len(ACTIONS)]}-{i + 1:04d}"
            name = f"{SYSTEMS[i % len(SYSTEMS)].upper()} {ACTIONS[(i // len(SYSTEMS)) % len(ACTIONS)]} {i + 1}"
            if i % 17 == 16:  # a few projects still to come
                start = r.randint(STATUS_DATE + 1, PROGRAM_END - 200)
            else:
                start = r.randint(PROGRAM_START, STATUS_DATE - 90)
            end = min(PROGRAM_END, start + r.randint(120, 720))
            if start > STATUS_DATE:
                status = "proposed"
            elif end <= STATUS_DATE:
                status = "cancelled" if r.random() < 0.05 else "done"
            else:
                x = r.random()
                status = "on-hold" if x < 0.06 else "cancelled" if x < 0.09 else "active"
            team = self.teams[i % len(self.teams)]["id"] if i < len(self.teams) else r.choice(self.teams)["id"]
            # The owner is an employee employed all through the project (the
            # team lead always is).
            members = [p for p in self.members[team] if p.employment == "employee" and p.start <= start
                       and (p.end is None or p.end >= end)] or self.members[team][:1]
            objectives = [self.objectives[i % n.objectives]]
            if n.objectives > 1 and r.random() < 0.3:
                other = r.choice(self.objectives)
                if other not in objectives:
                    objectives.append(other)
            departments = [self.team_dept[team]]
            if r.random() < 0.4:
                other = r.choice(DEPARTMENTS)
                if other not in departments:
                    departments.append(other)
            cats = ["labor"] + sorted(r.sample(CATEGORIES[1:], r.randint(2, 5)), key=CATEGORIES.index)
            p = Project(id=pid, name=name, team=team, owner=r.choice(members).id, start=start, end=end,
                        status=status, objectives=objectives, departments=departments, categories=cats)
            # Depend only on earlier projects that end before this one starts:
            # no cycles, and dates in order.
            if i and r.random() < 0.2:
                for _ in range(3):
                    other = self.projects[r.randrange(i)]
                    if other.end < start and other.id not in p.depends_on:
                        p.depends_on.append(other.id)
                        break
            self.projects.append(p)
        self.project_by_id = {p.id: p for p in self.projects}

    def build_allocations(self) -> None:
        """Each person's percents add up to at most 100: nobody is over-allocated
        on any day, whatever the overlaps. Each allocation lies inside both the
        person's employment and the project's dates."""
        r = self.rng
        by_team: dict[str, list[Project]] = {}
        for p in self.projects:
            by_team.setdefault(p.team, []).append(p)
        splits = [[100], [80], [50, 50], [60, 40], [50, 30, 20], [40, 40, 20], [50, 25]]
        for person in self.people:
            pend = person.end if person.end is not None else PROGRAM_END
            pool = by_team.get(person.team) or self.projects
            for percent in r.choice(splits):
                for _ in range(4):
                    proj = r.choice(pool) if r.random() < 0.8 else r.choice(self.projects)
                    lo, hi = max(proj.start, person.start), min(proj.end, pend)
                    if lo <= hi and all(a[0] != proj.id for a in person.allocations):
                        person.allocations.append((proj.id, percent, lo, hi))
                        proj.staff.append((person.id, lo, hi))
                        break

    def build_tasks(self) -> None:
        r = self.rng
        n_proj, n_tasks = len(self.projects), self.n.tasks
        for i, p in enumerate(self.projects):
            count = n_tasks // n_proj + (1 if i < n_tasks % n_proj else 0)
            span = p.end - p.start
            tasks = []
            for _ in range(count):
                s = p.start + r.randint(0, span - 5)
                tasks.append(Task(start=s, end=min(p.end, s + r.randint(5, 60))))
            tasks.sort(key=lambda t: (t.start, t.end))
            for k, t in enumerate(tasks):
                t.id = f"t{k + 1}"
                t.title = f"{r.choice(TASK_VERBS)} {r.choice(TASK_OBJECTS)}"
                x = r.random()
                if x < 0.7:
                    t.assignee = self._person_for(p, t)
                elif x < 0.85:
                    t.assignee = p.team
                else:
                    t.assignee = r.choice(self.vendors)["id"]
                t.effort = r.randint(1, 20)
                t.progress = self._progress(p, t)
                # Only earlier tasks that end before this one starts: no cycle,
                # no task starting before its dependency ends.
                if k and r.random() < 0.4:
                    for _ in range(2):
                        j = r.randint(max(0, k - 20), k - 1)
                        dep = tasks[j]
                        if dep.end <= t.start and dep.id not in t.depends_on:
                            t.depends_on.append(dep.id)
            # A cross-project dependency on a project that ended before this one.
            if p.depends_on and tasks and r.random() < 0.5:
                other = self.project_by_id[p.depends_on[0]]
                if other.tasks:
                    last = max(other.tasks, key=lambda t: t.end)
                    tasks[-1].depends_on.append(f"{other.id}/{last.id}")
            p.tasks = tasks

    def _person_for(self, p: Project, t: Task) -> str:
        """Someone allocated to the project over the task's dates, else the
        project's team (a person with no allocation to the project would be an
        `assignee-not-allocated` warning: the generated program is clean)."""
        for _ in range(3 if p.staff else 0):
            person, lo, hi = self.rng.choice(p.staff)
            if lo <= t.start and t.end <= hi:
                return person
        return p.team

    def _progress(self, p: Project, t: Task) -> int:
        if p.status == "done":
            return 100
        if p.status == "proposed":
            return 0
        if STATUS_DATE < t.start:
            return 0
        planned = 100 if STATUS_DATE >= t.end else 100 * (STATUS_DATE - t.start) // max(1, t.end - t.start)
        return max(0, min(100, planned + self.rng.randint(-20, 10)))

    # ---- money ---------------------------------------------------------------

    def build_contracts(self) -> None:
        r = self.rng
        spending = [p for p in self.projects if p.start <= STATUS_DATE - 60]
        for i in range(self.n.contracts):
            vendor = self.vendors[i % len(self.vendors)]
            proj = r.choice(spending)
            category = "contractors" if r.random() < 0.8 else r.choice(["software", "cloud"])
            if category not in proj.categories:
                proj.categories.append(category)
                proj.categories.sort(key=CATEGORIES.index)
            start = min(proj.start + r.randint(0, 60), proj.spend_end)
            end = min(proj.end, start + r.randint(180, 540))
            c = Contract(id=f"{vendor['id']}-c{len(vendor['contracts']) + 1}", vendor=vendor["id"],
                         project=proj.id, category=category, start=start, end=end)
            vendor["contracts"].append(c)
            self.contracts.append(c)

    def build_expenses(self) -> None:
        """Invoices against contracts (dated inside the contract), general
        expenses (some with a vendor invoice) and a few refunds, all inside
        their project's dates and the ledger's 24 months."""
        r = self.rng
        total = self.n.expenses
        n_invoices = min(total, round(total * 0.1))
        n_refunds = round(total * 0.005)
        n_general = max(0, total - n_invoices - n_refunds)
        out = self.expenses
        if self.contracts and n_invoices:
            for k in range(n_invoices):
                c = self.contracts[k % len(self.contracts)] if k < len(self.contracts) else r.choice(self.contracts)
                lo, hi = c.start, min(c.end, STATUS_DATE)
                e = Expense(date=r.randint(lo, hi), project=c.project, category=c.category,
                            cents=r.randint(200_000, 4_000_000), vendor=c.vendor, contract=c.id,
                            description=r.choice(EXPENSE_TEXT[c.category]))
                c.invoiced += e.cents
                out.append(e)
        spending = [p for p in self.projects if p.start <= STATUS_DATE]
        weights = [p.spend_end - p.start + 1 for p in spending]
        picks = r.choices(spending, weights=weights, k=n_general)
        for p in picks:
            cat = r.choices(p.categories, weights=[CATEGORY_WEIGHT[c] for c in p.categories])[0]
            lo, hi = AMOUNTS[cat]
            e = Expense(date=r.randint(p.start, p.spend_end), project=p.id, category=cat,
                        cents=r.randint(lo, hi), description=r.choice(EXPENSE_TEXT[cat]))
            if cat in ("hardware", "software", "cloud") and r.random() < 0.3:
                e.vendor = r.choice(self.vendors)["id"]
            out.append(e)
        general = [e for e in out if e.contract is None] or out
        # Each original refunded at most once, and by no more than it cost.
        for k in sorted(r.sample(range(len(general)), min(n_refunds, len(general)))):
            orig = general[k]
            proj = self.project_by_id[orig.project]
            cents = -max(1, orig.cents * r.randint(5, 100) // 100)
            out.append(Expense(date=min(orig.date + r.randint(0, 30), proj.spend_end), project=orig.project,
                               category=orig.category, cents=cents, refund_of=orig, vendor=orig.vendor,
                               description="Refund"))
        for seq, e in enumerate(out):
            e.seq = seq
        # Ids and invoice numbers follow the ledger's order (date, then the
        # original before its refunds).
        out.sort(key=lambda e: (e.date, e.refund_of is not None, e.seq))
        width = max(6, len(str(len(out))))
        invoice_no: dict[str, int] = {}
        for k, e in enumerate(out):
            e.id = f"exp-{k + 1:0{width}d}"
            if e.vendor and e.refund_of is None:
                # Numbered per vendor: the same number at two vendors is fine,
                # twice at one vendor is not.
                invoice_no[e.vendor] = invoice_no.get(e.vendor, 0) + 1
                e.invoice = f"INV-{invoice_no[e.vendor]:05d}"
        for c in self.contracts:
            # Value above what was invoiced: never beyond the contract.
            c.value = (c.invoiced * 115 // 100 // 100_000 + 1) * 1000 + r.randint(0, 20) * 1000

    def build_budget(self) -> None:
        """Baselines well above spend plus contract values (generous lines),
        so that actual never exceeds current and a transfer (at most a tenth of
        the line, one per line) never takes it below what it has spent."""
        r = self.rng
        spent: dict[tuple[str, str], int] = {}
        for e in self.expenses:
            key = (e.project, e.category)
            spent[key] = spent.get(key, 0) + e.cents
        for c in self.contracts:
            key = (c.project, c.category)
            spent[key] = spent.get(key, 0) + c.value * 100
        for p in self.projects:
            for cat in p.categories:
                cents = spent.get((p.id, cat), 0)
                base = cents * 13 // 10 // 100 if cents else r.randint(5, 50) * 1000
                p.budget[cat] = (base // 1000 + 1) * 1000
        used: set[tuple[str, str]] = set()
        started = [p for p in self.projects if p.start <= STATUS_DATE]
        for i in range(self.n.transfers):
            for _ in range(10):
                src = r.choice(started)
                dst = src if r.random() < 0.7 else r.choice(started)
                cat_from = r.choice(src.categories)
                cat_to = r.choice(dst.categories)
                lo, hi = max(src.start, dst.start), min(src.spend_end, dst.spend_end)
                if (src.id, cat_from) in used or (src.id, cat_from) == (dst.id, cat_to) or lo > hi:
                    continue
                used.add((src.id, cat_from))
                amount = max(1, src.budget[cat_from] * r.randint(2, 10) // 100)
                self.transfers.append({
                    "date": r.randint(lo, hi), "amount": amount, "from": (src.id, cat_from),
                    "to": (dst.id, cat_to),
                    "reason": r.choice(["Scope change", "Underspend moved to priority work",
                                        "Vendor price increase", "Re-plan after review"])})
                break
        self.transfers.sort(key=lambda t: t["date"])

    # ---- text ---------------------------------------------------------------

    def program_yaml(self) -> str:
        r = self.rng
        lines = [
            "name: Enterprise modernization program",
            "goal: Replace legacy IT systems with modern, supported platforms by the end of 2026",
            f"manager: {self.people[0].id}",
            "sponsor: Chief Information Officer",
            f"start: {d(PROGRAM_START)}",
            f"end: {d(PROGRAM_END)}",
            f"currency: {CURRENCY}",
            "fiscal_year_start: 1",
            f"status_date: {d(STATUS_DATE)}",
            "objectives:",
        ]
        for i, oid in enumerate(self.objectives):
            title, metric, unit = OBJECTIVES[i % len(OBJECTIVES)]
            baseline = r.randint(10, 60)
            target = baseline + r.randint(10, 40)
            current = r.randint(baseline, target)
            lines += [f"  - id: {oid}", f"    title: {q(f'{title} {i + 1}')}", f"    metric: {q(metric)}",
                      f"    unit: {q(unit)}", f"    baseline: {baseline}", f"    target: {target}",
                      f"    current: {current}", f"    due: {d(PROGRAM_END)}"]
        lines.append("categories:")
        lines += [f"  - {c}" for c in CATEGORIES]
        return "\n".join(lines) + "\n"

    def project_yaml(self, p: Project) -> str:
        r = self.rng
        lines = [
            f"name: {q(p.name)}",
            f"summary: {q(f'{p.name} for the {self.team_dept[p.team]} department')}",
            "objectives:", *[f"  - {o}" for o in p.objectives],
            f"owner: {p.owner}",
            f"team: {p.team}",
            "departments:", *[f"  - {q(x)}" for x in p.departments],
            f"status: {p.status}",
            f"start: {d(p.start)}",
            f"end: {d(p.end)}",
            "budget:", *[f"  {c}: {p.budget[c]}" for c in p.categories],
        ]
        if p.depends_on:
            lines += ["depends_on:", *[f"  - {x}" for x in p.depends_on]]
        lines.append("milestones:")
        n_ms = r.randint(2, 5)
        span = p.end - p.start
        for k in range(n_ms):
            due = p.start + span * (k + 1) // n_ms
            lines += [f"  - id: m{k + 1}", f"    title: {q(f'Phase {k + 1} complete')}", f"    due: {d(due)}"]
            if due <= STATUS_DATE:  # done by the status date: nothing late
                done = max(p.start, min(due + r.randint(-10, 15), p.end, STATUS_DATE))
                lines.append(f"    done: {d(done)}")
        if p.tasks:
            lines.append("tasks:")
            for t in p.tasks:
                lines += [f"  - id: {t.id}", f"    title: {t.title}", f"    assignee: {t.assignee}",
                          f"    effort: {t.effort}", f"    start: {d(t.start)}", f"    end: {d(t.end)}",
                          f"    progress: {t.progress}"]
                if t.depends_on:
                    lines.append(f"    depends_on: [{', '.join(t.depends_on)}]")
        return "\n".join(lines) + "\n"

    def team_yaml(self, t: dict) -> str:
        return (f"name: {q(t['name'])}\ndepartment: {q(t['department'])}\nlead: {t['lead']}\n"
                f"purpose: {q('Builds and runs the ' + t['name'].lower() + ' services')}\n")

    def staff_yaml(self, p: Person) -> str:
        r = self.rng
        lines = [f"name: {q(p.name)}", f"role: {q(p.role)}", f"team: {p.team}", f"employment: {p.employment}"]
        if p.vendor:
            lines.append(f"vendor: {p.vendor}")
        lines.append(f"start: {d(p.start)}")
        if p.end is not None:
            lines.append(f"end: {d(p.end)}")
        lines += [f"email: {p.id.replace('-', '.')}@example.com", f"rate: {r.randint(40, 120) * 10}"]
        if p.allocations:
            lines.append("allocations:")
            for proj, percent, lo, hi in p.allocations:
                lines += [f"  - project: {proj}", f"    percent: {percent}", f"    from: {d(lo)}",
                          f"    to: {d(hi)}"]
        acks = self._acknowledgements(p)
        if acks:
            lines.append("acknowledgements:")
            for rule, day in acks:
                lines += [f"  - rule: {rule}", f"    date: {d(day)}"]
        quals = r.sample(QUALIFICATIONS, r.randint(0, 2))
        if quals:
            lines += ["qualifications:", *[f"  - {q(x)}" for x in quals]]
        return "\n".join(lines) + "\n"

    def _acknowledgements(self, p: Person) -> list[tuple[str, int]]:
        """Every applicable rule acknowledged within its window, and renewed in
        time, as of the status date: no compliance warnings."""
        r = self.rng
        acks = []
        for rule in self.rules:
            if rule["employment"] and p.employment not in rule["employment"]:
                continue
            if rule["teams"] and p.team not in rule["teams"]:
                continue
            base = max(p.start, rule["effective"])
            day = base + r.randint(0, rule["within"])
            if day > STATUS_DATE or (p.end is not None and day > p.end):
                continue
            acks.append((rule["id"], day))
            if rule["renew"]:
                while day + rule["renew"] < STATUS_DATE:
                    day += r.randint(rule["renew"] - 60, rule["renew"] - 5)
                    if p.end is not None and day > p.end:
                        break
                    acks.append((rule["id"], day))
        return acks

    def build_rules(self) -> None:
        r = self.rng
        for i in range(self.n.rules):
            rid, title, category, authority = RULES[i % len(RULES)]
            if i >= len(RULES):
                rid, title = f"{rid}-{i // len(RULES) + 1}", f"{title} {i // len(RULES) + 1}"
            employment = ["employee"] if i % 4 == 1 else []
            teams = [t["id"] for t in r.sample(self.teams, min(3, len(self.teams)))] if i % 5 == 3 else []
            self.rules.append({"id": rid, "title": title, "category": category, "authority": authority,
                               "effective": r.randint(PROGRAM_START - 700, PROGRAM_START + 300),
                               "within": r.choice([14, 30, 60]), "renew": 365 if i % 3 == 0 else 0,
                               "employment": employment, "teams": teams})

    def rule_yaml(self, rule: dict) -> str:
        lines = [f"title: {q(rule['title'])}", f"category: {rule['category']}",
                 f"authority: {q(rule['authority'])}",
                 f"summary: {q('Staff must read and acknowledge the ' + rule['title'].lower())}",
                 f"url: https://intranet.example.com/policies/{rule['id']}",
                 f"effective: {d(rule['effective'])}"]
        if rule["employment"] or rule["teams"]:
            lines.append("applies_to:")
            if rule["employment"]:
                lines += ["  employment:", *[f"    - {x}" for x in rule["employment"]]]
            if rule["teams"]:
                lines += ["  teams:", *[f"    - {x}" for x in rule["teams"]]]
        lines.append(f"acknowledge_within_days: {rule['within']}")
        if rule["renew"]:
            lines.append(f"renew_every_days: {rule['renew']}")
        return "\n".join(lines) + "\n"

    def vendor_yaml(self, v: dict) -> str:
        lines = [f"name: {q(v['name'])}", f"contact: sales@{v['id']}.example.com"]
        if v["contracts"]:
            lines.append("contracts:")
            for c in v["contracts"]:
                lines += [f"  - id: {c.id}", f"    project: {c.project}"]
                if c.category != "contractors":  # the default
                    lines.append(f"    category: {c.category}")
                lines += [f"    value: {c.value}", f"    start: {d(c.start)}", f"    end: {d(c.end)}",
                          f"    scope: {q('Delivery support for ' + c.project)}",
                          "    deliverables:", "      - Status reports", "      - Handover documentation"]
        return "\n".join(lines) + "\n"

    def position_yaml(self, i: int, used: set[str]) -> tuple[str, str]:
        """A position whose funnel obeys the hiring rules: hires == openings
        when filled, each with hired_as; a committee shortlist at least
        shortlist_size long before any offer; interviewers are staff."""
        r = self.rng
        team = self.teams[i % len(self.teams)]
        role = r.choice(ROLES)
        pid = f"{slug(role)}-{i + 1:04d}"
        opened = r.randint(PROGRAM_START, STATUS_DATE - 60)
        committee = r.random() < 0.4
        shortlist = r.randint(2, 3) if committee else 0
        openings = r.randint(1, 2)
        status = r.choice(["open", "open", "filled", "closed"])
        members = self.members[team["id"]]
        # Interviewers are team leads: employees employed all along.
        employees = self.people[:len(self.teams)]
        hires: list[str] = []
        if status == "filled":
            fresh = [p.id for p in members if p.start > opened and p.id not in used]
            if len(fresh) >= openings:
                hires = fresh[:openings]
                used.update(hires)
            else:
                status = "open"
        lines = [f"title: {q(role)}", f"team: {team['id']}"]
        if r.random() < 0.5:
            lines.append(f"project: {r.choice(self.projects).id}")
        lines += [f"openings: {openings}", f"status: {status}", f"opened: {d(opened)}",
                  f"decision: {'committee' if committee else 'manager'}"]
        if committee:
            lines.append(f"shortlist_size: {shortlist}")
        lines += ["requirements:", f"  - {q(r.choice(QUALIFICATIONS))}", "  - Three years of experience"]
        stages: list[str] = ["hired"] * len(hires)
        if status == "closed":
            pool = ["rejected", "withdrawn"]
        elif hires:
            stages += ["shortlisted"] * shortlist
            pool = ["rejected", "withdrawn", "screening"]
        else:
            pool = ["applied", "screening", "interview", "shortlisted", "rejected", "withdrawn"]
        stages += [r.choice(pool) for _ in range(r.randint(2, 8))]
        lines.append("candidates:")
        for k, stage in enumerate(stages):
            applied = r.randint(opened, STATUS_DATE - 20)
            lines += [f"  - id: c{k + 1}", f"    name: {q(r.choice(FIRST) + ' ' + r.choice(LAST))}",
                      f"    resume: https://hr.example.com/resumes/{pid}/c{k + 1}.pdf", f"    stage: {stage}",
                      f"    applied: {d(applied)}"]
            if stage in ("interview", "shortlisted", "offer", "hired"):
                lines.append("    interviews:")
                for _ in range(r.randint(1, 2)):
                    lines += [f"      - date: {d(r.randint(applied, STATUS_DATE))}",
                              f"        interviewer: {r.choice(employees).id}",
                              f"        score: {r.randint(1, 5)}", "        notes: Solid answers"]
            if stage == "hired":
                lines.append(f"    hired_as: {hires[k]}")
        return pid, "\n".join(lines) + "\n"

    def risk_yaml(self, i: int) -> tuple[str, str]:
        """Open ones are due after the status date; closed ones resolved;
        every risk has an owner."""
        r = self.rng
        kind = "risk" if r.random() < 0.7 else "issue"
        proj = r.choice(self.projects)
        opened = r.randint(PROGRAM_START, STATUS_DATE - 10)
        status = r.choice(["open", "mitigating", "escalated", "resolved", "closed"])
        due = r.randint(STATUS_DATE + 1, PROGRAM_END) if status in ("open", "mitigating", "escalated") \
            else r.randint(opened, STATUS_DATE)
        lines = [f"type: {kind}", f"title: {q(r.choice(['Key supplier', 'Data migration', 'Budget', 'Staffing', 'Security audit']) + ' ' + r.choice(['delay', 'overrun', 'gap', 'finding']))}"]
        if r.random() < 0.8:
            lines.append(f"project: {proj.id}")
        lines += [f"owner: {proj.owner}", f"opened: {d(opened)}", f"due: {d(due)}", f"status: {status}",
                  f"severity: {r.choice(['low', 'medium', 'high', 'critical'])}"]
        if kind == "risk":
            lines += [f"probability: {r.randint(1, 5)}", f"impact: {r.randint(1, 5)}"]
        if status == "escalated":
            lines.append("escalated_to: Steering committee")
        if status in ("resolved", "closed"):
            lines.append("resolution: Mitigated by re-planning the affected work")
        return f"{kind}-{i + 1:04d}", "\n".join(lines) + "\n"

    def report_yaml(self, period: str) -> str:
        r = self.rng
        lines = [f"period: {period}", f"author: {self.people[0].id}", "entries:"]
        for t in self.teams:
            rag = r.choices(["green", "amber", "red"], weights=[6, 3, 1])[0]
            lines += [f"  - team: {t['id']}", f"    rag: {rag}",
                      f"    summary: {q('Work on plan' if rag == 'green' else 'Some work behind plan')}",
                      "    done:", "      - Closed the planned tasks", "    next:", "      - Start the next phase"]
            if rag == "red":
                lines += ["    blockers:", "      - Waiting for vendor delivery"]
        return "\n".join(lines) + "\n"

    def funding_yaml(self) -> str:
        """Approved + received funding covers the total budget with margin."""
        total = sum(sum(p.budget.values()) for p in self.projects)
        covered = total * 108 // 100 + 1000
        parts = [("capex-2024", "Capital budget FY2024", covered * 40 // 100, "received", 2024),
                 ("capex-2025", "Capital budget FY2025", covered * 35 // 100, "received", 2025),
                 ("opex-2026", "Operating budget FY2026", 0, "approved", 2026),
                 ("innovation-grant", "Innovation grant", covered // 10, "requested", 2026)]
        parts[2] = parts[2][:2] + (covered - parts[0][2] - parts[1][2],) + parts[2][3:]
        lines = ["sources:"]
        for sid, name, amount, status, fy in parts:
            lines += [f"  - id: {sid}", f"    name: {q(name)}", f"    amount: {amount}", f"    status: {status}",
                      f"    date: {fy - 1}-11-15", f"    fiscal_year: {fy}"]
        return "\n".join(lines) + "\n"

    def transfers_yaml(self) -> str:
        lines = ["transfers:"]
        approver = self.people[0].id
        for k, t in enumerate(self.transfers):
            (fp, fc), (tp, tc) = t["from"], t["to"]
            lines += [f"  - id: tr-{k + 1:04d}", f"    date: {d(t['date'])}", f"    amount: {t['amount']}",
                      "    from:", f"      project: {fp}", f"      category: {fc}",
                      "    to:", f"      project: {tp}", f"      category: {tc}",
                      f"    reason: {q(t['reason'])}", f"    approved_by: {approver}"]
        return "\n".join(lines) + "\n"

    def expense_files(self) -> dict[str, str]:
        """One file per ledger month (a month with no expense still gets a file)."""
        months: dict[str, list[str]] = {m: [] for m in LEDGER_MONTHS}
        for e in self.expenses:
            ds = d(e.date)
            parts = [f"  - id: {e.id}\n    date: {ds}\n    project: {e.project}\n    category: {e.category}\n"
                     f"    amount: {money(e.cents)}\n"]
            if e.vendor:
                parts.append(f"    vendor: {e.vendor}\n")
            if e.contract:
                parts.append(f"    contract: {e.contract}\n")
            if e.invoice:
                parts.append(f"    invoice: {e.invoice}\n")
            if e.refund_of is not None:
                parts.append(f"    refund_of: {e.refund_of.id}\n")
            parts.append(f"    description: {e.description}\n")
            months[ds[:7]].append("".join(parts))
        return {m: "expenses:\n" + "".join(items) if items else "expenses: []\n" for m, items in months.items()}

    def hledger_journal(self) -> str:
        """The same postings for hledger: budget lines and transfers as
        single-date periodic rules (budget goals), expenses as transactions."""
        out = [f"; pmkit benchmark program, scale {self.scale}: compare with pmkit rollup\n",
               f"; hledger balance --budget -b {d(PROGRAM_START)} -e {d(PROGRAM_END + 1)} expenses\n\n"]
        for p in self.projects:
            out.append(f"~ {d(p.start)}  budget {p.id}\n")
            out += [f"    expenses:{p.id}:{c}    {p.budget[c]}.00 {CURRENCY}\n" for c in p.categories]
            out.append("    assets:bank\n\n")
        for k, t in enumerate(self.transfers):
            (fp, fc), (tp, tc) = t["from"], t["to"]
            out.append(f"~ {d(t['date'])}  transfer tr-{k + 1:04d}\n"
                       f"    expenses:{fp}:{fc}    -{t['amount']}.00 {CURRENCY}\n"
                       f"    expenses:{tp}:{tc}    {t['amount']}.00 {CURRENCY}\n\n")
        for e in self.expenses:
            out.append(f"{d(e.date)} {e.id} | {e.description}\n"
                       f"    expenses:{e.project}:{e.category}    {money(e.cents)} {CURRENCY}\n"
                       "    assets:bank\n")
        return "".join(out)

    # ---- driver ----------------------------------------------------------------

    def build(self) -> None:
        self.build_vendors()
        self.build_people()
        self.build_projects()
        self.build_allocations()
        self.build_tasks()
        self.build_contracts()
        self.build_expenses()
        self.build_budget()
        self.build_rules()

    def files(self):
        """Yield (relative path, text) for every file, in a fixed order."""
        yield "program.yaml", self.program_yaml()
        for p in self.projects:
            yield f"projects/{p.id}.yaml", self.project_yaml(p)
        for t in self.teams:
            yield f"teams/{t['id']}.yaml", self.team_yaml(t)
        for rule in self.rules:
            yield f"rules/{rule['id']}.yaml", self.rule_yaml(rule)
        for p in self.people:
            yield f"staff/{p.id}.yaml", self.staff_yaml(p)
        for v in self.vendors:
            yield f"vendors/{v['id']}.yaml", self.vendor_yaml(v)
        used: set[str] = set()
        for i in range(self.n.positions):
            pid, text = self.position_yaml(i, used)
            yield f"hiring/{pid}.yaml", text
        for i in range(self.n.risks):
            rid, text = self.risk_yaml(i)
            yield f"risks/{rid}.yaml", text
        for period in LEDGER_MONTHS:
            yield f"reports/{period}.yaml", self.report_yaml(period)
        yield "budget/funding.yaml", self.funding_yaml()
        yield "budget/transfers.yaml", self.transfers_yaml()
        for month, text in self.expense_files().items():
            yield f"budget/expenses/{month}.yaml", text


def generate(out_dir: str | os.PathLike, scale: float = 1.0, seed: int = 1,
             hledger: str | os.PathLike | None = None) -> dict[str, int]:
    """Write the program into out_dir; return {"files": n, "bytes": n}."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    gen = Generator(scale, seed)
    gen.build()
    out = Path(out_dir)
    files = nbytes = 0
    for rel, text in gen.files():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        files += 1
        nbytes += len(data)
    if hledger:
        Path(hledger).write_text(gen.hledger_journal(), encoding="utf-8")
    return {"files": files, "bytes": nbytes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="directory to write the program into")
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = SPEC §9 size (default)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hledger", metavar="FILE", help="also write the expenses as an hledger journal")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    stats = generate(args.out_dir, args.scale, args.seed, args.hledger)
    n = Counts.at(args.scale)
    print(f"wrote {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB to {args.out_dir} "
          f"({n.projects} projects, {n.tasks} tasks, {n.staff} staff, {n.expenses} expenses) "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
