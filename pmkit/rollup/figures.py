"""Number types of the rollup and how they are written to JSON.

Money stays ``Decimal`` through every sum and ratio and is rounded only when
written: in JSON it is a string with the currency's minor digits
(``"1234.50"``). Percentages and indices are JSON numbers, rounded for
display; a ratio whose divisor is zero is ``None`` (JSON null).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from pmkit.core.vocabulary import money_text, round_half_up

Money = Annotated[Decimal, "money"]
Percent = Annotated[Decimal | None, "percent"]  # 0-100, rounded to 2 places
Ratio = Annotated[Decimal | None, "ratio"]  # an index such as CPI, 4 places

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_PLACES = 2
RATIO_PLACES = 4


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator, or None when the divisor is zero."""
    return None if denominator == 0 else numerator / denominator


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    value = ratio(part, whole)
    return None if value is None else value * HUNDRED


def _number(value: Decimal, places: int) -> int | float:
    rounded = round_half_up(value, places)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _tag(hint: Any) -> str | None:
    if typing.get_origin(hint) is Annotated:
        return hint.__metadata__[0]
    return None


@cache
def _plan(cls: type) -> tuple[tuple[str, str | None], ...]:
    """A dataclass's shown fields and their tags, worked out once per class."""
    hints = _hints(cls)
    return tuple((f.name, _tag(hints[f.name])) for f in dataclasses.fields(cls) if not f.metadata.get("internal"))


def to_json(value: Any, digits: int, tag: str | None = None) -> Any:
    """A rollup value as JSON-ready data, by the annotations of its fields."""
    cls: Any = type(value)
    if hasattr(cls, "__dataclass_fields__") and not isinstance(value, type):
        return {name: to_json(getattr(value, name), digits, field_tag) for name, field_tag in _plan(cls)}
    if isinstance(value, dict):
        return {str(k): to_json(v, digits, tag) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v, digits, tag) for v in value]
    if isinstance(value, Decimal):
        if tag == "money":
            return money_text(value, digits)
        return _number(value, RATIO_PLACES if tag == "ratio" else PERCENT_PLACES)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def field_json(value: Any, name: str, digits: int) -> Any:
    """One field of a rollup dataclass as ``to_json`` writes it in its document
    (a reader of a few figures, ``pmkit history``, need not write the rest)."""
    cls: Any = type(value)
    return to_json(getattr(value, name), digits, _tags(cls)[name])


@cache
def _tags(cls: type) -> dict[str, str | None]:
    return dict(_plan(cls))

