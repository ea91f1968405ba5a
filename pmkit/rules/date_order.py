"""Start on or before end, wherever a record has both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pmkit.domain.index import Index, Record, day
from pmkit.rules.util import Pattern, walk
from pmkit.core.findings import path_text
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "date-order", Severity.ERROR, "business",
    "A record ends before it starts: the program, a project or a task whose "
    "`end` is before its `start`, a staff member who leaves before joining, a "
    "vendor contract, an allocation whose `to` is before its `from`, a hiring "
    "position `closed` before it was `opened`, or a risk `due` before it was "
    "`opened`. Such a record has no valid period, so progress, planned "
    "progress, staffing and deadlines computed from it are wrong. The finding "
    "points at the end-side date; correct whichever of the two dates is "
    "wrong (a one-day item has the same start and end).",
    configurable=True,
)

# kind -> [(where the dated item sits, start field, end field)]
PAIRS: dict[str, list[tuple[Pattern, str, str]]] = {
    "program": [((), "start", "end")],
    "project": [((), "start", "end"), (("tasks", "*"), "start", "end")],
    "staff": [((), "start", "end"), (("allocations", "*"), "from", "to")],
    "vendor": [(("contracts", "*"), "start", "end")],
    "position": [((), "opened", "closed")],
    "risk": [((), "opened", "due")],
}


def _what(record: Record, path: tuple[str | int, ...], item: dict[str, Any]) -> str:
    kind = record.doc.kind.name
    if kind == "program":
        return "the program"
    if kind == "project" and path:
        return f"task `{item.get('id')}` of project `{record.id}`"
    if kind == "project":
        return f"project `{record.id}`"
    if kind == "staff" and path:
        return f"the allocation of `{record.id}` to project `{item.get('project')}`"
    if kind == "staff":
        return f"staff member `{record.id}`"
    if kind == "vendor":
        return f"contract `{item.get('id')}` of vendor `{record.id}`"
    if kind == "position":
        return f"hiring position `{record.id}`"
    return f"{record.data.get('type', 'risk')} `{record.id}`"


def check(ix: Index) -> Iterator[Finding]:
    for record in (record for kind in PAIRS for record in ix.records_of(kind)):
        # a record's findings depend on nothing else: worked out once per file version
        yield from ix.derived(record.doc, f"date-order {record.path}", lambda: list(_record(record)))


def _record(record: Record) -> Iterator[Finding]:
    for pattern, first, last in PAIRS[record.doc.kind.name]:
        for path, item in walk(record.data, pattern):
            if not isinstance(item, dict):
                continue
            start, end = item.get(first), item.get(last)
            if not (isinstance(start, str) and isinstance(end, str)) or day(start) <= day(end):
                continue
            gap = (day(start) - day(end)).days
            yield record.finding(
                CODE,
                f"{_what(record, path, item)}: `{path_text((*path, last))}` {end} is "
                f"{gap} day{'s' if gap != 1 else ''} before `{path_text((*path, first))}` {start}",
                f"set `{last}` on or after `{first}` ({start}), or correct `{first}`",
                at=(*path, last),
            )
