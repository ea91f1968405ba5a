"""Serious open problems have someone responsible for them."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.vocabulary import OPEN_STATUSES

CODE = Code(
    "problem-without-owner", Severity.ERROR, "business",
    "A `high` or `critical` risk or issue that is still open (`open`, "
    "`mitigating` or `escalated`) has no `owner`. A serious problem nobody "
    "owns is a problem nobody is working on. Name the person responsible in "
    "`owner` (a staff id).",
    configurable=True,
)

def check(ix: Index) -> Iterator[Finding]:
    for risk_id in sorted(ix.risks):
        risk = ix.risks[risk_id]
        severity = risk.data.get("severity")
        if severity not in ("high", "critical") or risk.data.get("status") not in OPEN_STATUSES or risk.data.get("owner"):
            continue
        yield risk.finding(
            CODE,
            f"{severity} {risk.data.get('type', 'risk')} `{risk_id}` ({risk.data.get('title', risk_id)}) has no `owner`",
            "add `owner: <person id>` naming who is responsible for it",
            at=("severity",),
        )
