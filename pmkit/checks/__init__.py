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
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import ModuleType

from pmkit.codes import Code
from pmkit.findings import Finding, Severity
from pmkit.checks.index import Index

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


def run(index: Index, overrides: dict[str, str] | None = None) -> list[Finding]:
    """Run every rule that is not switched off, with severities overridden."""
    overrides = overrides or {}
    out: list[Finding] = []
    for rule in rules():
        level = overrides.get(rule.code.id) if rule.code.configurable else None
        if level == "off":
            continue
        severity = Severity(level) if level in ("error", "warning") else rule.code.severity
        try:
            found = list(rule.check(index))
        except Exception as exc:  # a bug must not become a traceback in CI
            out.append(_internal(rule, exc))
            continue
        out.extend(f if f.severity is severity else replace(f, severity=severity) for f in found)
    return out


def _internal(rule: Rule, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
    return Finding(
        "program.yaml", 1, 1, INTERNAL.id,
        f"rule `{rule.code.id}` failed: {type(exc).__name__}: {exc} ({where})",
        INTERNAL.severity, "this is a pmkit bug; please report it",
    )


_modules()  # register every rule's code at import
