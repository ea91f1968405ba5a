"""The engine's index: the rules' ``Index``, plus what makes a re-validate cheap.

``TrackedIndex`` notes every kind a rule part reads (``recording``), so the
memo (``pmkit.engine.memo``) can reuse the part's findings while none of
those kinds changed; and, given a ``LazySource`` (``pmkit.engine.incremental``),
it loads a kind only when a rule first reads it, and answers the expense
questions from per-file facts without loading the expenses. The rules see
the plain ``Index`` interface and cannot tell the difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pmkit.core.kinds import KINDS
from pmkit.domain.expense_facts import FileFacts, advanced, appended
from pmkit.domain.index import Index, Record
from pmkit.ingest.loader import Document

T = TypeVar("T")

KIND_NAMES = frozenset(kind.name for kind in KINDS)

#: What a part is noted to have read when it reads the as-of date: a part that
#: never does finds the same on any day, so a new day (the next CI run, the
#: next commit of ``pmkit history``) reuses its findings.
AS_OF = "@as_of"


class LazySource(Protocol):
    """Where a lazy index gets what it has not loaded yet (``incremental.LazyProgram``)."""

    def load_kind(self, ix: Index, kind: str) -> None:
        """Add every document of ``kind`` to ``ix`` (``add_document``) and fill ``known[kind]``."""

    def expense_facts(self, ix: Index) -> list[FileFacts]:
        """The facts of every expense file at ``ix.as_of``."""

    def expense_records(self, ix: Index, paths: set[str]) -> list[Record]:
        """The valid expenses of the files ``paths``, in file order."""


class FactsStore(Protocol):
    """Where the expense files' facts are kept from run to run (``validate.CachedFacts``)."""

    def facts(self, path: str, day: dt.date) -> FileFacts | None:
        """The file's facts as of ``day``, if kept (for its bytes now)."""

    def keep(self, path: str, facts: FileFacts) -> None:
        """Keep a file's facts (for its bytes now)."""

    def earlier(self, path: str) -> FileFacts | None:
        """The file's facts as kept for its bytes now, whatever their day (or None)."""

    def last_version(self, path: str) -> tuple[FileFacts, list[Record]] | None:
        """The facts last given for this path in this process and the records they
        are of, whatever the file's bytes (the version before, in ``pmkit history``)."""

    def note_version(self, path: str, facts: FileFacts, records: list[Record]) -> None:
        """Remember the facts given for a path and the records they are of (``last_version``)."""


class DerivedStore(Protocol):
    """Where what is derived from one file version is kept (``validate.KeptDerived``)."""

    def of(self, doc: Document) -> dict[str, object] | None:
        """The values kept for this document (None: keep nothing)."""

    def lasting(self, doc: Document, name: str) -> object | None:
        """A plain-data value kept for this file version by an earlier run (None if none)."""

    def keep_lasting(self, doc: Document, name: str, value: object) -> None:
        """Keep a plain-data value of this file version for later runs."""


@dataclass(eq=False)
class TrackedIndex(Index):
    #: set for a lazy index: kinds load on first use
    lazy: LazySource | None = None
    #: the kinds read since ``touched`` was last set to a set (None: not recording)
    touched: set[str] | None = None
    #: set for an index of every file: loaded expense files' facts are kept there
    facts_store: FactsStore | None = None
    #: set for a run over several versions of a program: see ``Index.derived``
    derived_store: DerivedStore | None = None

    # The as-of date, noted as read (``AS_OF``) whenever a rule reads it. The
    # dataclass's ``__init__`` sets it through the setter.
    @property  # type: ignore[misc]
    def as_of(self) -> dt.date:
        self.note(AS_OF)
        return self._as_of

    @as_of.setter
    def as_of(self, day: dt.date) -> None:
        self._as_of = day

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """The kinds read inside the block (what the block's outer recording sees is unchanged)."""
        outer, self.touched = self.touched, set()
        try:
            yield self.touched
        finally:
            self.touched = outer

    def note(self, kind: str) -> None:
        if self.touched is not None:
            self.touched.add(kind)

    def _load(self, kind: str) -> None:
        if self.lazy is None or kind not in KIND_NAMES:
            raise KeyError(kind)
        self.start(kind)
        self.lazy.load_kind(self, kind)

    def _computed(self, compute: Callable[..., T], args: tuple[Hashable, ...]) -> tuple[T, frozenset[str]]:
        with self.recording() as read:
            value = compute(self, *args)
        return value, frozenset(read)

    def _unloaded_expense_facts(self) -> list[FileFacts]:
        if self.lazy is None:
            return super()._unloaded_expense_facts()
        return self.lazy.expense_facts(self)

    def _file_facts(self, path: str, records: list[Record], broken_ids: list[str], day: dt.date) -> FileFacts:
        if self.facts_store is None:
            return super()._file_facts(path, records, broken_ids, day)
        store = self.facts_store
        found = store.facts(path, day)
        if found is None:
            # a later day than the facts kept: the days between add their expenses (``advanced``)
            before = store.earlier(path)
            found = advanced(before, records, day) if before is not None else None
            if found is None:
                found = _from_version_before(store.last_version(path), records, broken_ids, day)
            if found is None:
                found = super()._file_facts(path, records, broken_ids, day)
            store.keep(path, found)
        store.note_version(path, found, records)
        return found

    def derived(self, doc: Document, name: str, compute: Callable[[], T], lasting: bool = False) -> T:
        store = self.derived_store
        kept = store.of(doc) if store is not None else None
        if store is None or kept is None:
            return compute()
        if name not in kept:
            value = store.lasting(doc, name) if lasting else None
            if value is None:
                value = compute()
                if lasting:
                    store.keep_lasting(doc, name, value)
            kept[name] = value
        return kept[name]  # type: ignore[return-value]

    def _unloaded_expenses(self, paths: set[str]) -> list[Record]:
        if self.lazy is None:
            return super()._unloaded_expenses(paths)
        return self.lazy.expense_records(self, paths)


def _from_version_before(last: tuple[FileFacts, list[Record]] | None, records: list[Record],
                         broken_ids: list[str], day: dt.date) -> FileFacts | None:
    """A file's facts from those of its version before, when this version is that one's
    records with more at the end (``appended``). The same records are the very same
    objects: a re-parse reuses the entries it did not change (``loader.splice``)."""
    if last is None:
        return None
    before, before_records = last
    n = len(before_records)
    if before.broken_ids != broken_ids or len(records) <= n or before.as_of > day:
        return None
    if any(new.data is not old.data for new, old in zip(records, before_records)):
        return None
    if before.as_of < day:
        moved = before.on(day) if before.holds_on(day) else advanced(before, before_records, day)
        if moved is None:
            return None
        before = moved
    return appended(before, records[n:])
