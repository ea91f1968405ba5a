"""Helpers shared by the schedule, dependency and allocation rules.

A private module (leading underscore): rule discovery skips it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pmkit.domain.index import Index, Record, day

TaskKey = tuple[str, str]  # (project id, task id)


def task_dates(project: Record, task: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """A task's effective start and end: its own, else its project's."""
    start = task.get("start") or project.data["start"]
    end = task.get("end") or project.data["end"]
    return day(start), day(end)


def resolve(project_id: str, value: str) -> TaskKey:
    """A task ``depends_on`` entry (`t1` or `other-project/t1`) as (project, task)."""
    other, _, task = value.rpartition("/")
    return (other or project_id, task)


class Tasks:
    """Tasks by (project id, task id), indexed per project only when asked for.

    On a duplicate task id the first task wins (another rule reports it).
    """

    def __init__(self, ix: Index) -> None:
        self._projects = ix.projects
        self._by_project: dict[str, dict[str, int]] = {}

    def _ids(self, project_id: str) -> dict[str, int] | None:
        ids = self._by_project.get(project_id)
        if ids is None:
            project = self._projects.get(project_id)
            if project is None:
                return None
            ids = {}
            for i, task in enumerate(project.data.get("tasks", [])):
                ids.setdefault(task["id"], i)
            self._by_project[project_id] = ids
        return ids

    def __contains__(self, key: TaskKey) -> bool:
        ids = self._ids(key[0])
        return ids is not None and key[1] in ids

    def get(self, key: TaskKey) -> tuple[Record, dict[str, Any]] | None:
        ids = self._ids(key[0])
        if ids is None or key[1] not in ids:
            return None
        project = self._projects[key[0]]
        return project, project.data["tasks"][ids[key[1]]]


def task_dependencies(project: Record) -> Iterator[tuple[int, dict[str, Any], int, str]]:
    """(task index, task, dependency index, dependency text) in file order."""
    for i, task in enumerate(project.data.get("tasks", [])):
        for j, value in enumerate(task.get("depends_on", [])):
            if isinstance(value, str):
                yield i, task, j, value


def label(key: TaskKey) -> str:
    return f"{key[0]}/{key[1]}"


def percent(value: Decimal | int | float) -> str:
    """A percentage as a PM writes it: `60`, `62.5` (no exponent, no trailing zeros)."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    text = format(number.normalize(), "f")
    return text
