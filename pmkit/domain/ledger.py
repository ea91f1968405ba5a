"""Budget-line arithmetic the budget rules share (a helper, not a rule).

A budget line is a project × category. Its ``baseline`` is the project's
``budget[category]``; transfers dated on or before the as-of date move money
in and out; ``current`` = baseline + in − out; ``actual`` is the sum of the
expenses dated on or before the as-of date (refunds are negative), taken
from the expense files' facts (``expense_facts``).

A line *exists* when the project gives it a baseline or when any transfer
moves money into it: a transfer into a new line creates that line.

Everything here is computed once per index and shared by every rule that asks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pmkit.domain.expense_facts import Line, spent
from pmkit.domain.index import Index, Record, day

ZERO = Decimal(0)


def currency(ix: Index) -> str | None:
    if ix.program is None:
        return None
    value = ix.program.data.get("currency")
    return value if isinstance(value, str) else None


def money(amount: Any, ix: Index) -> str:
    """``12,000.00 USD``: thousands separators, the currency's minor digits."""
    from pmkit.ingest.schema import minor_digits  # late: the schema stage imports much

    code = currency(ix)
    text = f"{Decimal(amount):,.{minor_digits(code)}f}"
    return f"{text} {code}" if code else text


def line_name(line: Line) -> str:
    return f"`{line[0]}` × `{line[1]}`"


def transfer_line(record: Record, end: str) -> Line:
    side = record.data[end]
    return (side["project"], side["category"])


@dataclass
class Ledger:
    as_of: dt.date
    baseline: dict[Line, Decimal] = field(default_factory=dict)
    transfers_in: dict[Line, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    transfers_out: dict[Line, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: every line an expense charges (whatever its date) -> spent on or before as_of
    actual: dict[Line, Decimal] = field(default_factory=dict)
    #: lines some transfer (of any date) moves money into
    transferred_into: set[Line] = field(default_factory=set)
    #: dates of ix.transfers, parsed once, by position
    transfer_dates: list[dt.date] = field(default_factory=list)

    def exists(self, line: Line) -> bool:
        return line in self.baseline or line in self.transferred_into

    def current(self, line: Line) -> Decimal:
        return (self.baseline.get(line, ZERO) + self.transfers_in.get(line, ZERO)
                - self.transfers_out.get(line, ZERO))

    def lines(self) -> list[Line]:
        """Every line with a baseline, a transfer or spending, sorted."""
        return sorted({*self.baseline, *self.transfers_in, *self.transfers_out,
                       *self.transferred_into, *self.actual})


def ledger(ix: Index) -> Ledger:
    """The budget lines of the program as of ``ix.as_of`` (computed once, see ``Index.shared``)."""
    return ix.shared(_compute)


def _compute(ix: Index) -> Ledger:
    out = Ledger(ix.as_of)
    for pid in sorted(ix.projects):
        budget = ix.projects[pid].data.get("budget")
        if isinstance(budget, dict):
            for category, amount in budget.items():
                out.baseline[(pid, category)] = Decimal(amount)
    as_of = ix.as_of
    for record in ix.transfers:
        when = day(record.data["date"])
        out.transfer_dates.append(when)
        into = transfer_line(record, "to")
        out.transferred_into.add(into)
        if when <= as_of:
            amount = record.data["amount"]
            out.transfers_in[into] += amount
            out.transfers_out[transfer_line(record, "from")] += amount
    out.actual = spent(ix)
    return out


def contracts(ix: Index) -> dict[str, tuple[str, Record, int, dict[str, Any]]]:
    """contract id -> (vendor id, vendor record, index in `contracts`, contract).

    Should two vendors declare the same contract id, the first vendor (by id)
    keeps it; duplicate ids are another rule's business.
    """
    out: dict[str, tuple[str, Record, int, dict[str, Any]]] = {}
    for vid in sorted(ix.vendors):
        record = ix.vendors[vid]
        for i, contract in enumerate(record.data.get("contracts", [])):
            out.setdefault(contract["id"], (vid, record, i, contract))
    return out


def where(record: Record, *at: str | int) -> str:
    """``file:line`` of a field, for hints that name another place."""
    line, _ = record.locate(*at)
    return f"{record.file}:{line}"
