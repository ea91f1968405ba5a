"""Re-parse only the entries that changed in a long list file.

A monthly expense file holds some 30,000 entries, and an edit touches one
or two of them. Parsing the whole file again costs 0.6 s, the largest part
of a re-validate after that edit. Here the text is cut into its entries,
each entry's text is compared (by digest) with the entries of the version
parsed last time, and only the new ones are parsed.

The cut is safe only for the plain layout every generated and hand-written
list file has::

    <other keys>        # the head: any YAML, the same as last time
    expenses:
      - id: ...          # an entry starts with "- " at the list's indent,
        date: ...        # its other lines are indented deeper,
      # a comment        # or are comments or blank
      - id: ...

In that layout a line that starts an entry cannot continue a construct of
the entry before it: a block scalar or plain scalar ends at a line indented
that little, and a quoted scalar or flow collection left open would make the
earlier entry's text fail to parse alone. So when every new entry parses
alone, the result is the same as parsing the whole text, and anything else
(another layout, an entry that does not parse alone, too many new entries)
returns None: the caller parses the whole file as before.
``tests/test_splice.py`` checks the equality on random edits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from pmkit.ingest.loader.yaml12 import UNUSUAL, plain_record

#: Below this size a whole parse is cheap enough.
MIN_BYTES = 256 * 1024

_DIGEST = 16  # bytes: a collision would reuse the wrong entry, so not 8


@dataclass(frozen=True)
class Entries:
    """Where a parsed list file's entries were: what the next parse may reuse."""

    key: str
    head: bytes  # digest of the text before the first entry
    digests: bytes  # one digest per entry, in order, concatenated


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_DIGEST).digest()


def cut(text: str, key: str) -> tuple[str, list[str]] | None:
    """(head, the text of each entry) when ``text`` has the plain layout, else None."""
    # The lines before the first entry end with ``key:`` at the top level.
    first = re.search(rf"^{re.escape(key)}:[ \t]*\r?\n(?:[ \t]*(?:#.*)?\r?\n)*( *)- ", text, re.MULTILINE)
    if first is None:
        return None
    if not _plain_head(text[:first.start()]):
        return None
    indent = len(first.group(1))
    body = text[first.start(1):]
    if _stray_line(body, indent):
        return None
    starts = [m.start() for m in re.finditer(rf"^ {{{indent}}}- ", body, re.MULTILINE)]
    ends = starts[1:] + [len(body)]
    return text[:first.start(1)], [body[a:b] for a, b in zip(starts, ends)]


#: A head line that provably opens and closes nothing: a blank, a comment, or
#: a top-level ``key: value`` whose value is a one-line plain word (no quote,
#: bracket, brace, block indicator, anchor, alias or tag that could carry a
#: ``key:`` line of the text inside a scalar or collection).
_PLAIN_HEAD_LINE = re.compile(
    r"[ \t]*(?:#[^\r\n]*)?\r?\n|[A-Za-z0-9_][A-Za-z0-9_-]*:(?:[ \t]+[A-Za-z0-9_.:/@+-][A-Za-z0-9_.:/@+ -]*?)?"
    r"[ \t]*(?:[ \t]#[^\r\n]*)?\r?\n")


def _plain_head(head: str) -> bool:
    """Whether every line before the list's key is a plain line (above), so
    that the ``key:`` found at column 0 is really the top-level key and not
    text inside a multi-line quoted scalar or flow collection of the head."""
    at = 0
    while at < len(head):
        line = _PLAIN_HEAD_LINE.match(head, at)
        if line is None or line.end() == at:
            return False
        at = line.end()
    return True


def _stray_line(body: str, indent: int) -> bool:
    """Whether a line among the entries is none of: an entry start, a deeper
    line, a comment or a blank (a top-level key, ``---``, a tab, ...)."""
    deeper = rf" {{{indent + 1}}}"
    entry = rf" {{{indent}}}- "
    return re.search(rf"^(?!{entry}|{deeper}|[ \t]*(?:#|\r?$)).", body, re.MULTILINE) is not None


def entries(text: str, value: Any, key: str) -> Entries | None:
    """What a later ``reparse`` of this file may reuse, given its whole parse ``value``."""
    parts = cut(text, key)
    if parts is None or not _ends_with_list(value, key):
        return None
    head, chunks = parts
    if len(value[key]) != len(chunks):
        return None
    return Entries(key, _digest(head), b"".join(_digest(chunk) for chunk in chunks))


def _ends_with_list(value: Any, key: str) -> bool:
    return isinstance(value, dict) and bool(value) and next(reversed(value)) == key and isinstance(value[key], list)


@dataclass
class Spliced:
    """A re-parse that reused entries: the value, as a whole parse gives it."""

    value: dict[str, Any]
    entries: Entries
    fresh: list[int]  # the positions of the entries parsed anew (the others were reused)


def reparse(text: str, previous: Any, kept: Entries, max_depth: int) -> Spliced | None:
    """The parse of ``text``, reusing the entries of ``previous`` (the value
    parsed last time, whose layout ``kept`` recorded) whose text is unchanged;
    None when that is not safe or saves nothing."""
    parts = cut(text, kept.key)
    if parts is None or not _ends_with_list(previous, kept.key):
        return None
    head, chunks = parts
    old = previous[kept.key]
    if _digest(head) != kept.head or len(old) * _DIGEST != len(kept.digests):
        return None
    where = {kept.digests[i:i + _DIGEST]: i // _DIGEST for i in range(0, len(kept.digests), _DIGEST)}
    digests = [_digest(chunk) for chunk in chunks]
    budget = max(64, len(chunks) // 8)  # past this many new entries a whole parse is as cheap
    items: list[Any] = []
    used: set[int] = set()
    fresh: list[int] = []
    for chunk, digest in zip(chunks, digests):
        i = where.get(digest)
        if i is not None and i not in used:
            used.add(i)  # a second equal entry is parsed again: entries never share objects
            items.append(old[i])
            continue
        budget -= 1
        item = _parse_entry(head, chunk, kept.key, max_depth) if budget >= 0 else UNUSUAL
        if item is UNUSUAL:
            return None
        fresh.append(len(items))
        items.append(item)
    value = dict(previous)
    value[kept.key] = items
    return Spliced(value, Entries(kept.key, kept.head, b"".join(digests)), fresh)


def _parse_entry(head: str, chunk: str, key: str, max_depth: int) -> Any:
    """One entry parsed in its place: after the same head, as the list's only entry."""
    value = plain_record(head + chunk, max_depth)
    if not _ends_with_list(value, key) or len(value[key]) != 1:
        return UNUSUAL
    return value[key][0]
