"""A transfer leaves its source line at least what that line has spent."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from pmkit.checks.budget_lines import ZERO, Line, ledger, line_name, money, transfer_line
from pmkit.checks.index import Index, Record
from pmkit.codes import Code
from pmkit.findings import Finding, Severity

CODE = Code(
    "transfer-overdraws", Severity.ERROR, "business", configurable=True, doc=(
        "A transfer moves more money out of a budget line than the line can "
        "give: after it, the line's budget (baseline plus transfers in, minus "
        "transfers out, up to the transfer's date) is less than what the line "
        "had already spent by that date. Money already spent cannot be "
        "redirected. Transfers dated after the status date are not checked "
        "yet; transfers into the line on the same day count, other transfers "
        "out of it on the same day count in file order. Lower the amount, or "
        "take the money from a line with room."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    books = ledger(ix)
    as_of = ix.as_of
    sources: dict[Line, list[tuple[dt.date, int, Record]]] = {}
    for i, record in enumerate(ix.transfers):
        when = books.transfer_dates[i]
        line = transfer_line(record, "from")
        if when <= as_of and line[0] in ix.projects and books.exists(line):
            sources.setdefault(line, []).append((when, i, record))
    if not sources:
        return
    # What moved in and what was spent on those lines, by date (one pass each).
    inflow: dict[Line, list[tuple[dt.date, Decimal]]] = {line: [] for line in sources}
    spent: dict[Line, list[tuple[dt.date, Decimal]]] = {line: [] for line in sources}
    for i, record in enumerate(ix.transfers):
        line = transfer_line(record, "to")
        if line in inflow:
            inflow[line].append((books.transfer_dates[i], record.data["amount"]))
    lines = zip(ix.column("expenses", "project"), ix.column("expenses", "category"))
    for line, amount, when in zip(lines, ix.column("expenses", "amount"), books.expense_dates):
        if line in spent:
            spent[line].append((when, amount))
    for line in sorted(sources):
        in_dates, in_sums = _running(inflow[line])
        sp_dates, sp_sums = _running(spent[line])
        baseline = books.baseline.get(line, ZERO)
        out = ZERO
        for when, _, record in sorted(sources[line], key=lambda item: item[:2]):
            out += record.data["amount"]
            came_in = _upto(in_dates, in_sums, when)
            used = _upto(sp_dates, sp_sums, when)
            left = baseline + came_in - out
            if left >= used:
                continue
            room = record.data["amount"] - (used - left)
            yield record.finding(
                CODE, f"transfer `{record.id}` moves {money(record.data['amount'], ix)} out of budget line "
                f"{line_name(line)}, leaving {money(left, ix)} on {when.isoformat()} while "
                f"{money(used, ix)} was already spent: {money(used - left, ix)} short",
                (f"move at most {money(room, ix)}, or take the money from another line" if room > 0 else
                 "this line has nothing left to give: take the money from another line"), at=("amount",))


def _running(items: list[tuple[dt.date, Decimal]]) -> tuple[list[dt.date], list[Decimal]]:
    items.sort(key=lambda item: item[0])
    dates, sums, total = [], [], ZERO
    for when, amount in items:
        total += amount
        dates.append(when)
        sums.append(total)
    return dates, sums


def _upto(dates: list[dt.date], sums: list[Decimal], when: dt.date) -> Decimal:
    """The running total of everything dated on or before ``when``."""
    i = bisect.bisect_right(dates, when)
    return sums[i - 1] if i else ZERO
