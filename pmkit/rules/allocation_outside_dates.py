"""Allocations within the person's employment and the project's dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pmkit.domain.index import Index, Record, day
from pmkit.core.findings import path_text
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "allocation-outside-dates", Severity.WARNING, "business",
    "An allocation's `from` or `to` date lies outside the person's "
    "employment (`start`..`end` in their staff file) or outside the "
    "project's `start`..`end`. Nobody works before joining, after leaving, "
    "or on a project that has not started or has ended, so staffing figures "
    "would count time that cannot be given. pmkit counts only the days "
    "inside both periods; align the allocation's dates with them (or fix "
    "the employment or project dates if those are wrong). An allocation "
    "without dates follows the person and the project and is never reported.",
    configurable=True,
)


def _hint(joined: dt.date, left: dt.date | None, project: Record | None) -> str:
    first, last = joined, left
    if project is not None:
        first = max(first, day(project.data["start"]))
        pend = day(project.data["end"])
        last = pend if last is None else min(last, pend)
    if last is None:
        return f"keep the allocation on or after {first.isoformat()}"
    if first > last:
        return "the person's employment and the project's dates do not overlap: correct one of them"
    return f"keep the allocation within {first.isoformat()}..{last.isoformat()}"


def check(ix: Index) -> Iterator[Finding]:
    for pid in sorted(ix.staff):
        person = ix.staff[pid]
        joined = day(person.data["start"])
        left = day(person.data["end"]) if person.data.get("end") else None
        for i, alloc in enumerate(person.data.get("allocations", [])):
            project = ix.projects.get(alloc["project"])
            for name in ("from", "to"):
                text = alloc.get(name)
                if not isinstance(text, str):
                    continue
                value = day(text)
                reasons = []
                if value < joined:
                    reasons.append(f"before `{pid}` joins on {joined.isoformat()}")
                elif left is not None and value > left:
                    reasons.append(f"after `{pid}` leaves on {left.isoformat()}")
                if project is not None:
                    pstart, pend = day(project.data["start"]), day(project.data["end"])
                    if value < pstart:
                        reasons.append(f"before project `{alloc['project']}` starts on {pstart.isoformat()}")
                    elif value > pend:
                        reasons.append(f"after project `{alloc['project']}` ends on {pend.isoformat()}")
                if not reasons:
                    continue
                path = ("allocations", i, name)
                hint = _hint(joined, left, project)
                yield person.finding(
                    CODE,
                    f"the allocation of `{pid}` to project `{alloc['project']}` "
                    f"{'starts' if name == 'from' else 'ends'} on {text} (`{path_text(path)}`), "
                    + " and ".join(reasons),
                    hint,
                    at=path,
                )
