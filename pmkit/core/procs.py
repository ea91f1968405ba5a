"""Work spread over every core: the per-file stages of a cold validate, and
the per-project pages of a large site.

Each of these is a map over independent items (files, projects). The items
are dealt between this process and forked children, one per further core;
each child computes its share and sends the results back pickled. Fork
shares everything already in memory (the bytes read, the model), so only
results cross. Small jobs, one core, no ``fork`` (Windows) or
``PMKIT_JOBS=1`` keep it in one process, and a child that fails has its share
done here: the results are the same either way, in the same order.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import weakref
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Generic, TypeVar


T = TypeVar("T")
R = TypeVar("R")

#: A child's work costs this much more: it pickles its results, which this
#: process then unpickles (measured: pickling parsed data costs about 30% of
#: parsing it).
CHILD_COST = 1.35


_in_child = False  # set in a child: it never forks in turn (the cores are taken)


def jobs() -> int:
    """How many processes may share work: ``PMKIT_JOBS``, else the usable cores
    (at most 8); 1 in a child of ``fork_map``, ``in_child`` or a ``Stream``
    that does not lead."""
    if _in_child:
        return 1
    setting = os.environ.get("PMKIT_JOBS", "")
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


@contextmanager
def alone() -> Iterator[None]:
    """Within this block this process starts no child (``jobs()`` is 1): the
    other cores are taken by children it started to work beside it."""
    global _in_child
    before = _in_child
    _in_child = True
    try:
        yield
    finally:
        _in_child = before


def fork_map(items: Sequence[T], work: Callable[[T], R], cost: Callable[[T], float], min_cost: float,
             child_cost: float = CHILD_COST, alongside: Callable[[], object] | None = None,
             alongside_cost: float = 0.0) -> list[R]:
    """``[work(x) for x in items]``, spread over ``jobs()`` processes when the
    total ``cost`` reaches ``min_cost``. ``child_cost`` weighs a child's share
    for the pickling of its results. ``alongside()``, if given, is other work
    this process does while the children work (it costs ``alongside_cost``)."""
    costs = [cost(item) for item in items]
    workers = jobs()
    if workers < 2 or sum(costs) < min_cost or "fork" not in multiprocessing.get_all_start_methods():
        if alongside is not None:
            alongside()
        return [work(item) for item in items]
    shares = _deal(costs, workers, child_cost, alongside_cost)
    context = multiprocessing.get_context("fork")
    children = []
    for share in shares[1:]:
        receive, send = context.Pipe(duplex=False)
        _receiving_from(receive)
        part = [items[i] for i in share]
        child = context.Process(target=_child, args=(send, part, work), daemon=True)
        child.start()
        send.close()
        children.append((child, receive, part))
    if alongside is not None:
        alongside()
    results: dict[int, R] = {i: work(items[i]) for i in shares[0]}
    for (child, receive, part), share in zip(children, shares[1:]):
        results.update(zip(share, _collect(child, receive, part, work)))
    return [results[i] for i in range(len(items))]


def _deal(costs: list[float], parts: int, child_cost: float, head_start: float = 0.0) -> list[list[int]]:
    """Shares (positions in ``costs``) of about equal work: the costliest item
    first, each to the share with the least so far. Share 0 is this
    process's, which starts with ``head_start`` of other work; the others'
    work weighs ``child_cost`` times more."""
    loads = [head_start] + [0.0] * (parts - 1)
    shares: list[list[int]] = [[] for _ in range(parts)]
    for i in sorted(range(len(costs)), key=lambda i: -costs[i]):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += costs[i] * (1 if least == 0 else child_cost)
    return [sorted(share) for share in shares]


#: the read ends of the pipes from this process's children, while open
_receiving: weakref.WeakSet[Connection] = weakref.WeakSet()


def _receiving_from(receive: Connection) -> Connection:
    """``receive``, made known to the children forked from now on, which close it (``_in_a_child``)."""
    _receiving.add(receive)
    return receive


def _in_a_child() -> None:
    """What a child does first.

    It closes its copies of the read ends of this process's pipes (its own
    and its elder siblings'): were they open, a child whose parent died
    (killed) would never see its pipe break, and would wait for ever to
    write its next result once the pipe is full.

    It ignores Ctrl-C: that is for the process that started it, which stops
    its children itself (``Stream.close``, ``stop_children``). A child that
    took it too would print a traceback of its own, and the git processes
    it reads from (which inherit this) would die under it, leaving rows that
    say the commit "could not be read"."""
    for receive in list(_receiving):
        if not receive.closed:
            receive.close()
    _receiving.clear()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: what ``keep_to_exit`` keeps: the last value only, so that commands run in
#: one process (the tests) do not pile up programs
_kept_to_exit: list[object] = []


def keep_to_exit(value: object) -> None:
    """Keep ``value`` referenced until the process ends. The ``pmkit`` command
    leaves with ``os._exit`` (``cli.run``), so the operating system reclaims
    it at once; dropped at a command's end, a diff's two programs were freed
    object by object first: 0.7 s of a 16 s diff at SPEC scale."""
    _kept_to_exit[:] = [value]


def stop_children() -> None:
    """Stop this process's children still running (daemonic: they work for it)
    and wait for every child: what multiprocessing does at an ordinary exit,
    for an exit that skips it (``os._exit``, after Ctrl-C or a command)."""
    for child in multiprocessing.active_children():
        if child.daemon:
            child.terminate()
    for child in multiprocessing.active_children():
        child.join()


def _child(send: Connection, part: Sequence[T], work: Callable[[T], R],
           then: Callable[[list[R]], None] | None = None) -> None:
    global _in_child
    _in_child = True
    _in_a_child()
    try:
        results = [work(item) for item in part]
        send.send_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # the parent is gone (killed, stopped): nobody wants the results
        return
    finally:
        send.close()
    if then is not None:
        then(results)


def _collect(child: multiprocessing.process.BaseProcess, receive: Connection, part: Sequence[T],
             work: Callable[[T], R], join: bool = True) -> list[R]:
    try:
        results = pickle.loads(receive.recv_bytes())
    except (EOFError, OSError, pickle.PickleError):
        results = None  # the child died: do its share here
    finally:
        receive.close()
        if join:
            child.join()
    if not isinstance(results, list) or len(results) != len(part):
        return [work(item) for item in part]
    return results


class Pending(Generic[R]):
    """The result of ``in_child``'s work, when asked for."""

    def __init__(self, work: Callable[[], R], child: multiprocessing.process.BaseProcess | None = None,
                 receive: Connection | None = None, then: Callable[[R], None] | None = None) -> None:
        self._work, self._child, self._receive, self._then = work, child, receive, then
        self._done: list[R] = []
        if child is None:
            self._done.append(work())
            if then is not None:
                then(self._done[0])

    def result(self) -> R:
        """The result, as soon as it is sent. The child may still be busy (its
        ``then``): ``wait`` joins it; otherwise multiprocessing reaps it at
        the next fork or at exit, and this process need not wait for its exit."""
        if not self._done:
            assert self._child is not None and self._receive is not None
            self._done = _collect(self._child, self._receive, [None], self._here, join=False)
        return self._done[0]

    def _here(self, _: object) -> R:
        """The work done in this process, the child having died before it sent it."""
        result = self._work()
        if self._then is not None:
            self._then(result)
        return result

    def wait(self) -> None:
        """The result, once the child finished its ``then`` too."""
        self.result()
        if self._child is not None:
            self._child.join()


def in_child(work: Callable[[], R], worth_it: bool, then: Callable[[R], None] | None = None) -> Pending[R]:
    """Start ``work()`` in a forked child, so that this process can do something
    else meanwhile; without a second core, fork or ``worth_it``, it runs here, now.

    ``then(result)``, if given, runs after the result is sent: work this
    process need not wait for until ``Pending.wait``.
    """
    if not worth_it or jobs() < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return Pending(work, then=then)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    _receiving_from(receive)
    after = (lambda results: then(results[0])) if then is not None else None
    child = context.Process(target=_child, args=(send, [None], lambda _: work(), after), daemon=True)
    child.start()
    send.close()
    return Pending(work, child, receive, then)


class Stream(Generic[R]):
    """The results of ``produce()``, in order, worked out by a forked child
    ahead of the caller (the pipe holds a few): the status site, loaded and
    rendered in the order MkDocs reads its pages, while MkDocs reads them.

    ``leads``: the child does what this process would otherwise do, while
    this process mostly waits for it, so it may use the other cores as this
    process would (``jobs``). Otherwise it never forks in turn.

    Without a second core or fork, each result is worked out here when asked
    for. If the child dies, the rest are: ``produce()`` runs again here and
    the results already received are skipped (it must be deterministic).
    """

    def __init__(self, produce: Callable[[], Iterable[R]], leads: bool = False, unbounded: bool = False) -> None:
        """``unbounded``: a thread of this process receives the results as they
        come, so the child never waits for the caller (which may be busy with
        work of its own for a long while); they are held here until asked for."""
        self._produce = produce
        self._received = 0
        #: how many results were worked out in this process (all, without a child)
        self.worked_here = 0
        self._here: Iterator[R] | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self._receive: Connection | None = None
        self._inbox: queue.SimpleQueue[bytes | None] | None = None
        if jobs() >= 2 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            _receiving_from(self._receive)
            self._child = context.Process(target=_stream_child, args=(send, produce, leads), daemon=True)
            self._child.start()
            send.close()
            if unbounded:
                self._inbox = queue.SimpleQueue()
                threading.Thread(target=_drain, args=(self._receive, self._inbox), daemon=True).start()
        else:
            self._here = iter(produce())

    def _message(self) -> bytes:
        """The child's next message (``EOFError`` when it is gone)."""
        assert self._receive is not None
        if self._inbox is None:
            return self._receive.recv_bytes()
        message = self._inbox.get()
        if message is None:
            raise EOFError
        return message

    def __iter__(self) -> Iterator[R]:
        while True:
            try:
                yield self.next()
            except StopIteration:
                return

    def next(self) -> R:
        """The next result; ``StopIteration`` after the last."""
        if self._receive is not None:
            try:
                message = self._message()
            except (EOFError, OSError):
                self.close()  # the child died: the rest are worked out here
                self._here = itertools.islice(self._produce(), self._received, None)
            else:
                done, result = pickle.loads(message)
                if done:
                    self.close()
                    self._here = iter(())
                    raise StopIteration
                self._received += 1
                return result
        assert self._here is not None
        result = next(self._here)
        self._received += 1
        self.worked_here += 1
        return result

    def close(self) -> None:
        """Stop the child, if it still runs (the caller needs no more)."""
        if self._receive is not None:
            if self._inbox is None:  # (else the thread closes it, once the child is gone)
                self._receive.close()
            self._receive = None
        if self._child is not None:
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
            self._child = None


def _drain(receive: Connection, inbox: queue.SimpleQueue[bytes | None]) -> None:
    """Move every message of the pipe to ``inbox`` as it comes; None when the child is gone.

    Ctrl-C is the main thread's to take: were it delivered here, the main
    thread would go on waiting on ``inbox`` (the children ignore it) until
    the child's next result."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        while True:
            inbox.put(receive.recv_bytes())
    except (EOFError, OSError):
        pass
    finally:
        receive.close()
        inbox.put(None)


def _stream_child(send: Connection, produce: Callable[[], Iterable[R]], leads: bool) -> None:
    global _in_child
    _in_child = not leads
    _in_a_child()
    if leads:  # multiprocessing lets no daemon start a child; it stays one for this process
        multiprocessing.current_process().daemon = False
    try:
        for result in produce():
            send.send_bytes(pickle.dumps((False, result), protocol=pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps((True, None)))
    except Exception:  # noqa: BLE001, S110  (the parent stopped listening, or works it out again and reports why)
        pass
    finally:
        send.close()
