"""Planned percent, effort-weighted progress, groups, objectives and milestones.

Every expected number is worked out by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from pmkit.domain.model import Objective
from pmkit.rollup import schedule
from pmkit.rollup.schedule import Tally, milestone_row, progress_to_target, task_planned, to_decimal

from .builders import D, milestone, model, person, project, task, team, vendor

# ------------------------------------------------------------ task planned %


def test_planned_before_at_and_after_the_dates():
    # 2026-03-01 .. 2026-03-11: 10 days
    t = task("t", "2026-03-01", "2026-03-11")
    assert task_planned(t, D("2026-02-28")) == 0
    assert task_planned(t, D("2026-03-01")) == 0  # D == start: nothing elapsed yet
    assert task_planned(t, D("2026-03-04")) == 30  # 100 x 3 / 10
    assert task_planned(t, D("2026-03-10")) == 90  # 100 x 9 / 10
    assert task_planned(t, D("2026-03-11")) == 100  # D == end: "from end on"
    assert task_planned(t, D("2027-01-01")) == 100


def test_planned_is_exact_for_a_repeating_fraction():
    # 3 days, 1 elapsed: 100/3, not 33.33 and not a float
    t = task("t", "2026-03-01", "2026-03-04")
    assert task_planned(t, D("2026-03-02")) == Fraction(100, 3)


def test_planned_counts_calendar_days_across_months_and_a_leap_day():
    # 2028-02-01 .. 2028-03-02 is 30 days (2028 is a leap year: Feb has 29); 2028-02-16 is 15 in
    t = task("t", "2028-02-01", "2028-03-02")
    assert task_planned(t, D("2028-02-16")) == 50


def test_one_day_task_is_0_before_and_100_on_and_after_its_day():
    t = task("t", "2026-04-30", "2026-04-30")
    assert task_planned(t, D("2026-04-29")) == 0
    assert task_planned(t, D("2026-04-30")) == 100
    assert task_planned(t, D("2026-05-01")) == 100


def test_task_without_dates_is_planned_like_its_project():
    # the model gives a dateless task its project's dates: 2026-01-01 .. 2026-08-27 (238 days);
    # 2026-04-30 is day 119 of it: 100 x 119 / 238 = 50
    t = task("t", project_dates=("2026-01-01", "2026-08-27"))
    assert not t.dated
    assert task_planned(t, D("2026-04-30")) == 50


# ------------------------------------------------------------ weighted means


def test_effort_weighted_progress_and_planned():
    # efforts 1 and 3; progress 100 and 20 -> (100 + 60) / 4 = 40
    # planned: t1 done by D (100), t2 a quarter through (25) -> (100 + 75) / 4 = 43.75
    tasks = [task("t1", "2026-01-01", "2026-01-10", effort=1, progress=100),
             task("t2", "2026-02-01", "2026-02-05", effort=3, progress=20)]
    t = schedule.tally(tasks, D("2026-02-02"))
    assert (t.progress, t.planned, t.tasks, t.effort) == (40, Fraction(175, 4), 2, 4)


def test_weighted_mean_of_thirds_stays_exact():
    # efforts 1, 1, 1: planned 100/3, 200/3 (span 3, 1 and 2 days in) and 0 -> (300/3) / 3 = 100/3
    tasks = [task("a", "2026-03-01", "2026-03-04"), task("b", "2026-02-28", "2026-03-03"),
             task("c", "2026-04-01", "2026-04-04")]
    t = schedule.tally(tasks, D("2026-03-02"))
    assert t.planned == Fraction(100, 3)
    shown = to_decimal(t.planned)
    assert shown is not None and len(shown.as_tuple().digits) == 60 and str(shown).startswith("33.3333333333")


def test_fractional_effort_weights():
    # efforts 0.5 and 1.5: (0.5 x 100 + 1.5 x 0) / 2 = 25
    t = schedule.tally([task("a", effort="0.5", progress=100), task("b", effort="1.5", progress=0)], D("2026-06-01"))
    assert t.progress == 25


def test_no_tasks_means_null_not_zero():
    t = Tally()
    assert t.progress is None and t.planned is None and t.tasks == 0
    assert schedule.Progress.of(t).progress is None


def test_program_leaves_cancelled_projects_out_and_counts_on_hold():
    # active: effort 2 at 50; on-hold: effort 2 at 100; cancelled: effort 4 at 0 (left out)
    # program = (2 x 50 + 2 x 100) / 4 = 75
    m = model(project("a", (task("t", effort=2, progress=50),)),
              project("h", (task("t", effort=2, progress=100),), status="on-hold"),
              project("c", (task("t", effort=4, progress=0),), status="cancelled"))
    assert schedule.program_tally(m, D("2026-06-01")).progress == 75


def test_program_as_of_before_start_and_after_end():
    m = model(project("a", (task("t1", "2026-02-01", "2026-03-01", progress=10),
                             task("t2", "2026-05-01", "2026-06-01", progress=0))))
    assert schedule.program_tally(m, D("2025-06-01")).planned == 0
    assert schedule.program_tally(m, D("2027-06-01")).planned == 100


# ------------------------------------------------------------ groups


def test_groups_by_team_vendor_person_and_objective():
    objectives = (Objective("o1", "O1", "m", None, Decimal(0), Decimal(10), Decimal(5), None),)
    people = (person("ann", team="apps"), person("cy", team="apps", employment="contractor", vendor="acme"),
              person("bo", team="ops"))
    m = model(
        project("p", (task("t1", effort=2, progress=100, assignee="ann"),   # ann, apps
                      task("t2", effort=2, progress=50, assignee="cy"),     # cy, apps (not acme)
                      task("t3", effort=4, progress=25, assignee="apps"),   # apps itself
                      task("t4", effort=1, progress=0, assignee="acme"),    # acme itself
                      task("t5", effort=1, progress=80, assignee="bo")),    # bo, ops
                objectives=("o1",)),
        project("x", (task("t", effort=10, progress=0, assignee="ann"),), status="cancelled", objectives=("o1",)),
        people=people, teams=(team("apps"), team("ops")), vendors=(vendor("acme"),), objectives=objectives,
    )
    g = schedule.groups(m, D("2026-06-01"))
    # apps: t1, t2, t3 -> (200 + 100 + 100) / 8 = 50 (the cancelled project's task is left out)
    assert (g.teams["apps"].progress, g.teams["apps"].tasks) == (50, 3)
    assert g.teams["ops"].progress == 80
    # acme: only t4, not cy's task
    assert (g.vendors["acme"].progress, g.vendors["acme"].tasks) == (0, 1)
    assert (g.people["ann"].progress, g.people["ann"].tasks) == (100, 1)
    assert g.people["cy"].progress == 50
    # o1: all of p (the cancelled x is left out): (200 + 100 + 100 + 0 + 80) / 10 = 48
    assert g.objectives["o1"].progress == 48
    assert schedule.objective_projects(m, "o1") == ["p"]


# ------------------------------------------------------------ objectives


def _objective(baseline, target, current):
    return Objective("o", "O", "m", None, Decimal(baseline), Decimal(target),
                     None if current is None else Decimal(current), None)


@pytest.mark.parametrize(("baseline", "target", "current", "expected"), [
    (0, 100, 62, 62),                  # (62 - 0) / (100 - 0)
    (38, 70, 44, Fraction(75, 4)),     # 6 / 32 = 18.75
    (12, 2, 9, 30),                    # falling metric: -3 / -10 = 30
    (0, 200, 250, 100),                # beyond target: clamped to 100
    (10, 20, 5, 0),                    # worse than baseline: clamped to 0
    (5, 5, 5, None),                   # target == baseline: undefined
    (0, 10, None, None),               # nothing reported yet
])
def test_progress_to_target(baseline, target, current, expected):
    assert progress_to_target(_objective(baseline, target, current)) == expected


# ------------------------------------------------------------ milestones

AS_OF = D("2026-04-30")


@pytest.mark.parametrize(("due", "done", "status", "shown_done", "slipped"), [
    ("2026-01-31", "2026-02-03", "done", "2026-02-03", 3),     # done 3 days late
    ("2026-03-01", "2026-02-27", "done", "2026-02-27", -2),    # done 2 days early
    ("2026-04-30", "2026-04-30", "done", "2026-04-30", 0),     # done on D counts
    ("2026-04-15", None, "late", None, 15),                    # D - due
    ("2026-04-20", "2026-05-05", "late", None, 10),            # done after D: not done as of D
    ("2026-05-20", "2026-05-05", "upcoming", None, None),      # done after D, due soon
    ("2026-04-30", None, "upcoming", None, None),              # due today is not late yet
    ("2026-05-30", None, "upcoming", None, None),              # D + 30 days: still upcoming
    ("2026-05-31", None, "planned", None, None),               # D + 31 days
])
def test_milestone_status(due, done, status, shown_done, slipped):
    row = milestone_row(milestone("m", due, done), AS_OF)
    assert (row.status, row.done, row.slipped_days) == (status, None if shown_done is None else D(shown_done), slipped)


def test_cancelled_projects_milestones_are_neither_listed_nor_late():
    m = model(project("a", milestones=(milestone("m1", "2026-03-01", project="a"),)),
              project("c", status="cancelled", milestones=(milestone("m2", "2026-03-01", project="c"),
                                                           milestone("m3", "2026-02-01", "2026-01-30", project="c"))))
    rows = schedule.milestones(m, AS_OF)
    assert [(r.project, r.id, r.status) for r in rows] == [("a", "m1", "late")]
    counts = schedule.milestone_counts(m.projects["c"], AS_OF)
    assert (counts.total, counts.done, counts.late, counts.upcoming) == (2, 1, 0, 0)


def test_milestones_sorted_by_due_then_project_then_id():
    m = model(project("b", milestones=(milestone("z", "2026-06-01", project="b"), milestone("a", "2026-05-01", project="b"))),
              project("a", milestones=(milestone("y", "2026-06-01", project="a"),)))
    assert [(r.project, r.id) for r in schedule.milestones(m, AS_OF)] == [("b", "a"), ("a", "y"), ("b", "z")]


def test_to_decimal_equals_a_division_in_a_60_digit_local_context() -> None:
    """The fast path (the context's own ``divide``) against the plain one, digit for digit:
    terminating and repeating fractions, tiny and huge, negative, integers."""
    import random
    from decimal import Context, localcontext
    from fractions import Fraction

    rnd = random.Random(7)
    values = [Fraction(1, 3), Fraction(-2, 7), Fraction(5), Fraction(0), Fraction(1, 2**70), Fraction(10**80, 3)]
    values += [Fraction(rnd.randint(-10 ** rnd.randint(1, 70), 10 ** rnd.randint(1, 70)),
                        rnd.randint(1, 10 ** rnd.randint(1, 40))) for _ in range(20_000)]
    for value in values:
        with localcontext(Context(prec=60)):
            plain = Decimal(value.numerator) / Decimal(value.denominator)
        assert str(to_decimal(value)) == str(plain), value
    assert to_decimal(None) is None
