"""Every csv pmkit writes keeps a text cell that a spreadsheet would run as a formula as text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from pmkit.app.render import Column, Table, Value, as_csv


def test_text_that_starts_a_formula_gets_an_apostrophe_and_numbers_do_not() -> None:
    table = Table("t", [Column("name", "Name"), Column("gap", "Gap", "money"), Column("tags", "Tags", "list"),
                        Column("value", "Value", "value")],
                  [["=1+1", Decimal("-5.00"), ["@x", "y"], Value("money", Decimal("-1.50"))],
                   ["+cmd", Decimal("3"), [], Value("text", "-2")],
                   ["\tx", None, ["a"], Value("count", -3)],
                   ["plain - text", Decimal("0"), ["b"], Value("text", "ok")]])
    rows = list(csv.reader(io.StringIO(as_csv(table))))[1:]
    assert rows == [["'=1+1", "-5.00", "'@x;y", "-1.50"],
                    ["'+cmd", "3", "", "'-2"],
                    ["'\tx", "", "a", "-3"],
                    ["plain - text", "0", "b", "ok"]]
