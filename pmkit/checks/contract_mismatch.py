"""An expense against a contract matches that contract's vendor, project and category."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.checks.budget_lines import contracts
from pmkit.checks.index import Index
from pmkit.codes import Code
from pmkit.findings import Finding, Severity

CODE = Code(
    "contract-mismatch", Severity.ERROR, "business", configurable=True, doc=(
        "An expense names a contract in `contract`, but its `vendor`, "
        "`project` or `category` differs from that contract's vendor (the "
        "vendor file that holds it), project or category (default "
        "`contractors`). Either the wrong contract is named or the expense is "
        "charged to the wrong place, so the contract's remaining commitment "
        "and the budget line's spend no longer agree. Correct the field the "
        "finding points at, or name the right contract."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    known = contracts(ix)
    for i, cid in enumerate(ix.column("expenses", "contract")):
        if cid not in known:
            continue  # no contract, or an unknown one (unknown-reference)
        record = ix.expenses[i]
        data = record.data
        vid, vendor, _, contract = known[cid]
        expected = (("vendor", vid, "vendor", "is with"), ("project", contract["project"], "project", "is for"),
                    ("category", contract.get("category", "contractors"), "category", "is charged to"))
        for key, theirs, word, verb in expected:
            ours = data.get(key)
            if ours is None or ours == theirs:
                continue
            yield record.finding(
                CODE, f"expense `{record.id}` names {word} `{ours}`, but its contract `{cid}` "
                f"{verb} {word} `{theirs}` ({vendor.file})",
                f"set `{key}: {theirs}`, or name a contract of {word} `{ours}`", at=(key,))
