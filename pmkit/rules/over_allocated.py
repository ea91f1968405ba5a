"""Nobody allocated more than 100% on any day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from pmkit.rules._schedule import percent
from pmkit.domain.index import Index, Record, day
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "over-allocated", Severity.ERROR, "business",
    "A person's allocations add up to more than 100% on some days, so the "
    "plan counts on time they do not have and something will slip. An "
    "allocation counts from its `from` to its `to`; without them, for the "
    "person's whole employment; in every case only while the person is "
    "employed and the project runs (its `start`..`end`). Allocations to "
    "cancelled projects count too, because time given before the "
    "cancellation was really given: end them on the day the project was "
    "stopped. The message names the date ranges, the total and each "
    "project's share: lower a percentage, move an allocation's dates, or "
    "give the work to someone else.",
    configurable=True,
)

_ONE_DAY = dt.timedelta(days=1)
_SHOWN = 5  # ranges named in one message
Share = tuple[tuple[str, Decimal], ...]


Period = tuple[dt.date, dt.date | None, Decimal, str]


def _periods(ix: Index, person: Record) -> list[tuple[int, Period]]:
    """Each counted allocation's position in `allocations` and its period:
    (first day, last day or None for open-ended, percent, project)."""
    joined = day(person.data["start"])
    left = day(person.data["end"]) if person.data.get("end") else None
    out: list[tuple[int, Period]] = []
    for number, alloc in enumerate(person.data.get("allocations", [])):
        share = Decimal(alloc["percent"]) if not isinstance(alloc["percent"], float) else Decimal(str(alloc["percent"]))
        project = ix.projects.get(alloc["project"])
        if share <= 0:
            continue
        first = day(alloc["from"]) if alloc.get("from") else joined
        last = day(alloc["to"]) if alloc.get("to") else left
        first = max(first, joined)
        if left is not None:
            last = left if last is None else min(last, left)
        if project is not None:
            first = max(first, day(project.data["start"]))
            pend = day(project.data["end"])
            last = pend if last is None else min(last, pend)
        if last is not None and first > last:
            continue
        out.append((number, (first, last, share, alloc["project"])))
    return out


def over(periods: list[Period]) -> list[tuple[dt.date, dt.date | None, Decimal, Share]]:
    """Maximal date ranges with more than 100% in total, with the share per project.

    A sweep over the days allocations begin or end: cost grows with the
    number of allocations, never with the number of days.
    """
    changes: dict[dt.date, list[tuple[int, bool]]] = {}
    for n, (first, last, _, _) in enumerate(periods):
        changes.setdefault(first, []).append((n, True))
        if last is not None and last < dt.date.max:  # the last possible day never ends
            changes.setdefault(last + _ONE_DAY, []).append((n, False))
    points = sorted(changes)
    active: set[int] = set()
    total = Decimal(0)
    ranges: list[tuple[dt.date, dt.date | None, Decimal, Share]] = []
    for k, point in enumerate(points):
        for n, begins in changes[point]:
            if begins:
                active.add(n)
                total += periods[n][2]
            else:
                active.discard(n)
                total -= periods[n][2]
        if total <= 100:
            continue
        until = points[k + 1] - _ONE_DAY if k + 1 < len(points) else None
        by_project: dict[str, Decimal] = {}
        for n in sorted(active):
            by_project[periods[n][3]] = by_project.get(periods[n][3], Decimal(0)) + periods[n][2]
        share = tuple(sorted(by_project.items()))
        if ranges and ranges[-1][1] is not None and ranges[-1][1] + _ONE_DAY == point and ranges[-1][2:] == (total, share):
            ranges[-1] = (ranges[-1][0], until, total, share)
        else:
            ranges.append((point, until, total, share))
    return ranges


def _span(first: dt.date, last: dt.date | None) -> str:
    if last is None:
        return f"from {first.isoformat()} on"
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


def check(ix: Index) -> Iterator[Finding]:
    for pid in sorted(ix.staff):
        person = ix.staff[pid]
        counted = _periods(ix, person)
        ranges = over([period for _, period in counted])
        if not ranges:
            continue
        parts = [f"{_span(first, last)} ({percent(total)}%: "
                 + ", ".join(f"{project} {percent(share)}%" for project, share in shares) + ")"
                 for first, last, total, shares in ranges[:_SHOWN]]
        more = len(ranges) - _SHOWN
        text = "; ".join(parts) + (f"; and {more} more range{'s' if more != 1 else ''}" if more > 0 else "")
        projects = sorted({p for *_, shares in ranges for p, _ in shares})
        stopped = [p for p in projects if p in ix.projects and ix.projects[p].data.get("status") == "cancelled"]
        # The allocation that took the total over 100%: of those beginning on the
        # first day over, the last written (the one added on top of the others).
        start = ranges[0][0]
        tipping = max(number for number, period in counted if period[0] == start)
        alloc = person.data["allocations"][tipping]
        line, _ = person.locate("allocations", tipping)
        yield person.finding(
            CODE,
            f"`{pid}` ({person.data.get('name', pid)}) is allocated over 100% on {text}; "
            f"the allocation to `{alloc['project']}` on line {line} took the total over 100% on {start.isoformat()}",
            "lower a percentage or move an allocation's `from`/`to` so the total stays at or below 100% every day "
            f"(projects involved: {', '.join(projects)})"
            + (f"; end the allocations to cancelled {', '.join(stopped)} when the work stopped" if stopped else ""),
            at=("allocations", tipping),
        )
