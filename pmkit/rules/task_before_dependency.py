"""A task must not start before a task it depends on ends."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.rules._schedule import Tasks, label, resolve, task_dates, task_dependencies
from pmkit.domain.index import Index
from pmkit.core.findings import path_text
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "task-before-dependency", Severity.ERROR, "business",
    "A task starts before a task it depends on (`depends_on`) ends, so the "
    "plan has it begin before what it needs is finished. Dependencies are "
    "finish-to-start: the dependent task may start on the day the other one "
    "ends (a hand-over day) or later. Tasks without their own dates take "
    "their project's. Move the task's start, bring the other task's end "
    "forward, or remove the dependency if the work can really overlap.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    tasks = Tasks(ix)
    for pid in sorted(ix.projects):
        project = ix.projects[pid]
        for i, task, j, value in task_dependencies(project):
            key = (pid, task["id"])
            target = resolve(pid, value)
            found = tasks.get(target) if target != key else None
            if found is None:
                continue  # a self-dependency is a cycle; an unknown one is reported elsewhere
            other_project, other = found
            start = task_dates(project, task)[0]
            other_end = task_dates(other_project, other)[1]
            if start >= other_end:
                continue
            own = f"`{path_text(('tasks', i, 'start'))}`" if task.get("start") else f"project `{pid}`'s start"
            theirs = "" if other.get("end") else f" (project `{target[0]}`'s end)"
            name = value if target[0] == pid else label(target)
            days = (other_end - start).days
            yield project.finding(
                CODE,
                f"task `{task['id']}` starts on {start.isoformat()} ({own}), {days} day{'s' if days != 1 else ''} "
                f"before task `{name}` it depends on ends on {other_end.isoformat()}{theirs}",
                f"start `{task['id']}` on or after {other_end.isoformat()}, end `{name}` by {start.isoformat()}, "
                "or remove the dependency",
                at=("tasks", i, "depends_on", j),
            )
