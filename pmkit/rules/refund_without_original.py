"""A refund is a negative amount with a `refund_of` expense id."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.ledger import money
from pmkit.domain.expense_facts import files_where, refunded
from pmkit.domain.index import Index, Record
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "refund-without-original", Severity.ERROR, "business", configurable=True, doc=(
        "A refund is a negative amount with a `refund_of` naming the expense "
        "it refunds. This expense breaks that pairing: a negative amount "
        "without `refund_of` (money coming back with no trace of what it "
        "refunds), a `refund_of` on an amount that is not negative (the sign "
        "is probably wrong, which counts the refund as spending), or a "
        "`refund_of` naming another refund. Add `refund_of`, fix the sign of "
        "the amount, or name the original expense."
    ),
)


def check(ix: Index) -> Iterator[Finding]:
    targets = {target for facts in ix.expense_facts() for target, _, _ in facts.refunds}
    first = refunded(ix)
    chained = {target for target in targets if target in first and first[target][1] < 0}  # a refund of a refund
    originals = {first[target][0] for target in chained}
    records = ix.expenses_in(files_where(ix, lambda facts: facts.unpaired or facts.path in originals
                                         or any(r[0] in chained for r in facts.refunds)))
    firsts: dict[str, Record] = {}
    for record in records:
        if record.data["id"] in chained:
            firsts.setdefault(record.data["id"], record)
    for record in records:
        amount, target = record.data["amount"], record.data.get("refund_of")
        if target is None:
            if amount < 0:
                yield record.finding(
                    CODE, f"expense `{record.id}` has a negative amount ({money(amount, ix)}) but no `refund_of`",
                    "add `refund_of:` with the id of the expense refunded, or make the amount positive",
                    at=("amount",))
            continue
        if amount >= 0:
            yield record.finding(
                CODE, f"expense `{record.id}` names `refund_of: {target}` but its amount "
                f"{money(amount, ix)} is not negative",
                (f"write the refund as a negative amount (-{money(amount, ix)}), or remove `refund_of`"
                 if amount > 0 else "enter the refunded amount as a negative number, or remove `refund_of`"),
                at=("refund_of",))
            continue
        original = firsts.get(target)
        if original is not None:
            yield record.finding(
                CODE, f"refund `{record.id}` names `refund_of: {target}`, which is itself a refund "
                f"({money(original.data['amount'], ix)})",
                f"name the original expense that `{target}` refunds", at=("refund_of",))
