"""A transfer leaves its source line at least what that line has spent."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from pmkit.domain.ledger import ZERO, Line, ledger, line_name, money, transfer_line
from pmkit.domain.expense_facts import files_where
from pmkit.domain.index import Index, Record, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

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


Dated = list[tuple[dt.date, Decimal]]


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
    inflow: dict[Line, Dated] = {line: [] for line in sources}
    for i, record in enumerate(ix.transfers):
        line = transfer_line(record, "to")
        if line in inflow:
            inflow[line].append((books.transfer_dates[i], record.data["amount"]))
    # First as if each line had spent, on day one, all it spent by the as-of
    # date: the most it can have spent by any transfer's date. Only the lines
    # short even then need their expenses looked at one by one.
    upper = {line: ZERO for line in sources}
    for facts in ix.expense_facts():
        for line in upper.keys() & facts.lines.keys():
            upper[line] += facts.spent_up(line)
    short = {line for line in sources
             if any(_shortfalls(sources[line], inflow[line], [(dt.date.min, upper[line])], books.get(line).baseline))}
    if not short:
        return
    spent: dict[Line, Dated] = {line: [] for line in short}
    for record in ix.expenses_in(files_where(ix, lambda facts: not short.isdisjoint(facts.lines))):
        line = Line(record.data["project"], record.data["category"])
        if line in spent:
            spent[line].append((day(record.data["date"]), record.data["amount"]))
    for line in sorted(short):
        for record, when, left, used in _shortfalls(sources[line], inflow[line], spent[line], books.get(line).baseline):
            room = record.data["amount"] - (used - left)
            yield record.finding(
                CODE, f"transfer `{record.id}` moves {money(record.data['amount'], ix)} out of budget line "
                f"{line_name(line)}, leaving {money(left, ix)} on {when.isoformat()} while "
                f"{money(used, ix)} was already spent: {money(used - left, ix)} short",
                (f"move at most {money(room, ix)}, or take the money from another line" if room > 0 else
                 "this line has nothing left to give: take the money from another line"), at=("amount",))


def _shortfalls(outgoing: list[tuple[dt.date, int, Record]], inflow: Dated, spent: Dated,
                baseline: Decimal) -> Iterator[tuple[Record, dt.date, Decimal, Decimal]]:
    """(transfer, date, left after it, spent by then) of each transfer out of one
    line that leaves it less than it had spent by the transfer's date."""
    in_dates, in_sums = _running(list(inflow))
    sp_dates, sp_sums = _running(list(spent))
    out = ZERO
    for when, _, record in sorted(outgoing, key=lambda item: item[:2]):
        out += record.data["amount"]
        left = baseline + _upto(in_dates, in_sums, when) - out
        used = _upto(sp_dates, sp_sums, when)
        if left < used:
            yield record, when, left, used


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
