"""No more hires than the position has openings."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.wording import count

CODE = Code(
    "too-many-hires", Severity.ERROR, "business",
    "A position has more candidates at stage `hired` than its `openings`. "
    "Either a hire was recorded on the wrong position, a stage is wrong, or "
    "the position was approved for fewer people than were hired, which is "
    "unbudgeted headcount. Raise `openings` once the extra headcount is "
    "approved, or correct the candidates' stages.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for position_id in sorted(ix.positions):
        position = ix.positions[position_id]
        openings = position.data.get("openings", 1)
        hired = [c.get("id") for c in position.data.get("candidates") or [] if c.get("stage") == "hired"]
        if len(hired) <= openings:
            continue
        names = ", ".join(f"`{h}`" for h in hired)
        yield position.finding(
            CODE,
            f"position `{position_id}` has {count(openings, 'opening')} but {len(hired)} hired candidates ({names})",
            f"raise `openings` to {len(hired)} if the extra headcount is approved, "
            "otherwise correct the candidates' stages",
            at=("openings",),
        )
