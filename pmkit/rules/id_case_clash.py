"""No two record files whose ids differ only in case."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.kinds import KINDS, file_id

CODE = Code(
    "id-case-clash", Severity.ERROR, "reference",
    "Two record files of one kind have names that differ only in upper/lower "
    "case, such as `projects/ERP.yaml` and `projects/erp.yaml`. On Windows "
    "and macOS only one of them can exist, so a colleague's checkout silently "
    "loses one, and a reference to `erp` cannot tell which is meant. Ids are "
    "lower-case: merge the two records, or rename one to a different id.",
)


def check(ix: Index) -> Iterator[Finding]:
    for kind in KINDS:
        if not kind.id_from_file:
            continue
        # files that did not parse still exist on disk
        found = {doc.path for doc in ix.documents_of(kind.name)} | {f"{kind.folder}/{i}.yaml" for i in ix.known[kind.name]}
        groups: dict[str, list[str]] = {}
        for path in found:
            groups.setdefault(file_id(path).casefold(), []).append(path)
        for key in sorted(groups):
            # the file with a proper lower-case name is kept; the others are reported
            group = sorted(groups[key], key=lambda p: (file_id(p) != key, p))
            for path in group[1:]:
                yield Finding(
                    path, 1, 1, CODE.id,
                    f"`{path}` and `{group[0]}` name the same {kind.name} id except for case",
                    CODE.severity,
                    f"ids are lower-case: merge it into `{group[0]}` or rename it to another id",
                )
