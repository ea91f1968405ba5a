"""A hire becomes a staff record, named by `hired_as`."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "hired-without-person", Severity.ERROR, "business",
    "A candidate at stage `hired` has no `hired_as`, or a candidate who is not "
    "at stage `hired` has one. `hired_as` links the hire to their staff record, "
    "which is what allocations, compliance and the filled-openings count use; "
    "without it the new person is invisible, and with it on a candidate still "
    "in the process the stage and the link contradict each other. Create the "
    "staff record and set `hired_as: <person id>`, or correct the stage.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for position_id in sorted(ix.positions):
        position = ix.positions[position_id]
        for i, candidate in enumerate(position.data.get("candidates") or []):
            stage, person = candidate.get("stage"), candidate.get("hired_as")
            cid = candidate.get("id")
            if stage == "hired" and not person:
                yield position.finding(
                    CODE, f"candidate `{cid}` of position `{position_id}` is hired but has no `hired_as`",
                    "create their staff record (staff/<id>.yaml) and add `hired_as: <person id>`",
                    at=("candidates", i, "stage"),
                )
            elif stage != "hired" and person:
                yield position.finding(
                    CODE,
                    f"candidate `{cid}` of position `{position_id}` is at stage `{stage}` "
                    f"but `hired_as` names `{person}`",
                    "set `stage: hired` if they were hired, otherwise remove `hired_as`",
                    at=("candidates", i, "hired_as"),
                )
