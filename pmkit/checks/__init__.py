"""Stages 3 and 4: reference and business rules, one module per rule.

Each module in this package declares ``CODE`` (a ``pmkit.codes.Code`` with its
id, default severity, layer and doc) and ``check(index) -> Iterable[Finding]``.
Adding a rule is adding a module: it is discovered here, listed by
``pmkit rules`` and in the README, and configurable in program.yaml
``checks:`` if its layer is ``business``.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from types import ModuleType

from pmkit.checks.index import Index
from pmkit.codes import Code
from pmkit.findings import Finding, Severity
from pmkit.parallel import fork_map

INTERNAL = Code(
    "internal-error", Severity.ERROR, "config",
    "A pmkit rule failed on unexpected input. This is a bug in pmkit, not in "
    "your data; the message names the rule. Please report it with the file.",
)

_SKIP = {"budget_lines", "compliance", "expense_facts", "index", "util"}


Check = Callable[[Index], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: Code
    check: Check
    module: str
    #: independent parts of ``check`` (a module's ``PARTS``; else ``check`` alone):
    #: the unit whose findings a re-validate reuses while nothing it read changed
    parts: tuple[Check, ...]


def _modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _SKIP and not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def rules() -> list[Rule]:
    """Every rule module, in code order."""
    found = [Rule(m.CODE, m.check, m.__name__, getattr(m, "PARTS", (m.check,))) for m in _modules()]
    return sorted(found, key=lambda r: r.code.id)


@dataclass
class Memo:
    """What each rule part found last time and which kinds it read, to reuse.

    ``kinds`` is a digest of every kind's files now. A part whose kinds all
    have the digest they had when it ran would read exactly what it read
    then, so it would find exactly what it found: its findings are reused.
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
                if any(self.kinds.get(k) != digest for k, digest in reads.items()) for kind in reads}

    def run_all(self, index: Index, parts: list[tuple[Rule, int, Check]]) -> None:
        """Fill ``current`` for every part: reused, or run again. Parts that
        run again are shared with a forked child when they took long enough
        last time (after a project edit, about half of them: 1.3 s)."""
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

    def _run(self, index: Index, rule: Rule, part: Check) -> Entry:
        outer, index.touched = index.touched, set()
        started = time.perf_counter()
        try:
            found = _run_part(rule, part, index)
        finally:
            read, index.touched = index.touched, outer
        return {k: self.kinds.get(k, "") for k in sorted(read)}, found, time.perf_counter() - started


Entry = tuple[dict[str, str], list[Finding], float]

#: What a part never timed is taken to cost (a first run stays in one
#: process), and from how many seconds of parts a child shares them (forking
#: a process of a few hundred MB costs some 20 ms, and the computations the
#: parts share then run in both processes).
UNKNOWN_SECONDS = 0.0
PARALLEL_SECONDS = 0.4


def run(index: Index, overrides: dict[str, str] | None = None, memo: Memo | None = None) -> list[Finding]:
    """Run every rule that is not switched off, with severities overridden."""
    overrides = overrides or {}
    active: list[tuple[Rule, Severity]] = []
    for rule in rules():
        level = overrides.get(rule.code.id) if rule.code.configurable else None
        if level != "off":
            active.append((rule, Severity(level) if level in ("error", "warning") else rule.code.severity))
    if memo is not None:
        memo.run_all(index, [(rule, n, part) for rule, _ in active for n, part in enumerate(rule.parts)])
    out: list[Finding] = []
    for rule, severity in active:
        for n, part in enumerate(rule.parts):
            found = memo.current[(rule.code.id, n)][1] if memo is not None else _run_part(rule, part, index)
            out.extend(f if f.severity is severity or f.code == INTERNAL.id else replace(f, severity=severity)
                       for f in found)
    return out


def _run_part(rule: Rule, part: Check, index: Index) -> list[Finding]:
    try:
        return list(part(index))
    except Exception as exc:  # a bug must not become a traceback in CI
        return [_internal(rule, exc)]


def _internal(rule: Rule, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
    return Finding(
        "program.yaml", 1, 1, INTERNAL.id,
        f"rule `{rule.code.id}` failed: {type(exc).__name__}: {exc} ({where})",
        INTERNAL.severity, "this is a pmkit bug; please report it",
    )


_modules()  # register every rule's code at import
