"""People, hiring, compliance, problems, traceability and id rules."""

import datetime as dt

from conftest import only

from pmkit.core.findings import Severity
from pmkit.domain import compliance

D = dt.date


def where(findings):
    return [(f.file, f.line) for f in findings]


def add(program, path, text):
    """Append text verbatim (``program.append`` dedents, which would un-nest list items)."""
    (program.root / path).write_text(program.read(path) + text.lstrip("\n"), encoding="utf-8")


# --- contractor-without-vendor -------------------------------------------------

def test_contractor_without_vendor(program):
    program.replace("staff/cy.yaml", "vendor: acme\n", "")
    [f] = only(program.validate(), "contractor-without-vendor")
    assert (f.file, f.line, f.column) == ("staff/cy.yaml", program.line_of("staff/cy.yaml", "employment: contractor"), 13)
    assert "`cy`" in f.message and "contractor" in f.message and "vendor" in f.hint


def test_employee_with_vendor(program):
    program.replace("staff/bob.yaml", "employment: employee\n", "employment: employee\nvendor: acme\n")
    [f] = only(program.validate(), "contractor-without-vendor")
    assert where([f]) == [("staff/bob.yaml", program.line_of("staff/bob.yaml", "vendor: acme"))]
    assert "employee" in f.message and "`acme`" in f.message


def test_contractor_with_vendor_and_employee_without_are_fine(program):
    assert only(program.validate(), "contractor-without-vendor") == []


# --- offer-before-shortlist ----------------------------------------------------

HIRING = "hiring/payroll-lead.yaml"


def test_offer_before_full_shortlist(program):
    program.replace(HIRING, "shortlist_size: 2", "shortlist_size: 3")
    [f] = only(program.validate(), "offer-before-shortlist")
    assert where([f]) == [(HIRING, program.line_of(HIRING, "stage: offer"))]
    assert "only 2 of the required 3" in f.message and "`c2` (offer)" in f.message


def test_shortlist_size_defaults_to_three(program):
    program.replace(HIRING, "shortlist_size: 2\n", "")
    [f] = only(program.validate(), "offer-before-shortlist")
    assert "only 2 of the required 3" in f.message


def test_offer_with_exactly_the_shortlist_is_fine(program):
    # c1 shortlisted + c2 offer = 2 = shortlist_size
    assert only(program.validate(), "offer-before-shortlist") == []


def test_manager_decision_needs_no_shortlist(program):
    program.replace(HIRING, "shortlist_size: 2", "shortlist_size: 3")
    program.replace(HIRING, "decision: committee", "decision: manager")
    assert only(program.validate(), "offer-before-shortlist") == []


def test_rejected_candidate_does_not_count_towards_shortlist(program):
    program.replace(HIRING, "stage: shortlisted", "stage: rejected")
    [f] = only(program.validate(), "offer-before-shortlist")
    assert "only 1 of the required 2" in f.message


def test_hired_counts_as_reached_shortlist(program):
    program.replace(HIRING, "stage: shortlisted", "stage: hired\n    hired_as: cy")
    assert only(program.validate(), "offer-before-shortlist") == []


# --- hired-without-person ------------------------------------------------------

def test_hired_without_hired_as(program):
    program.replace(HIRING, "stage: offer", "stage: hired")
    [f] = only(program.validate(), "hired-without-person")
    assert where([f]) == [(HIRING, program.line_of(HIRING, "stage: hired"))]
    assert "`c2`" in f.message


def test_hired_as_on_candidate_not_hired(program):
    program.replace(HIRING, "stage: shortlisted", "stage: shortlisted\n    hired_as: cy")
    [f] = only(program.validate(), "hired-without-person")
    assert where([f]) == [(HIRING, program.line_of(HIRING, "hired_as: cy"))]
    assert "`shortlisted`" in f.message and "`cy`" in f.message


def test_hired_with_hired_as_is_fine(program):
    program.replace(HIRING, "stage: offer", "stage: hired\n    hired_as: cy")
    assert only(program.validate(), "hired-without-person") == []


# --- interviewer-not-staff -----------------------------------------------------

def test_interview_before_interviewer_started(program):
    # bob starts 2025-06-01
    program.replace(HIRING, "date: 2026-03-21", "date: 2025-05-31")
    [f] = only(program.validate(), "interviewer-not-staff")
    assert where([f]) == [(HIRING, program.line_of(HIRING, "interviewer: bob"))]
    assert "2025-05-31" in f.message and "2025-06-01" in f.message and "`c2`" in f.message


def test_interview_on_interviewer_first_day_is_fine(program):
    program.replace(HIRING, "date: 2026-03-21", "date: 2025-06-01")
    assert only(program.validate(), "interviewer-not-staff") == []


def test_interview_after_interviewer_left(program):
    # cy ends 2026-12-31
    program.replace(HIRING, "date: 2026-03-21\n        interviewer: bob", "date: 2027-01-01\n        interviewer: cy")
    [f] = only(program.validate(), "interviewer-not-staff")
    assert where([f]) == [(HIRING, program.line_of(HIRING, "interviewer: cy"))]
    assert "2026-12-31" in f.message


def test_interview_on_interviewer_last_day_is_fine(program):
    program.replace(HIRING, "date: 2026-03-21\n        interviewer: bob", "date: 2026-12-31\n        interviewer: cy")
    assert only(program.validate(), "interviewer-not-staff") == []


def test_unknown_interviewer_is_only_an_unknown_reference(program):
    program.replace(HIRING, "interviewer: bob", "interviewer: zed")
    result = program.validate()
    assert only(result, "interviewer-not-staff") == []
    assert len(only(result, "unknown-reference")) == 1


# --- too-many-hires ------------------------------------------------------------

def _two_hires(program):
    program.replace(HIRING, "stage: shortlisted", "stage: hired\n    hired_as: ann")
    program.replace(HIRING, "stage: offer", "stage: hired\n    hired_as: cy")


def test_more_hires_than_openings(program):
    _two_hires(program)
    [f] = only(program.validate(), "too-many-hires")
    assert where([f]) == [(HIRING, program.line_of(HIRING, "openings: 1"))]
    assert "1 opening but 2 hired" in f.message and "`c1`, `c2`" in f.message


def test_as_many_hires_as_openings_is_fine(program):
    _two_hires(program)
    program.replace(HIRING, "openings: 1", "openings: 2")
    assert only(program.validate(), "too-many-hires") == []


# --- compliance: pure functions -------------------------------------------------

RULE = {"effective": "2026-05-01", "acknowledge_within_days": 10, "renew_every_days": 100}
PERSON = {"start": "2026-01-01", "team": "ops", "employment": "employee", "role": "Network engineer"}


def test_due_date_is_later_of_start_and_effective_plus_days():
    assert compliance.due_date(RULE, PERSON) == D(2026, 5, 11)
    assert compliance.due_date(RULE, {**PERSON, "start": "2026-06-01"}) == D(2026, 6, 11)
    assert compliance.due_date({"effective": "2026-05-01"}, PERSON) == D(2026, 5, 31)  # default 30


def test_standing_states():
    assert compliance.standing("r", RULE, PERSON, D(2026, 4, 30)) is None  # not effective yet
    assert compliance.standing("r", RULE, PERSON, D(2026, 5, 11)).state == "pending"
    assert compliance.standing("r", RULE, PERSON, D(2026, 5, 12)).state == "overdue"
    acked = {**PERSON, "acknowledgements": [{"rule": "r", "date": "2026-05-20"}, {"rule": "r", "date": "2026-05-02"}]}
    late = compliance.standing("r", RULE, acked, D(2026, 5, 25))
    assert (late.state, late.acknowledged, late.index) == ("acknowledged", D(2026, 5, 20), 0)
    assert compliance.standing("r", RULE, acked, D(2026, 8, 28)).state == "acknowledged"  # 05-20 + 100 = 08-28
    gone = compliance.standing("r", RULE, acked, D(2026, 8, 29))
    assert (gone.state, gone.expires) == ("expired", D(2026, 8, 28))
    assert compliance.standing("r", RULE, acked, D(2026, 5, 19)).acknowledged == D(2026, 5, 2)


def test_applies_to_scope():
    assert compliance.matches({"applies_to": {}}, PERSON)
    assert compliance.matches({"applies_to": {"employment": [], "teams": ["ops"], "roles": ["network  ENGINEER"]}}, PERSON)
    assert not compliance.matches({"applies_to": {"teams": ["apps"]}}, PERSON)
    assert not compliance.matches({"applies_to": {"employment": ["contractor"]}}, PERSON)
    assert not compliance.matches({"applies_to": {"roles": ["Developer"]}}, PERSON)
    assert not compliance.matches({"applies_to": {"roles": ["Developer"]}}, {"team": "ops"})
    assert compliance.employed_on({"start": "2026-01-01", "end": "2026-03-31"}, D(2026, 3, 31))
    assert not compliance.employed_on({"start": "2026-01-01", "end": "2026-03-31"}, D(2026, 4, 1))
    assert not compliance.employed_on({"start": "2026-01-01"}, D(2025, 12, 31))


# --- acknowledgement-overdue ---------------------------------------------------

SECURITY = """
    title: Security policy
    category: governance
    effective: 2026-05-01
    acknowledge_within_days: 30
    applies_to:
      {scope}
"""


def _security(program, scope="teams: [ops]"):
    program.write("rules/security.yaml", SECURITY.format(scope=scope))


def test_acknowledgement_overdue(program):
    _security(program)  # due max(2025-06-01, 2026-05-01) + 30 = 2026-05-31; only ops (bob)
    [f] = only(program.validate(D(2026, 6, 1)), "acknowledgement-overdue")
    assert where([f]) == [("staff/bob.yaml", program.line_of("staff/bob.yaml", "acknowledgements:"))]
    assert "`security`" in f.message and "due 2026-05-31" in f.message and "1 day overdue" in f.message
    assert f.severity == "warning"


def test_acknowledgement_on_its_due_date_is_not_overdue(program):
    _security(program)
    assert only(program.validate(D(2026, 5, 31)), "acknowledgement-overdue") == []


def test_rule_not_yet_effective_does_not_apply(program):
    _security(program)
    program.replace("rules/security.yaml", "effective: 2026-05-01", "effective: 2026-07-01")
    assert only(program.validate(), "acknowledgement-overdue") == []  # status date 2026-06-30


def test_acknowledgement_overdue_scoped_by_role_and_employment(program):
    _security(program, "roles: [developer]")
    assert where(only(program.validate(), "acknowledgement-overdue")) == [
        ("staff/cy.yaml", program.line_of("staff/cy.yaml", "acknowledgements:"))]
    _security(program, "employment: [employee]")
    assert [f.file for f in only(program.validate(), "acknowledgement-overdue")] == ["staff/ann.yaml", "staff/bob.yaml"]


def test_staff_who_left_are_not_chased(program):
    _security(program, "employment: [contractor]")  # cy, who leaves 2026-12-31
    assert [f.file for f in only(program.validate(D(2026, 12, 31)), "acknowledgement-overdue")] == ["staff/cy.yaml"]
    assert only(program.validate(D(2027, 1, 1)), "acknowledgement-overdue") == []


def test_acknowledgement_after_the_as_of_date_does_not_count(program):
    _security(program)
    add(program, "staff/bob.yaml", "  - rule: security\n    date: 2026-07-05\n")
    assert len(only(program.validate(D(2026, 7, 4)), "acknowledgement-overdue")) == 1
    assert only(program.validate(D(2026, 7, 5)), "acknowledgement-overdue") == []


def test_late_start_moves_the_due_date_and_no_acknowledgements_points_at_line_1(program):
    # cy starts 2026-02-01, conduct effective 2025-01-01: due 2026-03-03
    program.replace("staff/cy.yaml", "acknowledgements:\n  - rule: conduct\n    date: 2026-02-03\n", "")
    assert only(program.validate(D(2026, 3, 3)), "acknowledgement-overdue") == []
    [f] = only(program.validate(D(2026, 3, 4)), "acknowledgement-overdue")
    assert (f.file, f.line) == ("staff/cy.yaml", 1) and "due 2026-03-03" in f.message


# --- acknowledgement-expired ---------------------------------------------------

def test_acknowledgement_expired(program):
    # ann 2026-01-10 + 365 = 2027-01-10; bob 2026-01-12 -> 2027-01-12; cy has left by then
    [f] = only(program.validate(D(2027, 1, 11)), "acknowledgement-expired")
    assert where([f]) == [("staff/ann.yaml", program.line_of("staff/ann.yaml", "date: 2026-01-10"))]
    assert "renewal was due 2027-01-10" in f.message and "`conduct`" in f.message
    assert f.severity == "warning"


def test_acknowledgement_on_its_renewal_date_is_not_expired(program):
    assert only(program.validate(D(2027, 1, 10)), "acknowledgement-expired") == []


def test_latest_acknowledgement_counts(program):
    program.replace("staff/ann.yaml", "acknowledgements:\n", "acknowledgements:\n  - rule: conduct\n    date: 2026-12-20\n")
    assert only(program.validate(D(2027, 1, 11)), "acknowledgement-expired") == []
    # but not one made after the as-of date
    [f] = only(program.validate(D(2026, 1, 15) + dt.timedelta(days=365)), "acknowledgement-expired")
    assert f.file == "staff/bob.yaml"


def test_rule_without_renewal_never_expires(program):
    program.replace("rules/conduct.yaml", "renew_every_days: 365\n", "")
    assert only(program.validate(D(2030, 1, 1)), "acknowledgement-expired") == []


# --- problems ------------------------------------------------------------------

RISK = "risks/vendor-delay.yaml"


def test_problem_overdue(program):
    program.replace(RISK, "due: 2026-09-30", "due: 2026-06-29")
    [f] = only(program.validate(), "problem-overdue")
    assert where([f]) == [(RISK, program.line_of(RISK, "due:"))]
    assert "due 2026-06-29" in f.message and "1 day overdue" in f.message and f.severity == "warning"


def test_problem_due_on_the_status_date_is_not_overdue(program):
    program.replace(RISK, "due: 2026-09-30", "due: 2026-06-30")
    assert only(program.validate(), "problem-overdue") == []


def test_resolved_problem_past_due_is_not_overdue(program):
    program.replace(RISK, "due: 2026-09-30", "due: 2026-01-01")
    program.replace(RISK, "status: open", "status: resolved\nresolution: Second vendor engaged.")
    result = program.validate()
    assert only(result, "problem-overdue") == [] and only(result, "resolution-missing") == []


def test_problem_without_owner(program):
    program.replace(RISK, "owner: ann\n", "")
    [f] = only(program.validate(), "problem-without-owner")
    assert where([f]) == [(RISK, program.line_of(RISK, "severity: high"))]
    assert "high risk `vendor-delay`" in f.message


def test_medium_or_closed_problem_may_lack_owner(program):
    program.replace(RISK, "owner: ann\n", "")
    program.replace(RISK, "severity: high", "severity: medium")
    assert only(program.validate(), "problem-without-owner") == []
    program.replace(RISK, "severity: medium", "severity: critical")
    program.replace(RISK, "status: open", "status: closed\nresolution: Accepted.")
    assert only(program.validate(), "problem-without-owner") == []


def test_resolution_missing(program):
    program.replace(RISK, "status: open", "status: closed")
    [f] = only(program.validate(), "resolution-missing")
    assert where([f]) == [(RISK, program.line_of(RISK, "status: closed"))]
    assert "closed" in f.message


# --- traceability --------------------------------------------------------------

def test_project_without_objective(program):
    program.replace("projects/infra.yaml", "objectives: [faster-payroll]\n", "")
    [f] = only(program.validate(), "project-without-objective")
    assert (f.file, f.line) == ("projects/infra.yaml", 1)
    assert "faster-payroll" in f.hint


def test_project_with_empty_objectives_points_at_them(program):
    program.replace("projects/infra.yaml", "objectives: [faster-payroll]", "objectives: []")
    [f] = only(program.validate(), "project-without-objective")
    assert (f.file, f.line) == ("projects/infra.yaml", program.line_of("projects/infra.yaml", "objectives: []"))


def test_cancelled_project_needs_no_objective(program):
    program.replace("projects/infra.yaml", "objectives: [faster-payroll]\n", "")
    program.replace("projects/infra.yaml", "status: active", "status: cancelled")
    assert only(program.validate(), "project-without-objective") == []


NEW_OBJECTIVE = """
  - id: fewer-errors
    title: Fewer payroll errors
    metric: Errors per run
    baseline: 20
    target: 2
"""


def test_objective_without_project(program):
    add(program, "program.yaml", NEW_OBJECTIVE)
    [f] = only(program.validate(), "objective-without-project")
    assert where([f]) == [("program.yaml", program.line_of("program.yaml", "id: fewer-errors"))]
    assert "`fewer-errors`" in f.message


def test_objective_served_only_by_cancelled_project(program):
    add(program, "program.yaml", NEW_OBJECTIVE)
    program.replace("projects/infra.yaml", "objectives: [faster-payroll]", "objectives: [faster-payroll, fewer-errors]")
    assert only(program.validate(), "objective-without-project") == []
    program.replace("projects/infra.yaml", "status: active", "status: cancelled")
    assert len(only(program.validate(), "objective-without-project")) == 1


def test_objective_named_by_a_project_that_breaks_its_schema_is_not_reported(program):
    add(program, "program.yaml", NEW_OBJECTIVE)
    program.replace("projects/infra.yaml", "objectives: [faster-payroll]", "objectives: [faster-payroll, fewer-errors]")
    program.replace("projects/infra.yaml", "status: active", "status: underway")
    result = program.validate()
    assert only(result, "objective-without-project") == []
    assert [f.file for f in only(result, "invalid-value")] == ["projects/infra.yaml"]


PAYROLL = "projects/payroll.yaml"


def test_milestone_late(program):
    [f] = only(program.validate(D(2026, 12, 1)), "milestone-late")
    assert where([f]) == [(PAYROLL, program.line_of(PAYROLL, "due: 2026-11-30"))]
    assert "`go-live`" in f.message and "due 2026-11-30" in f.message and "1 day late" in f.message


def test_milestone_due_on_the_as_of_date_is_not_late(program):
    assert only(program.validate(D(2026, 11, 30)), "milestone-late") == []


def test_milestone_done_after_the_as_of_date_is_not_done_yet(program):
    program.replace(PAYROLL, "done: 2026-03-30", "done: 2026-04-05")
    assert where(only(program.validate(D(2026, 4, 4)), "milestone-late")) == [
        (PAYROLL, program.line_of(PAYROLL, "due: 2026-03-31"))]
    assert only(program.validate(D(2026, 4, 5)), "milestone-late") == []


def test_milestones_of_cancelled_projects_are_not_late(program):
    program.replace(PAYROLL, "status: active", "status: cancelled")
    assert only(program.validate(D(2026, 12, 1)), "milestone-late") == []


def test_report_period_mismatch(program):
    program.replace("reports/2026-06.yaml", "period: 2026-06", "period: 2026-05")
    [f] = only(program.validate(), "report-period-mismatch")
    assert (f.file, f.line, f.column) == ("reports/2026-06.yaml", 1, 9)
    assert "2026-05" in f.message and f.hint.startswith("set `period: 2026-06`")


def test_report_named_by_no_period_is_only_a_file_name_problem(program):
    program.write("reports/june.yaml", program.read("reports/2026-06.yaml"))
    program.remove("reports/2026-06.yaml")
    result = program.validate()
    assert only(result, "report-period-mismatch") == []
    assert [f.file for f in only(result, "invalid-file-name")] == ["reports/june.yaml"]


# --- ids -----------------------------------------------------------------------

def test_id_case_clash(program):
    program.write("projects/INFRA.yaml", program.read("projects/infra.yaml"))
    [f] = only(program.validate(), "id-case-clash")
    assert (f.file, f.line) == ("projects/INFRA.yaml", 1)
    assert "projects/infra.yaml" in f.message
    # an error (it fails the run), with its advice as the hint: the two were once swapped
    assert f.severity is Severity.ERROR and f.hint.startswith("ids are lower-case")


def test_id_case_clash_with_a_file_that_does_not_parse(program):
    program.write("staff/Bob.yaml", "name: [unclosed\n")
    [f] = only(program.validate(), "id-case-clash")
    assert (f.file, f.line) == ("staff/Bob.yaml", 1) and "staff/bob.yaml" in f.message


def test_similar_but_different_ids_do_not_clash(program):
    program.write("projects/infra-2.yaml", program.read("projects/infra.yaml"))
    program.write("staff/Ann.yaml", program.read("staff/bob.yaml"))  # different kind from projects/ann? none
    found = only(program.validate(), "id-case-clash")
    assert where(found) == [("staff/Ann.yaml", 1)]  # only the real clash with staff/ann.yaml


def test_duplicate_milestone_id(program):
    program.replace(PAYROLL, "id: go-live", "id: design-done")
    [f] = only(program.validate(), "duplicate-id")
    assert where([f]) == [(PAYROLL, program.line_of(PAYROLL, "id: design-done", 2))]
    assert f.hint.startswith(f"first used at {PAYROLL}:{program.line_of(PAYROLL, 'id: design-done')};")
    assert "milestone id `design-done`" in f.message


def test_duplicate_task_id(program):
    add(program, "projects/infra.yaml", "  - id: network\n    title: Network again\n")
    [f] = only(program.validate(), "duplicate-id")
    assert where([f]) == [("projects/infra.yaml", program.line_of("projects/infra.yaml", "id: network", 2))]
    assert f.hint.startswith("first used at projects/infra.yaml:12;")


def test_same_task_id_in_two_projects_is_fine(program):
    add(program, "projects/infra.yaml", "  - id: design\n    title: Network design\n")
    assert only(program.validate(), "duplicate-id") == []


def test_duplicate_contract_across_vendors(program):
    program.write("vendors/beta.yaml", """
        name: Beta Ltd
        contracts:
          - id: acme-build
            project: infra
            value: 100.00
    """)
    [f] = only(program.validate(), "duplicate-id")
    assert where([f]) == [("vendors/beta.yaml", 3)]
    assert f.hint.startswith("first used at vendors/acme.yaml:4;")


def test_duplicate_expense_id_across_files(program):
    program.write("budget/expenses/2026-h2.yaml", """
        expenses:
          - id: e2
            date: 2026-07-15
            project: payroll
            category: software
            amount: 10.00
    """)
    [f] = only(program.validate(), "duplicate-id")
    assert where([f]) == [("budget/expenses/2026-h2.yaml", 2)]
    assert f.hint.startswith("first used at budget/expenses/2026-h1.yaml:10;")


def test_duplicate_candidate_transfer_funding_and_objective_ids(program):
    program.replace(HIRING, "id: c2", "id: c1")
    add(program, "budget/transfers.yaml", """
  - id: tr-1
    date: 2026-04-01
    amount: 1.00
    from: {project: payroll, category: software}
    to: {project: payroll, category: labor}
    reason: Again.
""")
    program.replace("budget/funding.yaml", "id: grant", "id: general-fund")
    add(program, "program.yaml", NEW_OBJECTIVE.replace("fewer-errors", "faster-payroll"))
    assert where(only(program.validate(), "duplicate-id")) == [
        ("budget/funding.yaml", 8),
        ("budget/transfers.yaml", 9),
        (HIRING, program.line_of(HIRING, "id: c1", 2)),
        ("program.yaml", program.line_of("program.yaml", "id: faster-payroll", 2)),
    ]


def test_same_candidate_id_in_two_positions_is_fine(program):
    program.write("hiring/infra-lead.yaml", program.read(HIRING).replace("project: payroll", "project: infra"))
    assert only(program.validate(), "duplicate-id") == []
