"""`pmkit status`, `budget` and `staff`: figures worked out by hand from tests/fixtures/minimal.

As of its status date 2026-06-30 (budget/transfers.yaml moves 5,000.00 from
payroll/software to payroll/labor on 2026-03-01):

  line                 current     actual      committed   available   spent
  infra/hardware       30,000.00    7,500.00        0.00   22,500.00   25%   (8,000.50 - refund 500.50)
  infra/labor          40,000.00        0.00        0.00   40,000.00    0%
  payroll/contractors  50,000.00   10,000.00   30,000.00   10,000.00   20%   (acme-build 40,000 - invoiced 10,000)
  payroll/labor       105,000.00        0.00        0.00  105,000.00    0%
  payroll/software     15,000.00   12,000.00        0.00    3,000.00   80%

  payroll progress (10x100 + 30x50 + 5x0) / 45 = 55.56 %; planned (10x100 +
  30x90/182x100 + 0) / 45 = 55.19 %; infra 80 % against 100 % planned.
  FTE: ann 0.8 (payroll 60 %, infra 20 %), bob 1.0, cy 1.0 (contractor):
  2.8 FTE, contractor share 1.0 / 2.8 = 35.7 %.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.app.render import Column, Table, grid, md_cell, raw, show


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split on unescaped pipes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def md_rows(text: str, first_cell: str) -> list[list[str]]:
    return [cells(line) for line in text.splitlines() if line.startswith("|") and cells(line)[0] == first_cell]


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------- cell display


@pytest.mark.parametrize(("value", "kind", "shown", "written"), [
    ("12000.00", "money", "12,000.00", "12000.00"),
    ("-857629.64", "money", "-857,629.64", "-857629.64"),
    ("1234", "money", "1,234", "1234"),  # a currency without minor digits keeps none
    (61.43, "percent", "61.4%", "61.43"),
    (26.65, "percent", "26.7%", "26.65"),  # half up, from the decimal text, not the binary float
    (80, "percent", "80.0%", "80"),
    (-4.51, "points", "-4.5", "-4.51"),
    (0.37, "points", "+0.4", "0.37"),
    (1.1423, "index", "1.14", "1.1423"),
    (1.8, "fte", "1.80", "1.8"),
    (None, "money", "—", ""),
    (None, "percent", "—", ""),
    (None, "text", "—", ""),
    (True, "bool", "yes", "true"),
    ({"infra": 20, "payroll": 60}, "alloc", "infra 20.0%, payroll 60.0%", "infra=20;payroll=60"),
])
def test_cells_show_and_write(value, kind, shown, written):
    assert show(value, kind) == shown
    assert raw(value, kind) == written


def test_text_from_yaml_is_one_line_without_control_characters():
    assert show("two\nlines\x1b[31m", "text") == "two lines\\x1b[31m"
    assert md_cell("a | b\nc") == r"a \| b c"


def test_table_money_is_right_aligned():
    table = Table("t", [Column("line", "Line"), Column("amount", "Amount", "money")],
                  [["a", "12000.00"], ["bb", "5.00"]])
    lines = grid(table, "simple").splitlines()
    assert lines[2].endswith("12,000.00") and lines[3].endswith("     5.00")
    assert "--:|" in grid(table, "pipe").splitlines()[1]


# --------------------------------------------------------------------- budget


def test_budget_table_by_line_shows_money_with_separators(program):
    out = run("budget", str(program.root), "--by", "line")
    row = next(line for line in out.splitlines() if line.startswith("payroll ") and " software " in line)
    assert row.split() == ["payroll", "software", "20,000.00", "0.00", "5,000.00", "15,000.00", "12,000.00",
                           "0.00", "3,000.00", "80.0%"]
    assert "Budget of Minimal Program as of 2026-06-30" in out
    assert re.search(r"Funding gap \(negative: surplus\)\s+-10,000\.00", out)  # 170,000 + 70,000 - 250,000
    assert re.search(r"tr-1\s+2026-03-01\s+5,000\.00\s+payroll/software\s+payroll/labor", out)


def test_budget_csv_has_raw_values(program):
    out = run("budget", str(program.root), "--by", "line", "--format", "csv")
    assert out.splitlines()[0] == ("project,category,baseline,transfers_in,transfers_out,current,actual,"
                                   "committed,available,spent_pct")
    assert "payroll,software,20000.00,0.00,5000.00,15000.00,12000.00,0.00,3000.00,80" in out.splitlines()
    assert "infra,hardware,30000.00,0.00,0.00,30000.00,7500.00,0.00,22500.00,25" in out.splitlines()
    assert len(rows_of(out)) == 5


def test_budget_markdown_by_category_has_the_right_rows(program):
    out = run("budget", str(program.root), "--by", "category", "--format", "markdown")
    expected = {
        "labor": ["140,000.00", "5,000.00", "0.00", "145,000.00", "0.00", "0.00", "145,000.00", "0.0%"],
        "contractors": ["50,000.00", "0.00", "0.00", "50,000.00", "10,000.00", "30,000.00", "10,000.00", "20.0%"],
        "hardware": ["30,000.00", "0.00", "0.00", "30,000.00", "7,500.00", "0.00", "22,500.00", "25.0%"],
        "software": ["20,000.00", "0.00", "5,000.00", "15,000.00", "12,000.00", "0.00", "3,000.00", "80.0%"],
        "cloud": ["0.00"] * 7 + ["—"],
    }
    section = out.split("## Budget by category")[1].split("\n## ")[0]
    body = [cells(line) for line in section.splitlines() if line.startswith("|")]
    assert body[0] == ["Category", "Baseline", "Transfers in", "Transfers out", "Current", "Actual", "Committed",
                       "Available", "Spent"]
    assert [row[0] for row in body[2:]] == ["labor", "contractors", "hardware", "software", "cloud", "training",
                                            "travel", "other"]
    for row in body[2:]:
        if row[0] in expected:
            assert row[1:] == expected[row[0]], row


def test_budget_by_vendor_and_project(program):
    vendors = rows_of(run("budget", str(program.root), "--by", "vendor", "--format", "csv"))
    assert vendors == [{"vendor": "acme", "name": "Acme Consulting", "contracts_value": "40000.00",
                        "invoiced": "10000.00", "committed": "30000.00"}]
    projects = {r["project"]: r for r in rows_of(run("budget", str(program.root), "--format", "csv"))}
    assert projects["payroll"]["current"] == "170000.00" and projects["payroll"]["available"] == "118000.00"
    assert projects["infra"]["actual"] == "7500.00"


def test_budget_as_of_moves_every_figure(program):
    out = run("budget", str(program.root), "--by", "line", "--format", "csv", "--as-of", "2026-02-28")
    # before the transfer (2026-03-01) and the licence (2026-03-15)
    assert "payroll,software,20000.00,0.00,0.00,20000.00,0.00,0.00,20000.00,0" in out.splitlines()


# --------------------------------------------------------------------- status


def test_status_by_project(program):
    rows = {r["project"]: r for r in rows_of(run("status", str(program.root), "--format", "csv"))}
    assert rows["payroll"] == {"project": "payroll", "name": "Payroll replacement", "status": "active",
                               "progress": "55.56", "planned": "55.19", "gap": "0.37", "milestones_late": "0",
                               "milestones_upcoming": "0", "open_problems": "1"}
    assert rows["infra"]["gap"] == "-20"
    table = run("status", str(program.root))
    assert re.search(r"infra\s+Infrastructure\s+active\s+80\.0%\s+100\.0%\s+-20\.0\s+0\s+0\s+0", table)
    assert re.search(r"high\s+vendor-delay\s+risk\s+open\s+payroll\s+ann\s+2026-09-30\s+no\s+Vendor may", table)


def test_status_shows_late_and_upcoming_milestones(program):
    out = run("status", str(program.root), "--as-of", "2026-12-05")
    late = out.split("Milestones late\n---")[1].split("Milestones due")[0]
    assert re.search(r"payroll\s+go-live\s+Go live\s+2026-11-30\s+5", late)
    upcoming = run("status", str(program.root), "--as-of", "2026-11-10").split("next 30 days")[1]
    assert re.search(r"payroll\s+go-live\s+Go live\s+2026-11-30", upcoming)


@pytest.mark.parametrize(("by", "key"), [("team", "team"), ("vendor", "vendor"), ("objective", "objective")])
def test_status_by_group(program, by, key):
    rows = rows_of(run("status", str(program.root), "--by", by, "--format", "csv"))
    assert rows and all(key in r for r in rows)
    if by == "vendor":  # the one task assigned to acme: build, 50 % done, 49.45 % planned
        assert rows == [{"vendor": "acme", "name": "Acme Consulting", "progress": "50", "planned": "49.45",
                         "gap": "0.55", "tasks": "1", "effort": "30"}]


@pytest.mark.parametrize(("command", "by", "sections"), [
    ("status", "project", ["program", "projects", "milestones", "risks"]),
    ("status", "team", ["program", "teams", "milestones", "risks"]),
    ("status", "objective", ["program", "objectives", "milestones", "risks"]),
    ("budget", "category", ["program", "categories", "funding"]),
    ("budget", "line", ["program", "projects", "funding"]),
    ("staff", "person", ["program", "staff", "compliance", "hiring"]),
])
def test_json_is_the_slice_of_the_rollup_document(program, command, by, sections):
    document = json.loads(run("rollup", str(program.root), "--format", "json"))
    view = json.loads(run(command, str(program.root), "--by", by, "--format", "json"))
    assert list(view) == ["as_of", "currency", "provenance", *sections]
    assert view == {key: document[key] for key in view}


def test_status_json_equals_rollup_on_the_example_program():
    document = json.loads(run("rollup", "program", "--format", "json"))
    view = json.loads(run("status", "program", "--format", "json"))
    assert view == {key: document[key] for key in ("as_of", "currency", "provenance", "program", "projects", "milestones",
                                                    "risks")}


# ---------------------------------------------------------------------- staff


def test_staff_figures(program):
    out = run("staff", str(program.root))
    assert re.search(r"Contractor share\s+35\.7%", out)
    assert re.search(r"FTE\s+2\.80", out)
    assert re.search(r"payroll-lead\s+Payroll lead\s+apps\s+open\s+1\s+0\s+2\s+2\s+4\.50\s+121", out)
    projects = {r["project"]: r for r in rows_of(run("staff", str(program.root), "--format", "csv"))}
    assert (projects["payroll"]["people"], projects["payroll"]["fte"]) == ("2", "1.6")
    teams = rows_of(run("staff", str(program.root), "--by", "team", "--format", "csv"))
    assert teams == [{"team": "apps", "name": "Applications", "department": "Finance IT", "members": "2", "fte": "1.8"},
                     {"team": "ops", "name": "Operations", "department": "Infrastructure", "members": "1", "fte": "1"}]
    people = {r["person"]: r for r in rows_of(run("staff", str(program.root), "--by", "person", "--format", "csv"))}
    assert people["ann"]["allocations"] == "infra=20;payroll=60" and people["cy"]["vendor"] == "acme"


def test_staff_over_allocation_and_compliance(program):
    program.replace("staff/ann.yaml", "percent: 20", "percent: 50")
    program.replace("program.yaml", "name: Minimal Program\n", "name: Minimal Program\nchecks:\n  over-allocated: off\n")
    out = run("staff", str(program.root))
    assert re.search(r"ann\s+Ann Lee\s+apps\s+1\.10\s+infra 50\.0%, payroll 60\.0%", out)
    assert re.search(r"conduct\s+Code of conduct\s+workplace\s+3\s+3\s+0\s+0\s+0", out)


# --------------------------------------------------------- markdown and errors


def test_a_pipe_in_a_project_name_does_not_break_the_markdown_table(program):
    program.replace("projects/infra.yaml", "name: Infrastructure", 'name: "Infra | core\\nnetwork"')
    out = run("status", str(program.root), "--format", "markdown")
    header = md_rows(out, "Project")[0]
    (row,) = md_rows(out, "infra")
    assert len(row) == len(header) == 9
    assert row[1] == r"Infra \| core network"
    table = run("status", str(program.root))
    assert "Infra | core network" in table


@pytest.mark.parametrize("args", [["status"], ["budget", "--format", "json"], ["staff", "--format", "csv"],
                                  ["report", "--period", "2026-06"]])
def test_invalid_program_prints_findings_and_exits_1(program, args):
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    result = invoke(args[0], str(program.root), *args[1:])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "unknown-reference" in result.stderr and "projects/infra.yaml:3:8" in result.stderr
    assert f"pmkit {args[0]}: 1 error; fix them first" in result.stderr


def test_views_are_deterministic(program):
    for command in ("status", "budget", "staff"):
        assert run(command, str(program.root)) == run(command, str(program.root), "--no-cache")


@pytest.mark.parametrize("command", ["status", "budget", "staff", "report"])
def test_help_has_examples(command):
    out = run(command, "--help")
    assert "Examples:" in out and f"pmkit {command} program" in out
