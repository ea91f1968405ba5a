"""Budget, expense, transfer and funding rules.

The minimal program, as of its status date 2026-06-30:
  payroll  labor 100,000 (+5,000 from tr-1), contractors 50,000 (e1 10,000 on
           contract acme-build worth 40,000), software 20,000 (-5,000 by tr-1
           on 2026-03-01; e2 12,000 on 2026-03-15)
  infra    hardware 30,000 (e3 8,000.50, refund e4 -500.50), labor 40,000
  total budget 240,000; funding 200,000 received + 50,000 approved.
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from conftest import only

from pmkit.core.findings import Severity

EXPENSES = "budget/expenses/2026-h1.yaml"
TRANSFERS = "budget/transfers.yaml"
FUNDING = "budget/funding.yaml"

MINE = {
    "unknown-category", "unbudgeted-line", "duplicate-invoice", "contract-overrun", "contract-mismatch",
    "expense-outside-project", "refund-exceeds-original", "refund-without-original", "line-overspent",
    "transfer-overdraws", "budget-over-funding",
}


def mine(result):
    return sorted((f.code, f.file, f.line) for f in result.findings if f.code in MINE)


def extend(program, path, text):
    """Append list entries verbatim (``program.append`` dedents, which would unnest them)."""
    program.write(path, program.read(path) + text.lstrip("\n"))


def add_expense(program, ident, date, project, category, amount, **extra):
    more = "".join(f"    {key}: {value}\n" for key, value in extra.items())
    extend(program, EXPENSES, f"""
  - id: {ident}
    date: {date}
    project: {project}
    category: {category}
    amount: {amount}
""" + more)


def add_vendor(program, ident="globex"):
    program.write(f"vendors/{ident}.yaml", f"name: {ident.title()} Ltd\n")


# unknown-category ----------------------------------------------------------

def test_unknown_category_everywhere_it_can_appear(program):
    program.replace("projects/infra.yaml", "  hardware: 30000.00", "  hardwre: 30000.00")
    program.replace(TRANSFERS, "to: {project: payroll, category: labor}", "to: {project: payroll, category: labour}")
    program.replace(EXPENSES, "category: software", "category: sofware")
    program.replace("vendors/acme.yaml", "category: contractors", "category: contractor")
    found = only(program.validate(), "unknown-category")
    assert [(f.file, f.line) for f in found] == [
        (EXPENSES, program.line_of(EXPENSES, "category: sofware")),
        (TRANSFERS, program.line_of(TRANSFERS, "labour")),
        ("projects/infra.yaml", program.line_of("projects/infra.yaml", "hardwre:")),
        ("vendors/acme.yaml", program.line_of("vendors/acme.yaml", "category: contractor")),
    ]
    assert [f.hint for f in found] == ["did you mean `software`?", "did you mean `labor`?",
                                       "did you mean `hardware`?", "did you mean `contractors`?"]
    budget_key = found[2]
    assert budget_key.column == 3  # the key, not the amount
    assert "hardwre" in budget_key.message and "infra" in budget_key.message
    assert all(f.severity is Severity.ERROR for f in found)


def test_program_categories_replace_the_default_list(program):
    program.append("program.yaml", "categories: [labor, contractors, hardware, software, facilities]\n")
    program.replace("projects/infra.yaml", "  labor: 40000.00", "  facilities: 40000.00")
    result = program.validate()
    assert mine(result) == []
    add_expense(program, "e5", "2026-05-01", "infra", "travel", "10.00")
    [f] = only(program.validate(), "unknown-category")
    assert (f.file, f.line) == (EXPENSES, program.line_of(EXPENSES, "category: travel"))
    assert "travel" in f.hint and "program.yaml" in f.hint


# unbudgeted-line -------------------------------------------------------------

def test_expense_on_a_line_the_project_has_no_budget_for(program):
    program.replace(EXPENSES, "category: software", "category: travel")
    result = program.validate()
    assert mine(result) == [("unbudgeted-line", EXPENSES, program.line_of(EXPENSES, "category: travel"))]
    [f] = only(result, "unbudgeted-line")
    assert "e2" in f.message and "`payroll` × `travel`" in f.message
    assert f.hint.startswith("charge a line project `payroll` has (labor, contractors, software)")


def test_transfer_out_of_a_line_that_does_not_exist(program):
    program.replace(TRANSFERS, "from: {project: payroll, category: software}", "from: {project: payroll, category: travel}")
    result = program.validate()
    # reported once, as a missing line, not also as an overdraw
    assert mine(result) == [("unbudgeted-line", TRANSFERS, program.line_of(TRANSFERS, "from:"))]
    assert "tr-1" in only(result, "unbudgeted-line")[0].message


def test_a_transfer_into_a_new_line_creates_it(program):
    program.replace(TRANSFERS, "to: {project: payroll, category: labor}", "to: {project: payroll, category: travel}")
    add_expense(program, "e5", "2026-05-01", "payroll", "travel", "5000.00")  # exactly the 5,000 moved in
    assert mine(program.validate()) == []


def test_unbudgeted_line_is_not_reported_for_unknown_project_or_category(program):
    program.replace(EXPENSES, "project: infra", "project: infrastructure")
    program.replace(EXPENSES, "category: software", "category: sofware")
    result = program.validate()
    assert only(result, "unbudgeted-line") == []
    assert len(only(result, "unknown-reference")) == 1 and len(only(result, "unknown-category")) == 1


# duplicate-invoice -------------------------------------------------------------

def test_same_invoice_twice_for_the_same_vendor(program):
    add_expense(program, "e5", "2026-05-02", "payroll", "contractors", "1000.00",
                vendor="acme", contract="acme-build", invoice="'inv-001 '")
    result = program.validate()
    assert mine(result) == [("duplicate-invoice", EXPENSES, program.line_of(EXPENSES, "invoice: 'inv-001 '"))]
    [f] = only(result, "duplicate-invoice")
    assert "e5" in f.message and "e1" in f.message and "acme" in f.message
    assert f"{EXPENSES}:9" in f.hint  # where e1's invoice is


def test_same_invoice_number_from_another_vendor_or_on_a_refund_is_fine(program):
    add_vendor(program)
    add_expense(program, "e5", "2026-05-02", "payroll", "contractors", "1000.00", vendor="globex", invoice="INV-001")
    add_expense(program, "e6", "2026-05-03", "payroll", "contractors", "-1000.00", vendor="acme",
                invoice="INV-001", refund_of="e1", contract="acme-build")
    assert mine(program.validate()) == []


# contract-overrun -------------------------------------------------------------

def test_invoices_beyond_the_contract_value(program):
    add_expense(program, "e5", "2026-05-01", "payroll", "contractors", "25000.00", vendor="acme", contract="acme-build")
    add_expense(program, "e6", "2026-06-01", "payroll", "contractors", "6000.00", vendor="acme", contract="acme-build")
    result = program.validate()
    line = program.line_of(EXPENSES, "amount: 6000.00")
    assert mine(result) == [("contract-overrun", EXPENSES, line)]
    [f] = only(result, "contract-overrun")
    # 10,000 + 25,000 + 6,000 = 41,000 against 40,000
    assert "41,000.00 USD" in f.message and "1,000.00 USD over" in f.message and "40,000.00 USD" in f.message
    assert "e6" in f.message and "vendors/acme.yaml" in f.hint


def test_invoices_exactly_at_contract_value_or_brought_back_by_a_refund(program):
    add_expense(program, "e5", "2026-05-01", "payroll", "contractors", "30000.00", vendor="acme", contract="acme-build")
    assert mine(program.validate()) == []  # 40,000 of 40,000
    add_expense(program, "e6", "2026-06-01", "payroll", "contractors", "1000.00", vendor="acme", contract="acme-build")
    add_expense(program, "e7", "2026-06-02", "payroll", "contractors", "-1000.00", vendor="acme",
                contract="acme-build", refund_of="e6")
    assert mine(program.validate()) == []


def test_contract_overrun_points_at_the_invoice_that_crossed_and_respects_as_of(program):
    add_expense(program, "e5", "2026-05-01", "payroll", "contractors", "35000.00", vendor="acme", contract="acme-build")
    add_expense(program, "e6", "2026-06-01", "payroll", "contractors", "-2000.00", vendor="acme",
                contract="acme-build", refund_of="e5")
    # dated after the status date 2026-06-30: not counted yet
    add_expense(program, "e7", "2026-07-10", "payroll", "contractors", "9000.00", vendor="acme", contract="acme-build")
    [f] = only(program.validate(), "contract-overrun")
    assert f.line == program.line_of(EXPENSES, "amount: 35000.00")  # 45,000 then 43,000: still over
    assert "43,000.00 USD" in f.message
    [f] = only(program.validate(dt.date(2026, 5, 15)), "contract-overrun")
    assert "45,000.00 USD" in f.message
    assert only(program.validate(dt.date(2026, 4, 30)), "contract-overrun") == []


# contract-mismatch -------------------------------------------------------------

def test_expense_against_another_vendors_or_projects_contract(program):
    add_vendor(program)
    program.replace(EXPENSES, "vendor: acme", "vendor: globex")
    program.replace(EXPENSES, "category: contractors", "category: labor")
    found = only(program.validate(), "contract-mismatch")
    assert [(f.file, f.line) for f in found] == [
        (EXPENSES, program.line_of(EXPENSES, "category: labor")),
        (EXPENSES, program.line_of(EXPENSES, "vendor: globex")),
    ]
    assert "`globex`" in found[1].message and "`acme`" in found[1].message and "acme-build" in found[1].message
    program.replace(EXPENSES, "project: payroll", "project: infra")
    found = only(program.validate(), "contract-mismatch")
    assert (EXPENSES, program.line_of(EXPENSES, "project: infra")) in [(f.file, f.line) for f in found]


def test_contract_without_vendor_on_expense_or_default_category_matches(program):
    program.replace(EXPENSES, "    vendor: acme\n", "")
    program.replace("vendors/acme.yaml", "    category: contractors\n", "")  # default is contractors
    assert mine(program.validate()) == []


# expense-outside-project -------------------------------------------------------

def test_expense_before_project_start_and_after_end(program):
    program.replace(EXPENSES, "date: 2026-03-15", "date: 2025-12-31")
    add_expense(program, "e5", "2027-01-02", "infra", "labor", "100.00")
    result = program.validate(dt.date(2027, 1, 31))
    found = only(result, "expense-outside-project")
    assert [(f.file, f.line) for f in found] == [
        (EXPENSES, program.line_of(EXPENSES, "date: 2025-12-31")),
        (EXPENSES, program.line_of(EXPENSES, "date: 2027-01-02")),
    ]
    assert "1 day before" in found[0].message and "2026-01-01" in found[0].message
    assert "2 days after" in found[1].message and "2026-12-31" in found[1].message
    assert all(f.severity is Severity.WARNING for f in found)


def test_expenses_on_first_and_last_day_and_late_refunds_are_fine(program):
    add_expense(program, "e5", "2026-01-01", "infra", "labor", "100.00")
    add_expense(program, "e6", "2026-12-31", "infra", "labor", "100.00")
    program.replace(EXPENSES, "date: 2026-04-20", "date: 2027-02-01")  # the refund e4
    assert only(program.validate(dt.date(2027, 3, 1)), "expense-outside-project") == []


# refund-exceeds-original ----------------------------------------------------------

def test_refunds_adding_up_to_more_than_the_expense(program):
    add_expense(program, "e5", "2026-05-01", "infra", "hardware", "-7500.01", refund_of="e3")
    result = program.validate()
    assert mine(result) == [("refund-exceeds-original", EXPENSES, program.line_of(EXPENSES, "amount: -7500.01"))]
    [f] = only(result, "refund-exceeds-original")
    # 500.50 + 7,500.01 = 8,000.51 against 8,000.50
    assert "8,000.51 USD" in f.message and "0.01 USD more" in f.message and "8,000.50 USD" in f.message
    assert f"{EXPENSES}:{program.line_of(EXPENSES, 'amount: 8000.50')}" in f.hint


def test_refunds_adding_up_to_exactly_the_expense(program):
    add_expense(program, "e5", "2026-05-01", "infra", "hardware", "-7500.00", refund_of="e3")
    assert mine(program.validate()) == []


# refund-without-original ----------------------------------------------------------

def test_negative_amount_without_refund_of(program):
    program.replace(EXPENSES, "    refund_of: e3\n", "")
    result = program.validate()
    assert mine(result) == [("refund-without-original", EXPENSES, program.line_of(EXPENSES, "amount: -500.50"))]
    assert "-500.50 USD" in only(result, "refund-without-original")[0].message


def test_refund_of_on_a_positive_amount_and_refund_of_a_refund(program):
    program.replace(EXPENSES, "amount: -500.50", "amount: 500.50")
    add_expense(program, "e5", "2026-05-01", "infra", "hardware", "-1.00", refund_of="e6")
    add_expense(program, "e6", "2026-05-01", "infra", "hardware", "-1.00", refund_of="e3")
    found = only(program.validate(), "refund-without-original")
    assert [(f.file, f.line) for f in found] == [
        (EXPENSES, program.line_of(EXPENSES, "refund_of: e3")),
        (EXPENSES, program.line_of(EXPENSES, "refund_of: e6")),
    ]
    assert "500.50 USD" in found[0].message and "not negative" in found[0].message
    assert "itself a refund" in found[1].message


def test_zero_amount_without_refund_of_is_not_a_refund(program):
    add_expense(program, "e5", "2026-05-01", "infra", "hardware", "0.00")
    assert mine(program.validate()) == []


# line-overspent -------------------------------------------------------------------

def test_line_spent_beyond_its_current_budget(program):
    add_expense(program, "e5", "2026-05-01", "payroll", "software", "3000.01")
    result = program.validate()
    assert mine(result) == [("line-overspent", "projects/payroll.yaml",
                             program.line_of("projects/payroll.yaml", "  software: 20000.00"))]
    [f] = only(result, "line-overspent")
    # 12,000 + 3,000.01 spent against 20,000 - 5,000
    assert "15,000.01 USD" in f.message and "0.01 USD over" in f.message and "15,000.00 USD" in f.message
    assert "baseline 20,000.00 USD" in f.message and "transfers out 5,000.00 USD" in f.message
    assert f.column == 3


def test_overspent_line_names_the_expense_that_took_it_over_at_its_line(program):
    # software: 20,000 - 5,000 = 15,000. By date: e5 3,000.01 (02-01) -> 3,000.01,
    # then e2 12,000 (03-15) -> 15,000.01 > 15,000: e2 tipped it, though e5 comes
    # later in the file.
    add_expense(program, "e5", "2026-02-01", "payroll", "software", "3000.01")
    [f] = only(program.validate(), "line-overspent")
    assert (f.file, f.line) == ("projects/payroll.yaml", program.line_of("projects/payroll.yaml", "  software:"))
    e2 = program.line_of(EXPENSES, "amount: 12000.00")
    assert f.message.endswith(f"; expense `e2` of 2026-03-15 (12,000.00 USD, {EXPENSES}:{e2}) took it over")


def test_overspent_line_after_a_refund_names_the_later_expense(program):
    # hardware 30,000: e3 8,000.50, refund e4 -500.50 -> 7,500; e5 22,000 (05-01) -> 29,500;
    # e6 600 (06-01) -> 30,100: e6 took it over.
    add_expense(program, "e5", "2026-05-01", "infra", "hardware", "22000.00")
    add_expense(program, "e6", "2026-06-01", "infra", "hardware", "600.00")
    [f] = only(program.validate(), "line-overspent")
    assert f"expense `e6` of 2026-06-01 (600.00 USD, {EXPENSES}:{program.line_of(EXPENSES, 'amount: 600.00')})" in f.message


def test_line_spent_exactly_its_budget_or_spending_after_as_of(program):
    add_expense(program, "e5", "2026-05-01", "payroll", "software", "3000.00")
    assert mine(program.validate()) == []
    add_expense(program, "e6", "2026-07-10", "payroll", "software", "1.00")
    assert mine(program.validate()) == []  # after 2026-06-30
    assert mine(program.validate(dt.date(2026, 7, 31))) == [
        ("line-overspent", "projects/payroll.yaml", program.line_of("projects/payroll.yaml", "  software:"))]


def test_overspent_line_that_exists_only_through_a_transfer(program):
    program.replace(TRANSFERS, "to: {project: payroll, category: labor}", "to: {project: payroll, category: travel}")
    add_expense(program, "e5", "2026-05-01", "payroll", "travel", "5000.01")
    result = program.validate()
    assert mine(result) == [("line-overspent", "projects/payroll.yaml",
                             program.line_of("projects/payroll.yaml", "budget:"))]


# transfer-overdraws -----------------------------------------------------------------

def test_transfer_takes_a_line_below_what_it_spent(program):
    program.replace(TRANSFERS, "date: 2026-03-01\n    amount: 5000.00", "date: 2026-04-01\n    amount: 9000.00")
    result = program.validate()
    line = program.line_of(TRANSFERS, "amount: 9000.00")
    assert (("transfer-overdraws", TRANSFERS, line)) in mine(result)
    [f] = only(result, "transfer-overdraws")
    # 20,000 - 9,000 = 11,000 left while e2 spent 12,000 on 2026-03-15
    assert "11,000.00 USD" in f.message and "12,000.00 USD" in f.message and "1,000.00 USD short" in f.message
    assert "8,000.00 USD" in f.hint


def test_transfer_leaving_exactly_what_was_spent_or_made_before_spending(program):
    program.replace(TRANSFERS, "date: 2026-03-01\n    amount: 5000.00", "date: 2026-04-01\n    amount: 8000.00")
    assert mine(program.validate()) == []
    # 9,000 moved on 2026-03-01, before e2: no overdraw then, but the line is overspent now
    program.replace(TRANSFERS, "date: 2026-04-01\n    amount: 8000.00", "date: 2026-03-01\n    amount: 9000.00")
    assert [c for c, _, _ in mine(program.validate())] == ["line-overspent"]


def test_same_day_transfer_in_counts_and_later_transfers_wait_for_their_date(program):
    program.replace(TRANSFERS, "date: 2026-03-01\n    amount: 5000.00", "date: 2026-04-01\n    amount: 9000.00")
    extend(program, TRANSFERS, """
  - id: tr-2
    date: 2026-04-01
    amount: 1000.00
    from: {project: payroll, category: labor}
    to: {project: payroll, category: software}
    reason: Top up software.
""")
    assert mine(program.validate()) == []
    program.replace(TRANSFERS, "date: 2026-04-01\n    amount: 9000.00", "date: 2026-07-01\n    amount: 9000.00")
    program.replace(TRANSFERS, "date: 2026-04-01\n    amount: 1000.00", "date: 2026-07-01\n    amount: 500.00")
    assert only(program.validate(), "transfer-overdraws") == []  # both after 2026-06-30
    [f] = only(program.validate(dt.date(2026, 7, 31)), "transfer-overdraws")
    assert f.line == program.line_of(TRANSFERS, "amount: 9000.00") and "500.00 USD short" in f.message


# budget-over-funding ----------------------------------------------------------------

def test_budget_beyond_approved_and_received_funding(program):
    program.replace("projects/infra.yaml", "hardware: 30000.00", "hardware: 40000.01")
    result = program.validate()
    assert mine(result) == [("budget-over-funding", FUNDING, program.line_of(FUNDING, "sources:"))]
    [f] = only(result, "budget-over-funding")
    # 70,000.01 + 170,000 = 250,000.01 against 200,000 + 50,000
    assert "250,000.01 USD" in f.message and "250,000.00 USD" in f.message and "by 0.01 USD" in f.message


def test_budget_exactly_funded_and_transfers_between_projects_net_out(program):
    program.replace("projects/infra.yaml", "hardware: 30000.00", "hardware: 40000.00")
    program.replace(TRANSFERS, "to: {project: payroll, category: labor}", "to: {project: infra, category: labor}")
    assert mine(program.validate()) == []


def test_requested_funding_does_not_cover_the_budget(program):
    program.replace(FUNDING, "status: approved", "status: requested")
    [f] = only(program.validate(), "budget-over-funding")
    assert "240,000.00 USD" in f.message and "200,000.00 USD" in f.message and "by 40,000.00 USD" in f.message
    assert "50,000.00 USD is requested" in f.hint


def test_no_funding_file_is_reported_on_program_yaml(program):
    program.remove(FUNDING)
    [f] = only(program.validate(), "budget-over-funding")
    assert (f.file, f.line) == ("program.yaml", 1) and "funding.yaml" in f.hint


def test_a_funding_source_that_breaks_its_schema_does_not_count_as_missing_money(program):
    program.replace(FUNDING, "amount: 50000.00", "amount: lots")
    result = program.validate()
    assert only(result, "budget-over-funding") == []
    assert any(f.file == FUNDING for f in result.findings)


# all of them --------------------------------------------------------------------------

def test_budget_codes_are_documented_and_configurable():
    from pmkit.engine.catalog import get

    for code_id in sorted(MINE):
        code = get(code_id)
        assert code is not None and len(code.doc.split()) >= 30, code_id
        assert code.configurable == (code.layer == "business")
    assert get("unknown-category").layer == "reference"
    assert get("expense-outside-project").severity is Severity.WARNING
