"""A budget line's actual spend stays within its current budget."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pmkit.domain.expense_facts import files_where
from pmkit.domain.ledger import ledger, line_name, money, where
from pmkit.domain.index import Index, Record
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
    over = []
    for line in books.lines():
        pid, category = line
        project = ix.projects.get(pid)
        if project is None or category not in known or not books.exists(line):
            continue  # unknown project or category, or no such line: other codes say so
        figures = books.get(line)
        if figures.actual <= figures.current or figures.actual <= 0:
            continue  # a negative budget with nothing spent is transfer-overdraws' finding
        over.append((line, project, figures))
    tipped = _tipping(ix, {line: figures.current for line, _, figures in over})
    for line, project, figures in over:
        category = line[1]
        actual, current = figures.actual, figures.current
        budget = project.data.get("budget")
        at: tuple[str | int, ...] = ()
        if line in books.baselined:
            at = ("budget", category)
        elif isinstance(budget, dict):
            at = ("budget",)
        expense = tipped.get(line)
        went_over = (f"; expense `{expense.id}` of {expense.data['date']} ({money(expense.data['amount'], ix)}, "
                     f"{where(expense, 'amount')}) took it over" if expense is not None else "")
        yield project.finding(
            CODE, f"budget line {line_name(line)} has spent {money(actual, ix)} as of {ix.as_of.isoformat()}, "
            f"{money(actual - current, ix)} over its current budget of {money(current, ix)} "
            f"(baseline {money(figures.baseline, ix)} + transfers in {money(figures.transfers_in, ix)} "
            f"− transfers out {money(figures.transfers_out, ix)}){went_over}",
            f"transfer at least {money(actual - current, ix)} into this line in budget/transfers.yaml, "
            f"or check the expenses charged to it", at=at, on="key")


def _tipping(ix: Index, budgets: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Record]:
    """The expense after which each line's running spend (by date, then file order)
    first exceeds its current budget: where a reader starts looking.

    Only the files whose facts charge an overspent line are read.
    """
    if not budgets:
        return {}
    cutoff = ix.as_of.isoformat()
    charged: dict[tuple[str, str], list[tuple[str, int, Record]]] = {line: [] for line in budgets}
    paths = files_where(ix, lambda facts: any(line in facts.lines for line in budgets))
    for order, record in enumerate(ix.expenses_in(paths)):
        data = record.data
        line = (data["project"], data["category"])
        if line in charged and data["date"] <= cutoff:
            charged[line].append((data["date"], order, record))
    out: dict[tuple[str, str], Record] = {}
    for line, spent in charged.items():
        total = Decimal(0)
        for _, _, record in sorted(spent, key=lambda item: item[:2]):
            total += record.data["amount"]
            if total > budgets[line] and line not in out:
                out[line] = record
            elif total <= budgets[line]:
                out.pop(line, None)  # a refund brought it back: a later expense tipped it
    return out
