"""Every id that names another record must exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from pmkit.domain.expense_facts import REFERENCE_FIELDS, files_where, known_expense_ids
from pmkit.domain.index import Index, Record
from pmkit.rules.util import Pattern, suggest
from pmkit.core.findings import path_text
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.kinds import KINDS
from pmkit.ingest.loader.yaml12 import Path

LIST_KINDS = {kind.name for kind in KINDS if kind.list_key is not None}  # their records are ix.entries

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


class KnownIds(dict[str, "set[str] | None"]):
    """Existing ids per kind; None where a broken file hides some of them.

    Objectives live in program.yaml and contracts inside vendor files: if
    such a file failed its schema, its ids are unknown, and reporting every
    reference to them would bury the one real finding under a cascade.
    Each kind is looked up on first use, so a check reads only the kinds it
    names. The sets are the index's own: read them, never change them.
    """

    def __init__(self, ix: Index) -> None:
        super().__init__()
        self.ix = ix

    def __missing__(self, kind: str) -> set[str] | None:
        ix = self.ix
        ids: set[str] | None
        if kind == "expenses":
            ids = known_expense_ids(ix)
        elif kind == "objective":
            ids = set(ix.objectives) if ix.program is not None or not ix.known["program"] else None
        elif kind == "contract":
            complete = len(ix.vendors) == len(ix.known["vendor"])
            ids = {c["id"] for v in ix.vendors.values() for c in v.data.get("contracts", [])} if complete else None
        else:
            ids = ix.known[kind]
        self[kind] = ids
        return ids


# ------------------------------------------------ REFERENCES, compiled
#
# 650,000 records at SPEC §9 scale: walking each pattern with a generic
# recursive generator per record took most of this rule's time. Instead the
# ids a pattern names are first gathered for all records of a kind at once
# (_names); only if some id is unknown, which means findings, does a finder
# compiled from the pattern walk each record to locate them.

Unknown = tuple[Path, str]  # (path of the field, the id it names)
Finder = Callable[[Any, set[str]], list[Unknown]]

_MISSING = object()


def _get(data: Any, keys: Pattern) -> Any:
    """``data[k1][k2]...``, or _MISSING where a step is no dict or lacks the key."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _finder(pattern: Pattern) -> Finder:
    """The unknown ids in the data ``pattern`` matches (in ``walk`` order)."""
    if "*" not in pattern:
        def leaf(data: Any, known: set[str]) -> list[Unknown]:
            value = _get(data, pattern)
            return [(pattern, value)] if isinstance(value, str) and value not in known else []
        return leaf
    star = pattern.index("*")
    head, rest = pattern[:star], pattern[star + 1:]
    inner = _finder(rest)

    def each(data: Any, known: set[str]) -> list[Unknown]:
        items = _get(data, head)
        if not isinstance(items, list):
            return []
        return [((*head, i, *path), value)
                for i, item in enumerate(items) for path, value in inner(item, known)]
    return each


def _names(top: list[Any], pattern: Pattern) -> set[str]:
    """Every id ``pattern`` matches under ``top`` (a field of every record), one level at a time."""
    values = top
    for step in pattern:
        if step == "*":
            values = [item for v in values if isinstance(v, list) for item in v]
        else:
            values = [v.get(step) for v in values if isinstance(v, dict)]
    try:
        distinct = set(values)  # a few thousand ids from 500,000 values: filter those, not these
    except TypeError:  # an unhashable value where an id belongs (schemas keep them out)
        distinct = {v for v in values if isinstance(v, str)}
    return {v for v in distinct if isinstance(v, str)}


def _scan(ix: Index, kind: str, records: list[Record], pattern: Pattern,
          known: set[str]) -> list[tuple[int, Unknown]]:
    """(position in ``records``, unknown id) for every record's unknown ids under ``pattern``."""
    # Patterns start with a key; the expenses' fields are shared columns, used by other rules too.
    key = pattern[0]
    whole = kind in LIST_KINDS and kind != "expenses"  # expenses come a few files at a time
    top = ix.column(kind, key) if whole else [record.data.get(key) for record in records]
    if _names(top, pattern[1:]) <= known:
        return []  # the usual case: no path needs building
    find = _finder(pattern)
    return [(i, unknown) for i, record in enumerate(records) for unknown in find(record.data, known)]


def _pool(ids: KnownIds, targets: tuple[str, ...]) -> set[str] | None:
    """The ids a reference to ``targets`` may name; None when any may be hidden (accept all)."""
    known = [ids[t] for t in targets]
    if any(k is None for k in known):
        return None
    return known[0] if len(known) == 1 else {i for k in known if k is not None for i in k}


# ------------------------------------------------------------- the rule


def check(ix: Index) -> Iterator[Finding]:
    for part in PARTS:
        yield from part(ix)


def _check_kind(kind: str, ix: Index) -> Iterator[Finding]:
    """The references made by the records of one kind."""
    ids = KnownIds(ix)
    records = _records(ix, kind, ids)
    if not records:
        return
    references = REFERENCES.get(kind, [])
    # (record position, pattern position, finding): yielded record by
    # record, each record's fields in REFERENCES order, as walking did.
    found: list[tuple[int, int, Finding]] = []
    for order, (pattern, targets) in enumerate(references):
        known = _pool(ids, targets)
        if known is None:
            continue  # a broken file hides some ids: accept every one
        found.extend((i, order, _unknown(records[i], path, value, targets, ids))
                     for i, (path, value) in _scan(ix, kind, records, pattern, known))
    if kind == "project":
        tasks = _TaskIds(ix)
        found.extend((i, len(references), finding)
                     for i, project in enumerate(records) for finding in _task_dependencies(ix, project, tasks))
    found.sort(key=lambda item: item[:2])  # stable: within a pattern, walk order is kept
    for *_, finding in found:
        yield finding


#: one part per kind of record making references: each is re-checked only
#: when what it reads changed (see ``checks.Rule.parts``)
PARTS = tuple(partial(_check_kind, kind.name) for kind in KINDS)


def _records(ix: Index, kind: str, ids: KnownIds) -> list[Record]:
    """The records of ``kind``; of the expenses, only those in files whose facts name an unknown id."""
    if kind == "expenses":
        pools = {pattern[0]: _pool(ids, targets) for pattern, targets in REFERENCES["expenses"]}
        assert set(pools) == set(REFERENCE_FIELDS), "the expense facts must gather every field named here"
        return ix.expenses_in(files_where(ix, lambda facts: any(
            pool is not None and not facts.named(key) <= pool for key, pool in pools.items())))
    return ix.records_of(kind)


def _unknown(record: Record, path: Path, value: str, targets: tuple[str, ...],
             ids: KnownIds) -> Finding:
    pool = [i for t in targets for i in ids[t] or ()]
    what = " or ".join(_WORDS[t] for t in targets)
    if targets == ("staff",):
        # People's ids are names: `tanya-greer` is not a typo of `ethan-reyes`,
        # so only a near-identical id is suggested.
        hint = suggest(value, pool, cutoff=_PERSON_CUTOFF)
        if hint is None and path[-1] == "hired_as":
            hint = (f"create the new hire's staff record: `pmkit new person {value}` writes "
                    f"staff/{value}.yaml; or correct the id")
        elif hint is None:
            hint = f"create the staff record (`pmkit new person {value}`) or correct the id"
    else:
        hint = suggest(value, pool) or "create the record or correct the id"
    return record.finding(CODE, f"`{path_text(path, record.data)}` names `{value}`, but there is no such {what}", hint, at=path)


#: how alike two people's ids must be for one to be suggested for the other
_PERSON_CUTOFF = 0.8


class _TaskIds(dict[str, set[str]]):
    """project id -> the ids of its tasks, built on first use."""

    def __init__(self, ix: Index) -> None:
        super().__init__()
        self.projects = ix.projects

    def __missing__(self, project_id: str) -> set[str]:
        tasks = self[project_id] = {t["id"] for t in self.projects[project_id].data.get("tasks", [])}
        return tasks


def _dependencies(project: Record) -> Iterator[tuple[Path, str]]:
    """(path, value) of every ``tasks[i].depends_on[j]``, like walk(("tasks", "*", "depends_on", "*"))."""
    tasks = project.data.get("tasks")
    if not isinstance(tasks, list):
        return
    for i, task in enumerate(tasks):
        depends = task.get("depends_on") if isinstance(task, dict) else None
        if isinstance(depends, list):
            for j, value in enumerate(depends):
                yield ("tasks", i, "depends_on", j), value


def _task_dependencies(ix: Index, project: Record, task_ids: _TaskIds) -> Iterator[Finding]:
    own = {t["id"] for t in project.data.get("tasks", [])}
    for path, value in _dependencies(project):
        other, _, task = value.rpartition("/")
        if not other:
            if value in own:
                continue
            hint = suggest(value, own) or "name a task of this project, or `other-project/task-id`"
            yield project.finding(CODE, f"`{path_text(path, project.data)}` names task `{value}`, but this project has no such task", hint, at=path)
            continue
        if other not in ix.projects:
            if other in ix.known["project"]:
                continue  # that project failed its schema; reported there
            hint = suggest(other, ix.known["project"]) or "name an existing project"
            yield project.finding(CODE, f"`{path_text(path, project.data)}` names project `{other}`, which does not exist", hint, at=path)
            continue
        tasks = task_ids[other]
        if task not in tasks:
            close = suggest(task, tasks)
            yield project.finding(CODE, f"`{path_text(path, project.data)}` names task `{task}` of project `{other}`, which has no such task",
                                  close and close.replace("`", f"`{other}/", 1) or "check the task id", at=path)
