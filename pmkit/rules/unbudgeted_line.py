"""Spending and transfers must land on a budget line the project has."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.ledger import Line, ledger, line_name, transfer_line
from pmkit.domain.expense_facts import files_where, spent
from pmkit.domain.index import Index, Record
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "unbudgeted-line", Severity.ERROR, "business", configurable=True, doc=(
        "An expense, or a transfer's `from`, names a budget line (a project × "
        "category) the project does not have: the project's `budget` has no "
        "entry for that category and no transfer moves money into it. Such "
        "spending has no budget to be checked against, and a transfer out of "
        "it takes money that was never there. Charge an existing line, add "
        "the category to the project's `budget`, or first transfer money into "
        "the line (a transfer into a new line creates it, so expenses on a "
        "line that exists only through transfers are fine)."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    books = ledger(ix)
    known = set(ix.categories)

    def missing(line: tuple[str, str]) -> bool:
        project, category = line
        return project in ix.projects and category in known and not books.exists(line)

    def hint(line: Line) -> str:
        project = ix.projects[line[0]]
        budget = project.data.get("budget") or {}
        have = ", ".join(budget) or "none"
        return (f"charge a line project `{line[0]}` has ({have}), add `{line[1]}:` under `budget:` "
                f"in {project.file}, or transfer money into the line first")

    for record in ix.transfers:
        line = transfer_line(record, "from")
        if missing(line):
            yield record.finding(
                CODE, f"transfer `{record.id}` moves money out of budget line {line_name(line)}, "
                f"but project `{line[0]}` has no `{line[1]}` budget line", hint(line), at=("from", "category"))
    # 500,000 expenses on a few thousand lines: test each line once.
    unbudgeted = {line for line in spent(ix) if missing(line)}
    if not unbudgeted:
        return
    for record in ix.expenses_in(files_where(ix, lambda facts: not unbudgeted.isdisjoint(facts.lines))):
        line = Line(record.data["project"], record.data["category"])
        if line in unbudgeted:
            yield _expense(record, line, hint(line))


def _expense(record: Record, line: Line, hint: str) -> Finding:
    return record.finding(
        CODE, f"expense `{record.id}` is charged to budget line {line_name(line)}, "
        f"but project `{line[0]}` has no `{line[1]}` budget line", hint, at=("category",))
