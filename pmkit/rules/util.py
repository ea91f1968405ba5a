"""Small helpers the rule modules share."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any


Pattern = tuple[str, ...]  # JSON path with "*" for every list item


def walk(data: Any, pattern: Pattern, at: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) in ``data`` matching ``pattern``."""
    if not pattern:
        yield at, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from walk(item, rest, (*at, i))
    elif isinstance(data, dict) and head in data:
        yield from walk(data[head], rest, (*at, head))


def suggest(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """A "did you mean" hint, or None when nothing is close."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(value, pool, n=1, cutoff=cutoff)
    if not close:
        lowered = {c.lower(): c for c in pool}
        if value.lower() in lowered:
            close = [lowered[value.lower()]]
    return f"did you mean `{close[0]}`?" if close else None
