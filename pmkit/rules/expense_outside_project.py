"""Expenses fall within their project's dates."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.expense_facts import FileFacts, files_where
from pmkit.domain.index import Index, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

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
    bounds = {pid: (p.data["start"], p.data["end"]) for pid, p in ix.projects.items()}

    def strays(facts: FileFacts) -> bool:  # ISO dates compare as text
        return any(pid in bounds and (first < bounds[pid][0] or last > bounds[pid][1])
                   for pid, (first, last) in facts.spans.items())

    for record in ix.expenses_in(files_where(ix, strays)):
        project, amount = record.data["project"], record.data["amount"]
        if project not in bounds or amount < 0:
            continue
        start, end = map(day, bounds[project])
        when = day(record.data["date"])
        if when < start:
            days, side, edge, edge_date = (start - when).days, "before", "starts", start
        elif when > end:
            days, side, edge, edge_date = (when - end).days, "after", "ends", end
        else:
            continue
        data = record.data
        pid = data["project"]
        yield record.finding(
            CODE, f"expense `{record.id}` is dated {data['date']}, {days} day{'' if days == 1 else 's'} "
            f"{side} project `{pid}` {edge} ({edge_date.isoformat()})",
            f"correct the expense's date or project, or the dates of project `{pid}` "
            f"({ix.projects[pid].file})", at=("date",))
