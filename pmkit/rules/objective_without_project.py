"""Every program objective is served by at least one live project."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "objective-without-project", Severity.WARNING, "business",
    "A program objective in program.yaml is not listed under `objectives` by "
    "any project that is not cancelled. Nothing in the plan is working "
    "towards it, so it will not be met, or the link is just missing. List "
    "the objective in the projects that serve it, start a project for it, or "
    "remove it from the program if it was dropped.",
    configurable=True,
)


def _served(ix: Index) -> set[str] | None:
    """Objective ids named by non-cancelled projects; None when unknowable."""
    served: set[str] = set()
    seen: set[str] = set()
    for doc in ix.documents_of("project"):
        if doc.id is None or not isinstance(doc.data, dict):
            continue
        seen.add(doc.id)
        # read every parsed project, even one that failed its schema, so that
        # one broken file does not make its objectives look unserved
        if doc.data.get("status") == "cancelled":
            continue
        objectives = doc.data.get("objectives")
        if isinstance(objectives, list):
            served.update(o for o in objectives if isinstance(o, str))
    if ix.known.get("project", set()) - seen:
        return None  # a project file did not even parse: cannot tell what it serves
    return served


def check(ix: Index) -> Iterator[Finding]:
    if ix.program is None:
        return
    served = _served(ix)
    if served is None:
        return
    for i, objective in enumerate(ix.program.data.get("objectives") or []):
        oid = objective.get("id")
        if oid in served:
            continue
        yield ix.program.finding(
            CODE, f"objective `{oid}` ({objective.get('title', oid)}) is served by no active project",
            f"add `{oid}` to the `objectives` of the projects that serve it, or remove the objective",
            at=("objectives", i, "id"),
        )
