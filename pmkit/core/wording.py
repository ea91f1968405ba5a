"""Plain-English counts shared by finding messages and reports: ``1 day``, ``8 days``."""

from __future__ import annotations


def count(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 day``, ``8 days``, ``0 days`` (``nouns`` for irregular plurals)."""
    return f"{n} {noun if n == 1 else (nouns or noun + 's')}"
