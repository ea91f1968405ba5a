"""Milestones and tasks inside their project's dates; projects inside the program's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pmkit.domain.index import Index, Record, day
from pmkit.core.findings import path_text
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "outside-project-dates", Severity.ERROR, "business",
    "A date falls outside the period it belongs to: a milestone due, or a "
    "task's start or end, outside its project's `start`..`end`, or a project "
    "starting before the program starts or ending after it ends. Planned "
    "progress, the timeline and earned value assume that work happens inside "
    "its project and program, so such a date means either the item or the "
    "period is wrong. Move the date inside the period, or extend the "
    "project's (or the program's) dates if the plan really changed. A task "
    "without dates takes its project's and is always inside.",
    configurable=True,
)


def _outside(value: dt.date, start: dt.date, end: dt.date, whose: str) -> str | None:
    if value < start:
        return f"before {whose} starts on {start.isoformat()}"
    if value > end:
        return f"after {whose} ends on {end.isoformat()}"
    return None


def _project(project: Record, program: Record | None) -> Iterator[Finding]:
    start, end = day(project.data["start"]), day(project.data["end"])
    if program is not None:
        pstart, pend = day(program.data["start"]), day(program.data["end"])
        if pstart <= pend:
            for name in ("start", "end"):
                value = day(project.data[name])
                where = _outside(value, pstart, pend, f"the program `{program.data.get('name', 'program')}`")
                if where:
                    verb = "starts" if name == "start" else "ends"
                    yield project.finding(
                        CODE, f"project `{project.id}` {verb} on {value.isoformat()}, {where} (program.yaml)",
                        f"keep the project within the program's {pstart.isoformat()}..{pend.isoformat()}, "
                        "or extend the program's dates in program.yaml",
                        at=(name,),
                    )
    if start > end:
        return  # date-order reports the project; everything would look outside
    whose = f"project `{project.id}`"
    span = f"{start.isoformat()}..{end.isoformat()}"
    for i, milestone in enumerate(project.data.get("milestones", [])):
        where = _outside(day(milestone["due"]), start, end, whose)
        if where:
            path = ("milestones", i, "due")
            yield project.finding(
                CODE, f"milestone `{milestone['id']}` is due {milestone['due']} (`{path_text(path)}`), {where}",
                f"move the due date into the project's {span}, or change the project's dates",
                at=path,
            )
    for i, task in enumerate(project.data.get("tasks", [])):
        for name in ("start", "end"):
            value = task.get(name)
            if not isinstance(value, str):
                continue
            where = _outside(day(value), start, end, whose)
            if where:
                path = ("tasks", i, name)
                verb = "starts" if name == "start" else "ends"
                yield project.finding(
                    CODE, f"task `{task['id']}` {verb} on {value} (`{path_text(path)}`), {where}",
                    f"move the task into the project's {span}, or change the project's dates",
                    at=path,
                )


def check(ix: Index) -> Iterator[Finding]:
    program = ix.program
    period = "" if program is None else f"{program.data['start']}..{program.data['end']} {program.data.get('name')}"
    for pid in sorted(ix.projects):
        project = ix.projects[pid]
        # a project's findings depend on its file and the program's dates and name only:
        # worked out once per file version and program period
        yield from ix.derived(project.doc, f"outside-project-dates {period}", lambda: list(_project(project, program)))
