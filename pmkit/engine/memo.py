"""Reusing rule findings across runs: each rule part's findings are kept with
a digest of the kinds it read, and reused while those digests match."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pmkit.core.findings import Finding
from pmkit.core.procs import fork_map
from pmkit.domain.index import Index
from pmkit.engine.tracking import AS_OF, TrackedIndex
from pmkit import rules
from pmkit.rules import Check, Rule


@dataclass
class Memo:
    """What each rule part found last time and which kinds it read, to reuse.

    ``kinds`` is a digest of every kind's files now, and the as-of date under
    ``AS_OF``. A part whose kinds all have the digest they had when it ran
    (and, if it read the date, the same date) would read exactly what it
    read then, so it would find exactly what it found: its findings are
    reused.
    """

    kinds: dict[str, str]
    #: (rule code, part) -> (the kinds it read with their digests, its findings, seconds it took)
    previous: dict[tuple[str, int], Entry]
    current: dict[tuple[str, int], Entry] = field(default_factory=dict)
    reused: int = 0

    def stale_reads(self) -> set[str]:
        """The kinds that the parts about to run again read last time: what a
        re-run can load before the rules start."""
        return {kind for reads, *_ in self.previous.values()
                if any(self.kinds.get(k) != digest for k, digest in reads.items()) for kind in reads
                if kind != AS_OF}

    def run_all(self, index: Index, parts: list[tuple[Rule, int, Check]]) -> None:
        """Fill ``current`` for every part: reused, or run again. Parts that
        run again are shared with a forked child when they took long enough
        last time (after a project edit, about half of them: 1.3 s)."""
        if not isinstance(index, TrackedIndex):  # without the kinds read, a reuse would be blind
            raise TypeError("the rule memo needs the engine's TrackedIndex")
        stale = []
        for rule, n, part in parts:
            key = (rule.code.id, n)
            before = self.previous.get(key)
            if before is not None and all(self.kinds.get(k) == digest for k, digest in before[0].items()):
                self.current[key] = before
                self.reused += 1
            else:
                stale.append((key, rule, part))
        cost = {key: self.previous[key][2] if key in self.previous else UNKNOWN_SECONDS for key, _, _ in stale}
        ran = fork_map(stale, lambda item: self._run(index, item[1], item[2]), lambda item: cost[item[0]],
                       PARALLEL_SECONDS, child_cost=1.0)
        for (key, _, _), entry in zip(stale, ran):
            self.current[key] = entry

    def _run(self, index: TrackedIndex, rule: Rule, part: Check) -> Entry:
        started = time.perf_counter()
        with index.recording() as read:
            found = rules.run_part(rule, part, index)
        return {k: self.kinds.get(k, "") for k in sorted(read)}, found, time.perf_counter() - started

    def found(self, rule: Rule, part: int) -> list[Finding]:
        """What ``run_all`` found for the part (``pmkit.rules.PartRunner``)."""
        return self.current[(rule.code.id, part)][1]


Entry = tuple[dict[str, str], list[Finding], float]

#: What a part never timed is taken to cost (a first run stays in one
#: process), and from how many seconds of parts a child shares them (forking
#: a process of a few hundred MB costs some 20 ms, and the computations the
#: parts share then run in both processes).
UNKNOWN_SECONDS = 0.0
PARALLEL_SECONDS = 0.4
