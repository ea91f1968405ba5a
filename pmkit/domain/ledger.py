"""THE budget-line arithmetic: the one place where a line's figures are worked out.

A budget line is a project × category. As of a date D:
  baseline      the project's ``budget[category]``
  transfers_in  / transfers_out: transfers dated on or before D (not netted)
  actual        expenses dated on or before D (refunds are negative)
  committed     per contract: value − its invoices dated on or before D, never below 0
  current       = baseline + transfers_in − transfers_out
  available     = current − actual − committed

``line_figures`` and ``committed_by_line`` are pure functions over plain
inputs. The budget rules call them through ``ledger(ix)`` (from the index
and the expense files' facts); the rollup calls them from the model
(``pmkit.rollup.budget``). A test pins the two callers together.

A line *exists* for the rules when the project gives it a baseline or when
any transfer moves money into it: a transfer into a new line creates it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from pmkit.core.vocabulary import minor_digits, money_grouped
from pmkit.domain.expense_facts import spent
from pmkit.domain.index import Index, Record, day

ZERO = Decimal(0)


class Line(NamedTuple):
    """A budget line: one category of one project (equal to the plain tuple)."""

    project: str
    category: str


@dataclass
class LineFigures:
    """The money of one line, or of any group of lines added up."""

    baseline: Decimal = ZERO
    transfers_in: Decimal = ZERO
    transfers_out: Decimal = ZERO
    actual: Decimal = ZERO
    committed: Decimal = ZERO

    @property
    def current(self) -> Decimal:
        return self.baseline + self.transfers_in - self.transfers_out

    @property
    def available(self) -> Decimal:
        return self.current - self.actual - self.committed

    def add(self, other: LineFigures) -> None:
        self.baseline += other.baseline
        self.transfers_in += other.transfers_in
        self.transfers_out += other.transfers_out
        self.actual += other.actual
        self.committed += other.committed


#: A transfer as the ledger reads it: date, amount, from line, to line.
Move = tuple[dt.date, Decimal, tuple[str, str], tuple[str, str]]


def line_figures(baselines: Iterable[tuple[tuple[str, str], Decimal]], transfers: Iterable[Move],
                 actual: Mapping[tuple[str, str], Decimal] | Mapping[Line, Decimal],
                 committed: Mapping[tuple[str, str], Decimal] | Mapping[Line, Decimal],
                 as_of: dt.date) -> dict[Line, LineFigures]:
    """Every line that has a baseline, a transfer dated on or before ``as_of``,
    spending or a commitment, with its figures, sorted by project and category."""
    table: dict[Line, LineFigures] = defaultdict(LineFigures)
    for line, amount in baselines:
        table[Line(*line)].baseline += amount
    for when, amount, source, target in transfers:
        if when <= as_of:
            table[Line(*source)].transfers_out += amount
            table[Line(*target)].transfers_in += amount
    for line, amount in actual.items():
        table[Line(*line)].actual += amount
    for line, amount in committed.items():
        table[Line(*line)].committed += amount
    return {line: table[line] for line in sorted(table)}


def committed_by_line(contracts: Iterable[tuple[str, Decimal, tuple[str, str]]],
                      invoiced: Mapping[str, Decimal]) -> dict[Line, Decimal]:
    """Contract value not yet invoiced, on each contract's line, never below 0:
    ``contracts`` gives (contract id, value, line); ``invoiced`` the invoices
    against each contract dated on or before the as-of date (refunds included)."""
    out: dict[Line, Decimal] = defaultdict(Decimal)
    for contract_id, value, line in contracts:
        out[Line(*line)] += uninvoiced(value, invoiced.get(contract_id, ZERO))
    return dict(out)


def uninvoiced(value: Decimal, invoiced: Decimal) -> Decimal:
    """What a contract still commits: its value less what was invoiced, never below 0."""
    return max(ZERO, value - invoiced)


def currency(ix: Index) -> str | None:
    if ix.program is None:
        return None
    value = ix.program.data.get("currency")
    return value if isinstance(value, str) else None


def money(amount: Any, ix: Index) -> str:
    """``12,000.00 USD``: thousands separators, the currency's minor digits."""
    code = currency(ix)
    text = money_grouped(Decimal(amount), minor_digits(code))
    return f"{text} {code}" if code else text


def line_name(line: tuple[str, str]) -> str:
    return f"`{line[0]}` × `{line[1]}`"


def transfer_line(record: Record, end: str) -> Line:
    side = record.data[end]
    return Line(side["project"], side["category"])


@dataclass
class Ledger:
    """The budget lines as the rules see them (see the module doc)."""

    as_of: dt.date
    figures: dict[Line, LineFigures] = field(default_factory=dict)
    #: lines the projects give a baseline (even a zero one)
    baselined: set[Line] = field(default_factory=set)
    #: lines some transfer (of any date) moves money into
    transferred_into: set[Line] = field(default_factory=set)
    #: dates of ix.transfers, parsed once, by position
    transfer_dates: list[dt.date] = field(default_factory=list)

    def get(self, line: tuple[str, str]) -> LineFigures:
        """The line's figures (all zero for a line nothing touches)."""
        return self.figures.get(Line(*line)) or LineFigures()

    def exists(self, line: tuple[str, str]) -> bool:
        return Line(*line) in self.baselined or Line(*line) in self.transferred_into

    def current(self, line: tuple[str, str]) -> Decimal:
        return self.get(line).current

    def lines(self) -> list[Line]:
        """Every line with a baseline, a transfer or spending, sorted."""
        return sorted({*self.figures, *self.transferred_into})


def ledger(ix: Index) -> Ledger:
    """The budget lines of the program as of ``ix.as_of`` (computed once, see ``Index.shared``)."""
    return ix.shared(_compute)


def _compute(ix: Index) -> Ledger:
    out = Ledger(ix.as_of)
    baselines: list[tuple[tuple[str, str], Decimal]] = []
    for pid in sorted(ix.projects):
        budget = ix.projects[pid].data.get("budget")
        if isinstance(budget, dict):
            baselines += [((pid, category), Decimal(amount)) for category, amount in budget.items()]
    out.baselined = {Line(*line) for line, _ in baselines}
    moves: list[Move] = []
    for record in ix.transfers:
        when = day(record.data["date"])
        out.transfer_dates.append(when)
        into = transfer_line(record, "to")
        out.transferred_into.add(into)
        moves.append((when, record.data["amount"], transfer_line(record, "from"), into))
    out.figures = line_figures(baselines, moves, spent(ix), {}, ix.as_of)
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
