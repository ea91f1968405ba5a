"""`pmkit status`, `pmkit budget` and `pmkit staff`: views of the rollup document.

Each function takes the document (``pmkit.rollup.as_json``) and ``by`` (the
grouping of the main table) and returns a :class:`pmkit.app.render.View`. The
main table is what ``--format csv`` prints; the JSON slice is whole sections
of the document:

- status: program, the ``by`` section (projects, teams, vendors or
  objectives), milestones, risks
- budget: program, the ``by`` section (projects for ``project`` and ``line``,
  categories, vendors), funding
- staff:  program, the ``by`` section (projects, teams, or staff for
  ``person``), compliance, hiring

The schedule gap of a row is progress − planned as the document shows them
(percentage points); the program's is the document's ``schedule_gap``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pmkit.app.render import Column, Table, View, document_slice, facts
from pmkit.core.vocabulary import IN_PROCESS_STAGES, OPEN_STATUSES

STATUS_BY = ("project", "team", "vendor", "objective")
BUDGET_BY = ("project", "category", "vendor", "line")
STAFF_BY = ("project", "team", "person")

MONEY_COLUMNS = [
    Column("baseline", "Baseline", "money"), Column("transfers_in", "Transfers in", "money"),
    Column("transfers_out", "Transfers out", "money"), Column("current", "Current", "money"),
    Column("actual", "Actual", "money"), Column("committed", "Committed", "money"),
    Column("available", "Available", "money"), Column("spent_pct", "Spent", "percent"),
]
EVM_KEYS = ("bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi")
INDICES = ("cpi", "spi", "tcpi")
COUNTS = ("applicable", "acknowledged", "pending", "overdue", "expired")


def planned(row: dict[str, Any]) -> Any:
    """The planned percent of a row; None (shown "—") for a cancelled project,
    which is out of progress: nothing more is planned of it."""
    return None if row.get("status") == "cancelled" else row.get("planned")


def gap(row: dict[str, Any]) -> Decimal | None:
    """progress − planned of a row, in percentage points (None when either is
    null, and for a cancelled project: it is out of progress)."""
    if row.get("progress") is None or planned(row) is None:
        return None
    return Decimal(str(row["progress"])) - Decimal(str(row["planned"]))


def _budget_cells(b: dict[str, Any]) -> list[Any]:
    return [b[c.key] for c in MONEY_COLUMNS]


# ------------------------------------------------------------------ status


def status(document: dict[str, Any], by: str = "project") -> View:
    program = document["program"]
    risks = document["risks"]
    summary = facts("Program", [
        ("Progress", "percent", program["progress"]),
        ("Planned", "percent", program["planned"]),
        ("Schedule gap (points)", "points", program["schedule_gap"]),
        ("Milestones late", "count", program["milestones_late"]),
        ("Milestones due in 30 days", "count", program["milestones_upcoming"]),
        ("Open problems", "count", risks["open"]),
        ("Open problems past due", "count", risks["overdue"]),
    ])
    main = _status_main(document, by)
    milestones = document["milestones"]
    late = Table("Milestones late", [
        Column("project", "Project"), Column("id", "Milestone"), Column("title", "Title"),
        Column("due", "Due"), Column("slipped_days", "Days late", "count"),
    ], [[m["project"], m["id"], m["title"], m["due"], m["slipped_days"]] for m in milestones if m["status"] == "late"])
    upcoming = Table("Milestones due in the next 30 days", [
        Column("project", "Project"), Column("id", "Milestone"), Column("title", "Title"), Column("due", "Due"),
    ], [[m["project"], m["id"], m["title"], m["due"]] for m in milestones if m["status"] == "upcoming"])
    problems = Table("Open problems", [
        Column("severity", "Severity"), Column("id", "ID"), Column("type", "Type"), Column("status", "Status"),
        Column("project", "Project"), Column("owner", "Owner"), Column("due", "Due"),
        Column("overdue", "Past due", "bool"), Column("title", "Title"),
    ], [[r["severity"], r["id"], r["type"], r["status"], r["project"], r["owner"], r["due"], r["overdue"], r["title"]]
        for r in risks["items"] if r["status"] in OPEN_STATUSES])
    section = {"project": "projects", "team": "teams", "vendor": "vendors", "objective": "objectives"}[by]
    return View("Status", program["name"], document["as_of"], by, main,
                [summary, main, late, upcoming, problems],
                document_slice(document, ["program", section, "milestones", "risks"]))


def _progress_columns() -> list[Column]:
    return [Column("progress", "Progress", "percent"), Column("planned", "Planned", "percent"),
            Column("gap", "Gap (points)", "points")]


def _status_main(document: dict[str, Any], by: str) -> Table:
    if by == "project":
        return Table("Progress by project", [
            Column("project", "Project"), Column("name", "Name"), Column("status", "Status"), *_progress_columns(),
            Column("milestones_late", "Late milestones", "count"),
            Column("milestones_upcoming", "Due in 30 days", "count"),
            Column("open_problems", "Open problems", "count"),
        ], [[pid, p["name"], p["status"], p["progress"], planned(p), gap(p), p["milestones_late"],
             p["milestones"]["upcoming"], p["open_problems"]] for pid, p in document["projects"].items()])
    if by == "team":
        return Table("Progress by team", [
            Column("team", "Team"), Column("name", "Name"), Column("department", "Department"),
            *_progress_columns(), Column("tasks", "Tasks", "count"), Column("effort", "Effort", "number"),
        ], [[tid, t["name"], t["department"], t["progress"], t["planned"], gap(t), t["tasks"], t["effort"]]
            for tid, t in document["teams"].items()])
    if by == "vendor":
        return Table("Progress by vendor (tasks assigned to the vendor)", [
            Column("vendor", "Vendor"), Column("name", "Name"), *_progress_columns(),
            Column("tasks", "Tasks", "count"), Column("effort", "Effort", "number"),
        ], [[vid, v["name"], v["progress"], v["planned"], gap(v), v["tasks"], v["effort"]]
            for vid, v in document["vendors"].items()])
    if by == "objective":
        return Table("Progress by objective", [
            Column("objective", "Objective"), Column("title", "Title"), *_progress_columns(),
            Column("baseline", "Baseline", "number"), Column("target", "Target", "number"),
            Column("current", "Current", "number"), Column("progress_to_target", "To target", "percent"),
        ], [[oid, o["title"], o["progress"], o["planned"], gap(o), o["baseline"], o["target"], o["current"],
             o["progress_to_target"]] for oid, o in document["objectives"].items()])
    raise ValueError(f"status by {by!r}: expected one of {', '.join(STATUS_BY)}")


# ------------------------------------------------------------------ budget


def budget(document: dict[str, Any], by: str = "project", transfers: list[dict[str, Any]] | None = None) -> View:
    """``transfers``: the transfer records dated on or before the as-of date
    (see :func:`pmkit.app.render.report.transfer_records`); None leaves the table out."""
    program = document["program"]
    b, funding = program["budget"], document["funding"]
    summary = facts("Program budget", [
        ("Baseline", "money", b["baseline"]), ("Transfers in", "money", b["transfers_in"]),
        ("Transfers out", "money", b["transfers_out"]), ("Current budget", "money", b["current"]),
        ("Actual", "money", b["actual"]), ("Committed", "money", b["committed"]),
        ("Available", "money", b["available"]), ("Spent", "percent", b["spent_pct"]),
    ])
    evm = program["evm"]
    earned = facts("Earned value (counted projects)",
                   [(key.upper(), "index" if key in INDICES else "money", evm[key]) for key in EVM_KEYS])
    main = _budget_main(document, by)
    tables = [summary, earned, schedule_facts(program["earned_schedule"], evm["eac"]), main]
    if by == "project":
        tables.append(Table("Earned value by project", [
            Column("project", "Project"),
            *[Column(key, key.upper(), "index" if key in INDICES else "money") for key in EVM_KEYS],
        ], [[pid, *[p["evm"][key] for key in EVM_KEYS]] for pid, p in document["projects"].items() if p["counted"]]))
        tables.append(Table("Earned schedule by project (days from the project's start)", [
            Column("project", "Project"), Column("es", "ES", "fte"), Column("at", "AT", "count"),
            Column("spi_t", "SPI(t)", "index"), Column("planned_duration", "Planned days", "count"),
            Column("forecast_duration", "Forecast days", "fte"), Column("end", "Planned end"),
            Column("forecast_finish", "Forecast finish"), Column("eac", "EAC (CPI)", "money"),
        ], [[pid, p["earned_schedule"]["es"], p["earned_schedule"]["at"], p["earned_schedule"]["spi_t"],
             p["earned_schedule"]["planned_duration"], p["earned_schedule"]["forecast_duration"], p["end"],
             p["earned_schedule"]["forecast_finish"], p["evm"]["eac"]]
            for pid, p in document["projects"].items() if p["counted"]]))
    if transfers is not None:
        tables.append(transfer_table("Transfers", transfers))
    tables.append(facts("Funding", [
        ("Requested", "money", funding["requested"]), ("Approved", "money", funding["approved"]),
        ("Received", "money", funding["received"]), ("Funded (approved + received)", "money", funding["funded"]),
        ("Current budget", "money", funding["total_current_budget"]),
        ("Funding gap (negative: surplus)", "money", funding["funding_gap"]),
    ]))
    tables.append(Table("Funding sources", [
        Column("id", "Source"), Column("name", "Name"), Column("status", "Status"), Column("date", "Date"),
        Column("fiscal_year", "Fiscal year"), Column("amount", "Amount", "money"),
    ], [[s["id"], s["name"], s["status"], s["date"], s["fiscal_year"], s["amount"]] for s in funding["sources"]]))
    section = {"project": "projects", "line": "projects", "category": "categories", "vendor": "vendors"}[by]
    return View("Budget", program["name"], document["as_of"], by, main, tables,
                document_slice(document, ["program", section, "funding"]))


def schedule_facts(es: dict[str, Any], eac: Any) -> Table:
    """The program's earned schedule (Lipke) beside the CPI-based EAC."""
    return facts("Forecast (earned schedule, days from the program's start)", [
        ("ES (earned schedule)", "fte", es["es"]), ("AT (actual time)", "count", es["at"]),
        ("SV(t) (days)", "points", es["sv_t"]), ("SPI(t)", "index", es["spi_t"]),
        ("Planned duration (days)", "count", es["planned_duration"]),
        ("Forecast duration (days)", "fte", es["forecast_duration"]),
        ("Forecast finish", "text", es["forecast_finish"]), ("EAC (BAC / CPI)", "money", eac),
    ])


def transfer_table(title: str, transfers: list[dict[str, Any]], empty: str = "none") -> Table:
    return Table(title, [
        Column("id", "Transfer"), Column("date", "Date"), Column("amount", "Amount", "money"),
        Column("from", "From"), Column("to", "To"), Column("reason", "Reason"),
    ], [[t["id"], t["date"], t["amount"], f"{t['from']['project']}/{t['from']['category']}",
         f"{t['to']['project']}/{t['to']['category']}", t["reason"]] for t in transfers], empty)


def _budget_main(document: dict[str, Any], by: str) -> Table:
    if by == "project":
        return Table("Budget by project", [Column("project", "Project"), Column("status", "Status"), *MONEY_COLUMNS],
                     [[pid, p["status"], *_budget_cells(p["budget"])] for pid, p in document["projects"].items()])
    if by == "line":
        return Table("Budget lines (project × category)",
                     [Column("project", "Project"), Column("category", "Category"), *MONEY_COLUMNS],
                     [[pid, category, *_budget_cells(line)] for pid, p in document["projects"].items()
                      for category, line in p["lines"].items()])
    if by == "category":
        return Table("Budget by category", [Column("category", "Category"), *MONEY_COLUMNS],
                     [[category, *_budget_cells(c)] for category, c in document["categories"].items()])
    if by == "vendor":
        return Table("Spend by vendor", [
            Column("vendor", "Vendor"), Column("name", "Name"), Column("contracts_value", "Contracts", "money"),
            Column("invoiced", "Invoiced", "money"), Column("committed", "Committed", "money"),
        ], [[vid, v["name"], v["contracts_value"], v["invoiced"], v["committed"]]
            for vid, v in document["vendors"].items()])
    raise ValueError(f"budget by {by!r}: expected one of {', '.join(BUDGET_BY)}")


# ------------------------------------------------------------------ staff


def staff(document: dict[str, Any], by: str = "project") -> View:
    program = document["program"]
    s = program["staffing"]
    people = document["staff"]
    summary = facts("Staffing", [
        ("Headcount (employed on the date)", "count", s["headcount"]), ("FTE", "fte", s["fte"]),
        ("Employee FTE", "fte", s["employee_fte"]), ("Contractor FTE", "fte", s["contractor_fte"]),
        ("Contractor share", "percent", s["contractor_share"]),
        ("Over-allocated people", "count", len(s["over_allocated"])),
    ])
    main = _staff_main(document, by)
    over = Table("Over-allocated (more than 100% on the date)", [
        Column("person", "Person"), Column("name", "Name"), Column("team", "Team"), Column("fte", "FTE", "fte"),
        Column("allocations", "Allocations", "alloc"),
    ], [[pid, people[pid]["name"], people[pid]["team"], people[pid]["fte"], people[pid]["allocations"]]
        for pid in s["over_allocated"]])
    compliance = document["compliance"]
    count_columns = [Column(key, key.capitalize(), "count") for key in COUNTS]
    rules = Table("Compliance by rule", [
        Column("rule", "Rule"), Column("title", "Title"), Column("category", "Category"), *count_columns,
    ], [[rid, r["title"], r["category"], *[r[key] for key in COUNTS]] for rid, r in compliance["rules"].items()]
        + [["all rules", None, None, *[compliance["total"][key] for key in COUNTS]]])
    teams = Table("Compliance by team", [Column("team", "Team"), *count_columns],
                  [[tid, *[t[key] for key in COUNTS]] for tid, t in compliance["teams"].items()])
    hiring = Table("Hiring by position", [
        Column("position", "Position"), Column("title", "Title"), Column("team", "Team"), Column("status", "Status"),
        Column("openings", "Openings", "count"), Column("filled", "Filled", "count"),
        Column("in_process", "In process", "count"), Column("interviews", "Interviews", "count"),
        Column("mean_score", "Mean score", "index"), Column("days_open", "Days open", "count"),
    ], [[pid, p["title"], p["team"], p["status"], p["openings"], p["filled"],
         sum(p["candidates"].get(stage, 0) for stage in IN_PROCESS_STAGES), p["interviews"], p["mean_score"], p["days_open"]]
        for pid, p in document["hiring"]["positions"].items()])
    section = {"project": "projects", "team": "teams", "person": "staff"}[by]
    return View("Staff", program["name"], document["as_of"], by, main, [summary, main, over, rules, teams, hiring],
                document_slice(document, ["program", section, "compliance", "hiring"]))


def _staff_main(document: dict[str, Any], by: str) -> Table:
    people = document["staff"]
    if by == "project":
        return Table("FTE by project", [
            Column("project", "Project"), Column("name", "Name"), Column("status", "Status"),
            Column("people", "People", "count"), Column("fte", "FTE", "fte"),
        ], [[pid, p["name"], p["status"], sum(pid in person["allocations"] for person in people.values()), p["fte"]]
            for pid, p in document["projects"].items()])
    if by == "team":
        return Table("FTE by team", [
            Column("team", "Team"), Column("name", "Name"), Column("department", "Department"),
            Column("members", "Members", "count"), Column("fte", "FTE", "fte"),
        ], [[tid, t["name"], t["department"], t["members"], t["fte"]] for tid, t in document["teams"].items()])
    if by == "person":
        return Table("FTE by person", [
            Column("person", "Person"), Column("name", "Name"), Column("team", "Team"),
            Column("employment", "Employment"), Column("vendor", "Vendor"), Column("fte", "FTE", "fte"),
            Column("allocations", "Allocations", "alloc"), Column("over_allocated", "Over-allocated", "bool"),
        ], [[pid, p["name"], p["team"], p["employment"], p["vendor"], p["fte"], p["allocations"], p["over_allocated"]]
            for pid, p in people.items()])
    raise ValueError(f"staff by {by!r}: expected one of {', '.join(STAFF_BY)}")


__all__ = ["BUDGET_BY", "STAFF_BY", "STATUS_BY", "budget", "gap", "staff", "status", "transfer_table"]
