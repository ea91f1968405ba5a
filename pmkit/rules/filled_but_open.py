"""A position whose openings are all filled is not still recruiting."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.wording import count
from pmkit.domain.index import Index

CODE = Code(
    "filled-but-open", Severity.WARNING, "business",
    "A position has as many candidates at stage `hired` as it has `openings`, "
    "yet its `status` is still `open` and candidates are still in the "
    "process (applied, screening, interview, shortlisted or offer). The "
    "hiring figures count them as in process and the position as recruiting, "
    "and those candidates are waiting for an answer. Set `status: filled` and "
    "move the remaining candidates to `rejected` or `withdrawn`, or raise "
    "`openings` if more hires are approved.",
    configurable=True,
)

IN_PROCESS = ("applied", "screening", "interview", "shortlisted", "offer")


def check(ix: Index) -> Iterator[Finding]:
    for position_id in sorted(ix.positions):
        position = ix.positions[position_id]
        if position.data.get("status") != "open":
            continue
        openings = position.data.get("openings", 1)
        candidates = position.data.get("candidates") or []
        hired = [c.get("id") for c in candidates if c.get("stage") == "hired"]
        waiting = [c.get("id") for c in candidates if c.get("stage") in IN_PROCESS]
        if len(hired) < openings or not waiting:
            continue  # more than filled is too-many-hires' finding (an error)
        shown = ", ".join(f"`{c}`" for c in waiting)
        yield position.finding(
            CODE,
            f"position `{position_id}` has filled its {count(openings, 'opening')} "
            f"(hired: {', '.join(f'`{h}`' for h in hired)}) but is still `open` with "
            f"{count(len(waiting), 'candidate')} in process ({shown})",
            "set `status: filled` and move the remaining candidates to `rejected` or `withdrawn`, "
            "or raise `openings` if more hires are approved",
            at=("status",),
        )
