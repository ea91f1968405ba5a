"""Earned schedule (Lipke, 2003): schedule performance in time, and the finish it forecasts.

The planned value curve PV(t) is cumulative; the earned schedule ES is the
time at which the plan said the value earned so far (EV) would be earned:

  ES     = C + (EV - PV(C)) / (PV(C+1) - PV(C))
           C = the number of whole periods whose cumulative PV the EV has
           reached (here the first period k with PV(k) >= EV gives C = k - 1;
           ES = 0 when EV = 0)
  AT     = actual time: periods from the start to the as-of date
  SV(t)  = ES - AT                 SPI(t) = ES / AT
  PD     = planned duration: the first period at which PV reaches its total
  IEAC(t) = PD / SPI(t)            forecast finish = start + IEAC(t)

:func:`earned_schedule` works on any list of cumulative PV per period (the
published examples use months). The rollup uses periods of one day: a task's
planned percent is linear in calendar days (schedule.task_planned), so the
daily PV is exact and ES is in days. A project's curve starts at its start
date; the program's at the program's start, with PV(t) = sum over counted
projects of BAC x planned(t) / 100 (the same sums as evm.program_basis).

Nulls: a project without tasks or without budget has no PV curve (every
figure null but AT); AT <= 0 (as of the start or before) gives null SPI(t)
and forecasts; SPI(t) = 0 (nothing earned) gives a null forecast. A
cancelled project is not measured. The forecast finish is rounded to the
nearest day (half up). All arithmetic is exact (Fraction).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pmkit.domain.model import Task
from pmkit.rollup.figures import Ratio
from pmkit.rollup.schedule import to_decimal


@dataclass
class EarnedSchedule:
    es: Ratio = None  # days from the start
    at: int | None = None  # days from the start to the as-of date
    sv_t: Ratio = None  # ES - AT, days (negative = behind)
    spi_t: Ratio = None  # ES / AT
    planned_duration: int | None = None  # PD, days
    forecast_duration: Ratio = None  # IEAC(t) = PD / SPI(t), days
    forecast_finish: dt.date | None = None  # start + IEAC(t)


# ------------------------------------------------------- the formulas, by period


def earned_schedule(pv: Sequence[Fraction], ev: Fraction) -> Fraction:
    """ES in periods from cumulative PV per period (``pv[0]`` = PV at time 0) and EV."""
    return _crossing(lambda k: pv[k], len(pv) - 1, ev)


def spi_t(es: Fraction, at: Fraction) -> Fraction | None:
    return None if at <= 0 else es / at


def forecast_duration(pd: Fraction, spi: Fraction | None) -> Fraction | None:
    """IEAC(t) = PD / SPI(t), or None when SPI(t) is null or 0."""
    return None if spi is None or spi == 0 else pd / spi


def _first_reaching(value: Callable[[int], Fraction], last: int, target: Fraction) -> int:
    """The smallest k in 0..last with value(k) >= target (value is non-decreasing); last if none."""
    lo, hi = 0, last
    while lo < hi:
        mid = (lo + hi) // 2
        if value(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _crossing(value: Callable[[int], Fraction], last: int, ev: Fraction) -> Fraction:
    k = _first_reaching(value, last, ev)
    if k == 0 or value(k) < ev:
        return Fraction(k)
    before, after = value(k - 1), value(k)
    return (k - 1) + (ev - before) / (after - before)


# ------------------------------------------------------- the daily plan curve


class PlanCurve:
    """Sum of effort x planned fraction of a set of tasks, at any day, in O(spans x log n).

    Tasks are grouped by span (end - start, days); within a group, sorted by
    start with prefix sums of effort and effort x start, the tasks already
    finished on day d (start <= d - span) add effort, those under way add
    effort x (d - start) / span (as schedule.task_planned).

    Exact and fast: efforts are scaled to integers (x 10^k, k the most
    decimal places of any effort), so a day's value is an integer over the
    least common multiple of the spans, made a Fraction once.
    """

    def __init__(self, tasks: Iterable[Task]) -> None:
        groups: dict[int, list[tuple[int, Decimal]]] = {}
        self.last_end = 0
        places = 0
        for task in tasks:
            s, e = task.start.toordinal(), task.end.toordinal()
            groups.setdefault(e - s, []).append((s, task.effort))
            self.last_end = max(self.last_end, e)
            exponent = task.effort.as_tuple().exponent
            if isinstance(exponent, int) and exponent < 0:
                places = max(places, -exponent)
        self.scale = 10 ** places
        self.groups: list[tuple[int, list[int], list[int], list[int]]] = []
        total = 0
        for span, items in sorted(groups.items()):
            items.sort()
            starts, efforts, weighted = [], [0], [0]
            for s, effort in items:
                units = int(effort * self.scale)
                starts.append(s)
                efforts.append(efforts[-1] + units)
                weighted.append(weighted[-1] + units * s)
            self.groups.append((span, starts, efforts, weighted))
            total += efforts[-1]
        self.total = Decimal(total) / self.scale
        self.first_start = min((g[1][0] for g in self.groups), default=0)
        self.full = Fraction(total, self.scale)  # on and after the last end: every task done

    def at(self, day: int) -> Fraction:
        """Sum of effort x planned fraction on the day with this ordinal."""
        if day >= self.last_end:
            return self.full
        if day < self.first_start:
            return Fraction(0)
        num, den = 0, 1
        for span, starts, efforts, weighted in self.groups:
            if span == 0:
                num += efforts[bisect.bisect_right(starts, day)] * den
                continue
            done = bisect.bisect_right(starts, day - span)
            going = bisect.bisect_left(starts, day)
            value = efforts[done] * span  # over span
            if going > done:
                value += day * (efforts[going] - efforts[done]) - (weighted[going] - weighted[done])
            if den % span:
                common = den * span // math.gcd(den, span)
                num *= common // den
                den = common
            num += value * (den // span)
        return Fraction(num, den * self.scale)


@dataclass(frozen=True)
class Curve:
    """PV(day) = sum of factor x plan.at(day) over the parts (factor = BAC / effort of a project)."""

    parts: tuple[tuple[Fraction, PlanCurve], ...]

    def pv(self, day: int) -> Fraction:
        return sum((factor * plan.at(day) for factor, plan in self.parts), Fraction(0))

    @property
    def last_end(self) -> int:
        return max(plan.last_end for _, plan in self.parts)


def project_part(bac: Decimal, tasks: Sequence[Task]) -> tuple[Fraction, PlanCurve] | None:
    """A project's share of a PV curve: None without tasks, effort or budget."""
    plan = PlanCurve(tasks)
    if plan.total == 0 or bac == 0:
        return None
    return Fraction(bac) / Fraction(plan.total), plan


def measure(parts: Iterable[tuple[Fraction, PlanCurve] | None], ev: Fraction | None, start: dt.date,
            as_of: dt.date) -> EarnedSchedule:
    """Earned schedule in days for a PV curve (the parts) from ``start``, as of a date."""
    at = (as_of - start).days
    present = tuple(p for p in parts if p is not None)
    if not present or ev is None:
        return EarnedSchedule(at=at)
    curve = Curve(present)
    origin = start.toordinal()
    last = max(curve.last_end - origin, 0)
    total = curve.pv(origin + last)

    seen: dict[int, Fraction] = {}

    def value(k: int) -> Fraction:  # each day's PV once: the two searches ask some days twice
        if k not in seen:
            seen[k] = curve.pv(origin + k)
        return seen[k]

    es = _crossing(value, last, min(ev, total))
    pd = _first_reaching(value, last, total)
    spi = spi_t(es, Fraction(at))
    duration = forecast_duration(Fraction(pd), spi)
    finish = None
    if duration is not None:
        finish = start + dt.timedelta(days=int(duration + Fraction(1, 2)))
    return EarnedSchedule(to_decimal(es), at, to_decimal(es - at), to_decimal(spi), pd, to_decimal(duration), finish)


def unmeasured() -> EarnedSchedule:
    return EarnedSchedule()


# ------------------------------------------------------- the plan by month


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def planned_by_month(parts: Iterable[tuple[Fraction, PlanCurve] | None], start: dt.date,
                     end: dt.date) -> dict[str, Decimal]:
    """Cumulative planned value (PV) at the end of each calendar month, ``YYYY-MM``.

    From the month of ``start`` through the month of ``end`` or of the last
    task's end, whichever is later; a month's value is PV on its last day
    (on the last day of the plan in the plan's last month). The same curve as
    :func:`measure` (BAC as of the as-of date x planned fraction, summed over
    the counted projects), so the value at the as-of date is the program's PV.
    Empty when no project has a measurable plan.
    """
    present = tuple(p for p in parts if p is not None)
    if not present:
        return {}
    curve = Curve(present)
    through = max(end, dt.date.fromordinal(curve.last_end))
    out: dict[str, Decimal] = {}
    year, month = start.year, start.month
    while (year, month) <= (through.year, through.month):
        day = min(_month_end(year, month), through)
        value = to_decimal(curve.pv(day.toordinal()))
        assert value is not None
        out[f"{year:04d}-{month:02d}"] = value
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
