"""The per-file stages on every core: a cold validate of a large program.

Parsing and schema-checking a file needs nothing but that file, so the files
are split by size between this process and forked children, one per further
core. Each child checks its share and sends the outcomes back pickled; fork
shares the bytes already read, so only the outcomes cross. Small programs,
one core, no ``fork`` (Windows) or ``PMKIT_JOBS=1`` keep it in one process,
and a child that fails has its share done here: the outcomes are the same
either way, in the same order.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from pmkit.cache import FileOutcome
from pmkit.source import SourceFile

#: Below this many bytes to check, starting a process costs more than it saves.
MIN_BYTES = 8 * 1024 * 1024

#: What checking one file costs beyond its bytes, in bytes (measured: small
#: record files parse at about half the speed per byte of an expense file).
FILE_COST = 8 * 1024

#: A child's work costs this much more: it pickles its outcomes, which this
#: process then unpickles (measured: pickling costs about 30% of the parsing).
CHILD_COST = 1.35

Check = Callable[[SourceFile], FileOutcome]


def jobs() -> int:
    """How many processes may check files: ``PMKIT_JOBS``, else the usable cores (at most 8)."""
    setting = os.environ.get("PMKIT_JOBS", "")
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def check_many(sources: Sequence[SourceFile], check: Check, min_bytes: int = MIN_BYTES) -> list[FileOutcome]:
    """``[check(s) for s in sources]``, spread over ``jobs()`` processes when it pays."""
    total = sum(len(s.data) for s in sources)
    workers = jobs()
    if workers < 2 or total < min_bytes or "fork" not in multiprocessing.get_all_start_methods():
        return [check(s) for s in sources]
    shares = _deal(sources, workers)
    context = multiprocessing.get_context("fork")
    children = []
    for share in shares[1:]:
        receive, send = context.Pipe(duplex=False)
        part = [sources[i] for i in share]
        child = context.Process(target=_child, args=(send, part, check), daemon=True)
        child.start()
        send.close()
        children.append((child, receive, part))
    results: dict[int, FileOutcome] = {i: check(sources[i]) for i in shares[0]}
    for (child, receive, part), share in zip(children, shares[1:]):
        results.update(zip(share, _collect(child, receive, part, check)))
    return [results[i] for i in range(len(sources))]


def _deal(sources: Sequence[SourceFile], parts: int) -> list[list[int]]:
    """Shares (positions in ``sources``) of about equal work: largest file first,
    each to the share with the least so far. A small file costs more per byte
    than a large list file, so each also counts a fixed overhead; share 0 is
    this process's, the others also pay for pickling what they found."""
    loads = [0] * parts
    shares: list[list[int]] = [[] for _ in range(parts)]
    for i in sorted(range(len(sources)), key=lambda i: -len(sources[i].data)):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += (len(sources[i].data) + FILE_COST) * (1 if least == 0 else CHILD_COST)
    return [sorted(share) for share in shares]


def _child(send: Connection, share: Sequence[SourceFile], check: Check) -> None:
    try:
        send.send_bytes(pickle.dumps([check(s) for s in share], protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        send.close()


def _collect(child: multiprocessing.process.BaseProcess, receive: Connection, share: Sequence[SourceFile],
             check: Check) -> list[FileOutcome]:
    try:
        outcomes = pickle.loads(receive.recv_bytes())
    except (EOFError, OSError, pickle.PickleError):
        outcomes = None  # the child died: do its share here
    finally:
        receive.close()
        child.join()
    if not isinstance(outcomes, list) or len(outcomes) != len(share):
        return [check(s) for s in share]
    return outcomes
