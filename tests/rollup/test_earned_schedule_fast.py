"""The earned-schedule fast path against the plain computation.

``measure`` searches the PV curve in floating point and proves the answer
with exact values; ``PlanCurve.at`` sums in scaled integers. Both must give
exactly what the plain computation gives: PV group by group in Fractions
(``at_fractions``) and an exact binary search on it. Random plans, including
ties (EV exactly on a day's PV) and efforts with many decimal places.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

from pmkit.rollup import earned_schedule as es
from pmkit.rollup.schedule import to_decimal

START = dt.date(2025, 1, 1)


def _tasks(rng: random.Random, n: int) -> list[SimpleNamespace]:
    out = []
    for _ in range(n):
        start = START + dt.timedelta(days=rng.randrange(0, 400))
        span = rng.choice([0, 1, 7, 13, rng.randrange(1, 300)])
        places = rng.choice([0, 1, 2, 4])
        effort = Decimal(rng.randrange(1, 10**6)).scaleb(-places)
        out.append(SimpleNamespace(start=start, end=start + dt.timedelta(days=span), effort=effort))
    return out


def plain_measure(parts, ev: Fraction | None, start: dt.date, as_of: dt.date) -> es.EarnedSchedule:
    """``measure`` as it was: Fractions group by group, an exact binary search, no guesses."""
    at = (as_of - start).days
    present = tuple(p for p in parts if p is not None)
    if not present or ev is None:
        return es.EarnedSchedule(at=at)
    origin = start.toordinal()
    last = max(max(plan.last_end for _, plan in present) - origin, 0)

    def value(k: int) -> Fraction:
        return sum((f * plan.at_fractions(origin + k) for f, plan in present), Fraction(0))

    total = value(last)
    e = es._crossing(value, last, min(ev, total))
    pd = es._first_reaching(value, last, total)
    spi = es.spi_t(e, Fraction(at))
    duration = es.forecast_duration(Fraction(pd), spi)
    finish = None if duration is None else start + dt.timedelta(days=int(duration + Fraction(1, 2)))
    return es.EarnedSchedule(to_decimal(e), at, to_decimal(e - at), to_decimal(spi), pd, to_decimal(duration), finish)


def test_at_equals_the_fraction_sum():
    rng = random.Random(7)
    for _ in range(60):
        plan = es.PlanCurve(_tasks(rng, rng.randrange(1, 40)))
        for day in range(START.toordinal() - 3, plan.last_end + 3, 5):
            exact = plan.at_fractions(day)
            assert plan.at(day) == exact
            # The floating-point guess is close (else the fast path would seldom be taken).
            assert abs(plan.approx(day) - float(exact)) <= 1e-9 * max(1.0, float(exact))


def test_measure_equals_the_plain_computation():
    rng = random.Random(11)
    checked = ties = 0
    for _ in range(150):
        parts = [es.project_part(Decimal(rng.randrange(1, 10**7)).scaleb(-2), _tasks(rng, rng.randrange(1, 25)))
                 for _ in range(rng.randrange(1, 6))]
        present = [p for p in parts if p is not None]
        origin = START.toordinal()
        as_of = START + dt.timedelta(days=rng.randrange(-5, 500))
        if rng.random() < 0.4 and present:
            # EV exactly on some day's PV: the search's answer sits on a tie.
            day = origin + rng.randrange(0, 300)
            ev = sum((f * plan.at_fractions(day) for f, plan in present), Fraction(0))
            ties += 1
        else:
            ev = Fraction(rng.randrange(0, 10**9), 100)
        assert es.measure(parts, ev, START, as_of) == plain_measure(parts, ev, START, as_of)
        checked += 1
    assert checked == 150 and ties > 30


def test_a_projects_plan_found_by_its_tasks_tuple_is_the_plan_of_those_tasks() -> None:
    """``project_part`` keeps each tasks tuple's plan: the same tuple again (the next commit of
    a history) gets it back, any other tuple or list its own, equal to a curve built afresh."""
    rng = random.Random(11)
    es._PLAN_OF_TASKS.clear()
    tuples = [tuple(_tasks(rng, rng.randrange(1, 30))) for _ in range(40)]
    first = [es.project_part(Decimal(1000), tasks) for tasks in tuples]
    for _ in range(3):
        for tasks, part in zip(tuples, first):
            again = es.project_part(Decimal(1000), tasks)
            assert again is not None and part is not None and again[1] is part[1]
    changed = list(tuples[0])
    for tasks in (tuples[1:] + [changed, tuple(changed[:-1])]):
        part = es.project_part(Decimal(1000), tasks)
        fresh = es.PlanCurve(tasks)
        assert part is not None and part[1].total == fresh.total
        assert all(part[1].at(day) == fresh.at_fractions(day) for day in range(START.toordinal() - 2,
                                                                               START.toordinal() + 800, 17))
