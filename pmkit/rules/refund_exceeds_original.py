"""Refunds of an expense add up to no more than the expense."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from pmkit.domain.ledger import money, where
from pmkit.domain.expense_facts import files_where, refunded
from pmkit.domain.index import Index, Record, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

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
    returned: dict[str, Decimal] = {}
    for facts in ix.expense_facts():
        for target, _, amount in facts.refunds:
            returned[target] = returned.get(target, Decimal(0)) - amount
    first = refunded(ix)
    over = {target for target, total in returned.items()
            if target in first and 0 < first[target][1] < total}  # unknown or a refund itself: other rules
    if not over:
        return
    places = {first[target][0] for target in over}
    records = ix.expenses_in(files_where(ix, lambda facts: facts.path in places or any(r[0] in over for r in facts.refunds)))
    originals: dict[str, Record] = {}
    refunds: dict[str, list[tuple[dt.date, int, Record]]] = {}
    for i, record in enumerate(records):
        data = record.data
        if data["id"] in over:
            originals.setdefault(data["id"], record)
        refunded_id = data.get("refund_of")
        if refunded_id in over and data["amount"] < 0:
            refunds.setdefault(refunded_id, []).append((day(data["date"]), i, record))
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
