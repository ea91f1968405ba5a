"""The program's budget is covered by approved and received funding."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pmkit.domain.ledger import ZERO, ledger, money
from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "budget-over-funding", Severity.ERROR, "business", configurable=True, doc=(
        "The total current budget of all projects (cancelled ones included, "
        "since money spent is spent; transfers between projects net out) is "
        "more than the funding that is approved or received in "
        "budget/funding.yaml. Requested funding does not count until it is "
        "approved. The program has promised money it does not have. Secure "
        "more funding (add a source, or record an approval), or cut project "
        "baselines."
    ),
)

COVERING = ("approved", "received")


def check(ix: Index) -> Iterator[Finding]:
    funding_docs = ix.documents_of("funding")
    for doc in funding_docs:
        items = doc.data.get("sources")
        valid = sum(1 for r in ix.funding if r.doc is doc)
        if not isinstance(items, list) or len(items) != valid:
            return  # a source broke its schema: the total is unknown, and reported there
    books = ledger(ix)
    budget = sum((books.current(line) for line in books.lines() if line[0] in ix.projects), ZERO)
    funded = ZERO
    requested = ZERO
    for record in ix.funding:
        amount = Decimal(record.data["amount"])
        if record.data["status"] in COVERING:
            funded += amount
        else:
            requested += amount
    if budget <= funded:
        return
    gap = budget - funded
    count = len(ix.projects)
    message = (f"the total current budget of the {count} project{'' if count == 1 else 's'}, {money(budget, ix)} "
               f"as of {ix.as_of.isoformat()}, exceeds approved + received funding of {money(funded, ix)} "
               f"by {money(gap, ix)}")
    pending = f" ({money(requested, ix)} is requested but not yet approved)" if requested else ""
    hint = f"secure {money(gap, ix)} more funding{pending}, or reduce project budgets"
    if funding_docs:
        doc = funding_docs[0]
        yield Finding(doc.path, *doc.locate(("sources",), "key"), CODE.id, message, CODE.severity, hint)
    else:
        yield Finding("program.yaml", 1, 1, CODE.id, message, CODE.severity,
                      f"budget/funding.yaml does not exist: record the approved and received funding there; {hint}")
