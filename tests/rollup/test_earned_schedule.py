"""Earned schedule (Lipke), worked by hand.

The published example (W. Lipke, "Earned Schedule Concept", the figure's box):
all of the PV through May has been earned and part of June; the EV is
measured at the end of July, so AT = 7 months and ES = 5 + (EV - PV(May)) /
(PV(June) - PV(May)). With a cumulative plan (thousands) of
  Jan 100, Feb 200, Mar 350, Apr 500, May 650, Jun 800, Jul 950, Aug 1050, Sep 1100
(BAC = 1100, PD = 9 months) and EV = 710 at the end of July:
  C = 5 (EV 710 >= PV(May) 650, < PV(June) 800)
  I = (710 - 650) / (800 - 650) = 60 / 150 = 0.4          ES = 5.4 months
  SV(t) = 5.4 - 7 = -1.6 months   SPI(t) = 5.4 / 7 = 0.771428...
  IEAC(t) = PD / SPI(t) = 9 / (27/35) = 315 / 27 = 11.666... months
The cost-based SPI = EV / PV(July) = 710 / 950 = 0.747.
"""

from __future__ import annotations

from fractions import Fraction

from pmkit.rollup import as_json, compute
from pmkit.rollup.earned_schedule import earned_schedule, forecast_duration, spi_t

from .builders import D, expense, model, project, task

PV = [Fraction(v) for v in (0, 100, 200, 350, 500, 650, 800, 950, 1050, 1100)]  # pv[k] = end of month k


def test_lipke_concept_example():
    es = earned_schedule(PV, Fraction(710))
    assert es == Fraction(27, 5)
    spi = spi_t(es, Fraction(7))
    assert spi == Fraction(27, 35)
    assert forecast_duration(Fraction(9), spi) == Fraction(35, 3)  # 11.67 months: 2.67 months late


def test_edges_of_the_curve():
    assert earned_schedule(PV, Fraction(0)) == 0  # nothing earned: no schedule earned
    assert earned_schedule(PV, Fraction(650)) == 5  # exactly May's PV
    assert earned_schedule(PV, Fraction(1100)) == 9  # all earned: ES = PD
    assert spi_t(Fraction(3), Fraction(0)) is None  # AT = 0
    assert forecast_duration(Fraction(9), Fraction(0)) is None


def test_rollup_in_days():
    # One project, one task of 100 days (2026-01-01 .. 2026-04-11), BAC 1000, 30 % done on
    # 2026-02-20 (AT = 50 days). PV(d) = 1000 x d / 100 = 10 per day; EV = 300 -> ES = 30 days.
    # SPI(t) = 30 / 50 = 0.6; PD = 100; IEAC(t) = 100 / 0.6 = 166.67 days -> 2026-01-01 + 167 days
    # = 2026-06-17. Cost SPI = 300 / 500 = 0.6 too (one linear task).
    m = model(project("p", (task("t", "2026-01-01", "2026-04-11", progress=30),), budget={"labor": 1000}),
              expenses=(expense("e", "2026-02-01", 400),))
    doc = as_json(compute(m, D("2026-02-20")))
    es = doc["projects"]["p"]["earned_schedule"]
    assert es == {"es": 30, "at": 50, "sv_t": -20, "spi_t": 0.6, "planned_duration": 100,
                  "forecast_duration": 166.6667, "forecast_finish": "2026-06-17"}
    assert doc["program"]["earned_schedule"] == es  # program and project start on the same day


def test_two_projects_sum_their_plans():
    # a: 1000 over 2026-01-01..2026-04-11 (10/day), b: 1000 over 2026-01-01..2026-01-11 (100/day).
    # As of 2026-01-21 (AT 20): PV(d) = 110 d for d <= 10, then 1000 + 10 d. EV: a 10 % = 100, b 100 % = 1000,
    # total 1100 -> 1000 + 10 d = 1100 -> ES = 10 days; SPI(t) = 0.5; PD = 100 -> IEAC 200 days
    # -> 2026-01-01 + 200 = 2026-07-20.
    a = project("a", (task("ta", "2026-01-01", "2026-04-11", progress=10, project="a"),), budget={"labor": 1000})
    b = project("b", (task("tb", "2026-01-01", "2026-01-11", progress=100, project="b"),), budget={"labor": 1000})
    doc = as_json(compute(model(a, b), D("2026-01-21")))
    es = doc["program"]["earned_schedule"]
    assert (es["es"], es["at"], es["spi_t"], es["planned_duration"], es["forecast_finish"]) == (
        10, 20, 0.5, 100, "2026-07-20")


def test_without_tasks_or_before_the_start():
    m = model(project("p", budget={"labor": 1000}))
    es = as_json(compute(m, D("2026-03-01")))["projects"]["p"]["earned_schedule"]
    assert es["es"] is None and es["forecast_finish"] is None and es["at"] == 59
    m = model(project("p", (task("t", "2026-01-01", "2026-04-11"),), budget={"labor": 1000}))
    es = as_json(compute(m, D("2026-01-01")))["projects"]["p"]["earned_schedule"]
    assert es["es"] == 0 and es["at"] == 0 and es["spi_t"] is None and es["forecast_finish"] is None


def test_the_plan_curve_equals_the_task_by_task_sum():
    """PlanCurve's integer fast path against the definition (effort x task_planned / 100), exactly,
    on random tasks with decimal efforts, zero-day tasks and shared spans."""
    import datetime as dt
    import random
    from decimal import Decimal

    from pmkit.rollup.earned_schedule import PlanCurve
    from pmkit.rollup.schedule import task_planned

    rng = random.Random(12)
    base = dt.date(2026, 1, 1)
    for _ in range(30):
        tasks = []
        for i in range(rng.randint(1, 40)):
            start = base + dt.timedelta(days=rng.randint(0, 300))
            span = rng.choice([0, 1, 7, 30, 31, 90, rng.randint(1, 400)])
            effort = Decimal(rng.randint(0, 5000)) / Decimal(rng.choice([1, 10, 100, 1000]))
            tasks.append(task(f"t{i}", start.isoformat(), (start + dt.timedelta(days=span)).isoformat(),
                              effort=str(effort)))
        curve = PlanCurve(tasks)
        assert curve.total == sum((t.effort for t in tasks), Decimal(0))
        for day in [base + dt.timedelta(days=d) for d in (-5, 0, 1, 45, 100, 299, 365, 800)]:
            want = sum((Fraction(t.effort) * task_planned(t, day) / 100 for t in tasks), Fraction(0))
            assert curve.at(day.toordinal()) == want
