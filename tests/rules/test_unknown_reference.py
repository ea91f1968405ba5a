from conftest import only


def test_unknown_owner_with_did_you_mean(program):
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    [f] = only(program.validate(), "unknown-reference")
    assert (f.file, f.line, f.column) == ("projects/infra.yaml", 3, 8)
    assert "bobb" in f.message and f.hint == "did you mean `bob`?"


def test_unknown_assignee_may_be_person_team_or_vendor(program):
    program.replace("projects/payroll.yaml", "assignee: acme", "assignee: acne")
    [f] = only(program.validate(), "unknown-reference")
    assert f.file == "projects/payroll.yaml"
    assert f.line == program.line_of("projects/payroll.yaml", "assignee: acne")
    assert "person" in f.message and "team" in f.message and "vendor" in f.message


def test_unknown_task_dependency_in_same_and_other_project(program):
    program.replace("projects/payroll.yaml", "depends_on: [build, infra/network]", "depends_on: [biuld, infra/netwrk]")
    found = only(program.validate(), "unknown-reference")
    line = program.line_of("projects/payroll.yaml", "depends_on: [biuld")
    assert [(f.file, f.line) for f in found] == [("projects/payroll.yaml", line)] * 2
    assert found[0].hint == "did you mean `build`?"
    assert found[1].hint == "did you mean `infra/network`?"


def test_unknown_project_in_task_dependency(program):
    program.replace("projects/payroll.yaml", "infra/network", "infr/network")
    [f] = only(program.validate(), "unknown-reference")
    assert "infr" in f.message and f.hint == "did you mean `infra`?"


def test_unknown_expense_contract_and_refund(program):
    program.replace("budget/expenses/2026-h1.yaml", "contract: acme-build", "contract: acme-buidl")
    program.replace("budget/expenses/2026-h1.yaml", "refund_of: e3", "refund_of: e33")
    found = only(program.validate(), "unknown-reference")
    assert [(f.file, f.line) for f in found] == [
        ("budget/expenses/2026-h1.yaml", program.line_of("budget/expenses/2026-h1.yaml", "contract:")),
        ("budget/expenses/2026-h1.yaml", program.line_of("budget/expenses/2026-h1.yaml", "refund_of:")),
    ]


def test_reference_to_a_record_that_failed_its_schema_is_not_reported_twice(program):
    program.replace("staff/bob.yaml", "employment: employee", "employment: permanent")
    result = program.validate()
    assert only(result, "unknown-reference") == []
    assert [f.file for f in only(result, "invalid-value")] == ["staff/bob.yaml"]


def test_contracts_of_a_broken_vendor_file_are_not_reported_as_unknown(program):
    program.replace("vendors/acme.yaml", "name: Acme Consulting", "name: 12")
    result = program.validate()
    assert [f.file for f in only(result, "wrong-type")] == ["vendors/acme.yaml"]
    assert only(result, "unknown-reference") == []


def test_hired_as_naming_a_person_with_no_file_yet_says_to_create_the_record(tmp_path):
    # Issue 15, typed in the example program: Tanya Greer accepts the offer.
    import shutil
    from pathlib import Path

    from conftest import ProgramDir

    root = tmp_path / "program"
    shutil.copytree(Path(__file__).parents[2] / "program", root)
    example = ProgramDir(root)
    position = "hiring/data-engineer.yaml"
    example.replace(position, "    name: Tanya Greer\n", "    name: Tanya Greer\n    hired_as: tanya-greer\n")
    example.replace(position, "    stage: offer\n", "    stage: hired\n")
    [f] = only(example.validate(), "unknown-reference")
    assert (f.file, f.line, f.column) == (position, example.line_of(position, "hired_as: tanya-greer"), 15)
    assert f.message == "`candidates[c-2026-202].hired_as` names `tanya-greer`, but there is no such person (staff/)"
    # not "did you mean `ethan-reyes`?": two people are not a typo of each other
    assert f.hint == ("create the new hire's staff record: `pmkit new person tanya-greer` writes "
                      "staff/tanya-greer.yaml; or correct the id")

