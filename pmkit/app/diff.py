"""``pmkit diff BASE [HEAD]``: what a change does to a program.

Three parts, each from both sides' files (git objects for a revision, the
disk for the working tree):

- records added, removed, renamed (same content under a new id, or the same
  id in another file) and changed field by field, identified by kind and id
  (a list entry of expenses, transfers or funding by its ``id``);
- findings introduced and fixed (compared by file, code and message, so an
  edit that only moves a finding's line does not list it);
- the deltas of the program's and each project's figures that moved, from the
  ``pmkit rollup`` document of each side as of the same date (money exact).

Private fields (``x-pmkit-private`` in the schemas) never appear: a changed
private field shows as "changed" with no values, an added record shows only
its public fields, and finding messages are redacted as on the site.

The result is ``Diff``; ``as_json`` is the JSON contract (schemas/diff.schema.json).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from pmkit.app.pipeline import Figures
from pmkit.core.findings import Finding
from pmkit.core.kinds import Kind, file_id, kind_of
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.schema import private_paths

#: The figures a diff compares, as paths into a rollup section (program or project).
COMMON = ("progress", "planned", "budget.baseline", "budget.current", "budget.actual", "budget.committed",
          "budget.available", "evm.eac", "evm.vac", "evm.cpi", "evm.spi", "open_problems", "milestones_late")
PROGRAM_FIGURES = (*COMMON, "funding_gap", "staffing.fte")
PROJECT_FIGURES = (*COMMON, "fte")
LINE_FIGURES = ("baseline", "current", "actual", "committed", "available")


@dataclass
class Side:
    """One side of a diff: its files (program-relative paths) and figures."""

    label: str  # "HEAD~1", "working tree"
    commit: str | None  # None: the working tree
    files: dict[str, bytes]
    figures: Figures
    #: the revision has no program folder (the change adds or removes the whole program)
    absent: bool = False

    @property
    def findings(self) -> list[Finding]:
        return self.figures.result.findings

    def parsed(self, path: str) -> Any:
        """A file's data as validation loaded it, or ``UNLOADED`` (then ``_records`` parses it)."""
        index = self.figures.result.index
        kind = kind_of(path)
        if index is None or kind is None:
            return UNLOADED
        try:
            documents = index.documents_of(kind.name)
        except KeyError:
            return UNLOADED
        return next((d.data for d in documents if d.path == path), UNLOADED)


#: ``Side.parsed`` of a file validation did not load.
UNLOADED = object()


@dataclass
class FieldChange:
    path: str  # "tasks[build].progress"
    old: Any = None
    new: Any = None
    private: bool = False  # then old and new are None: the values are never shown

    def as_json(self) -> dict[str, Any]:
        if self.private:
            return {"path": self.path, "private": True}
        return {"path": self.path, "old": _plain(self.old), "new": _plain(self.new)}


@dataclass
class RecordChange:
    action: str  # added, removed, renamed, changed
    kind: str
    id: str
    file: str  # program-relative, on the head side (the base side when removed)
    old_id: str | None = None
    old_file: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)  # public fields of an added or removed record
    changes: list[FieldChange] = field(default_factory=list)

    def as_json(self, folder: str) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "kind": self.kind, "id": self.id,
                               "file": _rooted(folder, self.file)}
        if self.action == "renamed":
            out["old_id"] = self.old_id
            out["old_file"] = _rooted(folder, self.old_file or "")
        if self.summary:
            out["summary"] = {k: _plain(v) for k, v in self.summary.items()}
        if self.changes:
            out["changes"] = [c.as_json() for c in self.changes]
        return out


@dataclass
class FigureDelta:
    scope: str  # program, project
    id: str | None  # the project's id
    figure: str  # "budget.actual", "lines.labor.current"
    old: Any
    new: Any
    delta: Any
    money: bool

    def as_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "id": self.id, "figure": self.figure, "old": self.old, "new": self.new,
                "delta": self.delta, "money": self.money}


@dataclass
class Diff:
    base: Side
    head: Side
    folder: str  # the program folder, relative to the repository root
    as_of: dt.date
    currency: str | None
    records: list[RecordChange]
    introduced: list[Finding]
    fixed: list[Finding]
    figures: list[FigureDelta]
    figures_note: str | None  # why some or all figures are missing

    def counts(self) -> dict[str, int]:
        actions = Counter(r.action for r in self.records)
        return {"added": actions["added"], "removed": actions["removed"], "renamed": actions["renamed"],
                "changed": actions["changed"], "findings_introduced": len(self.introduced),
                "findings_fixed": len(self.fixed), "figures_moved": len(self.figures)}

    def projects_moved(self) -> list[str]:
        return sorted({d.id for d in self.figures if d.scope == "project" and d.id is not None})

    def as_json(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {"label": s.label, "commit": s.commit, "valid": s.figures.ok,
                    "errors": s.figures.result.errors, "warnings": s.figures.result.warnings}

        return {
            "base": side(self.base),
            "head": side(self.head),
            "program": self.folder or ".",
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "summary": self.counts(),
            "records": [r.as_json(self.folder) for r in self.records],
            "findings": {"introduced": [self._finding(f) for f in self.introduced],
                         "fixed": [self._finding(f) for f in self.fixed]},
            "figures": {"compared": self.figures_note is None, "note": self.figures_note,
                        "deltas": [d.as_json() for d in self.figures]},
        }

    def _finding(self, finding: Finding) -> dict[str, Any]:
        out = finding.to_dict()
        out["file"] = _rooted(self.folder, finding.file)
        return out


def _rooted(folder: str, path: str) -> str:
    return f"{folder}/{path}" if folder else path


# --- records -----------------------------------------------------------------------


@cache
def _private(kind: Kind) -> frozenset[tuple[str, ...]]:
    return frozenset(private_paths(kind))


def _is_private(kind: Kind, path: tuple[str, ...]) -> bool:
    """Whether a schema path (``*`` for list items) is, or lies inside, a private field."""
    marked = _private(kind)
    return any(path[:n] in marked for n in range(1, len(path) + 1))


def _public(kind: Kind, value: Any, path: tuple[str, ...]) -> Any:
    """``value`` without any private field inside it."""
    if isinstance(value, dict):
        return {k: _public(kind, v, (*path, str(k))) for k, v in value.items() if not _is_private(kind, (*path, str(k)))}
    if isinstance(value, list):
        return [_public(kind, v, (*path, "*")) for v in value]
    return value


@dataclass
class Record:
    kind: Kind
    id: str
    file: str
    data: Any
    base_path: tuple[str, ...]  # the schema path of the record inside its file: () or (list_key, "*")


def _records(path: str, data: bytes, loaded: Any = UNLOADED) -> list[Record] | None:
    """The records a file holds; None if it does not parse (its findings say why).
    ``loaded``: the file's data as validation loaded it, when it did."""
    kind = kind_of(path)
    if kind is None:
        return []
    if loaded is not UNLOADED:
        value = loaded
    else:
        try:
            value = parse(path, data).value
        except Exception:  # noqa: BLE001  (a broken file: its findings tell; no records to compare)
            return None
    if kind.list_key is None:
        ident = "program" if kind.fixed is not None else file_id(path)
        return [Record(kind, ident, path, value, ())]
    entries = value.get(kind.list_key) if isinstance(value, dict) else None
    if not isinstance(entries, list):
        return [] if value is not None else None
    out = []
    for index, entry in enumerate(entries):
        given = entry.get("id") if isinstance(entry, dict) else None
        out.append(Record(kind, str(given) if given is not None else f"{path}#{index + 1}", path, entry,
                          (kind.list_key, "*")))
    return out


def _changed_files(base: dict[str, bytes], head: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """(base files, head files) that differ: only their records can have changed."""
    old = sorted(p for p in base if head.get(p) != base[p])
    new = sorted(p for p in head if base.get(p) != head[p])
    return old, new


def compare_records(base: dict[str, bytes], head: dict[str, bytes],
                    loaded: tuple[Callable[[str], Any], Callable[[str], Any]] | None = None) -> list[RecordChange]:
    """``loaded``: each side's ``Side.parsed`` (a changed file is then not parsed again)."""
    old_files, new_files = _changed_files(base, head)
    old: dict[tuple[str, str], Record] = {}
    new: dict[tuple[str, str], Record] = {}
    none = (lambda _: UNLOADED, lambda _: UNLOADED)
    for files, into, side, known in ((old_files, old, base, (loaded or none)[0]),
                                     (new_files, new, head, (loaded or none)[1])):
        for path in files:
            for record in _records(path, side[path], known(path)) or []:
                into.setdefault((record.kind.name, record.id), record)
    out: list[RecordChange] = []
    gone = {key: rec for key, rec in old.items() if key not in new}
    came = {key: rec for key, rec in new.items() if key not in old}
    for key in sorted(set(old) & set(new)):
        a, b = old[key], new[key]
        changes = _field_changes(a.kind, a.data, b.data, a.base_path, ())
        if a.file != b.file:
            out.append(RecordChange("renamed", b.kind.name, b.id, b.file, a.id, a.file, changes=changes))
        elif changes:
            out.append(RecordChange("changed", b.kind.name, b.id, b.file, changes=changes))
    # A whole-file record under a new name with the same content: renamed, not removed and added.
    for key, b in sorted(came.items()):
        twin = next((k for k, a in sorted(gone.items()) if a.kind is b.kind and a.kind.id_from_file
                     and base.get(a.file) == head.get(b.file)), None)
        if twin is not None:
            a = gone.pop(twin)
            out.append(RecordChange("renamed", b.kind.name, b.id, b.file, a.id, a.file))
        else:
            out.append(RecordChange("added", b.kind.name, b.id, b.file, summary=_summary(b)))
    for key, a in sorted(gone.items()):
        out.append(RecordChange("removed", a.kind.name, a.id, a.file, summary=_summary(a)))
    order = {"added": 0, "removed": 1, "renamed": 2, "changed": 3}
    return sorted(out, key=lambda r: (order[r.action], r.kind, r.id))


def _summary(record: Record) -> dict[str, Any]:
    """The public scalar fields of a record (flattening one level: ``from.project``)."""
    if not isinstance(record.data, dict):
        return {}
    public = _public(record.kind, record.data, record.base_path)
    out: dict[str, Any] = {}
    for key, value in public.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                if _scalar(inner):
                    out[f"{key}.{sub}"] = inner
        elif _scalar(value):
            out[str(key)] = value
    return out


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, Decimal, bool))


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list of mappings with distinct ``id`` values, keyed by id; else None."""
    if not all(isinstance(i, dict) and isinstance(i.get("id"), (str, int)) for i in items):
        return None
    keyed = {str(i["id"]): i for i in items}
    return keyed if len(keyed) == len(items) else None


def _field_changes(kind: Kind, old: Any, new: Any, schema_path: tuple[str, ...],
                   shown: tuple[str, ...]) -> list[FieldChange]:
    if _same(old, new):
        return []
    where = _show_path(shown)
    if _is_private(kind, schema_path):
        return [FieldChange(where, private=True)]
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[FieldChange] = []
        for key in sorted(set(old) | set(new), key=str):
            out.extend(_field_changes(kind, old.get(key), new.get(key), (*schema_path, str(key)), (*shown, str(key))))
        return out
    if isinstance(old, list) and isinstance(new, list):
        a, b = _keyed(old), _keyed(new)
        if a is not None and b is not None and (a or b):
            out = []
            for ident in [*a, *(i for i in b if i not in a)]:
                out.extend(_field_changes(kind, a.get(ident), b.get(ident), (*schema_path, "*"),
                                          (*shown, f"[{ident}]")))
            return out
    return [FieldChange(where, _public(kind, old, schema_path), _public(kind, new, schema_path))]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (isinstance(a, Decimal) and isinstance(b, (Decimal, int))
                                             and not isinstance(b, bool) and a == b)


def _show_path(parts: tuple[str, ...]) -> str:
    out = ""
    for part in parts:
        out += part if part.startswith("[") else (f".{part}" if out else part)
    return out or "(whole record)"


def _plain(value: Any) -> Any:
    """A YAML value as JSON: exact decimals as strings."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# --- findings ----------------------------------------------------------------------


def compare_findings(base: list[Finding], head: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(introduced, fixed): compared by file, code and message, as many times as each occurs."""
    def key(f: Finding) -> tuple[str, str, str]:
        return f.file, f.code, f.message

    before, after = Counter(map(key, base)), Counter(map(key, head))
    introduced, fixed = [], []
    for finding in head:
        if before[key(finding)] > 0:
            before[key(finding)] -= 1
        else:
            introduced.append(finding)
    for finding in base:
        if after[key(finding)] > 0:
            after[key(finding)] -= 1
        else:
            fixed.append(finding)
    return introduced, fixed


# --- figures -----------------------------------------------------------------------


def _get(section: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(section, dict) or part not in section:
            return None
        section = section[part]
    return section


def _delta(old: Any, new: Any) -> tuple[Any, bool] | None:
    """(new - old, money?) or None when they are equal. Money is a decimal string."""
    if old == new:
        return None
    if isinstance(old, str) and isinstance(new, str):
        try:
            a, b = Decimal(old), Decimal(new)
        except InvalidOperation:
            return None, False
        places = max(-a.as_tuple().exponent, -b.as_tuple().exponent, 0)  # type: ignore[operator]
        return f"{(b - a).quantize(Decimal(1).scaleb(-places)):f}", True
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool):
        return round(new - old, 4), False
    return None, False


def compare_figures(base: dict[str, Any], head: dict[str, Any]) -> list[FigureDelta]:
    out: list[FigureDelta] = []
    out.extend(_section_deltas("program", None, base.get("program"), head.get("program"), PROGRAM_FIGURES))
    old_projects, new_projects = base.get("projects") or {}, head.get("projects") or {}
    for ident in sorted(set(old_projects) | set(new_projects)):
        a, b = old_projects.get(ident), new_projects.get(ident)
        out.extend(_section_deltas("project", ident, a, b, PROJECT_FIGURES))
        lines = sorted(set(_get(a, "lines") or {}) | set(_get(b, "lines") or {}))
        for line in lines:
            out.extend(_section_deltas("project", ident, _get(a, f"lines.{line}"), _get(b, f"lines.{line}"),
                                       LINE_FIGURES, prefix=f"lines.{line}."))
    return out


def _section_deltas(scope: str, ident: str | None, old: Any, new: Any, figures: Iterable[str],
                    prefix: str = "") -> list[FigureDelta]:
    out = []
    for name in figures:
        a, b = _get(old, name), _get(new, name)
        moved = _delta(a, b)
        if moved is None:
            continue
        delta, money = moved
        out.append(FigureDelta(scope, ident, prefix + name, a, b, delta,
                               money or isinstance(a, str) or isinstance(b, str)))
    return out


# --- the whole -----------------------------------------------------------------------


Redact = Callable[[list[Finding]], list[Finding]]


def _start(document: dict[str, Any] | None) -> dt.date | None:
    """The program's start in a side's rollup document (None without one)."""
    start = _get(document, "program.start") if document is not None else None
    return dt.date.fromisoformat(start) if isinstance(start, str) else None


def compare(base: Side, head: Side, folder: str, as_of: dt.date,
            redact: tuple[Redact, Redact] | None = None, reuse: bool = True) -> Diff:
    """The diff of two sides; ``redact`` (base's, head's) scrubs private values from findings.
    ``reuse``: take a changed file's records from what validation loaded (else parse it again)."""
    records = compare_records(base.files, head.files, (base.parsed, head.parsed) if reuse else None)
    introduced, fixed = compare_findings(base.findings, head.findings)
    if redact is not None:
        fixed, introduced = redact[0](fixed), redact[1](introduced)
    note = None
    deltas: list[FigureDelta] = []
    start = _start(head.figures.document) or _start(base.figures.document)
    if start is not None and as_of < start:
        # as `pmkit rollup --as-of` refuses such a day: no figure can move on it
        note = f"{as_of} is before the program starts ({start}): there are no figures for it"
    elif base.figures.document is not None and head.figures.document is not None:
        deltas = compare_figures(base.figures.document, head.figures.document)
    elif base.absent or head.absent:
        gone = next(s for s in (base, head) if s.absent)
        note = (f"{gone.label} has no program folder {folder or '.'}/: the change "
                f"{'adds' if gone is base else 'removes'} the whole program, so there are no figures to compare "
                f"(every record and finding is {'new' if gone is base else 'gone'})")
    else:
        broken = [s.label for s in (base, head) if s.figures.document is None]
        note = (f"no figures for {' and '.join(broken)}: it has validation errors, so figure changes "
                "are not shown (records and findings are)")
    currency = (head.figures.document or base.figures.document or {}).get("currency")
    return Diff(base, head, folder, as_of, currency, records, introduced, fixed, deltas, note)

