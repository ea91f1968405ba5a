"""The vocabulary (pmkit/core/vocabulary.py) agrees with the schemas, and
money rounds one way (half up) wherever it is shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pmkit.app.render import show
from pmkit.app.site import charts, text
from pmkit.core import vocabulary as v
from pmkit.ingest.schema import load_schema
from pmkit.rollup.figures import to_json


def test_statuses_severities_and_stages_are_the_schema_enums() -> None:
    risk = load_schema("risk")["properties"]
    assert set(v.OPEN_STATUSES) | set(v.CLOSED_STATUSES) == set(risk["status"]["enum"])
    assert not set(v.OPEN_STATUSES) & set(v.CLOSED_STATUSES)
    assert list(v.SEVERITIES) == risk["severity"]["enum"]
    candidate = load_schema("position")["properties"]["candidates"]["items"]["properties"]
    assert list(v.STAGES) == candidate["stage"]["enum"]
    assert v.FUNNEL_STAGES[-1] == "hired" and v.IN_PROCESS_STAGES == v.FUNNEL_STAGES[:-1]


def test_projects_in_flight_are_project_statuses() -> None:
    statuses = load_schema("project")["properties"]["status"]["enum"]
    assert set(v.IN_FLIGHT_STATUSES) < set(statuses) and "active" in v.IN_FLIGHT_STATUSES


def test_default_categories_are_the_schema_default() -> None:
    assert list(v.DEFAULT_CATEGORIES) == load_schema("program")["properties"]["categories"]["default"]


@pytest.mark.parametrize(("value", "digits", "plain", "grouped"), [
    ("0.005", 2, "0.01", "0.01"),          # a tie goes up (half even would give 0.00)
    ("0.015", 2, "0.02", "0.02"),          # ... as half even would too
    ("-0.005", 2, "-0.01", "-0.01"),       # away from zero
    ("1234567.125", 2, "1234567.13", "1,234,567.13"),
    ("-0.004", 2, "-0.00", "0.00"),        # the JSON keeps the sign as it always has; people never see -0
    ("2.5", 0, "3", "3"),                  # JPY: no minor digits
    ("1.0005", 3, "1.001", "1.001"),       # KWD: three
])
def test_money_rounds_half_up(value: str, digits: int, plain: str, grouped: str) -> None:
    amount = Decimal(value)
    assert v.money_grouped(amount, digits) == grouped
    assert v.money_text(amount, digits) == plain


def test_json_table_site_and_chart_show_the_same_rounding() -> None:
    """One tie, every writer: the rollup JSON rounds it, tables and the site
    show that string, the charts and the rules' messages round the raw value."""
    raw = Decimal("1234.565")
    assert to_json(raw, 2, "money") == "1234.57"
    assert show(to_json(raw, 2, "money"), "money") == "1,234.57"
    assert str(text.money(to_json(raw, 2, "money"))) == "$1,234.57"
    assert charts.money(raw, 2) == "1,234.57"


def test_the_rules_money_rounds_as_the_rest() -> None:
    from pmkit.domain.ledger import money

    class NoProgram:
        program = None

    assert money(Decimal("0.125"), NoProgram()) == "0.13"  # type: ignore[arg-type]
    assert money(Decimal("-0.001"), NoProgram()) == "0.00"  # type: ignore[arg-type]


def test_minor_digits() -> None:
    assert (v.minor_digits("USD"), v.minor_digits("JPY"), v.minor_digits("KWD"), v.minor_digits(None)) == (2, 0, 3, 2)
