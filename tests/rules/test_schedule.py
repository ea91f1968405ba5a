"""Schedule, dependency and allocation rules.

Every expected line, column, date and number below is worked out by hand
from tests/fixtures/minimal, not read back from the rule.
"""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import only
from pmkit.rules.dependency_cycle import closing_edges
from pmkit.rules.over_allocated import over
from pmkit.core.findings import Severity

D = dt.date.fromisoformat
PAYROLL = "projects/payroll.yaml"
INFRA = "projects/infra.yaml"

AUDIT = """
name: Audit
owner: ann
team: apps
status: {status}
start: 2026-05-01
end: 2026-05-31
"""


# ---------------------------------------------------------------- date-order

@pytest.mark.parametrize("path, old, new, needle, end_field", [
    ("program.yaml", "end: 2026-12-31", "end: 2025-12-31", "end: 2025-12-31", "end"),
    (INFRA, "end: 2026-12-31", "end: 2025-12-31", "end: 2025-12-31", "end"),
    (PAYROLL, "end: 2026-09-30", "end: 2026-03-20", "end: 2026-03-20", "tasks[1].end"),
    ("staff/cy.yaml", "end: 2026-12-31", "end: 2026-01-31", "end: 2026-01-31", "end"),
    ("staff/cy.yaml", "to: 2026-12-31", "to: 2026-01-31", "to: 2026-01-31", "allocations[0].to"),
    ("vendors/acme.yaml", "end: 2026-12-31", "end: 2026-01-31", "end: 2026-01-31", "contracts[0].end"),
    ("risks/vendor-delay.yaml", "due: 2026-09-30", "due: 2026-01-31", "due: 2026-01-31", "due"),
    ("hiring/payroll-lead.yaml", "opened: 2026-03-01", "opened: 2026-03-01\nclosed: 2026-02-28",
     "closed: 2026-02-28", "closed"),
])
def test_end_before_start_points_at_the_end_side(program, path, old, new, needle, end_field):
    program.replace(path, old, new)
    line = program.line_of(path, needle)
    [f] = only(program.validate(), "date-order")
    assert (f.file, f.line) == (path, line)
    assert f"`{end_field}`" in f.message
    assert f.severity is Severity.ERROR


def test_task_end_before_start_names_task_dates_and_gap(program):
    program.replace(PAYROLL, "end: 2026-09-30", "end: 2026-03-31")
    [f] = only(program.validate(), "date-order")
    assert (f.line, f.column) == (35, 10)  # "    end: 2026-03-31", the value
    assert f.message == ("task `build` of project `payroll`: `tasks[1].end` 2026-03-31 is 1 day "
                         "before `tasks[1].start` 2026-04-01")
    assert "on or after `start` (2026-04-01)" in f.hint


def test_allocation_and_risk_messages_name_the_record(program):
    program.replace("staff/cy.yaml", "to: 2026-12-31", "to: 2026-01-31")
    program.replace("risks/vendor-delay.yaml", "due: 2026-09-30", "due: 2026-01-22")
    found = only(program.validate(), "date-order")
    assert [f.message for f in found] == [
        "risk `vendor-delay`: `due` 2026-01-22 is 10 days before `opened` 2026-02-01",
        "the allocation of `cy` to project `payroll`: `allocations[0].to` 2026-01-31 is 1 day "
        "before `allocations[0].from` 2026-02-01",
    ]


def test_same_day_start_and_end_is_in_order(program):
    program.replace(PAYROLL, "end: 2026-09-30", "end: 2026-04-01")  # build: 04-01..04-01
    program.replace("risks/vendor-delay.yaml", "due: 2026-09-30", "due: 2026-02-01")  # = opened
    program.replace("staff/cy.yaml", "to: 2026-12-31", "to: 2026-02-01")  # = from
    assert only(program.validate(), "date-order") == []


# ---------------------------------------------------------------- outside-project-dates

def test_milestone_due_after_project_end(program):
    program.replace(PAYROLL, "due: 2026-11-30", "due: 2027-01-15")
    [f] = only(program.validate(), "outside-project-dates")
    assert (f.file, f.line, f.column) == (PAYROLL, 21, 10)
    assert f.message == ("milestone `go-live` is due 2027-01-15 (`milestones[1].due`), "
                         "after project `payroll` ends on 2026-12-31")
    assert "2026-01-01..2026-12-31" in f.hint


def test_task_start_before_project_start(program):
    program.replace(INFRA, "start: 2026-01-15", "start: 2025-12-20")
    [f] = only(program.validate(), "outside-project-dates")
    assert (f.file, f.line) == (INFRA, program.line_of(INFRA, "start: 2025-12-20"))
    assert f.message == ("task `network` starts on 2025-12-20 (`tasks[0].start`), "
                         "before project `infra` starts on 2026-01-01")


def test_project_outside_program_names_the_program(program):
    program.replace(INFRA, "end: 2026-12-31", "end: 2027-01-31")
    [f] = only(program.validate(), "outside-project-dates")
    assert (f.file, f.line) == (INFRA, 7)
    assert f.message == ("project `infra` ends on 2027-01-31, after the program `Minimal Program` "
                         "ends on 2026-12-31 (program.yaml)")


def test_dates_on_the_boundaries_and_undated_tasks_are_inside(program):
    program.replace(INFRA, "start: 2026-01-15", "start: 2026-01-01")  # = project start
    program.replace(INFRA, "end: 2026-06-30", "end: 2026-12-31")  # = project end
    program.replace(PAYROLL, "due: 2026-11-30", "due: 2026-12-31")  # = project end
    program.replace(PAYROLL, "    start: 2026-10-01\n    end: 2026-11-30\n", "")  # train takes the project's
    assert only(program.validate(), "outside-project-dates") == []


# ---------------------------------------------------------------- task-before-dependency

def test_task_starting_before_its_dependency_ends(program):
    program.replace(PAYROLL, "start: 2026-04-01", "start: 2026-03-15")
    [f] = only(program.validate(), "task-before-dependency")
    assert (f.file, f.line, f.column) == (PAYROLL, 37, 18)  # `design` in "    depends_on: [design]"
    assert f.message == ("task `build` starts on 2026-03-15 (`tasks[1].start`), 16 days before "
                         "task `design` it depends on ends on 2026-03-31")


def test_starting_on_the_day_the_dependency_ends_is_allowed(program):
    program.replace(PAYROLL, "start: 2026-04-01", "start: 2026-03-31")
    assert only(program.validate(), "task-before-dependency") == []


def test_dependency_in_another_project_and_several_at_once(program):
    program.replace(PAYROLL, "start: 2026-10-01", "start: 2026-06-15")
    found = only(program.validate(), "task-before-dependency")
    assert [(f.line, f.column) for f in found] == [(45, 18), (45, 25)]
    assert "107 days before task `build` it depends on ends on 2026-09-30" in found[0].message
    assert "15 days before task `infra/network` it depends on ends on 2026-06-30" in found[1].message


def test_undated_tasks_take_their_projects_dates(program):
    program.replace(INFRA, "    end: 2026-06-30\n", "")  # network now ends with infra, 2026-12-31
    [f] = only(program.validate(), "task-before-dependency")
    assert (f.line, f.column) == (45, 25)
    assert "ends on 2026-12-31 (project `infra`'s end)" in f.message


# ---------------------------------------------------------------- dependency-cycle

def test_project_cycle_reported_once_at_the_closing_edge(program):
    program.append(INFRA, "depends_on: [payroll]\n")
    program.append(PAYROLL, "depends_on: [infra]\n")
    [f] = only(program.validate(), "dependency-cycle")
    assert (f.file, f.line, f.column) == (PAYROLL, 46, 14)
    assert f.message == "projects depend on each other in a circle: `infra` → `payroll` → `infra`"
    assert f.severity is Severity.ERROR


def test_project_depending_on_itself(program):
    program.append(INFRA, "depends_on: [infra]\n")
    [f] = only(program.validate(), "dependency-cycle")
    assert (f.file, f.line) == (INFRA, 19)
    assert f.message == "project `infra` depends on itself"


def test_task_cycle_across_projects(program):
    program.replace(INFRA, "    progress: 80\n", "    progress: 80\n    depends_on: [payroll/train]\n")
    [f] = only(program.validate(), "dependency-cycle")
    assert (f.file, f.line, f.column) == (PAYROLL, 45, 25)
    assert f.message == ("tasks depend on each other in a circle: "
                         "`infra/network` → `payroll/train` → `infra/network`")


def test_task_cycle_within_a_project_named_in_order(program):
    program.replace(PAYROLL, "    progress: 100\n", "    progress: 100\n    depends_on: [train]\n")
    [f] = only(program.validate(), "dependency-cycle")
    assert (f.file, f.line, f.column) == (PAYROLL, 38, 18)  # build's `design`, one line lower now
    assert f.message == ("tasks in project `payroll` depend on each other in a circle: "
                         "`design` → `train` → `build` → `design`")


def test_task_depending_on_itself(program):
    program.replace(PAYROLL, "depends_on: [design]", "depends_on: [design, build]")
    [f] = only(program.validate(), "dependency-cycle")
    assert (f.line, f.column) == (37, 26)
    assert f.message == "task `build` in project `payroll` depends on itself"


def test_diamond_is_no_cycle(program):
    program.replace(PAYROLL, "depends_on: [build, infra/network]", "depends_on: [build, design, infra/network]")
    program.append(PAYROLL, "depends_on: [infra]\n")
    assert only(program.validate(), "dependency-cycle") == []


def test_each_closing_edge_once_and_deterministic():
    edges = {"a": [("b", 1)], "b": [("a", 2), ("c", 3)], "c": [("a", 4)]}
    found = list(closing_edges(["a", "b", "c"], edges))
    assert found == [(["a", "b", "a"], 2), (["a", "b", "c", "a"], 4)]
    assert list(closing_edges(["a", "b", "c"], edges)) == found


def test_long_chain_needs_no_recursion():
    n = 50_000
    edges = {i: [(i + 1, i)] for i in range(n)}
    edges[n] = [(0, "back")]
    [(cycle, where)] = list(closing_edges(list(range(n + 1)), edges))
    assert where == "back" and len(cycle) == n + 2


# ---------------------------------------------------------------- over-allocated

ANN_INFRA = "  - project: infra\n    percent: 20\n    from: 2026-01-01\n    to: 2026-12-31\n"


def test_over_allocation_names_range_total_and_projects(program):
    program.replace("staff/ann.yaml", ANN_INFRA,
                    "  - project: infra\n    percent: 50\n    from: 2026-03-01\n    to: 2026-04-30\n")
    [f] = only(program.validate(), "over-allocated")
    # the allocation that took the total over (infra from 03-01), not the `allocations` key
    assert (f.file, f.line, f.column) == ("staff/ann.yaml", 13, 5)
    assert f.message == ("`ann` (Ann Lee) is allocated over 100% on "
                         "2026-03-01..2026-04-30 (110%: infra 50%, payroll 60%); "
                         "the allocation to `infra` on line 13 took the total over 100% on 2026-03-01")
    assert "infra, payroll" in f.hint


def test_exactly_100_percent_is_fine(program):
    program.replace("staff/ann.yaml", "percent: 20", "percent: 40")
    assert only(program.validate(), "over-allocated") == []


def test_back_to_back_allocations_do_not_overlap_but_one_shared_day_does(program):
    program.replace("staff/bob.yaml", "to: 2026-12-31", "to: 2026-06-30")
    program.replace("staff/bob.yaml", "acknowledgements:",
                    "  - project: payroll\n    percent: 100\n    from: 2026-07-01\nacknowledgements:")
    assert only(program.validate(), "over-allocated") == []
    program.replace("staff/bob.yaml", "from: 2026-07-01", "from: 2026-06-30")
    [f] = only(program.validate(), "over-allocated")
    tipping = program.line_of("staff/bob.yaml", "from: 2026-06-30") - 2  # its `- project: payroll`
    assert f.line == tipping
    assert f.message == ("`bob` (Bob Stone) is allocated over 100% on 2026-06-30 (200%: infra 100%, payroll 100%); "
                         f"the allocation to `payroll` on line {tipping} took the total over 100% on 2026-06-30")


def test_undated_allocation_follows_person_and_project(program):
    program.write("projects/audit.yaml", AUDIT.format(status="active"))
    program.replace("staff/cy.yaml", "acknowledgements:", "  - project: audit\n    percent: 50\nacknowledgements:")
    [f] = only(program.validate(), "over-allocated")
    assert f.message.startswith(
        "`cy` (Cy Park) is allocated over 100% on 2026-05-01..2026-05-31 (150%: audit 50%, payroll 100%); "
        "the allocation to `audit` on line ")


def test_undated_allocation_uses_employment_when_the_project_is_longer(program):
    program.replace("staff/cy.yaml", "acknowledgements:", "  - project: infra\n    percent: 10\nacknowledgements:")
    [f] = only(program.validate(), "over-allocated")
    assert "on 2026-02-01..2026-12-31 (110%: infra 10%, payroll 100%)" in f.message


def test_allocations_to_cancelled_projects_still_count(program):
    """Time given before a cancellation was given: the allocation should end when the work stopped."""
    program.write("projects/audit.yaml", AUDIT.format(status="cancelled"))
    program.replace("staff/cy.yaml", "acknowledgements:",
                    "  - project: audit\n    percent: 50\n    to: 2026-05-10\nacknowledgements:")
    [f] = only(program.validate(), "over-allocated")
    assert "on 2026-05-01..2026-05-10 (150%: audit 50%, payroll 100%)" in f.message
    assert f.hint.endswith("; end the allocations to cancelled audit when the work stopped")


def test_sweep_merges_equal_neighbours_and_splits_changes():
    periods = [
        (D("2026-01-01"), D("2026-12-31"), Decimal(60), "payroll"),
        (D("2026-03-01"), D("2026-03-31"), Decimal(50), "infra"),
        (D("2026-04-01"), D("2026-04-30"), Decimal("50"), "infra"),
        (D("2026-04-15"), D("2026-04-20"), Decimal("2.5"), "audit"),
        (D("2026-11-01"), None, Decimal(45), "infra"),
    ]
    share = ((("infra", Decimal(50)), ("payroll", Decimal(60))))
    assert over(periods) == [
        (D("2026-03-01"), D("2026-04-14"), Decimal(110), share),
        (D("2026-04-15"), D("2026-04-20"), Decimal("112.5"),
         (("audit", Decimal("2.5")), ("infra", Decimal(50)), ("payroll", Decimal(60)))),
        (D("2026-04-21"), D("2026-04-30"), Decimal(110), share),
        (D("2026-11-01"), D("2026-12-31"), Decimal(105), (("infra", Decimal(45)), ("payroll", Decimal(60)))),
    ]


def test_sweep_open_ended_and_last_possible_day():
    periods = [(D("2026-01-01"), None, Decimal(80), "a"), (D("2027-01-01"), dt.date.max, Decimal(30), "b")]
    assert over(periods) == [(D("2027-01-01"), None, Decimal(110), (("a", Decimal(80)), ("b", Decimal(30))))]


def test_many_years_of_allocations_are_cheap():
    periods = [(D("0001-01-01"), D("9999-12-30"), Decimal(60), "a"), (D("0001-01-01"), None, Decimal(50), "b")]
    [(first, last, total, _)] = over(periods)
    assert (first, last, total) == (D("0001-01-01"), D("9999-12-30"), Decimal(110))


# ---------------------------------------------------------------- allocation-outside-dates

def test_allocation_before_the_person_joins(program):
    program.replace("staff/cy.yaml", "from: 2026-02-01", "from: 2026-01-15")
    [f] = only(program.validate(), "allocation-outside-dates")
    assert (f.file, f.line, f.column) == ("staff/cy.yaml", 12, 11)
    assert f.severity is Severity.WARNING
    assert f.message == ("the allocation of `cy` to project `payroll` starts on 2026-01-15 "
                         "(`allocations[0].from`), before `cy` joins on 2026-02-01")
    assert f.hint == "keep the allocation within 2026-02-01..2026-12-31"


def test_allocation_after_the_project_ends(program):
    program.replace("staff/bob.yaml", "to: 2026-12-31", "to: 2027-03-31")
    [f] = only(program.validate(), "allocation-outside-dates")
    assert (f.file, f.line) == ("staff/bob.yaml", 12)
    assert f.message.endswith("ends on 2027-03-31 (`allocations[0].to`), after project `infra` ends on 2026-12-31")


def test_allocation_after_leaving_and_after_project_end(program):
    program.replace("staff/cy.yaml", "to: 2026-12-31", "to: 2027-01-31")
    [f] = only(program.validate(), "allocation-outside-dates")
    assert f.line == 13
    assert f.message.endswith("after `cy` leaves on 2026-12-31 and after project `payroll` ends on 2026-12-31")


def test_allocation_on_the_boundaries_or_undated_is_fine(program):
    # cy's allocation already runs exactly from her start to the project's end
    program.replace("staff/ann.yaml", ANN_INFRA, "  - project: infra\n    percent: 20\n")  # ann joined in 2025
    assert only(program.validate(), "allocation-outside-dates") == []
