"""Stage 5: human views of the rollup document (SPEC §4, last paragraphs).

Every view is a pure function of the JSON document ``pmkit rollup`` prints
(``pmkit.rollup.as_json``) plus options, so a view shows the same numbers as
``pmkit rollup``, by construction. The only other inputs are records the
document does not carry and that are shown as they are (budget transfers and
a period's team narratives), passed in as JSON-ready data.

A view (:class:`View`) is a list of :class:`Table` s whose cells are raw
values of the document, each column with a kind that says how to show it:

=========  ===================================  ============  ===========
kind       table / markdown                     csv           JSON value
=========  ===================================  ============  ===========
money      ``12,000.00`` (right-aligned)        ``12000.00``  string
percent    ``61.4%`` (1 decimal)                ``61.43``     number
points     ``-4.5`` (signed, 1 decimal)         ``-4.51``     number
index      ``1.14`` (2 decimals)                ``1.1423``    number
fte        ``4.20`` (2 decimals)                ``4.2``       number
number     as written                           as written    number
count      ``12``                               ``12``        integer
bool       ``yes`` / ``no``                     true / false  boolean
=========  ===================================  ============  ===========

Null is ``—`` in table and markdown output and an empty field in csv. The
output formats: ``table`` (aligned plain-text tables, via tabulate), ``markdown``
(GitHub tables; ``|`` and line breaks in text from YAML are escaped so they
cannot break a row), ``csv`` (the view's main table only: one header row of
column keys, raw values) and ``json`` (the view's slice of the rollup
document: whole top-level sections, unchanged). Layout is in templates
(``views/view.txt.j2``, ``views/view.md.j2``, ``report.md.j2``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import jinja2
from tabulate import tabulate

from pmkit.app.formats import printable
from pmkit.app.templates import derived
from pmkit.core.vocabulary import money_grouped, shown

FORMATS = ("table", "json", "csv", "markdown")
NULL = "—"
RIGHT = frozenset({"money", "percent", "points", "index", "fte", "number", "count"})


@dataclass(frozen=True)
class Column:
    key: str  # csv header
    header: str  # table and markdown header
    kind: str = "text"


@dataclass(frozen=True)
class Value:
    """A cell whose kind differs from its column's (the value column of a facts table)."""

    kind: str
    value: Any


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    empty: str = "none"  # shown instead of a table without rows


@dataclass
class View:
    heading: str  # "Status", "Budget", "Staff"
    program: str
    as_of: str
    by: str
    main: Table  # the csv output
    tables: list[Table]  # in output order (the main table among them)
    data: dict[str, Any] = field(default_factory=dict)  # the json output
    notes: list[str] = field(default_factory=list)  # where the figures come from (provenance_lines)


def provenance_lines(document: dict[str, Any]) -> list[str]:
    """The revision the figures were read from and the undated-values note, as sentences."""
    prov = document.get("provenance") or {}
    lines = []
    if prov.get("revision"):
        lines.append(f"Figures from revision {prov['revision'][:12]} of {prov['revision_date']}, "
                     f"the last commit on or before {document['as_of']}.")
    if prov.get("note"):
        lines.append(prov["note"])
    return lines


def facts(title: str, items: list[tuple[str, str, Any]]) -> Table:
    """A two-column table of labelled figures: (label, kind, value)."""
    return Table(title, [Column("figure", "Figure"), Column("value", "Value", "value")],
                 [[label, Value(kind, value)] for label, kind, value in items])


def document_slice(document: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """``as_of``, ``currency`` and the named top-level sections, in document order."""
    wanted = {"as_of", "currency", "provenance", *keys}
    return {key: value for key, value in document.items() if key in wanted}


# ------------------------------------------------------------------ cells


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _fixed(value: Any, places: int) -> Decimal:
    return shown(_decimal(value), places)


def clean(text: str) -> str:
    """Text from YAML on one line: whitespace runs (newlines too) become one space,
    and other control characters are shown escaped, never sent raw to a terminal."""
    return printable(" ".join(str(text).split()))


def show(value: Any, kind: str) -> str:
    """A value as table and markdown output show it (before markdown escaping)."""
    if isinstance(value, Value):
        return show(value.value, value.kind)
    if value is None or (kind != "text" and value == ""):
        return NULL
    if kind == "money":
        amount = _decimal(value)
        places = max(0, -amount.as_tuple().exponent)  # type: ignore[operator]
        return money_grouped(amount, places)  # as rounded in the rollup
    if kind == "percent":
        return f"{_fixed(value, 1)}%"
    if kind == "points":
        return f"{_fixed(value, 1):+}" if _fixed(value, 1) != 0 else "0.0"
    if kind == "index":
        return f"{_fixed(value, 2)}"
    if kind == "fte":
        return f"{_fixed(value, 2)}"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "alloc":
        return ", ".join(f"{clean(k)} {show(v, 'percent')}" for k, v in value.items()) or NULL
    if kind == "list":
        return ", ".join(clean(v) for v in value) or NULL
    if kind in ("number", "count"):
        return f"{_decimal(value):f}" if not isinstance(value, int) else str(value)
    return clean(value)


def raw(value: Any, kind: str) -> str:
    """A value as csv writes it: money as the JSON string, numbers as in JSON."""
    if isinstance(value, Value):
        return raw(value.value, value.kind)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "alloc":
        return ";".join(f"{k}={raw(v, 'number')}" for k, v in value.items())
    if kind == "list":
        return ";".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


_MD_SPECIAL = re.compile(r"([\\|])")


def md_cell(text: str) -> str:
    """Text safe inside a GitHub table cell: one line, ``|`` and ``\\`` escaped."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def md_text(text: str) -> str:
    """Text safe as one Markdown paragraph, list item or heading: on one line."""
    return clean(text)


# ------------------------------------------------------------------ output


def grid(table: Table, style: str) -> str:
    """A table aligned by tabulate: ``simple`` for terminals, ``pipe`` for Markdown
    (GitHub tables with ``:`` alignment markers, so money is right-aligned there too)."""
    cell = md_cell if style == "pipe" else (lambda text: text)
    headers = [cell(c.header) for c in table.columns]
    rows = [[cell(show(value, column.kind)) for value, column in zip(row, table.columns, strict=True)]
            for row in table.rows]
    align = ["right" if c.kind in RIGHT or c.kind == "value" else "left" for c in table.columns]
    return tabulate(rows, headers, tablefmt=style, disable_numparse=True, colalign=align)


@cache
def templates() -> jinja2.Environment:
    return derived({"grid": grid, "md_cell": md_cell, "md_text": md_text, "clean": clean, "show": show})


def as_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([raw(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return out.getvalue()


def render(view: View, fmt: str) -> str:
    """A view in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(view.data, indent=2) + "\n"
    if fmt == "csv":
        return as_csv(view.main)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format {fmt!r}")
    name = "views/view.txt.j2" if fmt == "table" else "views/view.md.j2"
    return templates().get_template(name).render(view=view)


__all__ = ["FORMATS", "Column", "Table", "Value", "View", "as_csv", "clean", "document_slice", "facts", "grid",
           "md_cell", "md_text", "provenance_lines", "raw", "render", "show"]
