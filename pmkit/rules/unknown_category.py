"""Budget categories must be ones the program declares."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.expense_facts import files_where
from pmkit.domain.index import Index, Record
from pmkit.rules.util import suggest
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "unknown-category", Severity.ERROR, "reference",
    "A budget category is used that `program.yaml` `categories` does not "
    "list (by default labor, contractors, hardware, software, cloud, training, "
    "travel, other): in a project's `budget`, a transfer's `from`/`to`, an "
    "expense or a contract. Money on an unknown category escapes the "
    "category rollups and the budget lines it should be checked against. "
    "Correct the spelling (the hint suggests the closest category) or add "
    "the category to `categories` in program.yaml.",
)


def check(ix: Index) -> Iterator[Finding]:
    if ix.program is None and ix.known.get("program"):
        return  # program.yaml broke its schema: its categories are unknown
    known = set(ix.categories)
    listing = ", ".join(ix.categories)

    def report(record: Record, path: tuple[str | int, ...], value: str, what: str, on: str = "value") -> Finding:
        hint = suggest(value, known) or f"use one of {listing}, or add `{value}` to `categories` in program.yaml"
        return record.finding(CODE, f"{what} uses budget category `{value}`, which program.yaml `categories` does not list",
                              hint, at=path, on=on)

    for pid in sorted(ix.projects):
        record = ix.projects[pid]
        budget = record.data.get("budget")
        if isinstance(budget, dict):
            for category in budget:
                if category not in known:
                    yield report(record, ("budget", category), category, f"project `{pid}` budget line", on="key")
    for vid in sorted(ix.vendors):
        record = ix.vendors[vid]
        for i, contract in enumerate(record.data.get("contracts", [])):
            category = contract.get("category")
            if category is not None and category not in known:
                yield report(record, ("contracts", i, "category"), category, f"contract `{contract['id']}`")
    for record in ix.transfers:
        for end in ("from", "to"):
            category = record.data[end]["category"]
            if category not in known:
                yield report(record, (end, "category"), category, f"transfer `{record.id}` `{end}`")
    strays = {category for facts in ix.expense_facts() for category in facts.categories} - known
    if not strays:
        return  # the usual case, without a look at each of 500,000 expenses
    for record in ix.expenses_in(files_where(ix, lambda facts: not strays.isdisjoint(facts.categories))):
        category = record.data["category"]
        if category in strays:
            yield report(record, ("category",), category, f"expense `{record.id}`")
