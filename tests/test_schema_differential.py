"""The compiled pre-check (jsonschema-rs) may say "valid" only where it is
exact: on money in every currency (0, 2 and 3 minor digits) it must agree with
jsonschema and the exact digit count (issue 14, item 5)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.schema import decimal_places, fast_validator, validator
from pmkit.engine.validate import validate_directory

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
EXPENSES = parse("x.yaml", (MINIMAL / "budget/expenses/2026-h1.yaml").read_bytes()).value
LIMIT = Decimal(10) ** 12


def _verdicts(amount: Decimal | int, digits: int) -> tuple[bool, bool]:
    doc = copy.deepcopy(EXPENSES)
    for entry in doc["expenses"]:  # whole amounts: valid in every currency
        entry["amount"] = int(entry["amount"])
    doc["expenses"][0]["amount"] = amount
    fast = fast_validator("expenses", digits).is_valid(doc)
    slow = not list(validator("expenses", digits).iter_errors(doc))
    return fast, slow


AMOUNTS = st.builds(
    lambda sign, digits, exponent: Decimal(f"{sign}{digits}E{exponent}"),
    st.sampled_from(["", "-"]), st.from_regex(r"[1-9][0-9]{0,30}", fullmatch=True), st.integers(-30, 12))


@settings(max_examples=600, deadline=None)
@given(AMOUNTS, st.sampled_from([0, 2, 3]))
def test_fast_and_exact_money_checks_agree(amount: Decimal, digits: int):
    fast, slow = _verdicts(amount, digits)
    exact = decimal_places(amount) <= digits and -LIMIT <= amount <= LIMIT
    assert slow == exact, (amount, digits)
    assert fast == slow, (amount, digits)


@pytest.mark.parametrize("amount, digits", [
    ("8000.0000000000000000001", 0), ("8000.5", 0), ("95.0000000000000001", 0), ("-5.000000000000000001", 0),
    ("8000.0000000000000000001", 2), ("8000.001", 2), ("1.00000000000000001", 2),
    ("8000.0000000000000000001", 3), ("8000.0001", 3), ("0.0001", 3),
])
def test_sub_unit_amounts_are_refused_by_both(amount: str, digits: int):
    assert _verdicts(Decimal(amount), digits) == (False, False)


@pytest.mark.parametrize("amount, digits", [("8000", 0), ("8000.0", 0), ("8000.00", 2), ("0.07", 2), ("8000.125", 3)])
def test_exact_amounts_are_accepted_by_both(amount: str, digits: int):
    assert _verdicts(Decimal(amount), digits) == (True, True)


def test_jpy_amount_with_a_tiny_fraction_is_a_finding(program):
    program.replace("program.yaml", "currency: USD", "currency: JPY")
    program.replace("budget/expenses/2026-h1.yaml", "amount: 8000.50", "amount: 8000")
    before = set(validate_directory(program.root).findings)
    program.replace("budget/expenses/2026-h1.yaml", "amount: 8000\n", "amount: 8000.0000000000000000001\n")
    new = set(validate_directory(program.root).findings) - before
    assert [(f.code, f.file, f.line) for f in new] == [("money-precision", "budget/expenses/2026-h1.yaml", 20)]


STAFF = parse("x.yaml", (MINIMAL / "staff/ann.yaml").read_bytes()).value


@pytest.mark.parametrize("email", ["ann@", "@example.org", "ann@example", "ann@example.org", "a b@example.org",
                                   "ann@@example.org", "ann@[127.0.0.1]", "ann@-x.org"])
def test_both_validators_agree_on_email_addresses(email: str):
    """tests/test_fuzz.py found `ann@` (a truncated file): jsonschema took it,
    jsonschema-rs did not. Both now use one definition."""
    doc = {**STAFF, "email": email}
    for digits in (0, 2, 3):
        fast = fast_validator("staff", digits).is_valid(doc)
        assert fast == (not list(validator("staff", digits).iter_errors(doc))), (email, digits)
    assert not _ok("ann@") and _ok("ann@example.org")


def _ok(email: str) -> bool:
    return not list(validator("staff", 2).iter_errors({**STAFF, "email": email}))
