"""Refunds of an expense add up to no more than the expense."""

from __future__ import annotations

from collections.abc import Iterator
import datetime as dt
from decimal import Decimal

from pmkit.checks.budget_lines import ledger, money, refunded, where
from pmkit.checks.index import Index, Record
from pmkit.codes import Code
from pmkit.findings import Finding, Severity

CODE = Code(
    "refund-exceeds-original", Severity.ERROR, "business", configurable=True, doc=(
        "The refunds of one expense (negative amounts whose `refund_of` names "
        "it, whatever their dates, taken in date order) add up to more than the expense itself. A "
        "vendor cannot give back more than was paid, so a refund amount, its "
        "`refund_of` or the original amount is wrong, and the budget line "
        "shows more money than it has. The finding points at the refund that "
        "goes over; correct its amount or the expense it names."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    originals = refunded(ix)
    books = ledger(ix)
    refunds: dict[str, list[tuple[dt.date, int, Record]]] = {}
    amounts = ix.column("expenses", "amount")
    for i, target in enumerate(ix.column("expenses", "refund_of")):
        if target is not None and amounts[i] < 0:
            refunds.setdefault(target, []).append((books.expense_dates[i], i, ix.expenses[i]))
    for target in sorted(refunds):
        original = originals.get(target)
        if original is None or original.data["amount"] <= 0:
            continue  # unknown (unknown-reference) or itself a refund (refund-without-original)
        paid = Decimal(original.data["amount"])
        total = Decimal(0)
        for _, _, record in sorted(refunds[target], key=lambda item: item[:2]):
            before = total
            total -= record.data["amount"]
            if before <= paid < total:
                yield record.finding(
                    CODE, f"refunds of expense `{target}` add up to {money(total, ix)} with refund "
                    f"`{record.id}` ({money(-record.data['amount'], ix)}), {money(total - paid, ix)} "
                    f"more than the {money(paid, ix)} it cost",
                    f"expense `{target}` is at {where(original, 'amount')}; correct this refund's "
                    f"amount or its `refund_of`", at=("amount",))
