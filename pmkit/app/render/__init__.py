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
import textwrap
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


def provenance_lines(document: dict[str, Any], by_date: bool = True) -> list[str]:
    """The revision the figures were read from and the undated-values note, as sentences.
    ``by_date``: the revision is the one in force on the as-of date (false: named by --rev,
    whatever came after it)."""
    prov = document.get("provenance") or {}
    lines = []
    if prov.get("revision"):
        why = f", the last commit on or before {document['as_of']}" if by_date else ", as given by --rev"
        lines.append(f"Figures from revision {prov['revision'][:12]} of {prov['revision_date']}{why}.")
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


#: The order in which a table gives up columns to fit the terminal (issue 15):
#: these keys first, in this order; then text columns are wrapped (down to
#: MIN_WRAP characters); then the remaining columns from the right. The first
#: column (what the row is about) is never dropped. csv, markdown and json
#: always keep every column.
DROP_ORDER = (
    "transfers_in", "transfers_out", "committed", "baseline",
    "department", "employment", "vendor", "category",
    "effort", "tasks", "interviews", "mean_score", "days_open", "milestones_upcoming",
    "people", "members", "status", "open_problems", "over_allocated",
)
MIN_WRAP = 12
#: Before any column is dropped, long headers of short figures are abbreviated.
SHORT_HEADERS = {
    "Gap (points)": "Gap", "Late milestones": "Late", "Due in 30 days": "Due 30d", "Open problems": "Open",
    "Transfers in": "In", "Transfers out": "Out", "Over-allocated": "Over", "In process": "In proc",
    "Interviews": "Intvw", "Mean score": "Score", "Days open": "Days", "Planned days": "Plan d",
    "Forecast days": "Fcst d", "Forecast finish": "Finish", "Acknowledged": "Ack'd", "Applicable": "Appl",
    "Employment": "Type", "Department": "Dept",
}


def _width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def fit(table: Table, width: int | None) -> str:
    """A table for a terminal ``width`` characters wide (None: as wide as it needs):
    columns dropped in :data:`DROP_ORDER`, long text wrapped, and a line naming
    what was left out."""
    full = grid(table, "simple")
    if width is None or _width(full) <= width:
        return full
    keep = list(range(len(table.columns)))
    dropped: list[int] = []
    short = False

    def render(wraps: dict[int, int] | None = None) -> str:
        columns = [table.columns[i] for i in keep]
        rows = [[row[i] for i in keep] for row in table.rows]
        headers = [SHORT_HEADERS.get(c.header, c.header) if short else c.header for c in columns]
        cells = [[show(value, column.kind) for value, column in zip(row, columns, strict=True)] for row in rows]
        align = ["right" if c.kind in RIGHT or c.kind == "value" else "left" for c in columns]
        limits = [(wraps or {}).get(i) for i in keep]
        return tabulate(cells, headers, tablefmt="simple", disable_numparse=True, colalign=align,
                        maxcolwidths=limits if any(limits) else None)

    order = [i for key in DROP_ORDER for i, c in enumerate(table.columns) if c.key == key and i > 0]
    short = True
    text = render()
    for i in order:
        if _width(text) <= width:
            break
        keep.remove(i)
        dropped.append(i)
        text = render()
    wraps: dict[int, int] = {}
    wrappable = [i for i in keep if i > 0 and table.columns[i].kind in ("text", "list", "alloc")]
    if _width(text) > width and wrappable:
        # One level for every wrapped column (the widest give up the most),
        # just low enough to take off the overflow, never below MIN_WRAP.
        widths = {i: _column_width(table, i) for i in wrappable}
        excess = _width(text) - width
        level = max(widths.values())
        while level > MIN_WRAP and sum(w - min(w, level) for w in widths.values()) < excess:
            level -= 1
        wraps = {i: level for i, w in widths.items() if w > level}
        text = render(wraps)
    for i in reversed(list(keep[1:])):
        if _width(text) <= width:
            break
        keep.remove(i)
        dropped.append(i)
        text = render(wraps)
    if _width(text) > width:  # one column left: wrap it too
        wraps[0] = max(MIN_WRAP, width)
        text = render(wraps)
    if dropped:
        names = ", ".join(table.columns[i].header for i in sorted(dropped))
        text += "\n" + "\n".join(textwrap.wrap(
            f"(not shown, to fit {width} columns: {names}; --format csv, markdown or json show all)", width))
    return text


def _column_width(table: Table, i: int) -> int:
    column = table.columns[i]
    header = SHORT_HEADERS.get(column.header, column.header)
    return max([len(header), *(len(show(row[i], column.kind)) for row in table.rows)])


def wrap(text: str, width: int | None) -> str:
    """A paragraph wrapped at ``width`` (None: on one line)."""
    return text if width is None else "\n".join(textwrap.wrap(text, width)) or text


@cache
def templates() -> jinja2.Environment:
    return derived({"grid": grid, "md_cell": md_cell, "md_text": md_text, "clean": clean, "show": show,
                    "fit": fit, "wrap": wrap})


#: what a spreadsheet reads as the start of a formula (OWASP's list for CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula (a commit
    subject ``=HYPERLINK(...)``, a name ``@SUM(...)``) gets a leading apostrophe; control
    characters other than line breaks are written escaped (``\x1b``), as in every table: a
    csv printed to a terminal must not send it an escape sequence from a commit subject."""
    text = printable(text, keep="\n\r")
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Any, kind: str) -> str:
    if isinstance(value, Value):
        return _csv_cell(value.value, value.kind)
    text = raw(value, kind)
    # numbers (money, percents, counts) are written by pmkit, a negative one is a number;
    # text, lists and allocations carry what someone typed
    return csv_text(text) if kind in ("text", "list", "alloc") and not isinstance(value, (int, Decimal)) else text


def as_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return out.getvalue()


def render(view: View, fmt: str, width: int | None = None) -> str:
    """A view in one of :data:`FORMATS`; a ``table`` fits ``width`` characters
    (None: as wide as the tables need)."""
    if fmt == "json":
        return json.dumps(view.data, indent=2) + "\n"
    if fmt == "csv":
        return as_csv(view.main)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format {fmt!r}")
    name = "views/view.txt.j2" if fmt == "table" else "views/view.md.j2"
    return templates().get_template(name).render(view=view, width=width)


__all__ = ["DROP_ORDER", "FORMATS", "Column", "fit", "wrap", "Table", "Value", "View", "as_csv", "clean", "document_slice", "facts", "grid",
           "md_cell", "md_text", "provenance_lines", "raw", "render", "show"]
