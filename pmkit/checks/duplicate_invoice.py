"""One vendor invoice is paid once."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.checks.budget_lines import where
from pmkit.checks.index import Index, Record
from pmkit.codes import Code
from pmkit.findings import Finding, Severity

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
    first: dict[tuple[str, str], Record] = {}
    for i, vendor in enumerate(ix.column("expenses", "vendor")):
        if vendor is None:
            continue  # most expenses: no need to look further into them
        record = ix.expenses[i]
        data = record.data
        invoice = data.get("invoice")
        if invoice is None or data.get("refund_of") is not None:
            continue
        key = (vendor, " ".join(invoice.split()).casefold())
        earlier = first.setdefault(key, record)
        if earlier is record:
            continue
        yield record.finding(
            CODE, f"expense `{record.id}` repeats invoice `{invoice}` of vendor `{vendor}`, "
            f"already booked as expense `{earlier.id}`",
            f"first booked at {where(earlier, 'invoice')} (expense `{earlier.id}`, "
            f"{earlier.data['date']}); delete the duplicate or correct the invoice number",
            at=("invoice",))
