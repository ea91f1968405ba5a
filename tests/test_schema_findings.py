"""Stage 2, the schema layer: one test per finding code, at the exact place.

Lines and columns are counted on tests/fixtures/minimal; e.g. in
projects/infra.yaml the task's `progress: 80` is line 18, with the key at
column 5 and the value at column 15.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jsonschema import Draft202012Validator

from pmkit.core.kinds import PROJECT
from pmkit.ingest.loader import load_one
from pmkit.ingest.schema import decimal_places, findings_for
from pmkit.ingest.source import SourceFile

sys.path.insert(0, str(Path(__file__).parent))
from conftest import only  # noqa: E402

INFRA = "projects/infra.yaml"
EXPENSES = "budget/expenses/2026-h1.yaml"


def where(finding) -> tuple[str, int, int]:
    return (finding.file, finding.line, finding.column)


def findings(program, code: str):
    return only(program.validate(), code)


# --- missing-field ----------------------------------------------------------------


def test_missing_top_level_field_is_placed_at_the_start_of_the_record(program):
    program.replace(INFRA, "owner: bob\n", "")
    [f] = findings(program, "missing-field")
    assert where(f) == (INFRA, 1, 1)
    assert f.message == "`owner` is missing from the record"
    assert f.hint == "The person accountable for the project (a staff id)."
    assert f.severity == "error"


def test_missing_field_of_a_list_item_is_placed_at_the_item(program):
    program.replace(INFRA, "    title: Network upgrade\n", "")
    [f] = findings(program, "missing-field")
    assert where(f) == (INFRA, 12, 5)  # "  - id: network": the item starts at `id`
    assert f.message == "`title` is missing from tasks[network]"
    assert f.hint == "What the task delivers."


def test_every_missing_field_is_reported(program):
    program.write("teams/empty-ish.yaml", "purpose: Nothing yet.\n")
    found = [f for f in findings(program, "missing-field") if f.file == "teams/empty-ish.yaml"]
    assert sorted(f.message.split("`")[1] for f in found) == ["department", "name"]  # lead is optional
    assert {(f.line, f.column) for f in found} == {(1, 1)}


# --- unknown-field --------------------------------------------------------------


def test_unknown_field_with_did_you_mean(program):
    program.replace(INFRA, "owner: bob", "ower: bob")
    [f] = findings(program, "unknown-field")
    assert where(f) == (INFRA, 3, 1)
    assert f.message == "`ower` is not a field of the record"
    assert f.hint == "did you mean `owner`?"
    [missing] = findings(program, "missing-field")
    assert missing.message == "`owner` is missing from the record"


def test_unknown_field_in_a_list_item(program):
    program.replace(INFRA, "progress: 80", "progres: 80")
    [f] = findings(program, "unknown-field")
    assert where(f) == (INFRA, 18, 5)
    assert f.message == "`progres` is not a field of tasks[network]"
    assert f.hint == "did you mean `progress`?"


def test_unknown_field_without_a_close_match_lists_the_known_ones(program):
    program.append("teams/ops.yaml", "zzz: 1\n")
    [f] = findings(program, "unknown-field")
    assert where(f) == ("teams/ops.yaml", 4, 1)
    assert f.hint == "known fields: department, lead, name, purpose"


# --- wrong-type -----------------------------------------------------------------


def test_text_where_a_number_is_expected(program):
    program.replace(INFRA, "progress: 80", 'progress: "fifty"')
    [f] = findings(program, "wrong-type")
    assert where(f) == (INFRA, 18, 15)
    assert f.message == "tasks[network].progress must be a number, not text `fifty`"


def test_single_value_where_a_list_is_expected(program):
    program.replace(INFRA, "objectives: [faster-payroll]", "objectives: faster-payroll")
    [f] = findings(program, "wrong-type")
    assert where(f) == (INFRA, 2, 13)
    assert f.message == "objectives must be a list, not text `faster-payroll`"


def test_fraction_where_a_whole_number_is_expected(program):
    program.replace("risks/vendor-delay.yaml", "impact: 4", "impact: 4.5")
    [f] = findings(program, "wrong-type")
    assert where(f) == ("risks/vendor-delay.yaml", 10, 9)
    assert f.message == "impact must be a whole number, not `4.5`"


def test_whole_number_written_with_a_zero_fraction_is_an_integer(program):
    # JSON Schema: 30.0 is an integer. The verdict must not depend on whether
    # something else in the file sends it past the fast pre-check.
    program.replace("rules/conduct.yaml", "acknowledge_within_days: 30", "acknowledge_within_days: 30.0")
    assert program.validate().findings == []
    program.append("rules/conduct.yaml", "typo: 1\n")
    assert [f.code for f in program.validate().findings] == ["unknown-field"]


def test_yes_is_text_not_a_boolean(program):
    program.replace(INFRA, "progress: 80", "progress: yes")
    [f] = findings(program, "wrong-type")
    assert f.message == "tasks[network].progress must be a number, not text `yes`"


# --- invalid-value --------------------------------------------------------------


def test_bad_status_with_did_you_mean(program):
    program.replace(INFRA, "status: active", "status: activ")
    [f] = findings(program, "invalid-value")
    assert where(f) == (INFRA, 5, 9)
    assert f.message == "status cannot be text `activ`"
    assert f.hint == "did you mean `active`?"


def test_bad_status_without_a_close_match_lists_what_is_allowed(program):
    program.replace(INFRA, "status: active", "status: zzz")
    [f] = findings(program, "invalid-value")
    assert f.hint == "allowed: proposed, active, on-hold, done, cancelled"


def test_empty_text(program):
    program.replace("teams/ops.yaml", "name: Operations", 'name: ""')
    [f] = findings(program, "invalid-value")
    assert where(f) == ("teams/ops.yaml", 1, 7)
    assert f.message.startswith("name: ")


def test_value_in_the_wrong_form_is_explained_without_a_regex(program):
    program.replace("program.yaml", "currency: USD", "currency: usd")
    [f] = findings(program, "invalid-value")
    assert where(f) == ("program.yaml", 8, 11)
    assert f.message == "currency cannot be text `usd`"
    assert "three capital letters" in f.hint


def test_bad_email(program):
    program.replace("staff/ann.yaml", "email: ann@example.org", "email: ann.example.org")
    [f] = findings(program, "invalid-value")
    assert where(f) == ("staff/ann.yaml", 6, 8)
    # email is private: the message says what is wrong, never the value
    assert f.message == "email is not an e-mail address (the value is private and not shown)"


# --- invalid-date ---------------------------------------------------------------


def test_february_30th(program):
    program.replace(INFRA, "start: 2026-01-15", "start: 2026-02-30")
    [f] = findings(program, "invalid-date")
    assert where(f) == (INFRA, 16, 12)
    assert f.message == "tasks[network].start text `2026-02-30` is not a real date"
    assert f.hint == "write dates as YYYY-MM-DD"


def test_month_13(program):
    program.replace(INFRA, "end: 2026-12-31", "end: 2026-13-01")
    [f] = findings(program, "invalid-date")
    assert where(f) == (INFRA, 7, 6)
    assert f.message == "end text `2026-13-01` is not a real date"


def test_us_style_date(program):
    program.replace(INFRA, "end: 2026-12-31", "end: 12/31/2026")
    [f] = findings(program, "invalid-date")  # format and pattern both fail: one finding
    assert where(f) == (INFRA, 7, 6)


# --- invalid-id -----------------------------------------------------------------


def test_id_with_capitals_and_spaces(program):
    program.replace(INFRA, "id: network", "id: Net Work")
    [f] = findings(program, "invalid-id")
    assert where(f) == (INFRA, 12, 9)
    assert f.message == "tasks[0].id text `Net Work` is not a valid id"
    assert f.hint == "ids use lower-case letters, digits and dashes, e.g. `net-work`"


def test_id_with_a_trailing_newline(program):
    program.replace(INFRA, "owner: bob", "owner: |\n  bob")  # a block scalar keeps its newline
    [f] = findings(program, "invalid-id")
    assert where(f) == (INFRA, 3, 8)
    assert f.message == "owner text `bob\n` is not a valid id"


def test_reference_that_is_not_an_id(program):
    program.replace(INFRA, "owner: bob", "owner: Bob Stone")
    [f] = findings(program, "invalid-id")
    assert where(f) == (INFRA, 3, 8)
    assert f.hint.endswith("`bob-stone`")


def test_budget_category_key_that_is_not_an_id_is_reported_at_the_key(program):
    program.replace(INFRA, "labor: 40000.00", "Lab Or: 40000.00")
    [f] = findings(program, "invalid-id")
    assert where(f) == (INFRA, 10, 3)  # the second budget line, not the budget mapping
    assert f.message == "`Lab Or` in budget is not a valid id"


# --- out-of-range ---------------------------------------------------------------


def test_progress_above_100(program):
    program.replace(INFRA, "progress: 80", "progress: 101")
    [f] = findings(program, "out-of-range")
    assert where(f) == (INFRA, 18, 15)
    assert f.message == "tasks[network].progress is 101, but must be at most 100"


def test_progress_below_0(program):
    program.replace(INFRA, "progress: 80", "progress: -0.5")
    [f] = findings(program, "out-of-range")
    assert f.message == "tasks[network].progress is -0.5, but must be at least 0"


def test_score_outside_1_to_5(program):
    program.replace("hiring/payroll-lead.yaml", "score: 5", "score: 6")
    [f] = findings(program, "out-of-range")
    assert where(f) == ("hiring/payroll-lead.yaml", 28, 16)
    assert f.message == "candidates[c2].interviews[0].score is 6, but must be at most 5"


def test_bound_is_compared_exactly(program):
    program.replace(INFRA, "progress: 80", "progress: 100.0000000000000000001")  # 100.0 as a float
    # over the maximum, and more decimal places than a percentage takes
    over, places = sorted(findings(program, "out-of-range"), key=lambda f: "decimal places" in f.message)
    assert where(over) == where(places) == (INFRA, 18, 15)
    assert "at most 100" in over.message and "more than 2 decimal places" in places.message


def test_huge_amount(program):
    program.replace(EXPENSES, "amount: 12000.00", "amount: 1e999999999")
    [f] = findings(program, "out-of-range")
    assert where(f) == (EXPENSES, 14, 13)


# --- money-precision ------------------------------------------------------------


def test_fraction_of_a_cent_in_usd(program):
    program.replace(EXPENSES, "amount: 12000.00", "amount: 10.005")
    [f] = findings(program, "money-precision")
    assert where(f) == (EXPENSES, 14, 13)
    assert f.message == "expenses[e2].amount `10.005` has more than 2 decimal places"
    assert f.hint == "round it to 2 decimal places"


def test_trailing_zeros_are_not_extra_precision(program):
    program.replace(EXPENSES, "amount: 12000.00", "amount: 10.500")
    assert findings(program, "money-precision") == []


def test_tiny_and_huge_amounts_do_not_slip_through_or_crash(program):
    program.replace(EXPENSES, "amount: 12000.00", "amount: 1e-999999999")
    program.replace(EXPENSES, "amount: 10000.00", "amount: 100000000000000000000000000000")
    assert [(f.line, f.code) for f in program.validate().findings if f.file == EXPENSES] == [
        (6, "out-of-range"),
        (14, "money-precision"),
    ]


def test_cents_in_a_currency_without_minor_unit(program):
    program.replace("program.yaml", "currency: USD", "currency: JPY")
    program.replace(EXPENSES, "amount: 12000.00", "amount: 10.5")
    found = findings(program, "money-precision")
    # e2 as edited, and the fixture's e3 (8000.50) and e4 (-500.50); 10000.00 is whole.
    assert [(f.file, f.line, f.column) for f in found] == [(EXPENSES, 14, 13), (EXPENSES, 20, 13), (EXPENSES, 25, 13)]
    assert found[0].message == "expenses[e2].amount `10.5` has more than 0 decimal places"
    assert found[0].hint == "amounts in this currency are whole numbers"


def test_three_digit_currency(program):
    program.replace("program.yaml", "currency: USD", "currency: KWD")
    program.replace(EXPENSES, "amount: 12000.00", "amount: 10.005")
    assert findings(program, "money-precision") == []


def test_decimal_places():
    from decimal import Decimal

    cases = {"10.50": 1, "10.005": 3, "1E-9": 9, "1E+999999999": 0, "0.00": 0, "-500.50": 1, "100": 0}
    assert {text: decimal_places(Decimal(text)) for text in cases} == cases
    assert decimal_places(10**5000) == 0


# --- schema-violation -----------------------------------------------------------


def test_keywords_without_a_specific_code_fall_back_to_schema_violation():
    # No shipped schema uses `not`, `oneOf` or `dependentRequired` today, so
    # schema-violation is unreachable from data; the fallback must still work.
    document, _ = load_one(SourceFile("projects/x.yaml", b"name: X\nsummary: Y\n"), PROJECT)
    schema = {"dependentRequired": {"summary": ["owner"]}}
    [error] = Draft202012Validator(schema).iter_errors(document.data)
    [f] = findings_for(document, error, 2)
    assert (f.file, f.line, f.column, f.code) == ("projects/x.yaml", 1, 1, "schema-violation")
    assert f.message == "the record: 'owner' is a dependency of 'summary'"


# --- an invalid list entry drops only itself ------------------------------------


def test_one_bad_expense_drops_only_that_expense(program):
    # e2: a wrong amount and an unknown project; e3: an unknown project.
    program.replace(EXPENSES, "amount: 12000.00", "amount: twelve")
    program.replace(EXPENSES, "project: payroll\n    category: software", "project: payrol\n    category: software")
    program.replace(EXPENSES, "project: infra", "project: infr")
    result = program.validate()
    assert [(f.line, f.column, f.code) for f in result.findings if f.file == EXPENSES] == [
        (14, 13, "wrong-type"),
        (18, 14, "unknown-reference"),  # e3 is still checked; e2's `payrol` (line 12) is not
    ]
    assert [e.id for e in result.index.expenses] == ["e1", "e3", "e4"]


def test_a_bad_record_file_is_left_out_whole(program):
    program.replace(INFRA, "progress: 80", "progress: 101")
    program.replace(INFRA, "owner: bob", "owner: nobody")
    result = program.validate()
    assert "infra" not in result.index.projects
    assert only(result, "unknown-reference") == []  # infra is not checked further


# --- the rows of issue 15, typed exactly as people type them ----------------------


def test_done_true_asks_for_a_date(program):
    program.replace("projects/payroll.yaml", "done: 2026-03-30", "done: true")
    [f] = findings(program, "wrong-type")
    assert where(f) == ("projects/payroll.yaml", 18, 11)
    assert f.message == "milestones[design-done].done must be a date, not `true`"
    assert f.hint == "write the date as YYYY-MM-DD, e.g. 2026-10-31"


def test_a_day_without_its_leading_zero_asks_for_yyyy_mm_dd(program):
    program.replace(INFRA, "end: 2026-12-31", "end: 2026-12-8")
    [f] = findings(program, "invalid-date")
    assert where(f) == (INFRA, 7, 6)
    assert f.message == "end text `2026-12-8` is not written YYYY-MM-DD"
    assert f.hint == "write dates as YYYY-MM-DD, with two-digit months and days, e.g. 2026-12-08"


def test_an_unknown_field_gets_only_a_close_suggestion(program):
    program.replace("vendors/acme.yaml", "contact: sales@acme.example\n", "contact: sales@acme.example\ncountry: no\n")
    [f] = findings(program, "unknown-field")
    assert where(f) == ("vendors/acme.yaml", 3, 1)
    assert f.message == "`country` is not a field of the record"
    assert f.hint == "known fields: contact, contracts, name"  # not "did you mean `contracts`?"


def test_an_invoice_number_with_leading_zeros_is_quoted_as_typed(program):
    program.replace(EXPENSES, "invoice: INV-001", "invoice: 0011")
    [f] = findings(program, "wrong-type")
    assert where(f) == (EXPENSES, 9, 14)
    assert f.message == "expenses[e1].invoice must be text, not `0011`"  # not `11`
    assert f.hint == 'put the value in quotes to keep it as text: "0011"'


def test_an_error_in_a_list_names_the_record_id_not_a_position(program):
    program.replace(EXPENSES, "amount: 12000.00", 'amount: "12k"')
    [f] = findings(program, "wrong-type")
    assert where(f) == (EXPENSES, 14, 13)
    assert f.message == "expenses[e2].amount must be a number, not text `12k`"  # not expenses[1]


def test_an_over_indented_key_says_the_indentation_is_off_and_where(program):
    program.replace(INFRA, "\nteam: ops\n", "\n  team: ops\n")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (INFRA, 4, 3)  # the key that moved, not the ': ' libyaml stopped at
    assert f.message == ("the indentation is off: `team` (column 3) is indented more than `owner` "
                         "on line 3 (column 1), so YAML reads it as part of `owner`'s value")
    assert f.hint == "start `team` in column 1, like `owner`"  # not "put it in quotes"


def test_an_over_indented_key_after_a_list_value(program):
    program.replace(INFRA, "\nowner: bob\n", "\n  owner: bob\n")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (INFRA, 3, 3)
    assert "`owner` (column 3) is indented more than `objectives` on line 2" in f.message


def test_an_over_indented_field_of_a_list_item(program):
    program.replace(INFRA, "    assignee: bob", "      assignee: bob")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (INFRA, 14, 7)
    assert f.hint == "start `assignee` in column 5, like `title`"


def test_a_missing_space_after_the_colon_is_reported_on_its_own_line(program):
    program.replace(INFRA, "    effort: 8", "    effort:20")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (INFRA, 15, 5)  # libyaml noticed on line 16
    assert f.message == ("`effort:20` needs a space after the colon: without one YAML reads it "
                         "as text, not as the field `effort`")
    assert f.hint == "write `effort: 20`"


def test_an_under_indented_key_in_plain_words(program):
    program.replace(INFRA, "    assignee: bob", "   assignee: bob")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (INFRA, 14, 4)
    assert "expected '-' indicator" not in f.message
    assert f.message == ("the indentation is off: `assignee` (column 4) is indented less than "
                         "`title` on line 13 (column 5), so it falls out of the block it belongs to")
    assert f.hint == ("fields of one record or list item start in the same column: "
                      "start `assignee` in column 5, like `title`")


def test_an_under_indented_budget_line(program):
    program.replace(INFRA, "  labor: 40000.00", " labor: 40000.00")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (INFRA, 10, 2)
    assert f.hint.endswith("start `labor` in column 3, like `hardware`")


def test_a_missing_space_in_an_expense_file_the_fast_loader_reads(program):
    # expense files go through the flat fast path first; it must hand this one over
    program.replace(EXPENSES, "    amount: 12000.00", "    amount:12000.00")
    [f] = findings(program, "yaml-syntax")
    assert where(f) == (EXPENSES, 14, 5)
    assert f.hint == "write `amount: 12000.00`"
