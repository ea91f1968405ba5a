"""Ids that other records use to name an entry are unique where they must be."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pmkit.domain.expense_facts import expense_ids, files_where, id_lists, id_set
from pmkit.domain.index import Index, Record
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "duplicate-id", Severity.ERROR, "reference",
    "An id is used twice where it must name exactly one thing: a task or a "
    "milestone within a project, a candidate within a position, a contract "
    "across all vendors (expenses name contracts by id alone), an expense "
    "across all expense files, a transfer, a funding source, or a program "
    "objective. Anything that refers to that id (a task dependency, an "
    "expense's contract, a refund, a project's objectives) cannot tell which "
    "one is meant, and totals may count the wrong one. The finding is on the "
    "second use and the hint names the first: give one of them a new id.",
)

Entry = tuple[Record, tuple[str | int, ...], str | None]  # record, path of the id, id (None: missing)


def _duplicates(what: str, entries: Iterable[Entry], scope: str = "") -> Iterator[Finding]:
    first: dict[str, Entry] = {}
    for record, path, ident in entries:
        if not isinstance(ident, str):
            continue
        if ident not in first:
            first[ident] = (record, path, ident)
            continue
        earlier, earlier_path, _ = first[ident]
        line, _column = earlier.locate(*earlier_path)
        yield record.finding(
            CODE, f"{what} id `{ident}` is used twice{scope}",
            f"first used at {earlier.file}:{line}; give one of them another id",
            at=path,
        )


def _repeats(ids: list[Any]) -> bool:
    """Whether some id is used twice: a cheap test first, as almost no group has a duplicate."""
    try:
        if len(set(ids)) == len(ids):
            return False  # all distinct, the usual case: one C-level pass over 500,000 expense ids
    except TypeError:
        pass  # an unhashable id (schemas keep them out)
    names = [ident for ident in ids if isinstance(ident, str)]
    return len(set(names)) != len(names)


def _ids(items: list[dict[str, Any]] | None) -> list[Any]:
    return [item.get("id") for item in items or []]


def _within(record: Record, key: str) -> Iterator[Entry]:
    for i, item in enumerate(record.data.get(key) or []):
        yield record, (key, i, "id"), item.get("id")


def _entries(records: list[Record]) -> Iterator[Entry]:
    for record in sorted(records, key=lambda r: (r.file, r.path)):
        yield record, ("id",), record.data.get("id")


def check(ix: Index) -> Iterator[Finding]:
    for part in PARTS:
        yield from part(ix)


def _records(ix: Index) -> Iterator[Finding]:
    """Ids within the program, projects, positions, vendors, transfers and funding."""
    if ix.program is not None:
        yield from _duplicates("objective", _within(ix.program, "objectives"), " in program.yaml")
    for project_id in sorted(ix.projects):
        project = ix.projects[project_id]
        for key, what in (("tasks", "task"), ("milestones", "milestone")):
            if _repeats(_ids(project.data.get(key))):
                yield from _duplicates(what, _within(project, key), f" in project `{project_id}`")
    for position_id in sorted(ix.positions):
        yield from _duplicates("candidate", _within(ix.positions[position_id], "candidates"),
                               f" in position `{position_id}`")
    vendors = [ix.vendors[vendor_id] for vendor_id in sorted(ix.vendors)]
    if _repeats([ident for vendor in vendors for ident in _ids(vendor.data.get("contracts"))]):
        yield from _duplicates("contract", (entry for vendor in vendors for entry in _within(vendor, "contracts")),
                               " across vendors")
    for what, kind, scope in (("transfer", "transfers", " in budget/transfers.yaml"),
                              ("funding source", "funding", " in budget/funding.yaml")):
        if _repeats(ix.column(kind, "id")):
            yield from _duplicates(what, _entries(ix.entries[kind]), scope)


def _expenses(ix: Index) -> Iterator[Finding]:
    """Expense ids, across all the expense files."""
    if not id_set(ix)[1]:
        return  # the usual case: no id repeats
    seen: set[str] = set()
    twice = {ident for ident in expense_ids(ix) if ident in seen or seen.add(ident)}  # type: ignore[func-returns-value]
    holding = {facts.path for facts, ids in id_lists(ix) if not twice.isdisjoint(ids)}
    records = ix.expenses_in(files_where(ix, lambda facts: facts.path in holding))
    yield from _duplicates("expense", _entries(records), " across the expense files")


#: checked apart, so that a change to one expense file re-checks only the expense ids
PARTS = (_records, _expenses)
