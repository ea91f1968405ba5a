"""One vendor invoice is paid once."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.ledger import where
from pmkit.domain.expense_facts import files_where, invoice_key
from pmkit.domain.index import Index, Record
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "duplicate-invoice", Severity.ERROR, "business", configurable=True, doc=(
        "Two expenses carry the same `invoice` number from the same vendor "
        "(compared ignoring case and surrounding spaces; refunds, which carry "
        "`refund_of`, are left out). The invoice is most likely booked twice, "
        "which overstates the spend and may mean it was paid twice. Delete the "
        "duplicate expense, or correct the invoice number if they really are "
        "two invoices."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for facts in ix.expense_facts():
        repeated |= facts.invoice_repeats | (seen & facts.invoices)
        seen |= facts.invoices
    if not repeated:
        return  # the usual case: every invoice booked once
    first: dict[str, Record] = {}
    for record in ix.expenses_in(files_where(ix, lambda facts: not repeated.isdisjoint(facts.invoices))):
        data = record.data
        vendor, invoice = data.get("vendor"), data.get("invoice")
        if vendor is None or invoice is None or data.get("refund_of") is not None:
            continue
        key = invoice_key(vendor, invoice)
        earlier = first.setdefault(key, record)
        if earlier is record:
            continue
        yield record.finding(
            CODE, f"expense `{record.id}` repeats invoice `{invoice}` of vendor `{vendor}`, "
            f"already booked as expense `{earlier.id}`",
            f"first booked at {where(earlier, 'invoice')} (expense `{earlier.id}`, "
            f"{earlier.data['date']}); delete the duplicate or correct the invoice number",
            at=("invoice",))
