"""Every live project serves at least one program objective."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "project-without-objective", Severity.WARNING, "business",
    "A project that is not cancelled lists no program objective under "
    "`objectives`. Every project should exist to move one of the program's "
    "objectives (program.yaml `objectives`), otherwise it cannot be shown in "
    "progress by objective and its money and people are hard to justify. Add "
    "`objectives: [<objective id>]`, or cancel the project if it serves none.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    choices = sorted(ix.objectives)
    for project_id in sorted(ix.projects):
        project = ix.projects[project_id]
        if project.data.get("status") == "cancelled" or project.data.get("objectives"):
            continue
        hint = (f"add `objectives: [...]` with one of: {', '.join(choices)}" if choices
                else "add the program's objectives to program.yaml, then list the ones this project serves")
        yield project.finding(
            CODE, f"project `{project_id}` ({project.data.get('name', project_id)}) serves no program objective",
            hint, at=("objectives",) if "objectives" in project.data else (), on="key",
        )
