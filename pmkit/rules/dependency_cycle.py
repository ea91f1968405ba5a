"""No circular dependencies between projects or between tasks."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import TypeVar

from pmkit.rules._schedule import TaskKey, Tasks, label, resolve, task_dependencies
from pmkit.domain.index import Index, Record
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "dependency-cycle", Severity.ERROR, "reference",
    "Projects or tasks depend on each other in a circle (`a` → `b` → `c` → "
    "`a`, where → reads \"depends on\"; a project or task that depends on "
    "itself is the shortest circle), across projects too. Nothing in the "
    "circle can ever start, so the schedule cannot be right. The finding "
    "sits on the `depends_on` entry that closes the circle and names the "
    "whole circle in order; remove or redirect one of its dependencies.",
)

N = TypeVar("N", bound=Hashable)
Where = tuple[Record, tuple[str | int, ...]]
_SHOWN = 16  # longest circle named in full


def closing_edges(nodes: Sequence[N], edges: dict[N, list[tuple[N, Where]]]) -> Iterator[tuple[list[N], Where]]:
    """Each circle found by a depth-first search, once, at the edge that closes it.

    Nodes and their edges are visited in the order given, so the result is
    deterministic. Every circle of the graph runs through at least one of the
    reported edges: removing them all leaves no circle.
    """
    done: set[N] = set()
    for root in nodes:
        if root in done:
            continue
        path: list[N] = [root]
        on_path: dict[N, int] = {root: 0}
        stack = [iter(edges.get(root, ()))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                node = path.pop()
                del on_path[node]
                done.add(node)
                continue
            target, where = step
            if target in on_path:
                yield [*path[on_path[target]:], target], where
            elif target not in done:
                on_path[target] = len(path)
                path.append(target)
                stack.append(iter(edges.get(target, ())))


def _circle(names: list[str]) -> str:
    if len(names) > _SHOWN:
        hidden = len(names) - _SHOWN
        names = [*names[: _SHOWN // 2], f"… {hidden} more …", *names[-_SHOWN // 2:]]
    return " → ".join(n if n.startswith("…") else f"`{n}`" for n in names)


def _projects(ix: Index) -> Iterator[Finding]:
    nodes = sorted(ix.projects)
    edges: dict[str, list[tuple[str, Where]]] = {}
    for pid in nodes:
        project = ix.projects[pid]
        edges[pid] = [(dep, (project, ("depends_on", j)))
                      for j, dep in enumerate(project.data.get("depends_on", []))
                      if isinstance(dep, str) and dep in ix.projects]
    for cycle, (record, path) in closing_edges(nodes, edges):
        what = (f"project `{cycle[0]}` depends on itself" if len(cycle) == 2
                else f"projects depend on each other in a circle: {_circle(cycle)}")
        yield record.finding(
            CODE, what, "remove or redirect one of these dependencies (→ reads \"depends on\")", at=path)


def _tasks(ix: Index) -> Iterator[Finding]:
    known = Tasks(ix)
    edges: dict[TaskKey, list[tuple[TaskKey, Where]]] = {}
    for pid in sorted(ix.projects):
        project = ix.projects[pid]
        # a project's dependencies depend on its file alone: read once per version
        for source, target, at in ix.derived(project.doc, "task-dependency-edges", lambda: _edges(pid, project)):
            if target[0] == pid or target in known:
                edges.setdefault(source, []).append((target, at))
    # only tasks with dependencies can start a circle; dicts keep insertion order
    for cycle, (record, path) in closing_edges(list(edges), edges):
        same = {p for p, _ in cycle} == {record.id}
        names = [t if same else label((p, t)) for p, t in cycle]
        where = f" in project `{record.id}`" if same else ""
        what = (f"task `{names[0]}`{where} depends on itself" if len(cycle) == 2
                else f"tasks{where} depend on each other in a circle: {_circle(names)}")
        yield record.finding(
            CODE, what, "remove or redirect one of these dependencies (→ reads \"depends on\")", at=path)


def _edges(pid: str, project: Record) -> list[tuple[TaskKey, TaskKey, Where]]:
    """Each task dependency of the project, in file order: those on its own tasks when the
    task exists, all those on other projects' tasks (whether those exist is another file's)."""
    own = {task["id"] for task in project.data.get("tasks", [])}
    out: list[tuple[TaskKey, TaskKey, Where]] = []
    for i, task, j, value in task_dependencies(project):
        target = resolve(pid, value)
        if target[0] != pid or target[1] in own:
            out.append(((pid, task["id"]), target, (project, ("tasks", i, "depends_on", j))))
    return out


def check(ix: Index) -> Iterator[Finding]:
    yield from _projects(ix)
    yield from _tasks(ix)
