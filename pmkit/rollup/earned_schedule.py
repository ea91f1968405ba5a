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
import functools
import itertools
import math
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from decimal import Decimal
from fractions import Fraction
from typing import Any

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


def _first_reaching(value: Callable[[int], Fraction], last: int, target: Fraction,
                    approx: Callable[[int], float] | None = None) -> int:
    """The smallest k in 0..last with value(k) >= target (value is non-decreasing); last if none.

    With ``approx`` (value in floating point), the search runs on it and the
    answer is then proved with two exact values; if the proof fails (a tie
    within rounding), the exact search runs as without it.
    """
    if approx is not None:
        k = _search(approx, last, float(target))
        if (k == last or value(k) >= target) and (k == 0 or value(k - 1) < target):
            return k
    return _search(value, last, target)


def _search(value: Callable[[int], Any], last: int, target: Any) -> int:
    lo, hi = 0, last
    while lo < hi:
        mid = (lo + hi) // 2
        if value(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _crossing(value: Callable[[int], Fraction], last: int, ev: Fraction,
              approx: Callable[[int], float] | None = None) -> Fraction:
    k = _first_reaching(value, last, ev, approx)
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
    """

    def __init__(self, tasks: Iterable[Task]) -> None:
        self._build(tuple(spans_of(tasks)))

    @classmethod
    def of_spans(cls, spans: tuple[tuple[int, int, Decimal], ...]) -> PlanCurve:
        """The curve of tasks given as (start ordinal, end ordinal, effort)."""
        plan = cls.__new__(cls)
        plan._build(spans)
        return plan

    def _build(self, spans: tuple[tuple[int, int, Decimal], ...]) -> None:
        groups: dict[int, list[tuple[int, Decimal]]] = {}
        self.last_end = 0
        for s, e, effort in spans:
            groups.setdefault(e - s, []).append((s, effort))
            self.last_end = max(self.last_end, e)
        self.groups: list[tuple[int, list[int], list[Decimal], list[Decimal]]] = []
        for span, items in sorted(groups.items()):
            items.sort()
            starts, efforts, weighted = [], [Decimal(0)], [Decimal(0)]
            for s, effort in items:
                starts.append(s)
                efforts.append(efforts[-1] + effort)
                weighted.append(weighted[-1] + effort * s)
            self.groups.append((span, starts, efforts, weighted))
        self.total = sum((g[2][-1] for g in self.groups), Decimal(0))
        # The same prefix sums in floating point, for ``approx`` (a search's
        # guess, always proved exactly afterwards: see ``_first_reaching``).
        self._daily: tuple[int, list[float]] | None = None
        # And in integers: every prefix sum x 10^places, every partial day's
        # share over the least common multiple of the spans (``at``: one
        # Fraction per call instead of two per group).
        exponents = [x.as_tuple().exponent for _, _, e, w in self.groups for x in (e[-1], w[-1])]
        places = max((-x for x in exponents if isinstance(x, int)), default=0)
        self.scale = 10 ** max(places, 0)
        self.lcm = math.lcm(*(span for span, *_ in self.groups if span)) if self.groups else 1
        self.int_groups = [(span, starts, [_scaled(x, self.scale) for x in efforts],
                            [_scaled(x, self.scale) for x in weighted], self.lcm // span if span else 0)
                           for span, starts, efforts, weighted in self.groups]

    def at(self, day: int) -> Fraction:
        """Sum of effort x planned fraction on the day with this ordinal."""
        whole = shares = 0
        for span, starts, efforts, weighted, multiple in self.int_groups:
            if span == 0:
                whole += efforts[bisect.bisect_right(starts, day)]
                continue
            done = bisect.bisect_right(starts, day - span)
            going = bisect.bisect_left(starts, day)
            whole += efforts[done]
            if going > done:
                shares += (day * (efforts[going] - efforts[done]) - (weighted[going] - weighted[done])) * multiple
        return Fraction(whole * self.lcm + shares, self.lcm * self.scale)

    def at_fractions(self, day: int) -> Fraction:
        """``at`` group by group in Fractions: the plain computation ``at`` is tested against."""
        out = Fraction(0)
        for span, starts, efforts, weighted in self.groups:
            if span == 0:
                out += Fraction(efforts[bisect.bisect_right(starts, day)])
                continue
            done = bisect.bisect_right(starts, day - span)
            going = bisect.bisect_left(starts, day)
            partial = day * (efforts[going] - efforts[done]) - (weighted[going] - weighted[done])
            out += Fraction(efforts[done]) + Fraction(partial) / span if going > done else Fraction(efforts[done])
        return out

    def approx(self, day: int) -> float:
        """``at(day)`` in floating point (rounded: for a search's guess only),
        looked up in the daily curve, built once from second differences: a
        task ramps from its start (0) to its end (its effort) at effort/span a day."""
        if self._daily is None:
            first = min((starts[0] for _, starts, *_ in self.groups), default=0)
            steps = [0.0] * (self.last_end - first + 3)
            for span, starts, efforts, _ in self.groups:
                for n, start in enumerate(starts):
                    effort = float(efforts[n + 1] - efforts[n])
                    at = start - first
                    if span == 0:
                        steps[at] += effort
                        steps[at + 1] -= effort
                    else:
                        steps[at + 1] += effort / span
                        steps[at + span + 1] -= effort / span
            self._daily = (first, list(itertools.accumulate(itertools.accumulate(steps))))
        first, daily = self._daily
        k = day - first
        return 0.0 if k < 0 else daily[min(k, len(daily) - 1)]


@dataclass(frozen=True)
class Curve:
    """PV(day) = sum of factor x plan.at(day) over the parts (factor = BAC / effort of a project)."""

    parts: tuple[tuple[Fraction, PlanCurve], ...]

    def pv(self, day: int) -> Fraction:
        return sum((factor * plan.at(day) for factor, plan in self.parts), Fraction(0))

    def approx(self, day: int) -> float:
        """``pv(day)`` in floating point (a search's guess only)."""
        return sum(factor * plan.approx(day) for factor, plan in self.float_parts)

    @cached_property
    def float_parts(self) -> tuple[tuple[float, PlanCurve], ...]:
        return tuple((float(factor), plan) for factor, plan in self.parts)

    @property
    def last_end(self) -> int:
        return max(plan.last_end for _, plan in self.parts)


def _scaled(amount: Decimal, scale: int) -> int:
    """``amount`` x ``scale`` as an exact integer (scale is 10^places of the finest amount)."""
    numerator, denominator = amount.as_integer_ratio()
    whole, rest = divmod(numerator * scale, denominator)
    assert rest == 0, amount
    return whole


def spans_of(tasks: Iterable[Task]) -> Iterable[tuple[int, int, Decimal]]:
    return ((task.start.toordinal(), task.end.toordinal(), task.effort) for task in tasks)


@functools.lru_cache(maxsize=8192)
def plan_of(spans: tuple[tuple[int, int, Decimal], ...]) -> PlanCurve:
    """The plan curve of tasks given by their spans, built once per distinct
    plan in a process: a project whose tasks' dates and efforts did not change
    shares its curve (and its daily table, ``approx``) with every rollup
    before it (the next commit of ``pmkit history``, the other side of a
    ``pmkit diff``, a site's report pages). The curve is never changed once
    built, except for that table, which is the same whoever builds it."""
    return PlanCurve.of_spans(spans)


#: id(tasks) -> (the tasks, their plan): a project's typed tasks are the same tuple
#: while its file is (``Index.derived``), so a history's next commit need not build
#: and hash its spans again to find the plan; the tuple is held, so its id stays its own
_PLAN_OF_TASKS: dict[int, tuple[Sequence[Task], PlanCurve]] = {}


def _plan_of_tasks(tasks: Sequence[Task]) -> PlanCurve:
    if type(tasks) is not tuple:  # (a list may change under the same id)
        return plan_of(tuple(spans_of(tasks)))
    kept = _PLAN_OF_TASKS.get(id(tasks))
    if kept is not None and kept[0] is tasks:
        return kept[1]
    plan = plan_of(tuple(spans_of(tasks)))
    if len(_PLAN_OF_TASKS) >= 8192:  # (as plan_of's own bound)
        _PLAN_OF_TASKS.clear()
    _PLAN_OF_TASKS[id(tasks)] = (tasks, plan)
    return plan


def project_part(bac: Decimal, tasks: Sequence[Task]) -> tuple[Fraction, PlanCurve] | None:
    """A project's share of a PV curve: None without tasks, effort or budget."""
    plan = _plan_of_tasks(tasks)
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
    es, pd = _es_and_pd(Curve(present), start.toordinal(), ev)
    spi = spi_t(es, Fraction(at))
    duration = forecast_duration(Fraction(pd), spi)
    finish = None
    if duration is not None:
        finish = start + dt.timedelta(days=int(duration + Fraction(1, 2)))
    return EarnedSchedule(to_decimal(es), at, to_decimal(es - at), to_decimal(spi), pd, to_decimal(duration), finish)


@functools.lru_cache(maxsize=4096)
def _es_and_pd(curve: Curve, origin: int, ev: Fraction) -> tuple[Fraction, int]:
    """ES and PD in days from ``origin``: the searches, which do not depend on
    the as-of date (only AT does), so they run once per curve and EV in a
    process (a project whose plan and progress did not change, from one
    commit of ``pmkit history`` to the next). A curve's parts are plan curves
    shared by ``plan_of`` (hashed by identity) and exact factors."""
    last = max(curve.last_end - origin, 0)
    total = curve.pv(origin + last)

    known: dict[int, Fraction] = {}

    def value(k: int) -> Fraction:
        if k not in known:
            known[k] = curve.pv(origin + k)
        return known[k]

    approx = _approximate(curve, origin)
    return _crossing(value, last, min(ev, total), approx), _first_reaching(value, last, total, approx)


def _approximate(curve: Curve, origin: int) -> Callable[[int], float] | None:
    """PV in floating point for the searches, or None when a figure does not fit a float."""
    try:
        for factor, plan in curve.parts:
            float(factor)
            plan.approx(plan.last_end)
    except OverflowError:
        return None
    return lambda k: curve.approx(origin + k)


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
