"""The pipeline's model adds its expenses up as of the status date instead of
keeping 500,000 ``Expense`` objects; the figures must not change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pmkit.domain import model as domain
from pmkit.rollup import as_json, compute
from pmkit.engine.validate import validate_directory

from .builders import D, expense, program

EXAMPLE = Path(__file__).resolve().parents[2] / "program"


@pytest.mark.parametrize("day", ["2026-03-31", "2026-10-31", "2027-06-30"])
def test_the_rollup_from_added_up_expenses_is_the_rollup_from_every_expense(day):
    as_of = dt.date.fromisoformat(day)
    index = validate_directory(EXAMPLE, as_of).index
    assert index is not None
    whole, summed = domain.build(index), domain.build(index, spent_as_of=as_of)
    assert whole.expenses and not summed.expenses and summed.spending is not None
    assert as_json(compute(summed, as_of)) == as_json(compute(whole, as_of))


def test_expenses_are_added_up_by_line_contract_vendor_and_month_up_to_the_date():
    model = domain.Model(program(), expenses=[
        expense("a", "2026-01-31", "100.10", vendor="v", contract="c"),
        expense("b", "2026-02-01", "-20.05", vendor="v", contract="c", refund_of="a"),
        expense("c", "2026-02-15", "7", category="cloud"),
        expense("d", "2026-03-01", "1000"),  # after the date: not counted
    ])
    spent = model.spent(D("2026-02-28"))
    assert spent.lines == {("p", "labor"): Decimal("80.05"), ("p", "cloud"): Decimal(7)}
    assert spent.contracts == {"c": Decimal("80.05")} and spent.vendors == {"v": Decimal("80.05")}
    assert spent.months == {(2026, 1): Decimal("100.10"), (2026, 2): Decimal("-13.05")}


def test_a_model_added_up_as_of_one_date_refuses_another():
    model = domain.Model(program(), spending=domain.Spending(D("2026-10-31")))
    assert model.spent(D("2026-10-31")) is model.spending
    with pytest.raises(ValueError, match="as of 2026-10-31, not 2026-11-30"):
        model.spent(D("2026-11-30"))
