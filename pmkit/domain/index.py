"""The schema-valid records of a program, indexed for the checks.

Checks see only records that passed their schema, so they can trust types and
required fields; ids of records that failed (or did not parse) are still
``known``, so a typo in one file does not cascade into "unknown reference"
findings in every file that names it.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, Any, TypeVar

from pmkit.core.codes import Code
from pmkit.core.findings import Finding
from pmkit.core.kinds import KINDS, file_id
from pmkit.core.vocabulary import DEFAULT_CATEGORIES
from pmkit.ingest.loader import Document, Loaded
from pmkit.ingest.loader.yaml12 import Path

if TYPE_CHECKING:
    from pmkit.domain.expense_facts import FileFacts

T = TypeVar("T")

KIND_NAMES = tuple(kind.name for kind in KINDS)

@lru_cache(maxsize=1 << 16)
def day(text: str) -> dt.date:
    """A schema-checked ``YYYY-MM-DD`` string as a date (cached: at SPEC §9
    scale the rules ask 700,000 times for a few thousand dates)."""
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class Record:
    """A record, or one entry of a list file, with a way to point into it."""

    doc: Document
    path: Path  # () for a whole-file record, (list_key, i) for an entry
    data: dict[str, Any]

    @property
    def id(self) -> str | None:
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


class ByKind(Mapping[str, T]):
    """``records``, ``entries`` or ``known`` of an index, by kind name.

    Every lookup goes through the index (``Index.use``): the engine's index
    notes the kind as read (so a rule's findings can be reused while nothing
    it read has changed) and may load the kind on first use.
    """

    def __init__(self, ix: Index) -> None:
        # A weak reference: a cycle would keep the index (and the whole
        # program) alive past its use, since its objects are frozen for the
        # collector (``validate._collector_paused``).
        self._ix = weakref.ref(ix)
        self._data: dict[str, T] = {}

    def __getitem__(self, kind: str) -> T:
        ix = self._ix()
        if ix is not None:
            ix.use(kind)
        return self._data[kind]

    def __setitem__(self, kind: str, value: T) -> None:
        self._data[kind] = value

    def __iter__(self) -> Iterator[str]:
        return iter(KIND_NAMES)

    def __len__(self) -> int:
        return len(KIND_NAMES)


@dataclass(eq=False)
class Index:
    """The schema-valid records of a program, as the rules read them.

    This index holds what it was given and records nothing. The engine's
    ``pmkit.engine.tracking.TrackedIndex`` overrides the hooks below
    (``note``, ``_load``, ``_computed``, ``_unloaded_*``, ``_file_facts``) to note what each rule
    reads and to load a kind only when first read; the rules cannot tell.
    """

    as_of: dt.date
    #: expense file -> the ids of its entries that broke their schema (every parsed expense file is a key)
    expense_files: dict[str, list[str]] = field(default_factory=dict)
    #: expense file -> its valid entries, as in ``entries["expenses"]`` (shared with its document)
    expense_records: dict[str, list[Record]] = field(default_factory=dict)
    records: ByKind[dict[str, Record]] = field(init=False)
    entries: ByKind[list[Record]] = field(init=False)
    known: ByKind[set[str]] = field(init=False)
    _program: Record | None = field(default=None, init=False)
    _documents: dict[str, list[Document]] = field(default_factory=dict, init=False)
    _loaded: set[str] = field(default_factory=set, init=False)
    #: see ``shared``
    _shared: dict[Hashable, tuple[Any, frozenset[str]]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.records, self.entries, self.known = ByKind(self), ByKind(self), ByKind(self)

    def start(self, kind: str) -> None:
        """Make ``kind`` an empty, loaded kind, ready for ``add_document``."""
        self.records[kind], self.entries[kind], self.known[kind] = {}, [], set()
        self._documents[kind] = []
        self._loaded.add(kind)

    def note(self, kind: str) -> None:
        """Record that ``kind`` was read, without loading it (the engine's index does)."""

    def use(self, kind: str) -> None:
        """Record that ``kind`` was read, and load it if it is not yet."""
        self.note(kind)
        if kind not in self._loaded:
            self._load(kind)

    def _load(self, kind: str) -> None:
        """Load a kind not loaded yet: this index was given all it has."""
        raise KeyError(kind)

    def _computed(self, compute: Callable[..., T], args: tuple[Hashable, ...]) -> tuple[T, frozenset[str]]:
        """``compute(self, *args)`` and the kinds it read (this index notes none)."""
        return compute(self, *args), frozenset()

    def _unloaded_expense_facts(self) -> list[FileFacts]:
        raise KeyError("expenses")

    def _file_facts(self, path: str, records: list[Record], broken_ids: list[str], day: dt.date) -> FileFacts:
        """One loaded expense file's facts (the engine's index keeps them from run to run)."""
        from pmkit.domain.expense_facts import file_facts

        return file_facts(path, records, broken_ids, day)

    def _unloaded_expenses(self, paths: set[str]) -> list[Record]:
        raise KeyError("expenses")

    def derived(self, doc: Document, name: str, compute: Callable[[], T], lasting: bool = False) -> T:
        """``compute()``, which must depend on nothing but the document as it was
        checked (its bytes, path and schema outcome) and ``name``: its entries as
        records, a project's typed model. The engine's index keeps it for the next
        version of the program in this process (``pmkit history``, the other side
        of ``pmkit diff``), where the same file comes back; this one computes it.
        ``lasting``: the value is plain data (no record, no document, nothing
        that names this run), so the engine may keep it for later runs too."""
        return compute()

    @property
    def program(self) -> Record | None:
        self.use("program")
        return self._program

    def documents_of(self, kind: str) -> list[Document]:
        self.use(kind)
        return self._documents[kind]

    def records_of(self, kind: str) -> list[Record]:
        """The records of ``kind``: the program, one per file, or the entries of list files."""
        if kind == "program":
            return [self.program] if self.program is not None else []
        return [*self.records[kind].values(), *self.entries[kind]]

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
    def policies(self) -> dict[str, Record]:
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
        ``compute`` must depend on nothing but the index and ``args`` (an
        index's ``as_of`` never changes).
        """
        key = (compute, args)
        if key not in self._shared:
            self._shared[key] = self._computed(compute, args)
        value, read = self._shared[key]
        for kind in read:
            self.note(kind)  # whoever asks has read what the computation read
        return value

    def expense_facts(self) -> list[FileFacts]:
        """The facts of every expense file, in file order (see ``expense_facts``; computed once)."""
        return self.shared(_expense_facts)

    def expenses_in(self, paths: set[str]) -> list[Record]:
        """The valid expenses of the files ``paths``, in ``expenses`` order: where a
        rule looks record by record once the facts said where to look."""
        self.note("expenses")
        if not paths:
            return []
        if "expenses" not in self._loaded:
            return self._unloaded_expenses(paths)
        return [record for record in self.entries["expenses"] if record.doc.path in paths]

    def column(self, kind: str, key: str) -> list[Any]:
        """``data.get(key)`` of every entry of ``kind``, by position in ``entries[kind]``.

        Built once in a C-level pass and shared. (Rules read expenses through
        their facts, never by column: see ``expense_facts``.)
        """
        return self.shared(_column, kind, key)


def _expense_facts(ix: Index) -> list[FileFacts]:
    ix.note("expenses")
    day = ix.as_of  # the facts' amounts depend on it (read here even when every file's facts are at hand)
    if "expenses" not in ix._loaded:
        return ix._unloaded_expense_facts()
    return [ix._file_facts(path, ix.expense_records[path], broken, day) for path, broken in ix.expense_files.items()]


def _column(ix: Index, kind: str, key: str) -> list[Any]:
    data = ix.shared(_data, kind)
    return list(map(dict.get, data, repeat(key)))


def _data(ix: Index, kind: str) -> list[dict[str, Any]]:
    return [record.data for record in ix.entries[kind]]


def build_index(loaded: Loaded, invalid: dict[str, set[int] | None], as_of: dt.date,
                into: Index | None = None) -> Index:
    """An index of every loaded document; ``into``: an empty index to fill (the engine's)."""
    ix = into if into is not None else Index(as_of=as_of)
    for kind in KIND_NAMES:
        ix.start(kind)
        ix.known[kind].update(loaded.unparsed.get(kind, ()))
    for doc in loaded.documents:
        add_document(ix, doc, invalid.get(doc.path, set()))
    return ix


def add_document(ix: Index, doc: Document, bad: set[int] | None) -> None:
    """Index one parsed document; ``bad``: its schema-invalid entries, None if the whole record is."""
    name = doc.kind.name
    ix._documents[name].append(doc)
    known = ix.known[name]
    if doc.kind.list_key is None:
        ident = file_id(doc.path)
        known.add(ident)
        if bad is None:
            return
        record = Record(doc, (), doc.data)
        if name == "program":
            ix._program = record
        else:
            ix.records[name][ident] = record
        return
    items = doc.data.get(doc.kind.list_key)
    if not isinstance(items, list):
        return
    valid, broken, ids = ix.derived(doc, "records", lambda: _with_ids(list_records(doc, bad)))
    if name == "expenses":
        ix.expense_files[doc.path] = list(broken)
        ix.expense_records[doc.path] = valid
    known.update(broken)
    known.update(ids)
    ix.entries[name].extend(valid)  # (a copy: ``valid`` is the document's, shared)


def _with_ids(listed: tuple[list[Record], list[str]]) -> tuple[list[Record], list[str], frozenset[str]]:
    valid, broken = listed
    return valid, broken, frozenset(record.data["id"] for record in valid)


def list_records(doc: Document, bad: set[int] | None) -> tuple[list[Record], list[str]]:
    """The schema-valid entries of a list file, and the ids of the others."""
    items = doc.data.get(doc.kind.list_key or "")
    valid: list[Record] = []
    broken: list[str] = []
    if not isinstance(items, list):
        return valid, broken
    for i, item in enumerate(items):
        if bad is None or i in bad or not isinstance(item, dict):
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str):
                broken.append(ident)
            continue
        valid.append(Record(doc, (doc.kind.list_key, i), item))  # type: ignore[arg-type]
    return valid, broken
