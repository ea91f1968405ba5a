"""The status site, loaded and rendered by a forked child while MkDocs works.

MkDocs needs every file's path before it reads the first page, then reads
the pages one by one in sorted order. ``loaded_and_rendered`` produces
exactly that: the program loaded (``site.data.load``), a ``Plan`` with every
path and the validation counts, then the pages and charts in MkDocs' reading
order (``pages.in_reading_order``). ``LaterPages`` runs it in a child
(``parallel.Stream``) and hands each page over when asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pmkit.core.procs import Stream

if TYPE_CHECKING:
    from pmkit.app.site.data import Origin


@dataclass
class Plan:
    """What MkDocs needs before it reads a page: every path the pages and
    charts will have, and how validation went."""

    paths: list[str]
    as_of: dt.date
    errors: int
    warnings: int


def loaded_and_rendered(program_dir: Path, as_of: dt.date | None, use_cache: bool, history: str | None = None,
                        history_since: dt.date | None = None,
                        origin: Origin | None = None) -> Iterator[Plan | dict[str, str]]:
    """The program loaded (its history by ``history``, see ``data.load``), its ``Plan``, then its pages
    and charts in MkDocs' reading order."""
    from pmkit.app.site.data import load
    from pmkit.app.site.pages import in_reading_order

    data = load(program_dir, as_of, use_cache=use_cache, history=history, history_since=history_since, origin=origin)
    paths, rendered = in_reading_order(data.model, data.document, data.findings, data.as_of, data.history,
                                       by_date=origin is None or origin.by_date)
    yield Plan(paths, data.as_of, data.errors, len(data.findings) - data.errors)
    yield from rendered


class LaterPages:
    """The site, loaded and rendered by a forked child (``parallel.Stream``) while
    MkDocs works: MkDocs' own process stays as small as a plain build's, and
    converts each page while the child renders the next.

    Measured at SPEC §9 scale: loading the program in MkDocs' process left
    it 1 GB bigger, and its page conversion 5-10% slower than plain MkDocs.
    """

    def __init__(self, produce: Callable[[], Iterator[Plan | dict[str, str]]]) -> None:
        self._stream: Stream[Plan | dict[str, str]] = Stream(produce, leads=True)
        plan = self._stream.next()
        assert isinstance(plan, Plan)
        self.plan = plan
        self._received: dict[str, str] = {}

    def get(self, path: str) -> str:
        """The text at ``path`` (one of ``plan.paths``), waiting for the child if need be."""
        while path not in self._received:
            if not self._take():
                raise LookupError(f"pmkit rendered no {path}, though it announced it")
        return self._received[path]

    def all(self) -> dict[str, str]:
        """Every page and chart, once the child has rendered them all."""
        while self._take():
            pass
        return self._received

    def _take(self) -> bool:
        try:
            rendered = self._stream.next()
        except StopIteration:
            return False
        assert isinstance(rendered, dict)
        self._received.update(rendered)
        return True

    def close(self) -> None:
        self._stream.close()
