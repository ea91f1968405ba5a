"""Budget lines, categories, vendors' spend, spend by month and funding.

The figures of each line (baseline, transfers, actual, committed, current,
available) come from ``pmkit.domain.ledger``, the one place that works them
out for the rules and the rollup alike; here they are grouped and given
``spent_pct``. Cancelled projects stay in every money figure: money spent is
spent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pmkit.domain.ledger import Line, LineFigures, committed_by_line, line_figures, uninvoiced
from pmkit.domain.model import Model
from pmkit.rollup.figures import ZERO, Money, Percent, percent


@dataclass
class Budget:
    """The money figures of one line, or of any group of lines summed (JSON)."""

    baseline: Money = ZERO
    transfers_in: Money = ZERO
    transfers_out: Money = ZERO
    actual: Money = ZERO
    committed: Money = ZERO
    current: Money = ZERO
    available: Money = ZERO
    spent_pct: Percent = None

    @classmethod
    def of(cls, line: LineFigures) -> Budget:
        return cls(line.baseline, line.transfers_in, line.transfers_out, line.actual, line.committed,
                   line.current, line.available, percent(line.actual, line.current))

    def figures(self) -> LineFigures:
        return LineFigures(self.baseline, self.transfers_in, self.transfers_out, self.actual, self.committed)


def total(budgets: Iterable[Budget]) -> Budget:
    out = LineFigures()
    for b in budgets:
        out.add(b.figures())
    return Budget.of(out)


def lines(model: Model, as_of: dt.date) -> dict[Line, Budget]:
    """Every budget line with its figures as of a date, in sorted order."""
    baselines = [((project.id, category), amount)
                 for project in model.projects.values() for category, amount in project.budget.items()]
    moves = [(t.date, t.amount, t.source, t.target) for t in model.transfers]
    table = line_figures(baselines, moves, model.spent(as_of).lines, committed(model, as_of), as_of)
    return {line: Budget.of(figures) for line, figures in table.items()}


def invoiced(model: Model, as_of: dt.date) -> dict[str, Decimal]:
    """Per contract id: invoices against it dated <= D (refunds included)."""
    return dict(model.spent(as_of).contracts)


def committed(model: Model, as_of: dt.date) -> dict[Line, Decimal]:
    """Contract value not yet invoiced, on the contract's line, never below 0."""
    return committed_by_line(((c.id, c.value, (c.project, c.category)) for c in model.contracts.values()),
                             invoiced(model, as_of))


def by_project(table: dict[Line, Budget]) -> dict[str, Budget]:
    groups: dict[str, list[Budget]] = defaultdict(list)
    for line, figures in table.items():
        groups[line.project].append(figures)
    return {project: total(items) for project, items in sorted(groups.items())}


def by_category(table: dict[Line, Budget], categories: Iterable[str]) -> dict[str, Budget]:
    groups: dict[str, list[Budget]] = {c: [] for c in categories}
    for line, figures in table.items():
        groups.setdefault(line.category, []).append(figures)
    return {category: total(items) for category, items in groups.items()}


def spend_by_month(model: Model, as_of: dt.date) -> dict[str, Decimal]:
    """Actual spend per calendar month (YYYY-MM), up to the as-of date."""
    by_month = model.spent(as_of).months
    return {f"{year:04d}-{month:02d}": amount for (year, month), amount in sorted(by_month.items())}


@dataclass
class VendorSpend:
    contracts_value: Money = ZERO
    invoiced: Money = ZERO  # expenses naming the vendor, dated <= D
    committed: Money = ZERO


def vendor_spend(model: Model, as_of: dt.date) -> dict[str, VendorSpend]:
    out = {vendor_id: VendorSpend() for vendor_id in model.vendors}
    spent = invoiced(model, as_of)
    for vendor in model.vendors.values():
        for contract in vendor.contracts:
            out[vendor.id].contracts_value += contract.value
            out[vendor.id].committed += uninvoiced(contract.value, spent.get(contract.id, ZERO))
    for vendor_id, amount in model.spent(as_of).vendors.items():
        if vendor_id in out:
            out[vendor_id].invoiced += amount
    return out


@dataclass
class Funding:
    requested: Money = ZERO
    approved: Money = ZERO
    received: Money = ZERO
    funded: Money = ZERO  # approved + received
    total_current_budget: Money = ZERO
    funding_gap: Money = ZERO  # current budget - funded; negative is a surplus
    sources: list[dict[str, object]] = field(default_factory=list)


def funding(model: Model, current_budget: Decimal) -> Funding:
    out = Funding()
    for source in model.funding:
        setattr(out, source.status, getattr(out, source.status) + source.amount)
    out.funded = out.approved + out.received
    out.total_current_budget = current_budget
    out.funding_gap = current_budget - out.funded
    return out
