"""filled-but-open and assignee-not-allocated (issue 15), on tests/fixtures/minimal.

The minimal program: position payroll-lead (1 opening, status open, line 5) has
c1 shortlisted and c2 at offer; infra's task `network` is assigned to bob
(infra.yaml line 14), who is allocated to infra; cy is allocated to payroll only.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from conftest import only

POSITION = "hiring/payroll-lead.yaml"
INFRA = "projects/infra.yaml"


def hire_c2(program):
    program.replace(POSITION, "    stage: offer\n", "    stage: hired\n    hired_as: cy\n")


def test_a_filled_position_still_open_with_candidates_in_process(program):
    hire_c2(program)
    [f] = only(program.validate(), "filled-but-open")
    assert (f.file, f.line, f.column) == (POSITION, 5, 9)  # status: open
    assert f.severity == "warning"
    assert f.message == ("position `payroll-lead` has filled its 1 opening (hired: `c2`) but is still `open` "
                         "with 1 candidate in process (`c1`)")
    assert f.hint.startswith("set `status: filled`")


def test_a_filled_position_marked_filled_or_with_nobody_waiting_is_fine(program):
    hire_c2(program)
    program.replace(POSITION, "status: open", "status: filled")
    assert only(program.validate(), "filled-but-open") == []
    program.replace(POSITION, "status: filled", "status: open")
    program.replace(POSITION, "    stage: shortlisted\n", "    stage: rejected\n")
    assert only(program.validate(), "filled-but-open") == []


def test_an_open_position_with_openings_left_is_fine(program):
    hire_c2(program)
    program.replace(POSITION, "openings: 1", "openings: 2")
    assert only(program.validate(), "filled-but-open") == []


def test_a_task_assigned_to_a_person_without_an_allocation_to_its_project(program):
    program.replace(INFRA, "    assignee: bob", "    assignee: cy")
    [f] = only(program.validate(), "assignee-not-allocated")
    assert (f.file, f.line, f.column) == (INFRA, 14, 15)
    assert f.severity == "warning"
    assert f.message == ("task `network` of project `infra` is assigned to `cy` (Cy Park), "
                         "who has no allocation to `infra`")
    assert f.hint == ("add `- {project: infra, percent: N}` under `allocations` in staff/cy.yaml, "
                      "or assign the task to someone allocated to the project")


def test_team_and_vendor_assignees_and_proposed_projects_are_not_checked(program):
    assert only(program.validate(), "assignee-not-allocated") == []  # payroll: ann, acme (vendor), apps (team)
    program.replace(INFRA, "    assignee: bob", "    assignee: cy")
    program.replace(INFRA, "status: active", "status: proposed")
    assert only(program.validate(), "assignee-not-allocated") == []
