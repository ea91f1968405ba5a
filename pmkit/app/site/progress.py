"""Progress of a long `pmkit site build` on a terminal (issue 15).

A full-scale build is silent for about 100 s otherwise. On a terminal the
build says each stage as it starts and draws a bar for the pages (MkDocs
converts them, then writes them); the bar is redrawn in place with ``\\r``.
Nothing at all is written when the stream is not a terminal or ``CI=true``
(a CI log would fill with bars), nor for `mkdocs build` run directly: only
`pmkit site build` turns it on (``active``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

BAR = 30  # characters of the bar


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.label = ""
        self.total = 0
        self.done = 0
        self.open_line = False

    def stage(self, text: str, total: int = 0) -> None:
        """A new stage; with ``total``, a bar that ``step`` advances."""
        self._end_line()
        self.label, self.total, self.done = text, total, 0
        if total:
            self._draw()
        else:
            self.stream.write(f"pmkit: {text}\n")
            self.stream.flush()

    def step(self) -> None:
        if not self.total:
            return
        before = 100 * self.done // self.total
        self.done = min(self.done + 1, self.total)
        if 100 * self.done // self.total != before or self.done == self.total:
            self._draw()  # at most a hundred redraws, however many pages

    def finish(self) -> None:
        self._end_line()

    def _draw(self) -> None:
        filled = BAR * self.done // self.total
        self.stream.write(f"\rpmkit: {self.label} [{'#' * filled}{'.' * (BAR - filled)}] {self.done}/{self.total}")
        self.stream.flush()
        self.open_line = True

    def _end_line(self) -> None:
        if self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False


#: The progress of the build under way, if it shows one.
current: Progress | None = None


def wanted(stream: TextIO) -> bool:
    """Progress only for a person watching: a terminal, and not CI."""
    return os.environ.get("CI", "").lower() != "true" and stream.isatty()


@contextmanager
def active(stream: TextIO | None = None) -> Iterator[None]:
    """Show progress on ``stream`` (stderr) during the block, if a person watches it."""
    global current
    stream = stream or sys.stderr
    if not wanted(stream):
        yield
        return
    current = Progress(stream)
    try:
        yield
    finally:
        current.finish()
        current = None


def stage(text: str, total: int = 0) -> None:
    if current is not None:
        current.stage(text, total)


def step() -> None:
    if current is not None:
        current.step()
