"""Milestones past their due date are done (or re-planned)."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.wording import count

CODE = Code(
    "milestone-late", Severity.WARNING, "business",
    "A milestone of a project that is not cancelled was due before the status "
    "date and is not done as of that date (no `done` date, or a `done` date "
    "after the status date). Late milestones are what superiors look at "
    "first. If it was reached, record the actual date in `done`; if not, "
    "agree a new plan and say so in the status report (the original `due` "
    "stays, so the slip remains visible).",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for project_id in sorted(ix.projects):
        project = ix.projects[project_id]
        if project.data.get("status") == "cancelled":
            continue
        for i, milestone in enumerate(project.data.get("milestones") or []):
            due, done = day(milestone["due"]), milestone.get("done")
            if due >= ix.as_of or (done is not None and day(done) <= ix.as_of):
                continue
            late = (ix.as_of - due).days
            yield project.finding(
                CODE,
                f"milestone `{milestone['id']}` ({milestone.get('title', milestone['id'])}) of project "
                f"`{project_id}` was due {milestone['due']} and is not done as of {ix.as_of.isoformat()} "
                f"({count(late, 'day')} late)",
                "record the actual date in `done` if it was reached; otherwise re-plan and report the slip",
                at=("milestones", i, "due"),
            )
