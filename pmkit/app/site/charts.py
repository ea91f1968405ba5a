"""Static SVG charts for the site (SPEC §5): pure functions of plain values.

Every chart is rendered from a Jinja2 template in ``pmkit/templates/charts/``
(autoescaped, so text from YAML is shown, never run); Python only works out
scales and coordinates (rounded to 1 decimal, so output is stable) and
formats numbers. The same input gives byte-identical output.

Inputs are plain values: ``str``, ``int``, ``Decimal``, ``datetime.date``.
Money is a ``Decimal`` in the program's currency; pass ``currency`` (e.g.
``"USD"``) to have it named in the text alternative and formatted with the
currency's minor digits. Percentages are 0-100.

Every chart is an ``<svg>`` with ``role="img"``, a ``<title>`` (the title
argument) and a ``<desc>`` stating the key numbers, tied to the root with
``aria-labelledby``; a ``viewBox``, ``width="100%"`` and a ``max-width`` of
its natural size (it shrinks to phone width, never balloons on a wide
screen); the system font stack; colours with at least 4.5:1 contrast on
white; no scripts, styles sheets, images or external references. Ids are
``pmk-<kind>-<hash of the input>`` (pass ``chart_id`` to choose one), so two
different charts on one page never share an id.

Empty input, or input with nothing to draw (all zero), gives a "No data"
chart with the same title, role and desc — never a division by zero.

Decisions:

- ``progress_bar`` colours by schedule gap (actual - planned, points) by
  the one RAG rule's gap thresholds (``pmkit.rollup.rag.gap_rag``): on plan
  from -5 up, behind down to -10, well behind below that; the state is also
  written as a word, colour is never the only cue. Bars are clamped to
  0-100, the text shows the real numbers.
- ``burn_chart`` takes the spend *per month* (``spend_by_month`` of the
  rollup, ``[("2025-07", Decimal(...)), ...]``, sorted here) and draws the
  cumulative total.
- ``gantt``: the "as of" line is omitted (not clamped) when ``today`` is
  outside ``start``..``end``; the desc says so. Bars are clipped to the
  range; milestones outside it are shown as a date at the edge with an
  arrow. Row status picks the colour (:data:`STATUS_COLOURS`; unknown
  statuses are slate and keep their own legend entry).
- ``rag_badge`` returns a small inline SVG pill (coloured, with the word
  written on it), fixed 64x20 so it sits in a table cell; it is labelled
  with ``aria-label`` rather than ids, because a page repeats it many times.
- Links (``gantt`` bars) go through :func:`safe_href`: relative references
  only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pmkit.core.vocabulary import minor_digits, money_grouped, round_half_up
from pmkit.rollup import rag
from pmkit.app.templates import environment

__all__ = [
    "BEHIND_POINTS",
    "STATUS_COLOURS",
    "WELL_BEHIND_POINTS",
    "bar_chart",
    "burn_chart",
    "funnel",
    "gantt",
    "line_chart",
    "progress_bar",
    "rag_badge",
    "safe_href",
    "schedule_state",
]

FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'

# Colours (Tailwind 600/700 shades): each has >= 4.5:1 contrast on white.
INK = "#111827"
MUTED = "#4b5563"
GREEN = "#15803d"
AMBER = "#b45309"
RED = "#b91c1c"
BLUE = "#1d4ed8"
GREY = "#6b7280"
SLATE = "#475569"
VIOLET = "#6d28d9"
PINK = "#be185d"

BEHIND_POINTS = -rag.AMBER_GAP
WELL_BEHIND_POINTS = -rag.RED_GAP

STATE = {
    "on-plan": ("On plan", GREEN),
    "behind": ("Behind", AMBER),
    "well-behind": ("Well behind", RED),
}

# Gantt row status -> (legend text, colour, dashed outline), in legend order.
STATUS_COLOURS: dict[str, tuple[str, str, bool]] = {
    "done": ("Done", GREEN, False),
    "active": ("Active", BLUE, False),
    "on-track": ("On track", BLUE, False),
    "behind": ("Behind", AMBER, False),
    "at-risk": ("At risk", AMBER, False),
    "on-hold": ("On hold", AMBER, True),
    "late": ("Late", RED, False),
    "well-behind": ("Well behind", RED, False),
    "proposed": ("Proposed", GREY, True),
    "planned": ("Planned", GREY, True),
    "cancelled": ("Cancelled", GREY, True),
}

MILESTONE_COLOURS: dict[str, tuple[str, str, bool]] = {  # text, colour, filled
    "done": ("Done", GREEN, True),
    "late": ("Late", RED, True),
    "upcoming": ("Upcoming", BLUE, True),
    "planned": ("Planned", GREY, False),
}

RAG = {"green": ("Green", GREEN), "amber": ("Amber", AMBER), "red": ("Red", RED)}

SERIES_STYLES = [  # colour, dash pattern: told apart without colour too
    (BLUE, ""), (AMBER, "6 4"), (GREEN, "2 3"), (VIOLET, "8 3 2 3"),
    (PINK, "4 2"), (SLATE, "1 2"),
]

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


# ---------------------------------------------------------------- helpers


def _n(value: float | Decimal) -> str:
    """A coordinate rounded to 1 decimal, without a trailing ``.0``."""
    if type(value) is int:
        return str(value)
    if type(value) is float:
        # the same half-up rounding of the shortest repr as the Decimal path
        # below, done on its digits (the Decimal path is the hot spot of gantt)
        text = repr(value)
        if "e" not in text and "n" not in text:  # not 1e-05, inf or nan
            negative = text[0] == "-"
            whole, _, frac = text.lstrip("-").partition(".")
            tenths = int(whole) * 10 + int(frac[0])
            if frac[1:2] >= "5":
                tenths += 1
            units, tenth = divmod(tenths, 10)
            text = f"{units}.{tenth}" if tenth else str(units)
            return f"-{text}" if negative and tenths else text
    text = f"{Decimal(repr(value) if isinstance(value, float) else value).quantize(TENTH, ROUND_HALF_UP):f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def _clean(text: Any) -> str:
    """Text from YAML on one line, without characters XML cannot hold.

    Escaping is left to the templates (autoescape)."""
    if type(text) is str and text.isprintable() and "  " not in text and text == text.strip():
        # fast path: printable text has no whitespace but " " and nothing
        # XML cannot hold, so there is nothing to change
        return text
    text = "" if text is None else str(text)
    return _SPACE.sub(" ", _XML_INVALID.sub("", text)).strip()


def _char_width(char: str) -> float:
    """Advance of a character in em, on the wide side of common sans fonts
    (DejaVu Sans, the Linux fallback, is among the widest), so that a cut
    label fits whatever system font renders it."""
    if char in "iljI.,:;'|!`":
        return 0.32
    if char == " ":
        return 0.34
    if char in "frt()[]{}-/\"·":
        return 0.42
    if char in "mwMW@%":
        return 0.98
    if char.isdigit():
        return 0.64
    if char.isupper():
        return 0.72
    if char.isascii():
        return 0.6
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    return 0.64


class _CharWidths(dict[str, float]):
    """``_char_width`` remembered per character (a chart measures thousands)."""

    def __missing__(self, char: str) -> float:
        width = self[char] = _char_width(char)
        return width


_CHAR_WIDTHS = _CharWidths()


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of the width of text in the system sans-serif font."""
    return sum(map(_CHAR_WIDTHS.__getitem__, text)) * size * (1.12 if bold else 1)


def _fit(text: str, max_width: float, size: float, bold: bool = False) -> tuple[str, bool]:
    """``text`` cut to ``max_width`` with an ellipsis; (shown, truncated)."""
    if text_width(text, size, bold) <= max_width:
        return text, False
    budget = max_width - text_width("…", size, bold)
    used = 0.0
    cut = 0
    for cut, char in enumerate(text):  # noqa: B007
        used += text_width(char, size, bold)
        if used > budget:
            break
    return text[:cut].rstrip() + "…", True


def _label(text: Any, max_width: float, size: float, bold: bool = False) -> dict[str, Any]:
    full = _clean(text)
    shown, truncated = _fit(full, max_width, size, bold)
    return {"text": shown, "full": full, "truncated": truncated}


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def money(value: Decimal, digits: int = 2) -> str:
    """``11680428.3`` -> ``11,680,428.30``."""
    return money_grouped(_decimal(value), digits)


def compact(value: Decimal) -> str:
    """Three significant digits with K, M, B: ``1.2M``, ``250K``, ``19.3M``."""
    value = _decimal(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for scale, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(1000), "K")):
        if value >= scale * Decimal("0.9995"):
            return sign + _significant(value / scale, 3) + suffix
    if value == 0:
        return "0"
    return sign + _significant(value, 3)


def _significant(value: Decimal, digits: int) -> str:
    if value == 0:
        return "0"
    places = max(0, digits - 1 - value.adjusted())
    text = f"{round_half_up(value, places):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{round_half_up(_decimal(value), places):f}%"


def _count(value: Decimal | int) -> str:
    value = _decimal(value)
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,f}"
    text = f"{round_half_up(value, 2):,f}"
    return text.rstrip("0").rstrip(".")


def _value_text(value: Decimal, unit: str, digits: int, full: bool) -> str:
    """A value as text: on a bar (``full=False``) or in the desc."""
    if unit == "money":
        return money(value, digits) if full else compact(value)
    if unit == "percent":
        return percent(value)
    return _count(value)


def _tick_text(value: Decimal, unit: str) -> str:
    if unit == "percent":
        return _significant(abs(value), 3).join(("-" if value < 0 else "", "%"))
    return compact(value)


def _nice_step(span: Decimal, target: int) -> Decimal:
    raw = span / target
    magnitude = Decimal(1).scaleb(raw.adjusted())
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10  # pragma: no cover


def _ticks(lo: Decimal, hi: Decimal, target: int = 4) -> tuple[Decimal, Decimal, list[Decimal]]:
    """A "nice" domain covering lo..hi and its ticks (lo <= 0 <= hi assumed)."""
    if hi == lo:
        hi = lo + 1
    step = _nice_step(hi - lo, target)
    start = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
    stop = (hi / step).to_integral_value(rounding="ROUND_CEILING") * step
    ticks = []
    value = start
    while value <= stop:
        ticks.append(value)
        value += step
    return start, stop, ticks


def _chart_id(kind: str, chart_id: str | None, *inputs: Any) -> str:
    if chart_id is not None:
        cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
        return cleaned if cleaned[:1].isalpha() else "pmk-" + cleaned
    digest = hashlib.sha1(repr((kind, inputs)).encode("utf-8")).hexdigest()[:10]
    return f"pmk-{kind}-{digest}"


def _render(template: str, **context: Any) -> str:
    context.setdefault("kind", template.replace("_", "-"))
    return environment().get_template(f"charts/{template}.svg.j2").render(
        ink=INK, muted=MUTED, **context)


def _no_data(kind: str, ident: str, title: str, message: str, width: int = 640) -> str:
    return _render("no_data", kind=kind, id=ident, title=title, message=message,
                   w=width, h=96, cx=_n(width / 2))


def _month_name(value: str | dt.date) -> str:
    """``2025-07`` (or a date) -> ``Jul 2025``; other text as it is."""
    if isinstance(value, dt.date):
        return f"{MONTHS[value.month - 1]} {value.year}"
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
    return _clean(value)


def _currency_suffix(currency: str) -> str:
    currency = _clean(currency)
    return f" {currency}" if currency else ""


# ---------------------------------------------------------------- links


_SCHEME = re.compile(r"^[^/?#]*:")


def safe_href(href: Any) -> str | None:
    """``href`` if it is a relative reference that stays on the site, else None.

    Accepted: a relative path (``projects/erp.md``, ``../teams/``), a query
    or a fragment (``#top``). Dropped: anything with a scheme
    (``javascript:``, ``http:``, ``data:``, in any case), scheme-relative
    (``//host``) and root-absolute (``/path``: it breaks a site opened from a
    file or served under a sub-path) references, and any text holding
    whitespace, control characters or a backslash — browsers strip or
    rewrite those (`` javascript:`` and ``java\\tscript:`` run), so a
    relative path must be percent-encoded (``my%20page.md``).
    """
    if not isinstance(href, str) or not href:
        return None
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or c == "\\" or c.isspace() for c in href):
        return None
    if href.startswith("/"):
        return None
    if _SCHEME.match(href):
        return None
    if _XML_INVALID.search(href) or any(unicodedata.category(c) == "Cf" for c in href):
        return None
    return href


# ---------------------------------------------------------------- progress


def schedule_state(actual: Decimal | None, planned: Decimal | None) -> str | None:
    """``on-plan``, ``behind`` or ``well-behind`` by the gap actual - planned.

    None when either figure is missing."""
    if actual is None or planned is None:
        return None
    colour = rag.gap_rag(_decimal(actual) - _decimal(planned))
    return {"green": "on-plan", "amber": "behind", "red": "well-behind"}[colour or "green"]


PB_PAD = 4


def progress_bar(actual: Decimal | None, planned: Decimal | None, label: str,
                 width: int = 320, *, chart_id: str | None = None) -> str:
    """A bar of actual % with a marker at planned %, coloured by schedule gap.

    The plot spans ``PB_PAD`` to ``width - PB_PAD``: with ``width=208`` a bar
    of 50% ends at x = 4 + 100."""
    width = max(int(width), 120)
    ident = _chart_id("progress", chart_id, actual, planned, label, width)
    plot = width - 2 * PB_PAD
    state = schedule_state(actual, planned)
    state_text, colour = STATE[state] if state else ("", BLUE)
    title = _clean(label)
    status_width = text_width(state_text, 12, True) + 14 if state_text else 0
    shown = _label(label, plot - status_width, 13, True)

    def x(value: Decimal) -> float:
        return PB_PAD + plot * float(min(max(_decimal(value), Decimal(0)), HUNDRED)) / 100

    gap = None if state is None else _decimal(actual) - _decimal(planned)
    return _render(
        "progress_bar", id=ident, title=title, label=shown, w=width, h=58,
        pad=PB_PAD, plot=_n(plot), right=_n(width - PB_PAD), colour=colour,
        state=state, state_text=state_text,
        actual=None if actual is None else percent(actual),
        planned=None if planned is None else percent(planned),
        actual_x=None if actual is None else _n(x(actual)),
        actual_w=None if actual is None else _n(x(actual) - PB_PAD),
        planned_x=None if planned is None else _n(x(planned)),
        gap=None if gap is None else _significant_points(gap),
        gap_abs=None if gap is None else f"{round_half_up(abs(gap), 1):f}",
        gap_sign=None if gap is None else (gap > 0) - (gap < 0),
    )


def _significant_points(gap: Decimal) -> str:
    text = f"{round_half_up(gap, 1):f}"
    return ("+" + text) if gap > 0 else ("−" + text[1:] if text.startswith("-") else text)


# ---------------------------------------------------------------- burn


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def _month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def burn_chart(months: Sequence[tuple[str, Decimal]], budget: Decimal, title: str,
               *, planned: Sequence[tuple[str, Decimal]] = (), as_of: dt.date | None = None,
               end: dt.date | None = None, eac: Decimal | None = None, sunk: Decimal = Decimal(0),
               currency: str = "", chart_id: str | None = None) -> str:
    """Cumulative actual spend by month against the current budget, the plan and the forecast.

    ``months`` is the spend *in* each month (``YYYY-MM``, amount), e.g. the
    rollup's ``program.spend_by_month``; the chart accumulates it.

    With the program's whole plan (``planned``: the *cumulative* planned
    value at each month's end, the rollup's
    ``program.planned_value_by_month``), its ``end`` and the ``as_of`` date,
    the axis runs every month from the first of plan or spend to the later
    of the program's end and the plan's last month: actual spend is drawn
    to the as-of month (flat over months without spend), planned value over
    the whole plan, and, given ``eac``, the forecast as a straight line from
    the actual spend in the as-of month to the EAC in the program's end
    month. Without them the axis is the months with spend, as before.

    ``sunk``: spend that ``months`` holds and the EAC leaves out (the
    rollup's EAC is of the counted projects; a cancelled project's spend is
    in the program's spend all the same). The forecast runs to EAC + sunk,
    everything the program will have spent, so that it starts and ends on
    the same projects; the description says what it is made of.
    """
    digits = minor_digits(currency or None)
    budget = _decimal(budget)
    months = sorted((str(m), _decimal(v)) for m, v in months)
    plan = sorted((str(m), _decimal(v)) for m, v in planned)
    eac = None if eac is None else _decimal(eac)
    sunk = _decimal(sunk)
    forecast_total = None if eac is None else eac + sunk
    ident = _chart_id("burn", chart_id, months, budget, title, currency, plan, as_of, end, eac, sunk)
    title = _clean(title)
    cur = _currency_suffix(currency)
    whole = bool(plan) or end is not None
    if not months and not plan:
        return _no_data("burn", ident, title,
                        f"No spend recorded; budget {money(budget, digits)}{cur}.")
    spend = dict(months)
    if whole:
        ends = [m for m, _ in months] + [m for m, _ in plan]
        if end is not None:
            ends.append(_month_of(end))
        if as_of is not None:
            ends.append(_month_of(as_of))
        first = min([m for m, _ in months] + [m for m, _ in plan])
        axis = [first]
        while axis[-1] < max(ends):
            axis.append(_next_month(axis[-1]))
        now = _month_of(as_of) if as_of is not None else (months[-1][0] if months else first)
        actual_axis = [m for m in axis if m <= now]
    else:
        axis = [m for m, _ in months]
        actual_axis = axis
        now = axis[-1]
    cumulative: list[Decimal] = []
    total = Decimal(0)
    for month in actual_axis:
        total += spend.get(month, Decimal(0))
        cumulative.append(total)
    plan_values = [v for _, v in plan]
    show_forecast = eac is not None and whole and end is not None and bool(cumulative) and _month_of(end) > now
    lo = min([Decimal(0), *cumulative, *plan_values])
    hi = max([Decimal(0), budget, *cumulative, *plan_values,
              *([forecast_total] if show_forecast and forecast_total is not None else [])])
    if lo == hi == 0:
        return _no_data("burn", ident, title,
                        f"No spend recorded; budget {money(budget, digits)}{cur}.")
    w, h = 640, 300
    left, right, top, bottom = 60, 616, 64, 262
    lo, hi, ticks = _ticks(lo, hi)

    def y(value: Decimal) -> float:
        return bottom - (bottom - top) * float((value - lo) / (hi - lo))

    n = len(axis)
    band = (right - left) / n
    position = {m: i for i, m in enumerate(axis)}

    def x(month: str) -> str:
        return _n(left + band * (position[month] + 0.5))

    points = [{"x": x(m), "y": _n(y(v))} for m, v in zip(actual_axis, cumulative)]
    plan_points = [{"x": x(m), "y": _n(y(v))} for m, v in plan if m in position]
    forecast = None
    if show_forecast and forecast_total is not None and end is not None and points:
        forecast = [points[-1], {"x": x(_month_of(end)), "y": _n(y(forecast_total))}]
    every = max(1, math.ceil(62 / band))
    xlabels = [{"x": x(m), "text": _month_name(m)} for i, m in enumerate(axis) if (n - 1 - i) % every == 0]
    budget_y = y(budget)
    if points:
        last_y = y(total)
        label_above = not (0 < budget_y - last_y + 8 < 20 or abs(last_y - top) < 14)
        last_label_y = _n(last_y - 10 if label_above else last_y + 18)
        area = [(points[0]["x"], _n(y(Decimal(0)))), *[(p["x"], p["y"]) for p in points],
                (points[-1]["x"], _n(y(Decimal(0))))]
    else:
        last_label_y, area = None, []
    spent_pct = None if budget == 0 else total / budget * HUNDRED
    return _render(
        "burn_chart", id=ident, title=title, w=w, h=h, left=left, right=right, top=top,
        bottom=bottom, zero_y=_n(y(Decimal(0))),
        yticks=[{"y": _n(y(t)), "text": _tick_text(t, "money")} for t in ticks],
        points=points, xlabels=xlabels, markers=len(points) <= 24, area=area,
        plan_points=plan_points, forecast=forecast,
        planned_total=money(plan_values[-1], digits) if plan_values else None,
        eac=None if eac is None else money(eac, digits),
        forecast_total=None if forecast_total is None else money(forecast_total, digits),
        forecast_short=None if forecast_total is None else compact(forecast_total),
        sunk=money(sunk, digits) if sunk else None,
        end_month=_month_name(axis[-1]),
        # the month the plan reaches its total (the axis may run on to a later as-of date or
        # expense), and the program's end, where the forecast is drawn to
        plan_month=_month_name(next(m for m, v in plan if v == plan_values[-1])) if plan else None,
        forecast_month=_month_name(_month_of(end)) if end is not None else _month_name(axis[-1]),
        budget_y=_n(budget_y), budget_short=compact(budget), show_budget=budget != 0,
        last=points[-1] if points else None,
        last_text=compact(total) + ("" if spent_pct is None else f" ({percent(spent_pct)})"),
        last_label_y=last_label_y,
        spent=money(total, digits), budget=money(budget, digits), cur=cur,
        spent_pct=None if spent_pct is None else percent(spent_pct),
        remaining=money(abs(budget - total), digits), over=total > budget,
        first_month=_month_name(actual_axis[0] if actual_axis else axis[0]),
        last_month=_month_name(actual_axis[-1] if actual_axis else axis[0]), n=len(actual_axis),
    )


# ---------------------------------------------------------------- gantt


def _status_style(status: str) -> tuple[str, str, bool]:
    if type(status) is str:
        style = _STATUS_STYLES.get(status)
        if style is None:
            style = _STATUS_STYLES[status] = _status_style_uncached(status)
        return style
    return _status_style_uncached(status)


_STATUS_STYLES: dict[str, tuple[str, str, bool]] = {}


def _status_style_uncached(status: str) -> tuple[str, str, bool]:
    key = _clean(status).lower()
    if key in STATUS_COLOURS:
        return STATUS_COLOURS[key]
    shown = _clean(status) or "No status"
    return shown[:1].upper() + shown[1:], SLATE, False


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


GANTT_W = 800
GANTT_LEFT = 260
GANTT_RIGHT = 780
GANTT_LABEL_X = 8
GANTT_LABEL_W = 196
GANTT_PCT_X = 248
GANTT_TOP = 68
GANTT_ROW = 28
GANTT_MS_ROW = 24


def gantt(rows: Sequence[tuple[str, dt.date, dt.date, Decimal | None, str, str | None]],
          milestones: Sequence[tuple[str, dt.date, str] | tuple[str, dt.date, str, str | None]],
          start: dt.date, end: dt.date, today: dt.date, title: str,
          *, chart_id: str | None = None) -> str:
    """A timeline: one bar per row, one diamond per milestone, an "as of" line.

    The plot spans x = 260..780 for ``start``..``end`` (a date d is at
    ``260 + 520 * (d - start).days / (end - start).days``). Rows are 28 high,
    milestones 24, so the height grows with them. The "as of" line is left
    out when ``today`` is outside the range. A milestone may carry a fourth
    item, its project's name, written in full beside its diamond."""
    start, end, today = _day(start), _day(end), _day(today)
    ident = _chart_id("gantt", chart_id, rows, milestones, start, end, today, title)
    title = _clean(title)
    if not rows and not milestones:
        return _no_data("gantt", ident, title, "No tasks or milestones to show.", GANTT_W)
    if end <= start:
        end = start + dt.timedelta(days=1)
    span = (end - start).days
    plot = GANTT_RIGHT - GANTT_LEFT

    def x(day: dt.date) -> float:
        return GANTT_LEFT + plot * (day - start).days / span

    def clip(day: dt.date) -> dt.date:
        return min(max(day, start), end)

    # month and year header
    ppm = plot * 30.44 / span
    if ppm >= 26:
        month_text = "abbr"
    elif ppm >= 9:
        month_text = "letter"
    elif ppm >= 6:
        month_text = "quarter"
    else:
        month_text = "none"
    months, years = [], []
    cursor = dt.date(start.year, start.month, 1)
    while cursor < end:
        following = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        band_start, band_end = clip(cursor), clip(following)
        grid = cursor > start and (ppm >= 6 or cursor.month in (1, 4, 7, 10))
        text = ""
        if month_text == "abbr":
            text = MONTHS[cursor.month - 1]
        elif month_text == "letter":
            text = MONTHS[cursor.month - 1][0]
        elif month_text == "quarter" and cursor.month % 3 == 1:
            text = f"Q{cursor.month // 3 + 1}"
        band = x(band_end) - x(band_start)
        if text and text_width(text, 11) > band - 2:
            text = ""
        months.append({"x": _n(x(cursor)), "grid": grid, "year": cursor.month == 1,
                       "text": text, "cx": _n((x(band_start) + x(band_end)) / 2)})
        if cursor.month == 1 or cursor == dt.date(start.year, start.month, 1):
            year_end = clip(dt.date(cursor.year + 1, 1, 1))
            if x(year_end) - x(band_start) >= 34:
                years.append({"x": _n(x(band_start) + 4), "text": str(cursor.year)})
        cursor = following

    bars = []
    bar_stripes: list[int] = []
    counts: dict[str, int] = {}
    legend_keys: list[tuple[str, str, bool]] = []
    y = GANTT_TOP
    for index, (label, row_start, row_end, progress, status, href) in enumerate(rows):
        row_start, row_end = _day(row_start), _day(row_end)
        if row_end < row_start:
            row_start, row_end = row_end, row_start
        legend_text, colour, dashed = _status_style(status)
        counts[legend_text] = counts.get(legend_text, 0) + 1
        if (legend_text, colour, dashed) not in legend_keys:
            legend_keys.append((legend_text, colour, dashed))
        visible = row_end >= start and row_start <= end
        x1, x2 = x(clip(row_start)), x(clip(row_end))
        if x2 - x1 < 3:
            x2 = x1 + 3
        label_full = _clean(label)
        label_text = _fit(label_full, GANTT_LABEL_W, 12)[0]
        tip = f"{label_full}: {row_start.isoformat()} to {row_end.isoformat()}"
        if progress is not None:
            tip += f", {percent(progress)} complete"
        tip += f" ({legend_text})"
        if index % 2 == 0:
            bar_stripes.append(y)
        # one tuple per bar, unpacked by the template's for loop (no getattr)
        bar_x = bar_w = done_w = None
        if visible:
            bar_x, bar_w = _n(x1), _n(x2 - x1)
            if progress is not None:
                done = min(max(_decimal(progress), Decimal(0)), HUNDRED)
                done_w = _n((x2 - x1) * float(done) / 100)
        bars.append((
            safe_href(href), tip, y + 18, label_text,
            None if progress is None else percent(progress, 0),
            bar_x, y + 7, bar_w, colour, dashed, done_w,
        ))
        y += GANTT_ROW

    ms_header_y = None
    ms_rows = []
    ms_stripes: list[int] = []
    ms_counts: dict[str, int] = {}
    ms_legend: list[tuple[str, str, bool]] = []
    if milestones:
        if rows:
            ms_header_y = y + 17
            y += 24
        for index, milestone in enumerate(milestones):
            label, due, status = milestone[:3]
            owner = _clean(milestone[3]) if len(milestone) > 3 and milestone[3] else ""
            due = _day(due)
            key = _clean(status).lower()
            text, colour, filled = MILESTONE_COLOURS.get(
                key, ((_clean(status) or "No status").capitalize(), SLATE, True))
            ms_counts[text] = ms_counts.get(text, 0) + 1
            if (text, colour, filled) not in ms_legend:
                ms_legend.append((text, colour, filled))
            cy = y + GANTT_MS_ROW / 2
            # The project is named beside the diamond, never cut: the label column may cut the title.
            date_text = f"{owner} · {due.isoformat()} · {text}" if owner else f"{due.isoformat()} · {text}"
            tw = text_width(date_text, 11)
            row: dict[str, Any] = {
                "label": _label(label, GANTT_LABEL_W, 12), "y": y,
                "stripe": (len(rows) + index) % 2 == 0, "cy": _n(cy), "text_y": _n(cy + 4),
                "colour": colour, "filled": filled, "date_text": date_text, "inside": start <= due <= end,
            }
            if row["inside"]:
                dx = x(due)
                row["points"] = f"{_n(dx)},{_n(cy - 6)} {_n(dx + 6)},{_n(cy)} {_n(dx)},{_n(cy + 6)} {_n(dx - 6)},{_n(cy)}"
                if dx + 10 + tw <= GANTT_W - 6:
                    row["tx"], row["anchor"] = _n(dx + 10), "start"
                else:
                    row["tx"], row["anchor"] = _n(dx - 10), "end"
            elif due < start:
                row["tx"], row["anchor"], row["date_text"] = _n(GANTT_LEFT + 2), "start", "◂ " + date_text
            else:
                row["tx"], row["anchor"], row["date_text"] = _n(GANTT_RIGHT - 2), "end", date_text + " ▸"
            if row["stripe"]:
                ms_stripes.append(y)
            ms_rows.append(row)
            y += GANTT_MS_ROW

    plot_bottom = y
    today_inside = start <= today <= end
    today_text = f"As of {today.isoformat()}"
    tw = text_width(today_text, 11, True) + 14
    tx = x(today) if today_inside else 0
    pill_x = min(max(tx - tw / 2, GANTT_LEFT - 8), GANTT_W - 4 - tw)
    legend: list[dict[str, Any]] = []
    lx: float = GANTT_LABEL_X
    ly = plot_bottom + (44 if today_inside else 20)
    for text, colour, dashed in legend_keys:
        legend.append({"kind": "bar", "x": _n(lx), "tx": _n(lx + 20), "text": text,
                       "colour": colour, "dashed": dashed})
        lx += 20 + text_width(text, 11) + 16
    for text, colour, filled in ms_legend:
        legend.append({"kind": "milestone", "x": _n(lx), "tx": _n(lx + 14), "text": f"Milestone {text.lower()}",
                       "colour": colour, "filled": filled,
                       "points": f"{_n(lx + 5)},{_n(ly - 9)} {_n(lx + 10)},{_n(ly - 4)} {_n(lx + 5)},{_n(ly + 1)} {_n(lx)},{_n(ly - 4)}"})
        lx += 14 + text_width(f"Milestone {text.lower()}", 11) + 16
    # wrap the legend onto more lines when it does not fit
    line_y = ly
    shift = 0.0
    for item in legend:
        item_x = float(item["x"]) - shift
        width_needed = float(item["tx"]) - float(item["x"]) + text_width(item["text"], 11)
        if item_x + width_needed > GANTT_W - 8 and item_x > GANTT_LABEL_X:
            shift += item_x - GANTT_LABEL_X
            line_y += 20
        item["x"] = _n(float(item["x"]) - shift)
        item["tx"] = _n(float(item["tx"]) - shift)
        item["y"] = _n(line_y)
        item["ry"] = _n(line_y - 10)
        if item["kind"] == "milestone":
            mx = float(item["x"])
            item["points"] = (f"{_n(mx + 5)},{_n(line_y - 9)} {_n(mx + 10)},{_n(line_y - 4)} "
                              f"{_n(mx + 5)},{_n(line_y + 1)} {_n(mx)},{_n(line_y - 4)}")
    height = line_y + 14

    def summary(counter: dict[str, int]) -> str:
        return ", ".join(f"{count} {text.lower()}" for text, count in counter.items())

    return _render(
        "gantt", id=ident, title=title, w=GANTT_W, h=int(height), left=GANTT_LEFT,
        right=GANTT_RIGHT, label_x=GANTT_LABEL_X, pct_x=GANTT_PCT_X, top=GANTT_TOP,
        plot_bottom=plot_bottom, months=months, years=years, bars=bars,
        bar_stripes=bar_stripes, ms_stripes=ms_stripes,
        ms_header_y=ms_header_y, ms_rows=ms_rows, legend=legend,
        today_inside=today_inside, today_x=_n(tx), today_text=today_text,
        today_iso=today.isoformat(), pill_x=_n(pill_x), pill_w=_n(tw), pill_cx=_n(pill_x + tw / 2),
        pill_y=plot_bottom + 6, today_after=today > end,
        start_iso=start.isoformat(), end_iso=end.isoformat(),
        n_rows=len(rows), rows_summary=summary(counts),
        n_ms=len(milestones), ms_summary=summary(ms_counts),
    )


# ---------------------------------------------------------------- funnel


def funnel(stages: Sequence[tuple[str, int]], title: str, *, chart_id: str | None = None) -> str:
    """Hiring funnel: one centred bar per stage, width proportional to count.

    A funnel counts who *reached* each stage, so its first stage holds
    everyone: the description says "N candidates" from it, not a sum.

    Bars are centred on x = 360 in a 400-wide plot (160..560): the largest
    stage is 400 wide, a stage of half its count spans 260..460."""
    stages = [(_clean(name), int(count)) for name, count in stages]
    ident = _chart_id("funnel", chart_id, stages, title)
    title = _clean(title)
    largest = max((count for _, count in stages), default=0)
    if largest <= 0:
        return _no_data("funnel", ident, title, "No candidates.")
    left, right, centre, top, row = 160, 560, 360, 40, 30
    bars = []
    for index, (name, count) in enumerate(stages):
        width = (right - left) * max(count, 0) / largest
        bars.append({"label": _label(name, left - 16, 12), "y": top + index * row,
                     "text_y": top + index * row + 19, "x": _n(centre - width / 2),
                     "w": _n(max(width, 1.5)), "count": _count(count), "count_x": right + 12})
    total = stages[0][1]
    return _render("funnel", id=ident, title=title, w=640, h=top + len(stages) * row + 10,
                   bars=bars, stages=stages, total=_count(total), centre=centre)


# ---------------------------------------------------------------- bars


BAR_W = 640
BAR_LABEL_W = 150
BAR_LABEL_MAX = 420
BAR_LEFT = 170
BAR_RIGHT = 570
BAR_ROOM = 64  # room for the value text left of negative bars
BAR_TOP = 40
BAR_ROW = 26


def bar_chart(items: Sequence[tuple[str, Decimal]], title: str, unit: str = "count",
              *, currency: str = "", chart_id: str | None = None, full_labels: bool = False) -> str:
    """Horizontal bars with their values; negatives go left of a zero line.

    ``full_labels``: the label column grows to the longest label (up to
    :data:`BAR_LABEL_MAX`) and the chart widens with it, so no label is cut.

    ``unit`` is ``money`` (compact on the bars, full in the desc),
    ``percent`` (the scale reaches at least 100) or ``count``. With only
    positive values the plot spans x = 170..570: a value of half the scale
    maximum ends at x = 370."""
    if unit not in ("money", "percent", "count"):
        raise ValueError(f"unit must be money, percent or count, not {unit!r}")
    digits = minor_digits(currency or None)
    items = [(_clean(name), _decimal(value)) for name, value in items]
    ident = _chart_id("bars", chart_id, items, title, unit, currency)
    title = _clean(title)
    cur = _currency_suffix(currency) if unit == "money" else ""
    if not items or all(value == 0 for _, value in items):
        message = "Nothing to show." if not items else f"No data: all {len(items)} values are zero."
        return _no_data("bars", ident, title, message)
    lo = min([Decimal(0), *(v for _, v in items)])
    hi = max([Decimal(0), *(v for _, v in items)])
    if unit == "percent" and lo >= 0:
        hi = max(hi, HUNDRED)
    lo, hi, ticks = _ticks(lo, hi)
    label_w = BAR_LABEL_W
    if full_labels:
        label_w = max(BAR_LABEL_W, min(BAR_LABEL_MAX, math.ceil(max(text_width(n, 12) for n, _ in items))))
    grow = label_w - BAR_LABEL_W
    left = BAR_LEFT + grow + (BAR_ROOM if lo < 0 else 0)
    right = BAR_RIGHT + grow

    def x(value: Decimal) -> float:
        return left + (right - left) * float((value - lo) / (hi - lo))

    zero = x(Decimal(0))
    bars = []
    for index, (name, value) in enumerate(items):
        end = x(value)
        y = BAR_TOP + index * BAR_ROW
        negative = value < 0
        bars.append({
            "label": _label(name, label_w, 12), "y": y + 5, "text_y": y + 17,
            "x": _n(min(zero, end)), "w": _n(abs(end - zero)),
            "colour": RED if negative else BLUE,
            "value": _value_text(value, unit, digits, False),
            "full": _value_text(value, unit, digits, True),
            "value_x": _n(end - 6 if negative else end + 6),
            "anchor": "end" if negative else "start",
        })
    bottom = BAR_TOP + len(items) * BAR_ROW
    total = sum((v for _, v in items), Decimal(0))
    return _render(
        "bar_chart", id=ident, title=title, w=BAR_W + grow, h=bottom + 30, top=BAR_TOP,
        bottom=bottom, zero_x=_n(zero), bars=bars, cur=cur, unit=unit,
        ticks=[{"x": _n(x(t)), "text": _tick_text(t, unit)} for t in ticks],
        total=None if unit == "percent" else _value_text(total, unit, digits, True),
    )


# ---------------------------------------------------------------- lines


def line_chart(series: Sequence[tuple[str, Sequence[tuple[dt.date, Decimal]]]], title: str,
               unit: str = "percent", *, currency: str = "", chart_id: str | None = None) -> str:
    """Lines over time (progress, planned, spend); one colour and dash each.

    A percent scale runs 0-100 (further if a value does); money and count
    scales are "nice" ranges that include zero."""
    if unit not in ("money", "percent", "count"):
        raise ValueError(f"unit must be money, percent or count, not {unit!r}")
    digits = minor_digits(currency or None)
    series = [(_clean(name), sorted((_day(d), _decimal(v)) for d, v in points))
              for name, points in series]
    ident = _chart_id("line", chart_id, series, title, unit, currency)
    title = _clean(title)
    cur = _currency_suffix(currency) if unit == "money" else ""
    values = [v for _, points in series for _, v in points]
    if not values:
        return _no_data("line", ident, title, "No history yet.")
    dates = [d for _, points in series for d, _ in points]
    first, last = min(dates), max(dates)
    lo = min([Decimal(0), *values])
    hi = max([Decimal(0), *values])
    if unit == "percent" and lo >= 0:
        hi = max(hi, HUNDRED)
    lo, hi, ticks = _ticks(lo, hi)
    w, left, right, bottom = 640, 56, 616, 262
    # legend lines under the title
    legend: list[dict[str, Any]] = []
    lx: float = left
    ly = 46
    for index, (name, _) in enumerate(series):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        shown = _label(name, 200, 12)
        width = 28 + text_width(shown["text"], 12) + 20
        if lx + width > right and lx > left:
            lx, ly = left, ly + 20
        legend.append({"x": _n(lx), "x2": _n(lx + 22), "tx": _n(lx + 28), "y": ly, "label": shown,
                       "colour": colour, "dash": dash})
        lx += width
    top = ly + 22
    span = (last - first).days

    def x(day: dt.date) -> float:
        if span == 0:
            return (left + right) / 2
        return left + (right - left) * (day - first).days / span

    def y(value: Decimal) -> float:
        return bottom - (bottom - top) * float((value - lo) / (hi - lo))

    lines = []
    for index, (name, points) in enumerate(series):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        coords = [{"x": _n(x(d)), "y": _n(y(v))} for d, v in points]
        lines.append({
            "name": name, "colour": colour, "dash": dash, "coords": coords,
            "markers": len(points) <= 40,
            "first": None if not points else (_value_text(points[0][1], unit, digits, True), points[0][0].isoformat()),
            "last": None if not points else (_value_text(points[-1][1], unit, digits, True), points[-1][0].isoformat()),
            "n": len(points),
        })
    xticks = _date_ticks(first, last, x)
    return _render(
        "line_chart", id=ident, title=title, w=w, h=bottom + 30, left=left, right=right,
        top=top, bottom=bottom, legend=legend, lines=lines, xticks=xticks,
        yticks=[{"y": _n(y(t)), "text": _tick_text(t, unit)} for t in ticks],
        zero_y=_n(y(Decimal(0))), cur=cur,
    )


def _date_ticks(first: dt.date, last: dt.date, x: Any) -> list[dict[str, str]]:
    span = (last - first).days
    if span == 0:
        return [{"x": _n(x(first)), "text": f"{first.day} {MONTHS[first.month - 1]} {first.year}"}]
    if span >= 62:
        months = []
        cursor = dt.date(first.year, first.month, 1)
        if cursor < first:
            cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        while cursor <= last:
            months.append(cursor)
            cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        for every in (1, 2, 3, 6, 12, 24, 60):
            chosen = [m for m in months if (m.year * 12 + m.month - 1) % every == 0]
            if len(chosen) <= 6:
                break
        return [{"x": _n(x(m)), "text": _month_name(m)} for m in chosen]
    count = min(span, 4)
    days = sorted({first + dt.timedelta(days=round(span * i / count)) for i in range(count + 1)})
    return [{"x": _n(x(d)), "text": f"{d.day} {MONTHS[d.month - 1]}"} for d in days]


# ---------------------------------------------------------------- RAG


def rag_badge(rag: str | None) -> str:
    """A 64x20 inline SVG pill: the RAG word in white on its colour.

    ``green``, ``amber``, ``red`` (any case); anything else is a grey "N/A".
    Fixed size (not 100% wide) for table cells; labelled by ``aria-label``
    and ``<title>`` — no ids, since a page repeats it."""
    key = _clean(rag).lower()
    text, colour = RAG.get(key, ("N/A", GREY))
    spoken = text if key in RAG else "not reported"
    return _render("rag_badge", text=text, colour=colour, spoken=spoken, key=key if key in RAG else "none")

