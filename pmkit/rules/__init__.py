"""Stages 3 and 4: reference and business rules, one module per rule.

Each module in this package declares ``CODE`` (a ``pmkit.core.codes.Code`` with its
id, default severity, layer and doc) and ``check(index) -> Iterable[Finding]``.
Adding a rule is adding a module: it is discovered here, listed by
``pmkit rules`` and in the README, and configurable in program.yaml
``checks:`` if its layer is ``business``.
"""

from __future__ import annotations

import traceback
from importlib import import_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Protocol

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

INTERNAL = Code(
    "internal-error", Severity.ERROR, "config",
    "A pmkit rule failed on unexpected input. This is a bug in pmkit, not in "
    "your data; the message names the rule. Please report it with the file.",
)

Check = Callable[[Index], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: Code
    check: Check
    module: str
    #: independent parts of ``check`` (a module's ``PARTS``; else ``check`` alone):
    #: the unit whose findings a re-validate reuses while nothing it read changed
    parts: tuple[Check, ...]


def rules() -> list[Rule]:
    """Every rule module, in code order."""
    found = [Rule(m.CODE, m.check, m.__name__, getattr(m, "PARTS", (m.check,))) for m in MODULES]
    return sorted(found, key=lambda r: r.code.id)


class PartRunner(Protocol):
    """What runs the rule parts for ``run`` when a caller has something faster
    than running them all here (the engine's memo: ``pmkit.engine.memo``)."""

    def run_all(self, index: Index, parts: list[tuple[Rule, int, Check]]) -> None: ...

    def found(self, rule: Rule, part: int) -> list[Finding]: ...


def run(index: Index, overrides: dict[str, str] | None = None, memo: PartRunner | None = None) -> list[Finding]:
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
            found = memo.found(rule, n) if memo is not None else run_part(rule, part, index)
            out.extend(f if f.severity is severity or f.code == INTERNAL.id else replace(f, severity=severity)
                       for f in found)
    return out


def run_part(rule: Rule, part: Check, index: Index) -> list[Finding]:
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


#: The registry: one line per rule module, in code order of their files.
NAMES = (
    "acknowledgement_expired",
    "acknowledgement_overdue",
    "allocation_outside_dates",
    "assignee_not_allocated",
    "budget_over_funding",
    "contract_mismatch",
    "contract_overrun",
    "contractor_without_vendor",
    "date_order",
    "dependency_cycle",
    "duplicate_id",
    "duplicate_invoice",
    "expense_outside_project",
    "filled_but_open",
    "hired_without_person",
    "id_case_clash",
    "interviewer_not_staff",
    "line_overspent",
    "milestone_late",
    "objective_without_project",
    "offer_before_shortlist",
    "outside_project_dates",
    "over_allocated",
    "problem_overdue",
    "problem_without_owner",
    "project_without_objective",
    "refund_exceeds_original",
    "refund_without_original",
    "report_period_mismatch",
    "resolution_missing",
    "task_before_dependency",
    "too_many_hires",
    "transfer_overdraws",
    "unbudgeted_line",
    "unknown_category",
    "unknown_reference",
)

MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__name__}.{name}") for name in NAMES)
