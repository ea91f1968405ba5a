"""Open risks and issues are dealt with by their due date."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.vocabulary import OPEN_STATUSES
from pmkit.core.wording import count

CODE = Code(
    "problem-overdue", Severity.WARNING, "business",
    "A risk or issue that is still `open`, `mitigating` or `escalated` is past "
    "its `due` date as of the status date. Either the response is late and "
    "needs attention (escalate it), or the problem was dealt with and its "
    "record not updated. Set a new `due` date with the owner, or mark it "
    "`resolved` or `closed` with a `resolution`.",
    configurable=True,
)

def check(ix: Index) -> Iterator[Finding]:
    for risk_id in sorted(ix.risks):
        risk = ix.risks[risk_id]
        due = risk.data.get("due")
        if risk.data.get("status") not in OPEN_STATUSES or due is None or day(due) >= ix.as_of:
            continue
        late = (ix.as_of - day(due)).days
        yield risk.finding(
            CODE,
            f"{risk.data.get('type', 'risk')} `{risk_id}` ({risk.data.get('title', risk_id)}) is still "
            f"{risk.data['status']} but was due {due}: {count(late, 'day')} overdue as of {ix.as_of.isoformat()}",
            "agree a new `due` date with the owner, escalate it, or mark it resolved with a `resolution`",
            at=("due",),
        )
