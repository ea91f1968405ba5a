"""Invoices against a contract stay within its value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from pmkit.domain.ledger import contracts, money
from pmkit.domain.expense_facts import files_where
from pmkit.domain.index import Index, Record, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "contract-overrun", Severity.ERROR, "business", configurable=True, doc=(
        "The invoices booked against a contract (expenses naming it in "
        "`contract`, refunds included, dated on or before the as-of date) add "
        "up to more than the contract's `value`. Paying beyond the agreed "
        "value needs a contract amendment, and the budget counted only the "
        "value as committed. The finding points at the expense that pushed "
        "the total over. Check that invoice, or record the amendment by "
        "raising the contract's `value` in its vendor file."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    known = contracts(ix)
    booked_total: dict[str, Decimal] = {}
    for facts in ix.expense_facts():
        for cid, amount in facts.contracts.items():
            booked_total[cid] = booked_total.get(cid, Decimal(0)) + amount
    over = {cid for cid, total in booked_total.items() if cid in known and total > Decimal(known[cid][3]["value"])}
    if not over:
        return  # the usual case: no expense needs a look
    invoices: dict[str, list[tuple[dt.date, int, Record]]] = {}
    for i, record in enumerate(ix.expenses_in(files_where(ix, lambda facts: not over.isdisjoint(facts.contracts)))):
        named, when = record.data.get("contract"), day(record.data["date"])
        if named in over and when <= ix.as_of:
            invoices.setdefault(named, []).append((when, i, record))
    for cid in sorted(invoices):
        vid, vendor, index, contract = known[cid]
        value = Decimal(contract["value"])
        booked = sorted(invoices[cid], key=lambda item: item[:2])
        total = Decimal(0)
        crossing: Record | None = None
        for _, _, record in booked:
            before = total
            total += record.data["amount"]
            if before <= value < total:
                crossing = record
        if total <= value or crossing is None:
            continue
        yield crossing.finding(
            CODE, f"invoices against contract `{cid}` (vendor `{vid}`) add up to {money(total, ix)} "
            f"as of {ix.as_of.isoformat()}, {money(total - value, ix)} over its value of {money(value, ix)}; "
            f"expense `{crossing.id}` ({money(crossing.data['amount'], ix)}) takes it over",
            f"check this invoice, or amend the contract: raise `value` of `{cid}` in {vendor.file}",
            at=("amount",))
