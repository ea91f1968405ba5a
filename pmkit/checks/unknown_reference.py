"""Every id that names another record must exist."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.checks.index import Index
from pmkit.checks.util import Pattern, field_name, suggest, walk
from pmkit.codes import Code
from pmkit.findings import Finding, Severity

CODE = Code(
    "unknown-reference", Severity.ERROR, "reference",
    "A field names a record that does not exist: an owner, lead, assignee, "
    "team, vendor, project, rule, objective, contract, interviewer or task "
    "dependency (`t1` in the same project or `other-project/t1`). The hint "
    "suggests the closest existing id; otherwise create the record or fix "
    "the id.",
)

# kind -> [(field pattern, kinds the id may name)]
REFERENCES: dict[str, list[tuple[Pattern, tuple[str, ...]]]] = {
    "program": [(("manager",), ("staff",))],
    "project": [
        (("owner",), ("staff",)),
        (("team",), ("team",)),
        (("depends_on", "*"), ("project",)),
        (("objectives", "*"), ("objective",)),
        (("tasks", "*", "assignee"), ("staff", "team", "vendor")),
    ],
    "team": [(("lead",), ("staff",))],
    "staff": [
        (("team",), ("team",)),
        (("vendor",), ("vendor",)),
        (("allocations", "*", "project"), ("project",)),
        (("acknowledgements", "*", "rule"), ("rule",)),
    ],
    "vendor": [(("contracts", "*", "project"), ("project",))],
    "position": [
        (("team",), ("team",)),
        (("project",), ("project",)),
        (("candidates", "*", "interviews", "*", "interviewer"), ("staff",)),
        (("candidates", "*", "hired_as"), ("staff",)),
    ],
    "rule": [(("applies_to", "teams", "*"), ("team",))],
    "risk": [(("project",), ("project",)), (("owner",), ("staff",))],
    "report": [(("author",), ("staff",)), (("entries", "*", "team"), ("team",))],
    "transfers": [
        (("from", "project"), ("project",)),
        (("to", "project"), ("project",)),
        (("approved_by",), ("staff",)),
    ],
    "expenses": [
        (("project",), ("project",)),
        (("vendor",), ("vendor",)),
        (("contract",), ("contract",)),
        (("refund_of",), ("expenses",)),
    ],
}

_WORDS = {"staff": "person (staff/)", "team": "team (teams/)", "vendor": "vendor (vendors/)",
          "project": "project (projects/)", "rule": "rule (rules/)", "objective": "objective (program.yaml)",
          "contract": "vendor contract", "expenses": "expense"}


def known_ids(ix: Index) -> dict[str, set[str] | None]:
    """Existing ids per kind; None where a broken file hides some of them.

    Objectives live in program.yaml and contracts inside vendor files: if
    such a file failed its schema, its ids are unknown, and reporting every
    reference to them would bury the one real finding under a cascade.
    """
    ids: dict[str, set[str] | None] = {kind: set(values) for kind, values in ix.known.items()}
    ids["objective"] = set(ix.objectives) if ix.program is not None or not ix.known.get("program") else None
    vendors_complete = len(ix.vendors) == len(ix.known.get("vendor", ()))
    ids["contract"] = {c["id"] for v in ix.vendors.values() for c in v.data.get("contracts", [])} \
        if vendors_complete else None
    return ids


def check(ix: Index) -> Iterator[Finding]:
    ids = known_ids(ix)
    for record in ix.all_records():
        kind = record.doc.kind.name
        for pattern, targets in REFERENCES.get(kind, ()):
            for path, value in walk(record.data, pattern):
                known = [ids.get(t) for t in targets]
                if not isinstance(value, str) or any(k is None or value in k for k in known):
                    continue
                pool = [i for k in known if k for i in k]
                what = " or ".join(_WORDS[t] for t in targets)
                yield record.finding(
                    CODE, f"`{field_name(path)}` names `{value}`, but there is no such {what}",
                    suggest(value, pool) or "create the record or correct the id", at=path,
                )
        if kind == "project":
            yield from _task_dependencies(ix, record)


def _task_dependencies(ix: Index, project) -> Iterator[Finding]:
    own = {t["id"] for t in project.data.get("tasks", [])}
    for path, value in walk(project.data, ("tasks", "*", "depends_on", "*")):
        other, _, task = value.rpartition("/")
        if not other:
            if value in own:
                continue
            hint = suggest(value, own) or "name a task of this project, or `other-project/task-id`"
            yield project.finding(CODE, f"`{field_name(path)}` names task `{value}`, but this project has no such task", hint, at=path)
            continue
        target = ix.projects.get(other)
        if target is None:
            if other in ix.known["project"]:
                continue  # that project failed its schema; reported there
            hint = suggest(other, ix.known["project"]) or "name an existing project"
            yield project.finding(CODE, f"`{field_name(path)}` names project `{other}`, which does not exist", hint, at=path)
            continue
        tasks = {t["id"] for t in target.data.get("tasks", [])}
        if task not in tasks:
            hint = suggest(task, tasks)
            yield project.finding(CODE, f"`{field_name(path)}` names task `{task}` of project `{other}`, which has no such task",
                                  hint and hint.replace("`", f"`{other}/", 1) or "check the task id", at=path)
