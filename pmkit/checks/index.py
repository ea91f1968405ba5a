"""The schema-valid records of a program, indexed for the checks.

Checks see only records that passed their schema, so they can trust types and
required fields; ids of records that failed (or did not parse) are still
``known``, so a typo in one file does not cascade into "unknown reference"
findings in every file that names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any, TypeVar

from pmkit.codes import Code
from pmkit.findings import Finding
from pmkit.kinds import KINDS, file_id
from pmkit.loader import Document, Loaded
from pmkit.loader.yaml12 import Path

if TYPE_CHECKING:
    from pmkit.checks.expense_facts import FileFacts

T = TypeVar("T")

DEFAULT_CATEGORIES = ("labor", "contractors", "hardware", "software", "cloud", "training", "travel", "other")


def day(text: str) -> dt.date:
    """A schema-checked ``YYYY-MM-DD`` string as a date."""
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class Record:
    """A record, or one entry of a list file, with a way to point into it."""

    doc: Document
    path: Path  # () for a whole-file record, (list_key, i) for an entry
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.doc.id if not self.path else str(self.data.get("id", ""))

    @property
    def file(self) -> str:
        return self.doc.path

    def locate(self, *sub: str | int, on: str = "value") -> tuple[int, int]:
        return self.doc.locate((*self.path, *sub), on)

    def finding(self, code: Code, message: str, hint: str | None = None,
                at: tuple[str | int, ...] = (), on: str = "value") -> Finding:
        """A finding at a field of this record (the record itself if ``at`` is empty)."""
        if not at and not self.path:
            line, column = 1, 1
        else:
            line, column = self.locate(*at, on=on if at else "key")
        return Finding(self.doc.path, line, column, code.id, message, code.severity, hint)


@dataclass
class Index:
    as_of: dt.date
    program: Record | None = None
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    entries: dict[str, list[Record]] = field(default_factory=dict)
    known: dict[str, set[str]] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    #: expense file -> the ids of its entries that broke their schema (every parsed expense file is a key)
    expense_files: dict[str, list[str]] = field(default_factory=dict)
    #: see ``shared``
    _shared: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # Convenience views, named as program managers name them.
    @property
    def projects(self) -> dict[str, Record]:
        return self.records["project"]

    @property
    def teams(self) -> dict[str, Record]:
        return self.records["team"]

    @property
    def staff(self) -> dict[str, Record]:
        return self.records["staff"]

    @property
    def vendors(self) -> dict[str, Record]:
        return self.records["vendor"]

    @property
    def positions(self) -> dict[str, Record]:
        return self.records["position"]

    @property
    def rules(self) -> dict[str, Record]:
        return self.records["rule"]

    @property
    def risks(self) -> dict[str, Record]:
        return self.records["risk"]

    @property
    def reports(self) -> dict[str, Record]:
        return self.records["report"]

    @property
    def expenses(self) -> list[Record]:
        return self.entries["expenses"]

    @property
    def transfers(self) -> list[Record]:
        return self.entries["transfers"]

    @property
    def funding(self) -> list[Record]:
        return self.entries["funding"]

    @property
    def categories(self) -> tuple[str, ...]:
        if self.program is None:
            return DEFAULT_CATEGORIES
        return tuple(self.program.data.get("categories", DEFAULT_CATEGORIES))

    @property
    def objectives(self) -> dict[str, dict[str, Any]]:
        if self.program is None:
            return {}
        return {o["id"]: o for o in self.program.data.get("objectives", [])}

    def shared(self, compute: Callable[..., T], *args: Hashable) -> T:
        """``compute(self, *args)``, computed once and then shared by every rule that asks.

        The one place for work several rules need over the whole program (at
        SPEC §9 scale, 500,000 expenses): the budget ledger
        (``budget_lines.ledger``), the compliance standings
        (``compliance.standings``), the columns of list entries (``column``).
        ``compute`` must depend on nothing but the index and ``args``; a
        change of ``as_of`` computes afresh.
        """
        key = (compute, args, self.as_of)
        if key not in self._shared:
            self._shared[key] = compute(self, *args)
        return self._shared[key]  # type: ignore[no-any-return]

    def expense_facts(self) -> list[FileFacts]:
        """The facts of every expense file, in file order (see ``expense_facts``; computed once)."""
        return self.shared(_expense_facts)

    def expenses_in(self, paths: set[str]) -> list[Record]:
        """The valid expenses of the files ``paths``, in ``expenses`` order: where a
        rule looks record by record once the facts said where to look."""
        if not paths:
            return []
        return [record for record in self.entries["expenses"] if record.doc.path in paths]

    def column(self, kind: str, key: str) -> list[Any]:
        """``data.get(key)`` of every entry of ``kind`` (e.g. ``expenses``), by position in ``entries[kind]``.

        A dozen rules read a field or two of each of 500,000 expenses; each
        pass over the expense dicts costs a tenth of a second in memory
        traffic alone. Lists of the fields, built once in C-level passes,
        are several times faster to go through, and shared.
        """
        return self.shared(_column, kind, key)

    def all_records(self) -> Iterator[Record]:
        if self.program is not None:
            yield self.program
        for kind in KINDS:
            yield from self.records.get(kind.name, {}).values()
            yield from self.entries.get(kind.name, [])


def _expense_facts(ix: Index) -> list[FileFacts]:
    from pmkit.checks.expense_facts import file_facts

    by_file: dict[str, list[Record]] = {path: [] for path in ix.expense_files}
    for record in ix.entries["expenses"]:
        by_file[record.doc.path].append(record)
    return [file_facts(path, records, ix.expense_files[path], ix.as_of) for path, records in by_file.items()]


def _column(ix: Index, kind: str, key: str) -> list[Any]:
    data = ix.shared(_data, kind)
    return list(map(dict.get, data, repeat(key)))


def _data(ix: Index, kind: str) -> list[dict[str, Any]]:
    return [record.data for record in ix.entries[kind]]


def build_index(loaded: Loaded, invalid: dict[str, set[int] | None], as_of: dt.date) -> Index:
    ix = Index(as_of=as_of, documents=loaded.documents)
    for kind in KINDS:
        ix.records[kind.name] = {}
        ix.entries[kind.name] = []
        ix.known[kind.name] = set(loaded.unparsed.get(kind.name, ()))
    for doc in loaded.documents:
        bad = invalid.get(doc.path, set())
        name = doc.kind.name
        if doc.kind.list_key is None:
            ident = file_id(doc.path)
            ix.known[name].add(ident)
            if bad is None:
                continue
            record = Record(doc, (), doc.data)
            if name == "program":
                ix.program = record
            else:
                ix.records[name][ident] = record
            continue
        items = doc.data.get(doc.kind.list_key)
        if not isinstance(items, list):
            continue
        broken = ix.expense_files.setdefault(doc.path, []) if name == "expenses" else []
        for i, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ix.known[name].add(item["id"])
            if bad is None or i in bad or not isinstance(item, dict):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    broken.append(item["id"])
                continue
            ix.entries[name].append(Record(doc, (doc.kind.list_key, i), item))
    return ix
