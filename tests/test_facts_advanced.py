"""An expense file's facts carried to a later day (``expense_facts.advanced``: the
next commit of ``pmkit history``) against the facts worked out afresh on that day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from pmkit.domain.expense_facts import FileFacts, advanced, file_facts

START = dt.date(2026, 3, 1)


def _records(rnd: random.Random, refunds: bool) -> list[Any]:
    out = []
    for i in range(rnd.randrange(1, 60)):
        data: dict[str, Any] = {
            "id": f"e{i}", "date": (START + dt.timedelta(days=rnd.randrange(0, 40))).isoformat(),
            "project": f"p{rnd.randrange(4)}", "category": rnd.choice(["labor", "cloud", "travel"]),
            "amount": Decimal(rnd.randrange(0, 10**8)).scaleb(-rnd.choice((0, 1, 2))),
        }
        if rnd.random() < 0.3:
            data["contract"] = f"c{rnd.randrange(3)}"
            data["vendor"] = "acme"
            data["invoice"] = f"INV-{rnd.randrange(30)}"
        if refunds and rnd.random() < 0.1:
            data["amount"] = -data["amount"]
            data["refund_of"] = f"e{rnd.randrange(max(i, 1))}"
        out.append(SimpleNamespace(data=data))
    return out


def _shown(facts: FileFacts) -> dict[str, Any]:
    """Every field, each amount as text (so a different exponent shows)."""
    def text(value: Any) -> Any:
        if isinstance(value, dict):
            return sorted((str(k), text(v)) for k, v in value.items())
        if isinstance(value, (set, frozenset, list, tuple)):
            return sorted(map(str, value))
        return str(value)
    return {f.name: text(getattr(facts, f.name)) for f in dataclasses.fields(facts) if f.name != "_derived"}


@pytest.mark.parametrize("seed", range(60))
def test_facts_carried_day_by_day_equal_facts_worked_out_on_the_day(seed: int) -> None:
    rnd = random.Random(seed)
    records = _records(rnd, refunds=seed % 3 == 0)
    day = START - dt.timedelta(days=2)
    facts = file_facts("budget/expenses/x.yaml", records, ["broken-1"], day)
    carried = 0
    while day < START + dt.timedelta(days=45):
        day += dt.timedelta(days=rnd.choice((1, 1, 1, 3, 9)))
        fresh = file_facts("budget/expenses/x.yaml", records, ["broken-1"], day)
        moved = advanced(facts, records, day)
        if moved is not None:
            assert _shown(moved) == _shown(fresh), day
            assert moved.ids == fresh.ids and moved.as_of == day
            carried += 1
        facts = moved or fresh
    assert advanced(facts, records, day - dt.timedelta(days=1)) is None  # never back in time
    if seed % 3:
        assert carried > 5  # without refunds every later day is carried


def test_a_refund_among_the_days_added_is_worked_out_afresh() -> None:
    records = [SimpleNamespace(data={"id": "a", "date": "2026-03-02", "project": "p", "category": "c",
                                     "amount": Decimal("10.00")}),
               SimpleNamespace(data={"id": "b", "date": "2026-03-05", "project": "p", "category": "c",
                                     "amount": Decimal("-4.00"), "refund_of": "a"})]
    facts = file_facts("x.yaml", records, [], dt.date(2026, 3, 3))
    assert advanced(facts, records, dt.date(2026, 3, 4)) is not None
    assert advanced(facts, records, dt.date(2026, 3, 6)) is None


@pytest.mark.parametrize("seed", range(60))
def test_facts_of_a_version_with_expenses_appended_equal_facts_worked_out_afresh(seed: int) -> None:
    """``appended``: the next version of a file, that version's records with more at the end
    (a team's day of expenses), from the facts of the version before, on the same day."""
    from pmkit.domain.expense_facts import appended

    rnd = random.Random(seed)
    records = _records(rnd, refunds=seed % 3 == 0)
    cut = rnd.randrange(0, len(records))
    day = START + dt.timedelta(days=rnd.randrange(-2, 45))
    before = file_facts("budget/expenses/x.yaml", records[:cut], ["broken-1"], day)
    fresh = file_facts("budget/expenses/x.yaml", records, ["broken-1"], day)
    more = appended(before, records[cut:])
    if before.refunded_lines or fresh.refunded_lines:
        assert more is None  # a refund counted: worked out afresh
        return
    assert more is not None and more is not before
    assert _shown(more) == _shown(fresh)
    assert more.ids == fresh.ids and more.amounts == fresh.amounts
    assert _shown(before) == _shown(file_facts("budget/expenses/x.yaml", records[:cut], ["broken-1"], day))
