"""A task must not start before a task it depends on ends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pmkit.rules._schedule import TaskKey, Tasks, label, resolve, task_dates, task_dependencies
from pmkit.domain.index import Index, Record
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
        # what a project's own tasks say depends on its file alone: worked out once per version
        own, across = ix.derived(project.doc, "task-before-dependency", lambda: _within(pid, project))
        yield from own
        for i, task, j, value, target in across:
            found = tasks.get(target)
            if found is not None:
                yield from _compare(pid, project, i, task, j, value, target, found)


Dependency = tuple[int, dict[str, Any], int, str, TaskKey]


def _within(pid: str, project: Record) -> tuple[list[Finding], list[Dependency]]:
    """The findings of the dependencies within the project, and those on other projects' tasks."""
    own: list[Finding] = []
    across: list[Dependency] = []
    first: dict[str, dict[str, Any]] = {}
    for task in project.data.get("tasks", []):
        first.setdefault(task["id"], task)  # on a duplicate id the first task wins (as Tasks)
    for i, task, j, value in task_dependencies(project):
        key, target = (pid, task["id"]), resolve(pid, value)
        if target[0] != pid:
            across.append((i, task, j, value, target))
        elif target != key and target[1] in first:
            own.extend(_compare(pid, project, i, task, j, value, target, (project, first[target[1]])))
    return own, across


def _compare(pid: str, project: Record, i: int, task: dict[str, Any], j: int, value: str, target: TaskKey,
             found: tuple[Record, dict[str, Any]]) -> Iterator[Finding]:
    other_project, other = found
    start = task_dates(project, task)[0]
    other_end = task_dates(other_project, other)[1]
    if start >= other_end:
        return
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
