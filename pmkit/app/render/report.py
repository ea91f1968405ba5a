"""`pmkit report --period YYYY-MM`: the status report for superiors, in Markdown.

The figures come from the rollup document as of :func:`report_date`: the
period's last day, or the program's status date when that is earlier (a
report on the current month shows the figures as far as the data goes, never
a date the files have not reached yet). A period that begins after the status
date has no figures yet and is refused by the command.

Besides the document, the report reads two kinds of records it shows as they
are: the transfers dated in the period and the period's narrative
(reports/<period>.yaml), both as JSON-ready data (:func:`transfer_records`,
:func:`narrative_record`), so :func:`report` stays a pure function.

What "in the period" means: a milestone is *hit* when its ``done`` date lies
in the period up to the report date; it is *missed* when it is late as of
the report date (the document's ``late``); a transfer is shown when dated in
the period up to the report date. Output is deterministic: the same files
and period give the same bytes.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from pmkit.domain.model import Model, StatusReport
from pmkit.app.render import Column, Table, facts, provenance_lines, templates
from pmkit.app.render.views import COUNTS, gap, planned, transfer_table
from pmkit.core.vocabulary import IN_PROCESS_STAGES, OPEN_STATUSES, minor_digits, money_text
from pmkit.rollup import rag

TOP_PROBLEMS = 10
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # not the locale's: the same bytes everywhere


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` period (ValueError if it is not one)."""
    first = dt.datetime.strptime(period, "%Y-%m").date()
    if f"{first:%Y-%m}" != period:
        raise ValueError(f"{period!r} is not a period in the form YYYY-MM")
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def report_date(period: str, status_date: dt.date) -> dt.date:
    """The date of the report's figures: the period's last day, or the status date if earlier."""
    return min(period_bounds(period)[1], status_date)


def transfer_records(model: Model, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The transfers dated first..last as JSON-ready records (money as strings), by date and id."""
    digits = minor_digits(model.program.currency)
    return [
        {"id": t.id, "date": t.date.isoformat(), "amount": money_text(t.amount, digits),
         "from": {"project": t.source.project, "category": t.source.category},
         "to": {"project": t.target.project, "category": t.target.category},
         "reason": t.reason, "approved_by": t.approved_by}
        for t in model.transfers if first <= t.date <= last
    ]


def narrative_record(model: Model, period: str) -> dict[str, Any] | None:
    """The period's status report (reports/<period>.yaml) as JSON-ready data, or None."""
    found = model.reports.get(period)
    return None if found is None else narrative_of(found)


def narrative_of(found: StatusReport) -> dict[str, Any]:
    """A status report as JSON-ready data."""
    return {"period": found.period, "author": found.author, "entries": [
        {"team": e.team, "rag": e.rag, "summary": e.summary, "done": list(e.done), "next": list(e.next),
         "blockers": list(e.blockers)} for e in found.entries]}


def _name(document: dict[str, Any], person: str | None) -> str | None:
    if person is None:
        return None
    return document["staff"].get(person, {}).get("name", person)


def context(document: dict[str, Any], period: str, narrative: dict[str, Any] | None,
            transfers: list[dict[str, Any]], status_date: dt.date | None = None,
            by_date: bool = True) -> dict[str, Any]:
    """Everything report.md.j2 shows: tables of the document's figures and the narrative."""
    first, last = period_bounds(period)
    as_of = document["as_of"]
    program, b, e = document["program"], document["program"]["budget"], document["program"]["evm"]
    entries = {entry["team"]: entry for entry in (narrative or {}).get("entries", [])}

    headline = facts("Headline", [
        ("Progress", "percent", program["progress"]), ("Planned", "percent", program["planned"]),
        ("Schedule gap (points)", "points", program["schedule_gap"]),
        ("Current budget", "money", b["current"]), ("Actual spend", "money", b["actual"]),
        ("Committed", "money", b["committed"]), ("Available", "money", b["available"]),
        ("Spent", "percent", b["spent_pct"]),
        ("CPI (cost performance)", "index", e["cpi"]), ("SPI (schedule performance)", "index", e["spi"]),
        ("EAC (estimate at completion)", "money", e["eac"]),
        ("Funded (approved + received)", "money", program["funded"]),
        ("Funding gap (negative: surplus)", "money", program["funding_gap"]),
        ("Milestones late", "count", program["milestones_late"]),
        ("Open problems", "count", program["open_problems"]),
    ])
    progress = [Column("progress", "Progress", "percent"), Column("planned", "Planned", "percent"),
                Column("gap", "Gap (points)", "points")]
    ratings = rag.team_ratings(document["projects"])
    teams = Table("By team", [Column("team", "Team"), Column("name", "Name"), Column("rag", "RAG"),
                              Column("reported", "Reported RAG"), *progress, Column("tasks", "Tasks", "count")],
                  [[tid, t["name"], ratings[tid].value.upper() if tid in ratings else None,
                    entries[tid]["rag"].upper() if tid in entries else None, t["progress"],
                    t["planned"], gap(t), t["tasks"]] for tid, t in document["teams"].items()])
    vendors = Table("By vendor (tasks assigned to the vendor)", [
        Column("vendor", "Vendor"), Column("name", "Name"), *progress, Column("tasks", "Tasks", "count"),
        Column("invoiced", "Invoiced", "money"), Column("committed", "Committed", "money"),
    ], [[vid, v["name"], v["progress"], v["planned"], gap(v), v["tasks"], v["invoiced"], v["committed"]]
        for vid, v in document["vendors"].items()])
    projects = Table("By project", [
        Column("project", "Project"), Column("name", "Name"), Column("status", "Status"), Column("rag", "RAG"),
        *progress,
        Column("late", "Late milestones", "count"), Column("cpi", "CPI", "index"), Column("spi", "SPI", "index"),
    ], [[pid, p["name"], p["status"], rag.rate_row(p).value.upper() if p["status"] in rag.IN_FLIGHT else None,
         p["progress"], planned(p), gap(p), p["milestones_late"], p["evm"]["cpi"],
         p["evm"]["spi"]] for pid, p in document["projects"].items()])

    milestones = document["milestones"]
    hit = Table("Hit in the period", [
        Column("project", "Project"), Column("id", "Milestone"), Column("title", "Title"), Column("due", "Due"),
        Column("done", "Done"), Column("slipped_days", "Days late (− early)", "count"),
    ], [[m["project"], m["id"], m["title"], m["due"], m["done"], m["slipped_days"]] for m in milestones
        if m["status"] == "done" and first.isoformat() <= m["done"] <= as_of], "No milestone was reached in the period.")
    missed = Table(f"Missed (late as of {as_of})", [
        Column("project", "Project"), Column("id", "Milestone"), Column("title", "Title"), Column("due", "Due"),
        Column("slipped_days", "Days late", "count"),
    ], [[m["project"], m["id"], m["title"], m["due"], m["slipped_days"]] for m in milestones if m["status"] == "late"],
        "No milestone is late.")
    upcoming = Table("Due in the next 30 days", [
        Column("project", "Project"), Column("id", "Milestone"), Column("title", "Title"), Column("due", "Due"),
    ], [[m["project"], m["id"], m["title"], m["due"]] for m in milestones if m["status"] == "upcoming"],
        "No milestone is due in the next 30 days.")

    money = [Column("current", "Current", "money"), Column("actual", "Actual", "money"),
             Column("committed", "Committed", "money"), Column("available", "Available", "money"),
             Column("spent_pct", "Spent", "percent")]
    budget_projects = Table("Budget by project", [Column("project", "Project"), *money],
                            [[pid, *[p["budget"][c.key] for c in money]] for pid, p in document["projects"].items()])
    lines = Table("Budget lines", [Column("project", "Project"), Column("category", "Category"), *money],
                  [[pid, category, *[line[c.key] for c in money]] for pid, p in document["projects"].items()
                   for category, line in p["lines"].items()])
    moved = transfer_table("Transfers in the period", transfers, "No transfer is dated in the period.")

    open_items = [r for r in document["risks"]["items"] if r["status"] in OPEN_STATUSES]
    problems = Table("Top problems", [
        Column("severity", "Severity"), Column("id", "Problem"), Column("title", "Title"),
        Column("project", "Project"), Column("owner", "Owner"), Column("status", "Status"), Column("due", "Due"),
        Column("overdue", "Past due", "bool"),
    ], [[r["severity"], r["id"], r["title"], r["project"], _name(document, r["owner"]), r["status"], r["due"],
         r["overdue"]] for r in open_items[:TOP_PROBLEMS]], "No open problem.")

    staffing = program["staffing"]
    hiring = Table("Hiring", [
        Column("position", "Position"), Column("title", "Title"), Column("team", "Team"), Column("status", "Status"),
        Column("openings", "Openings", "count"), Column("filled", "Filled", "count"),
        Column("in_process", "In process", "count"), Column("days_open", "Days open", "count"),
    ], [[pid, p["title"], p["team"], p["status"], p["openings"], p["filled"],
         sum(p["candidates"].get(s, 0) for s in IN_PROCESS_STAGES), p["days_open"]]
        for pid, p in document["hiring"]["positions"].items()], "No position.")
    compliance = document["compliance"]
    rules = Table("Compliance by rule", [
        Column("rule", "Rule"), Column("title", "Title"), *[Column(k, k.capitalize(), "count") for k in COUNTS],
    ], [[rid, r["title"], *[r[k] for k in COUNTS]] for rid, r in compliance["rules"].items()], "No rule.")

    narratives = []
    for tid, team in document["teams"].items():
        rating = ratings.get(tid)
        narratives.append({"id": tid, "name": team["name"], "entry": entries.get(tid),
                           "computed": rating.value if rating else None, "reason": rating.reason if rating else None})
    for tid, entry in entries.items():  # a team the document does not know (only in invalid data)
        if tid not in document["teams"]:
            narratives.append({"id": tid, "name": tid, "entry": entry})

    return {
        "period": period, "month": f"{MONTHS[first.month - 1]} {first.year}", "first": first.isoformat(), "last": last.isoformat(),
        "as_of": as_of, "status_date": status_date.isoformat() if status_date else None, "currency": document["currency"], "program": program,
        # where the figures come from (the revision in force on the day, in git) and whether
        # undated values are later than it: the same sentences as every view's
        "provenance": provenance_lines(document, by_date),
        "author": _name(document, (narrative or {}).get("author")), "has_narrative": narrative is not None,
        "headline": headline, "teams": teams, "vendors": vendors, "projects": projects,
        "hit": hit, "missed": missed, "upcoming": upcoming,
        "budget_projects": budget_projects, "lines": lines, "transfers": moved,
        "problems": problems, "open_problems": len(open_items), "top": TOP_PROBLEMS,
        "staffing": staffing, "hiring": hiring, "funnel": document["hiring"]["funnel"],
        "compliance_total": compliance["total"], "rules": rules, "narratives": narratives,
    }


def report(document: dict[str, Any], period: str, narrative: dict[str, Any] | None,
           transfers: list[dict[str, Any]], status_date: dt.date | None = None,
           narrative_later: bool = False, by_date: bool = True) -> str:
    """The Markdown status report of a period (see the module docstring).

    ``status_date``: the report's status date. Where the figures come from
    (the revision in force on their day, in git) and whether undated values
    are later than that day is the document's ``provenance``, which the report
    states as every view does. ``narrative_later``: the narrative is the files' as they
    stand, later than that revision (written after the month, as narratives are).
    ``by_date``: the revision is the one in force on the day (false: given by --rev)."""
    return templates().get_template("report.md.j2").render(
        context(document, period, narrative, transfers, status_date, by_date), narrative_later=narrative_later)


__all__ = ["narrative_record", "period_bounds", "report", "report_date", "transfer_records"]
