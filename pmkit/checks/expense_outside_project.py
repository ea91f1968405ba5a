"""Expenses fall within their project's dates."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.checks.budget_lines import ledger
from pmkit.checks.index import Index, day
from pmkit.codes import Code
from pmkit.findings import Finding, Severity

CODE = Code(
    "expense-outside-project", Severity.WARNING, "business", configurable=True, doc=(
        "An expense is dated before its project's `start` or after its `end`. "
        "It may be charged to the wrong project or carry a wrong date; it may "
        "also be legitimate (a deposit paid early, a final invoice arriving "
        "after close-out), which is why this is a warning. Refunds are not "
        "checked: they follow the expense they refund. Correct the date or "
        "the project, or extend the project's dates if the work really ran "
        "longer."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    books = ledger(ix)
    bounds = {pid: (day(p.data["start"]), day(p.data["end"])) for pid, p in ix.projects.items()}
    columns = zip(ix.column("expenses", "project"), ix.column("expenses", "amount"), books.expense_dates)
    for i, (project, amount, when) in enumerate(columns):
        span = bounds.get(project)
        if span is None or amount < 0:
            continue
        start, end = span
        if when < start:
            days, side, edge, edge_date = (start - when).days, "before", "starts", start
        elif when > end:
            days, side, edge, edge_date = (when - end).days, "after", "ends", end
        else:
            continue
        record = ix.expenses[i]
        data = record.data
        pid = data["project"]
        yield record.finding(
            CODE, f"expense `{record.id}` is dated {data['date']}, {days} day{'' if days == 1 else 's'} "
            f"{side} project `{pid}` {edge} ({edge_date.isoformat()})",
            f"correct the expense's date or project, or the dates of project `{pid}` "
            f"({ix.projects[pid].file})", at=("date",))
