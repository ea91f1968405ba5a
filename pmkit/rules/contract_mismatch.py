"""An expense against a contract matches that contract's vendor, project and category."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pmkit.domain.ledger import contracts
from pmkit.domain.expense_facts import files_where
from pmkit.domain.index import Index, Record
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

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


def _expected(contract: tuple[str, Record, int, dict[str, Any]]) -> tuple[tuple[str, str, str], ...]:
    """(field, the contract's value, verb) for each field an expense must share with its contract."""
    vid, _, _, terms = contract
    return (("vendor", vid, "is with"), ("project", terms["project"], "is for"),
            ("category", terms.get("category", "contractors"), "is charged to"))


def check(ix: Index) -> Iterator[Finding]:
    known = contracts(ix)

    def mismatched(use: tuple[str, str | None, str, str]) -> bool:
        cid, *ours = use
        return cid in known and any(mine is not None and mine != theirs
                                    for mine, (_, theirs, _) in zip(ours, _expected(known[cid])))

    suspects = files_where(ix, lambda facts: any(map(mismatched, facts.contract_uses)))
    for record in ix.expenses_in(suspects):
        cid = record.data.get("contract")
        if cid not in known:
            continue  # no contract, or an unknown one (unknown-reference)
        vendor = known[cid][1]
        for key, theirs, verb in _expected(known[cid]):
            ours = record.data.get(key)
            if ours is None or ours == theirs:
                continue
            yield record.finding(
                CODE, f"expense `{record.id}` names {key} `{ours}`, but its contract `{cid}` "
                f"{verb} {key} `{theirs}` ({vendor.file})",
                f"set `{key}: {theirs}`, or name a contract of {key} `{ours}`", at=(key,))
