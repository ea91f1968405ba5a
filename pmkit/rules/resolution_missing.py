"""A resolved or closed problem says how it was resolved."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.vocabulary import CLOSED_STATUSES

CODE = Code(
    "resolution-missing", Severity.ERROR, "business",
    "A risk or issue is `resolved` or `closed` but has no `resolution`. "
    "Superiors and auditors reading the problems register need to know how it "
    "was dealt with (fixed, accepted, transferred, no longer relevant), and "
    "the next similar problem benefits from the answer. Add a `resolution` "
    "sentence, or set the status back to `open` if it is not actually done.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for risk_id in sorted(ix.risks):
        risk = ix.risks[risk_id]
        status = risk.data.get("status")
        if status not in CLOSED_STATUSES or risk.data.get("resolution"):
            continue
        yield risk.finding(
            CODE,
            f"{risk.data.get('type', 'risk')} `{risk_id}` ({risk.data.get('title', risk_id)}) is {status} "
            "but has no `resolution`",
            "add `resolution: <how it was resolved>`",
            at=("status",),
        )
