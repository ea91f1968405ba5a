"""The engine's index: the rules' ``Index``, plus what makes a re-validate cheap.

``TrackedIndex`` notes every kind a rule part reads (``recording``), so the
memo (``pmkit.engine.memo``) can reuse the part's findings while none of
those kinds changed; and, given a ``LazySource`` (``pmkit.engine.incremental``),
it loads a kind only when a rule first reads it, and answers the expense
questions from per-file facts without loading the expenses. The rules see
the plain ``Index`` interface and cannot tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pmkit.core.kinds import KINDS
from pmkit.domain.expense_facts import FileFacts
from pmkit.domain.index import Index, Record

T = TypeVar("T")

KIND_NAMES = frozenset(kind.name for kind in KINDS)


class LazySource(Protocol):
    """Where a lazy index gets what it has not loaded yet (``incremental.LazyProgram``)."""

    def load_kind(self, ix: Index, kind: str) -> None:
        """Add every document of ``kind`` to ``ix`` (``add_document``) and fill ``known[kind]``."""

    def expense_facts(self, ix: Index) -> list[FileFacts]:
        """The facts of every expense file at ``ix.as_of``."""

    def expense_records(self, ix: Index, paths: set[str]) -> list[Record]:
        """The valid expenses of the files ``paths``, in file order."""


@dataclass(eq=False)
class TrackedIndex(Index):
    #: set for a lazy index: kinds load on first use
    lazy: LazySource | None = None
    #: the kinds read since ``touched`` was last set to a set (None: not recording)
    touched: set[str] | None = None

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

    def _unloaded_expenses(self, paths: set[str]) -> list[Record]:
        if self.lazy is None:
            return super()._unloaded_expenses(paths)
        return self.lazy.expense_records(self, paths)
