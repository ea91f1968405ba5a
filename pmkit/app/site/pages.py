"""The status site as a pure function: ``render_site(model, document, findings, as_of)``.

It returns ``{relative path: text}``: Markdown pages and SVG charts, ready for
MkDocs (the plugin adds each with ``File.generated``) or for any other tool.
Every page is a Jinja2 template under ``pmkit/templates/site/``; this module
only picks and orders the figures. The numbers come from the rollup JSON
document (``pmkit.rollup.as_json``), so the site shows exactly what ``pmkit
rollup`` prints; records the document does not carry (task lists, transfers,
report narratives, rule links) come from the model, which holds no private
field. Every text from YAML is escaped by the templates (pmkit.app.site.text).

Decisions shown on the pages themselves:

- **RAG per project.** One rule, ``pmkit.rollup.rag`` (thresholds there):
  a project in flight (active or on hold) is rated from its figures, and
  every colour and count on the site follows that rating. The RAG its team
  gave in the latest status report (period <= the as-of month) is shown
  beside it where the two differ, never instead of it. Done, proposed and
  cancelled projects show their status instead of a RAG.
- **Invalid data.** With any validation error there are no figures: every
  page of the navigation says "figures unavailable until the errors are
  fixed" and the data-quality page lists the findings.
- **Per-item pages** (projects/<id>.md, teams/<id>.md, reports/<period>.md)
  are linked from their index pages and left out of the navigation
  (:data:`NAV`).

Every page of the navigation is one row of :data:`PAGES`: its title, path,
how it is rendered, the charts it draws and the per-item pages it writes.
The navigation (``NAV``), the render units (``_units``) and the paths
announced to MkDocs before rendering (``site_paths``) all derive from it;
the project pages (one unit each, spread over the cores) from
``project_files``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from pmkit.core.findings import Finding, Severity
from pmkit.domain.model import Model, Project
from pmkit.core.procs import fork_map
from pmkit.core.vocabulary import FUNNEL_STAGES, OPEN_STATUSES, SEVERITIES, STAGES, round_half_up
from pmkit.rollup import rag
from pmkit.rollup.people import funnel_reached, standings
from pmkit.app.render import provenance_lines
from pmkit.app.site import text
from pmkit.app.templates import derived

HISTORY_CHARTS = ("charts/history-burnup.svg", "charts/history-eac.svg", "charts/history-indices.svg",
                  "charts/history-problems.svg", "charts/history-scurve.svg")


class SitePage(NamedTuple):
    """One page of the navigation and everything its render function writes."""

    title: str
    path: str
    render: Callable[[Shared], None]
    charts: tuple[str, ...] = ()  # the charts it draws
    items: Callable[[Model], list[str]] | None = None  # the per-item pages it writes too


#: The site's pages in reading order: the one table NAV, _units and site_paths read.
PAGES: tuple[SitePage, ...] = (
    SitePage("Dashboard", "index.md", lambda s: _dashboard(s.site, s.charts, s.rags),
             ("charts/progress.svg", "charts/budget-burn.svg")),
    SitePage("Projects", "projects/index.md", lambda s: _projects_index(s.site, s.rags)),
    SitePage("Timeline", "timeline.md", lambda s: _timeline(s.site, s.charts), ("charts/timeline.svg",)),
    SitePage("Budget", "budget.md", lambda s: _budget(s.site, s.charts),
             ("charts/budget-burn.svg", "charts/budget-categories.svg")),
    SitePage("Problems", "problems.md", lambda s: _problems(s.site, s.charts), ("charts/problems-severity.svg",)),
    SitePage("Teams", "teams/index.md", lambda s: _teams(s.site, s.charts, s.reported), ("charts/teams-progress.svg",),
             lambda model: [f"teams/{tid}.md" for tid in model.teams]),
    SitePage("Staff", "staff.md", lambda s: _staff(s.site)),
    SitePage("Hiring", "hiring.md", lambda s: _hiring(s.site, s.charts), ("charts/hiring-funnel.svg",)),
    SitePage("Compliance", "compliance.md", lambda s: _compliance(s.site, s.charts), ("charts/compliance.svg",)),
    SitePage("Status reports", "reports/index.md", lambda s: _reports(s.site), (),
             lambda model: [f"reports/{period}.md" for period in model.reports]),
    SitePage("History", "history.md", lambda s: _history(s.site, s.charts), HISTORY_CHARTS),
    SitePage("Data quality", "data-quality.md", lambda s: _data_quality(s.site)),
)

#: The navigation: index pages only, in reading order (title, path).
NAV: list[tuple[str, str]] = [(page.title, page.path) for page in PAGES]

#: From this many tasks on, the project pages are rendered on every core
#: (``parallel.fork_map``): below it a fork costs more than it saves.
PARALLEL_TASKS = 20_000

#: At most this many names per rule and state on the Compliance page ("and N more" after).
NAMES_SHOWN = 40
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES, 1)}
IN_FLIGHT = rag.IN_FLIGHT
BUDGET_CODES = frozenset({
    "budget-over-funding", "contract-mismatch", "contract-overrun", "duplicate-invoice",
    "expense-outside-project", "line-overspent", "refund-exceeds-original", "refund-without-original",
    "transfer-overdraws", "unbudgeted-line", "unknown-category",
})
_SAFE_PATH = re.compile(r"^[a-z0-9][a-z0-9./-]*$")


# ---------------------------------------------------------------- templates


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` not already escaped goes through md_text."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup(text.NULL)
    return text.md_text(value)


@cache
def templates() -> jinja2.Environment:
    return derived(text.FILTERS, autoescape=True, finalize=_finalize)


@dataclass
class Page:
    """The rendering context every template gets besides its own figures."""

    path: str
    site: Site

    def rel(self, target: str) -> Markup:
        """A link from this page to another generated file (ids are safe by schema)."""
        if not _SAFE_PATH.match(target) or ".." in target.split("/"):
            raise ValueError(f"unsafe site path {target!r}")
        return Markup(posixpath.relpath(target, posixpath.dirname(self.path) or "."))


class Site:
    """Shared lookups and the output being built."""

    def __init__(self, model: Model | None, document: dict[str, Any] | None, findings: list[Finding],
                 as_of: dt.date, history: Any = None, by_date: bool = True) -> None:
        self.history = history  # pmkit.app.site.data.HistoryData, or None when not loaded
        self.by_date = by_date  # the revision the document names is the one in force on as_of
        self.model = model
        self.doc = document
        self.findings = sorted(findings)
        self.as_of = as_of
        self.currency = document["currency"] if document else "USD"
        self.out: dict[str, str] = {}

    # -- output
    def page(self, path: str, template: str, **context: Any) -> None:
        page = Page(path, self)
        tpl = templates().get_template(f"site/{template}")
        self.out[path] = tpl.render(page=page, rel=page.rel, site=self, as_of=self.as_of.isoformat(),
                                    currency=self.currency, nav=NAV, **context)

    def chart(self, path: str, svg: str) -> str:
        self.out[path] = svg
        return path

    def render(self, unit: Unit) -> dict[str, str]:
        """The pages and charts of one unit, in a dict of their own."""
        out, self.out = self.out, {}
        try:
            unit[1]()
            return self.out
        finally:
            self.out = out

    # -- lookups
    def person(self, pid: str | None) -> str | None:
        if pid is None or self.model is None:
            return None
        person = self.model.people.get(pid)
        return person.name if person else pid

    def team(self, tid: str | None) -> str | None:
        if tid is None or self.model is None:
            return None
        team = self.model.teams.get(tid)
        return team.name if team else tid

    def project(self, pid: str | None) -> str | None:
        if pid is None or self.model is None:
            return None
        project = self.model.projects.get(pid)
        return project.name if project else pid

    def vendor(self, vid: str | None) -> str | None:
        if vid is None or self.model is None:
            return None
        vendor = self.model.vendors.get(vid)
        return vendor.name if vendor else vid

    def assignee(self, ident: str | None) -> tuple[str | None, str | None]:
        """(name, kind) of a task's assignee: a person, a team or a vendor."""
        kind = self.model.assignee_kind(ident) if self.model else None
        name = {"person": self.person, "team": self.team, "vendor": self.vendor}.get(kind or "", lambda i: i)(ident)
        return name, kind

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is not Severity.ERROR]


# ---------------------------------------------------------------- helpers


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def gap(row: dict[str, Any]) -> Decimal | None:
    """progress - planned of a rollup row, in percentage points."""
    progress, planned = _d(row.get("progress")), _d(row.get("planned"))
    return None if progress is None or planned is None else progress - planned


@dataclass(frozen=True)
class Rag:
    """A project's computed RAG (or its status), and the RAG its team reported, if any."""

    value: str  # green | amber | red | done | proposed | cancelled
    source: str  # why: the computed rating's reason, shown on the pages
    reported: str | None = None  # green | amber | red from the latest status report
    reported_by: str | None = None  # "Team name, YYYY-MM"

    @property
    def label(self) -> str:
        return {"none": "Not rated"}.get(self.value, self.value.replace("-", " ").capitalize())

    @property
    def differs(self) -> bool:
        """The team's reported RAG is not the computed one (both are shown)."""
        return self.reported is not None and self.reported != self.value

def latest_entries(model: Model, as_of: dt.date) -> dict[str, tuple[str, Any]]:
    """team id -> (period, report entry) of the latest report (<= the as-of month) naming it."""
    month = f"{as_of.year:04d}-{as_of.month:02d}"
    found: dict[str, tuple[str, Any]] = {}
    for period in sorted(model.reports, reverse=True):
        if period > month:
            continue
        for entry in model.reports[period].entries:
            found.setdefault(entry.team, (period, entry))
    return found


def project_rag(model: Model, figures: dict[str, Any], pid: str, reported: dict[str, tuple[str, Any]]) -> Rag:
    """The project's RAG by the one rule (``pmkit.rollup.rag``), with its team's reported RAG beside it."""
    project = model.projects[pid]
    if project.status not in IN_FLIGHT:
        return Rag(project.status, f"project is {project.status}")
    rating = rag.rate_row(figures[pid])
    if project.team in reported:
        period, entry = reported[project.team]
        team = model.teams.get(project.team)
        return Rag(rating.value, rating.reason, entry.rag, f"{team.name if team else project.team}, {period}")
    return Rag(rating.value, rating.reason)


def task_state(task: Any, as_of: dt.date) -> str:
    if task.progress >= 100:
        return "done"
    if task.end < as_of:
        return "late"
    if task.start > as_of:
        return "not started" if task.progress == 0 else "in progress"
    return "in progress"


#: From this width (SVG units) on, a chart scrolls sideways on a phone instead of shrinking.
WIDE_CHART = 560


def _svg_width(svg: str) -> int:
    match = re.search(r'viewBox="0 0 (\d+(?:\.\d+)?) ', svg)
    return int(float(match.group(1))) if match else 640


# ---------------------------------------------------------------- charts


class Charts:
    """Renders charts into the site and returns image references for a page."""

    def __init__(self, site: Site) -> None:
        from pmkit.app.site import charts  # the SVG templates and their geometry

        self.site = site
        self.lib = charts

    def add(self, path: str, make: Callable[[Any], str], alt: str, shrinks: bool = False) -> dict[str, Any]:
        """Render a chart; on a phone a wide one scrolls sideways rather than
        shrink its labels (site.css), unless it ``shrinks`` (a progress bar:
        a label or two, which read well shrunk)."""
        svg = make(self.lib)
        self.site.chart(path, svg)
        width = _svg_width(svg)
        # Where a timeline's "as of" line is, as a share of its width: site.js opens a
        # timeline that scrolls sideways (a phone) with that line in view.
        line = re.search(r'data-asof-x="([0-9.]+)"', svg)
        asof = f"{float(line.group(1)) / width:.4f}" if line and width else None
        return {"path": path, "alt": alt, "width": width, "wide": width >= WIDE_CHART and not shrinks, "asof": asof}


# ---------------------------------------------------------------- render


def render_site(model: Model | None, rollup_document: dict[str, Any] | None, findings: list[Finding],
                as_of: dt.date, history: Any = None, by_date: bool = True) -> dict[str, str]:
    """Every generated page and chart of the status site, keyed by relative path.

    With a validation error among ``findings`` (or no model or rollup), no
    figure is shown: every navigation page says so and the data-quality page
    lists the findings. ``history``: the History page's series
    (``pmkit.app.site.data.HistoryData``). ``by_date``: a revision the
    document names is the one in force on ``as_of`` (false: given by --rev).
    """
    site = Site(model, rollup_document, findings, as_of, history, by_date)
    if model is None or rollup_document is None or site.errors:
        _render_unavailable(site)
    else:
        _render_all(site)
    return dict(sorted(site.out.items()))


def in_reading_order(model: Model | None, rollup_document: dict[str, Any] | None, findings: list[Finding],
                     as_of: dt.date, history: Any = None,
                     by_date: bool = True) -> tuple[list[str], Iterator[dict[str, str]]]:
    """``render_site``'s pages and charts, rendered group by group in the order
    MkDocs reads them (sorted paths), and every path they will have, known
    before anything is rendered (MkDocs needs the list of files first).

    So a child can render each page while MkDocs converts the one before
    (``pmkit.app.site.plugin``). Together the groups are ``render_site``'s pages.
    """
    site = Site(model, rollup_document, findings, as_of, history, by_date)
    if model is None or rollup_document is None or site.errors:
        pages = render_site(model, rollup_document, findings, as_of, history, by_date)
        return list(pages), iter([pages])
    others, projects, _ = _units(site)
    units = sorted([*others, *projects], key=lambda unit: unit[0])
    return site_paths(model), (site.render(unit) for unit in units)


def _render_unavailable(site: Site) -> None:
    for title, path in NAV:
        if path == "data-quality.md":
            continue
        site.page(path, "unavailable.md.j2", title=title, program=site.model.program if site.model else None)
    _data_quality(site)


def _render_all(site: Site) -> None:
    others, projects, cost = _units(site)
    total = sum(cost.values())
    # A page and two charts per project: at 2,000 projects, worth every core.
    # The other pages cost about a quarter as much (measured at SPEC §9 scale).
    for out in fork_map(projects, site.render, lambda unit: cost[unit[0]], PARALLEL_TASKS, 1.05,
                        lambda: [unit[1]() for unit in others], total / 4):
        site.out.update(out)


@dataclass(frozen=True)
class Shared:
    """What several pages' render functions share, worked out once."""

    site: Site
    charts: Charts
    reported: dict[str, tuple[str, Any]]  # latest_entries
    rags: dict[str, Rag]  # project id -> its RAG


def _unit_key(page: SitePage) -> str:
    """A unit's first path in MkDocs' reading order: the page's, or its folder's
    when it writes per-item pages too (``teams/`` sorts before ``teams/x.md``)."""
    return page.path if page.items is None else posixpath.dirname(page.path) + "/"


def _units(site: Site) -> tuple[list[Unit], list[Unit], dict[str, int]]:
    """The index pages' units, the projects' units, and what each project's costs."""
    assert site.model is not None and site.doc is not None
    charts = Charts(site)
    reported = latest_entries(site.model, site.as_of)
    rags = {pid: project_rag(site.model, site.doc["projects"], pid, reported) for pid in site.model.projects}
    shared = Shared(site, charts, reported, rags)
    others: list[Unit] = [(_unit_key(page), partial(page.render, shared)) for page in PAGES]
    projects = _project_units(site, charts, rags)
    cost = {project_files(project).page: 1 + len(project.tasks) for project in site.model.projects.values()}
    return others, projects, cost


#: A group of pages and charts rendered together, keyed by the path of its
#: first page in MkDocs' reading order (sorted paths), and how to render it.
Unit = tuple[str, Callable[[], None]]

HUNDRED = Decimal(100)


def site_paths(model: Model) -> list[str]:
    """Every path ``_render_all`` writes, known before anything is rendered
    (MkDocs needs the list of files first); tests check they agree."""
    paths = {path: None for page in PAGES
             for path in (page.path, *page.charts, *(page.items(model) if page.items else ()))}
    paths.update((path, None) for project in model.projects.values() for path in project_files(project) if path)
    return sorted(paths)


def _open_risks(site: Site) -> list[dict[str, Any]]:
    assert site.doc is not None
    items = [r for r in site.doc["risks"]["items"] if r["status"] in OPEN_STATUSES]
    return sorted(items, key=lambda r: (-SEVERITY_RANK.get(r["severity"], 0), -(r["score"] or 0),
                                        r["due"] or "9999", r["id"]))


def _burn_inputs(site: Site) -> tuple[list[tuple[str, Decimal]], Decimal]:
    assert site.doc is not None
    program = site.doc["program"]
    return [(m, Decimal(v)) for m, v in program["spend_by_month"].items()], Decimal(program["budget"]["current"])


def _burn_plan(site: Site) -> dict[str, Any]:
    """The budget burn to the program's end: the whole plan's PV, the as-of date, the end, the EAC."""
    assert site.doc is not None
    program = site.doc["program"]
    eac = program["evm"]["eac"]
    # the EAC is of the counted projects; what cancelled ones spent is in the spend all the same
    sunk = sum((Decimal((row.get("budget") or {}).get("actual") or 0) for row in site.doc["projects"].values()
                if not row["counted"]),
               Decimal(0))
    return {"planned": [(m, Decimal(v)) for m, v in program.get("planned_value_by_month", {}).items()],
            "as_of": site.as_of, "end": dt.date.fromisoformat(program["end"]),
            "eac": None if eac is None else Decimal(eac), "sunk": sunk}


def _dashboard(site: Site, charts: Charts, rags: dict[str, Rag]) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    program = doc["program"]
    progress = charts.add("charts/progress.svg", lambda c: c.progress_bar(
        _d(program["progress"]), _d(program["planned"]), "Program progress against plan", 640,
        chart_id="program-progress"), "Program progress against plan", shrinks=True)
    burn = charts.add("charts/budget-burn.svg", lambda c: c.burn_chart(
        *_burn_inputs(site), "Cumulative spend against planned value, budget and forecast",
        **_burn_plan(site), currency=site.currency, chart_id="budget-burn"),
        "Cumulative spend against planned value, budget and forecast")
    due = {o.id: o.due for o in model.program.objectives}
    objectives = [{"id": oid, **row, "due": due.get(oid)} for oid, row in doc["objectives"].items()]
    rows = []
    for pid, row in doc["projects"].items():
        rows.append({"id": pid, **row, "gap": gap(row), "rag": rags[pid]})
    counts = {key: sum(r["rag"].value == key for r in rows) for key in ("green", "amber", "red")}
    counts["differs"] = sum(r["rag"].differs for r in rows)
    late = [m for m in doc["milestones"] if m["status"] == "late"]
    site.page("index.md", "index.md.j2", program=program, model_program=model.program,
              manager=site.person(model.program.manager), objectives=objectives, rows=rows, rag_counts=counts,
              late=late, problems=_open_risks(site)[:5], risks=doc["risks"], charts={"progress": progress, "burn": burn},
              # the revision the figures were read from (in git), or that undated values are later than the day
              provenance=provenance_lines(doc, site.by_date))


def _history(site: Site, charts: Charts) -> None:
    """Burn-up, S-curve, EAC, CPI/SPI and problems over the commits, and the baseline-change log."""
    history = site.history
    every = history.points if history is not None else []  # (a commit without the program folder is no point)
    rows = [r for r in every if r["valid"]]

    def points(key: str, scale: Decimal = Decimal(1)) -> list[tuple[dt.date, Decimal]]:
        return [(dt.date.fromisoformat(r["date"]), Decimal(str(r[key])) * scale) for r in rows
                if r.get(key) is not None]

    counts = [(dt.date.fromisoformat(r["date"]), r) for r in every]
    made = {
        "burnup": charts.add("charts/history-burnup.svg", lambda c: c.line_chart(
            [("Progress", points("progress")), ("Planned", points("planned"))],
            "Progress against planned over time", chart_id="history-burnup"), "Progress against planned over time"),
        "scurve": charts.add("charts/history-scurve.svg", lambda c: c.line_chart(
            [("Actual", points("actual")), ("Planned value", points("pv")), ("Current budget", points("current_budget"))],
            "Cumulative actual spend against planned value and budget", "money", currency=site.currency,
            chart_id="history-scurve"), "Cumulative actual spend against planned value and budget"),
        "eac": charts.add("charts/history-eac.svg", lambda c: c.line_chart(
            [("EAC", points("eac")), ("Current budget", points("current_budget"))],
            "Estimate at completion over time", "money", currency=site.currency, chart_id="history-eac"),
            "Estimate at completion over time"),
        "indices": charts.add("charts/history-indices.svg", lambda c: c.line_chart(
            [("CPI x 100", points("cpi", HUNDRED)), ("SPI x 100", points("spi", HUNDRED)),
             ("SPI(t) x 100", points("spi_t", HUNDRED))],
            "CPI, SPI and SPI(t) over time (100 = on plan)", chart_id="history-indices"),
            "CPI, SPI and SPI(t) over time"),
        "problems": charts.add("charts/history-problems.svg", lambda c: c.line_chart(
            [("Open problems", [(d, Decimal(r["open_problems"])) for d, r in counts if r["open_problems"] is not None]),
             ("Errors", [(d, Decimal(r["errors"])) for d, r in counts]),
             ("Warnings", [(d, Decimal(r["warnings"])) for d, r in counts])],
            "Open problems and findings over time", "count", chart_id="history-problems"),
            "Open problems and findings over time"),
    }
    site.page("history.md", "history.md.j2", history=history, rows=every, charts=made,
              changes=history.changes if history is not None else [])


def _projects_index(site: Site, rags: dict[str, Rag]) -> None:
    assert site.doc is not None
    rows = [{"id": pid, **row, "gap": gap(row), "rag": rags[pid]} for pid, row in site.doc["projects"].items()]
    site.page("projects/index.md", "projects/index.md.j2", rows=rows)


def _project_units(site: Site, charts: Charts, rags: dict[str, Rag]) -> list[Unit]:
    """A unit per project page, in project order."""
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    milestone_rows = {(m["project"], m["id"]): m for m in doc["milestones"]}
    risks = doc["risks"]["items"]
    dependents: dict[str, list[str]] = {}
    for pid, project in model.projects.items():
        for dep in project.depends_on:
            dependents.setdefault(dep, []).append(pid)
    objectives = {o.id: o for o in model.program.objectives}
    return [(project_files(project).page,
             partial(_project, site, charts, pid, rags, milestone_rows, risks, dependents, objectives))
            for pid, project in model.projects.items()]


class ProjectFiles(NamedTuple):
    """What a project's page is made of: the page and its charts."""

    page: str
    progress: str
    timeline: str | None  # drawn only with tasks or milestones


def project_files(project: Project) -> ProjectFiles:
    pid = project.id
    return ProjectFiles(f"projects/{pid}.md", f"charts/projects/{pid}-progress.svg",
                        f"charts/projects/{pid}-timeline.svg" if project.tasks or project.milestones else None)


def _project(site: Site, charts: Charts, pid: str, rags: dict[str, Rag], milestone_rows: dict[tuple[str, str], Any],
             risks: list[dict[str, Any]], dependents: dict[str, list[str]], objectives: dict[str, Any]) -> None:
    """The page of one project, with its progress and timeline charts."""
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    project = model.projects[pid]
    row = doc["projects"][pid]
    files = project_files(project)
    progress = charts.add(files.progress, lambda c: c.progress_bar(
        _d(row["progress"]), _d(row["planned"]), "Progress against plan", 640, chart_id=f"progress-{pid}"),
        "Progress against plan", shrinks=True)
    tasks = []
    for task in project.tasks:
        name, kind = site.assignee(task.assignee)
        tasks.append({"task": task, "assignee": name, "assignee_kind": kind, "state": task_state(task, site.as_of)})
    milestones: list[dict[str, Any]] = []
    for m in project.milestones:
        status = milestone_rows.get((pid, m.id))
        milestones.append({"m": m, "status": status["status"] if status else "cancelled",
                           "slipped": status["slipped_days"] if status else None})
    timeline = charts.add(files.timeline, lambda c: c.gantt(
        [(t.title, t.start, t.end, t.progress, _gantt_task_status(t, site.as_of), None) for t in project.tasks],
        [(x["m"].title, x["m"].due, x["status"]) for x in milestones], project.start, project.end, site.as_of,
        "Tasks and milestones", chart_id=f"timeline-{pid}"), "Tasks and milestones") \
        if files.timeline else None
    task_deps = sorted({(t.id, dep) for t in project.tasks for dep in t.depends_on
                        if not dep.startswith(pid + "/")})
    contracts = [c for v in model.vendors.values() for c in v.contracts if c.project == pid]
    site.page(files.page, "projects/project.md.j2", pid=pid, project=project, row=row,
              rag=rags[pid], gap=gap(row), tasks=tasks, milestones=milestones,
              objectives=[objectives[o] for o in project.objectives if o in objectives],
              problems=[r for r in risks if r["project"] == pid], dependents=sorted(dependents.get(pid, [])),
              task_deps=task_deps, contracts=contracts,
              charts={"progress": progress, "timeline": timeline})


def _gantt_task_status(task: Any, as_of: dt.date) -> str:
    return {"done": "done", "late": "late", "in progress": "active", "not started": "planned"}[task_state(task, as_of)]


def _project_status(row: dict[str, Any]) -> str:
    """The timeline's bar colour: the project's computed RAG (``pmkit.rollup.rag``), as the dashboard shows it."""
    if row["status"] not in IN_FLIGHT:
        return row["status"]
    if row["status"] == "on-hold":
        return "on-hold"
    return {"green": "on-track", "amber": "behind", "red": "well-behind"}[rag.rate_row(row).value]


def _timeline(site: Site, charts: Charts) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    projects = sorted(model.projects.values(), key=lambda p: (p.start, p.id))
    milestones = sorted(doc["milestones"], key=lambda m: (m["due"], m["project"], m["id"]))
    gantt = charts.add("charts/timeline.svg", lambda c: c.gantt(
        [(p.name, p.start, p.end, _d(doc["projects"][p.id]["progress"]), _project_status(doc["projects"][p.id]),
          None) for p in projects],
        # The title in the label column, the project's name in full beside the diamond.
        [(m["title"], dt.date.fromisoformat(m["due"]), m["status"], str(site.project(m["project"])))
         for m in milestones if m["status"] != "done"],
        model.program.start, model.program.end, site.as_of, "Projects and open milestones",
        chart_id="timeline"), "Projects and open milestones")
    site.page("timeline.md", "timeline.md.j2", projects=projects, milestones=milestones, chart=gantt,
              program=model.program)


def _budget(site: Site, charts: Charts) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    program = doc["program"]
    burn = charts.add("charts/budget-burn.svg", lambda c: c.burn_chart(
        *_burn_inputs(site), "Cumulative spend against planned value, budget and forecast",
        **_burn_plan(site), currency=site.currency, chart_id="budget-burn"),
        "Cumulative spend against planned value, budget and forecast")
    categories = doc["categories"]
    by_category = charts.add("charts/budget-categories.svg", lambda c: c.bar_chart(
        [(name, Decimal(b["actual"])) for name, b in categories.items()], "Actual spend by category", "money",
        currency=site.currency, chart_id="budget-categories"), "Actual spend by category")
    months, running = [], Decimal(0)
    for month, amount in program["spend_by_month"].items():
        running += Decimal(amount)
        months.append({"month": month, "amount": amount, "cumulative": f"{running:f}"})
    lines = [{"project": pid, "category": cat, **b}
             for pid, row in doc["projects"].items() for cat, b in row["lines"].items()]
    discrepancies = [f for f in site.findings if f.code in BUDGET_CODES or f.file.startswith("budget/")]
    site.page("budget.md", "budget.md.j2", program=program, funding=doc["funding"], categories=categories,
              lines=lines, transfers=[t for t in model.transfers if t.date <= site.as_of], months=months,
              vendors=doc["vendors"], discrepancies=discrepancies,
              charts={"burn": burn, "categories": by_category})


def _problems(site: Site, charts: Charts) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    risks = doc["risks"]
    chart = charts.add("charts/problems-severity.svg", lambda c: c.bar_chart(
        [(s.capitalize(), Decimal(risks["by_severity"].get(s, 0))) for s in reversed(SEVERITIES)],
        "Open problems by severity", "count", chart_id="problems-severity"), "Open problems by severity")
    closed = [r for r in risks["items"] if r["status"] not in OPEN_STATUSES]
    site.page("problems.md", "problems.md.j2", risks=risks, open_items=_open_risks(site),
              closed=sorted(closed, key=lambda r: (r["opened"], r["id"])), records=model.risks, chart=chart)


def _teams(site: Site, charts: Charts, reported: dict[str, tuple[str, Any]]) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    ratings = rag.team_ratings(doc["projects"])
    teams = [{"id": tid, **row, "gap": gap(row), "rag": team_rag(model, ratings, tid, reported)}
             for tid, row in doc["teams"].items()]
    chart = charts.add("charts/teams-progress.svg", lambda c: c.bar_chart(
        [(t["name"], _d(t["progress"]) or Decimal(0)) for t in teams if t["tasks"]], "Progress by team", "percent",
        chart_id="teams-progress"), "Progress by team")
    vendors = [{"id": vid, **row, "gap": gap(row)} for vid, row in doc["vendors"].items()]
    objectives = [{"id": oid, **row, "gap": gap(row)} for oid, row in doc["objectives"].items()]
    site.page("teams/index.md", "teams/index.md.j2", teams=teams, vendors=vendors, objectives=objectives,
              chart=chart, reported=reported)
    for tid, team in model.teams.items():
        members = [{"id": pid, **doc["staff"][pid], "role": p.role}
                   for pid, p in model.people.items() if p.team == tid and p.employed_on(site.as_of)]
        projects = [{"id": pid, **row} for pid, row in doc["projects"].items() if row["team"] == tid]
        site.page(f"teams/{tid}.md", "teams/team.md.j2", tid=tid, team=team, row=doc["teams"][tid],
                  gap=gap(doc["teams"][tid]), members=members, projects=projects, report=reported.get(tid),
                  rag=team_rag(model, ratings, tid, reported))


def _staff(site: Site) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    people = [{"id": pid, **doc["staff"][pid], "role": p.role}
              for pid, p in sorted(model.people.items(), key=lambda kv: (kv[1].name, kv[0]))
              if p.employed_on(site.as_of)]
    site.page("staff.md", "staff.md.j2", people=people, staffing=doc["program"]["staffing"])


def _hiring(site: Site, charts: Charts) -> None:
    doc = site.doc
    assert doc is not None
    hiring = doc["hiring"]
    assert site.model is not None
    as_of = site.as_of
    through = funnel_reached([(c.stage, any(i.date <= as_of for i in c.interviews))
                              for p in site.model.positions.values() for c in p.candidates])
    chart = charts.add("charts/hiring-funnel.svg", lambda c: c.funnel(
        [(s.capitalize(), through[s]) for s in FUNNEL_STAGES], "Candidates who reached each stage",
        chart_id="hiring-funnel"), "Candidates who reached each stage")
    positions = [{"id": pid, **row} for pid, row in hiring["positions"].items()]
    site.page("hiring.md", "hiring.md.j2", funnel=hiring["funnel"], stages=STAGES, positions=positions, chart=chart)


def _compliance(site: Site, charts: Charts) -> None:
    model, doc = site.model, site.doc
    assert model is not None and doc is not None
    compliance = doc["compliance"]

    def share(counts: dict[str, int]) -> Decimal:
        return Decimal(0) if not counts["applicable"] else Decimal(100) * counts["acknowledged"] / counts["applicable"]

    # Lowest share first, whole titles, the scale from 0 to 100%: the rules that need chasing lead.
    shares = sorted(((r["title"], round_half_up(share(r), 1)) for r in compliance["rules"].values()),
                    key=lambda item: (item[1], item[0]))
    chart = charts.add("charts/compliance.svg", lambda c: c.bar_chart(
        shares, "Acknowledged, share of the staff each rule applies to (lowest first)", "percent",
        chart_id="compliance", full_labels=True), "Acknowledged, share of the staff each rule applies to")
    # Who is behind on each rule, by public name (the model carries no private field).
    behind: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for (pid, rid), found in sorted(standings(model, site.as_of).items(),
                                    key=lambda kv: (kv[1].due, site.person(kv[0][0]) or "", kv[0])):
        if found.state == "acknowledged":
            continue
        when = found.expires if found.state == "expired" and found.expires else found.due
        behind.setdefault(rid, {}).setdefault(found.state, []).append((site.person(pid) or pid, when.isoformat()))
    site.page("compliance.md", "compliance.md.j2", compliance=compliance, rules=model.policies, chart=chart,
              behind=behind, names_shown=NAMES_SHOWN,
              share=lambda counts: text.percent(share(counts)))


def team_rag(model: Model, ratings: dict[str, rag.Rating], tid: str,
             reported: dict[str, tuple[str, Any]]) -> Rag:
    """A team's RAG by the one rule (the worst of its projects in flight), with its reported one beside it."""
    rating = ratings.get(tid)
    value, reason = (rating.value, rating.reason) if rating else ("none", "no project in flight")
    if tid in reported:
        period, entry = reported[tid]
        team = model.teams.get(tid)
        return Rag(value, reason, entry.rag, f"{team.name if team else tid}, {period}")
    return Rag(value, reason)


def month_figures(site: Site, period: str) -> tuple[dt.date, dict[str, Any]] | str:
    """The rollup document as of a report's date (the month's end, or the as-of date when earlier),
    as ``pmkit report`` computes it; else why there is none, in words."""
    from pmkit.app.render.report import report_date
    from pmkit.rollup import as_json, compute

    assert site.model is not None and site.doc is not None
    day = report_date(period, site.as_of)
    if day < site.model.program.start:
        return f"the month ends before the program starts ({site.model.program.start})"
    if day == site.as_of:
        return day, site.doc
    try:
        return day, as_json(compute(site.model, day, forecasts=False))  # a report page shows no forecast
    except ValueError:  # a model holding the expenses only as of other dates (not built for the site)
        return f"the expenses were not added up as of {day}; run `pmkit report --period {period}`"


def _reports(site: Site) -> None:
    model = site.model
    assert model is not None
    periods = sorted(model.reports, reverse=True)
    site.page("reports/index.md", "reports/index.md.j2", reports=[model.reports[p] for p in periods])
    for period in periods:
        report = model.reports[period]
        figures = month_figures(site, period)
        teams: dict[str, dict[str, Any]] = {}
        projects: list[dict[str, Any]] = []
        program = None
        day = None
        missing = figures if isinstance(figures, str) else None
        if not isinstance(figures, str):
            day, doc = figures
            program = doc["program"]
            ratings = rag.team_ratings(doc["projects"])
            said = {e.team: (period, e) for e in report.entries}
            teams = {tid: {**row, "gap": gap(row), "rag": team_rag(model, ratings, tid, said)}
                     for tid, row in doc["teams"].items()}
            projects = [{"id": pid, **row, "gap": gap(row), "rag": project_rag(model, doc["projects"], pid, said)}
                        for pid, row in doc["projects"].items()]
        site.page(f"reports/{period}.md", "reports/report.md.j2", report=report,
                  day=day.isoformat() if day else None, program=program, missing=missing,
                  teams=teams, projects=projects,
                  entries=sorted(report.entries, key=lambda e: ({"red": 0, "amber": 1, "green": 2}.get(e.rag, 3),
                                                               site.team(e.team) or "")))


def _data_quality(site: Site) -> None:
    site.page("data-quality.md", "data-quality.md.j2", findings=site.findings, errors=len(site.errors),
              warnings=len(site.warnings))
