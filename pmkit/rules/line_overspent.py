"""A budget line's actual spend stays within its current budget."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.ledger import ledger, line_name, money
from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "line-overspent", Severity.ERROR, "business", configurable=True, doc=(
        "A budget line (a project × category) has spent more than its current "
        "budget as of the status date: the expenses dated on or before it "
        "(refunds deducted) exceed the baseline in the project's `budget` "
        "plus the transfers in, minus the transfers out, dated on or before "
        "it. Cancelled projects count too: money spent is spent. The line "
        "needs more money: transfer it from a line with room (recorded in "
        "budget/transfers.yaml), or find the expense charged to the wrong line."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    books = ledger(ix)
    known = set(ix.categories)
    for line in books.lines():
        pid, category = line
        project = ix.projects.get(pid)
        if project is None or category not in known or not books.exists(line):
            continue  # unknown project or category, or no such line: other codes say so
        figures = books.get(line)
        actual, current = figures.actual, figures.current
        if actual <= current or actual <= 0:
            continue  # a negative budget with nothing spent is transfer-overdraws' finding
        budget = project.data.get("budget")
        at: tuple[str, ...]
        if line in books.baselined:
            at, on = ("budget", category), "key"
        elif isinstance(budget, dict):
            at, on = ("budget",), "key"
        else:
            at, on = (), "key"
        yield project.finding(
            CODE, f"budget line {line_name(line)} has spent {money(actual, ix)} as of {ix.as_of.isoformat()}, "
            f"{money(actual - current, ix)} over its current budget of {money(current, ix)} "
            f"(baseline {money(figures.baseline, ix)} + transfers in {money(figures.transfers_in, ix)} "
            f"− transfers out {money(figures.transfers_out, ix)})",
            f"transfer at least {money(actual - current, ix)} into this line in budget/transfers.yaml, "
            f"or check the expenses charged to it", at=at, on=on)
