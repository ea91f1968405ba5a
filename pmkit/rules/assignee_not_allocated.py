"""A person assigned a task has time on the task's project."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.domain.index import Index

CODE = Code(
    "assignee-not-allocated", Severity.WARNING, "business",
    "A task is assigned to a person who has no allocation to the task's "
    "project in their staff record. The staffing figures (FTE by project, "
    "over-allocation) do not count the time the task needs, so the plan "
    "relies on time nobody gave it. Add an allocation to the project under "
    "the person's `allocations`, or assign the task to someone allocated to "
    "it. A team or vendor assignee is not checked, nor are the tasks of "
    "`proposed` projects (time is allocated once they are approved) and "
    "`cancelled` ones.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    allocated: dict[str, set[str]] = {
        pid: {a.get("project") for a in person.data.get("allocations") or []} for pid, person in ix.staff.items()
    }
    for project_id in sorted(ix.projects):
        project = ix.projects[project_id]
        if project.data.get("status") in ("proposed", "cancelled"):
            continue  # not approved yet, or stopped: nobody's time is given to it
        for i, task in enumerate(project.data.get("tasks") or []):
            assignee = task.get("assignee")
            if assignee not in allocated or project_id in allocated[assignee]:
                continue  # a team, a vendor or an unknown id (unknown-reference) is not a person to check
            person = ix.staff[assignee]
            yield project.finding(
                CODE,
                f"task `{task.get('id')}` of project `{project_id}` is assigned to `{assignee}` "
                f"({person.data.get('name', assignee)}), who has no allocation to `{project_id}`",
                f"add `- {{project: {project_id}, percent: N}}` under `allocations` in {person.file}, "
                "or assign the task to someone allocated to the project",
                at=("tasks", i, "assignee"),
            )
