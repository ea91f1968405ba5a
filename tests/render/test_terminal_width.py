"""Views and `pmkit rules` fit the terminal (issue 15): COLUMNS is honoured, columns
are abbreviated, dropped in DROP_ORDER and text wrapped; csv, markdown and json
keep the whole table. Measured on the example program (as wide as real data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.app.render import Column, Table, fit

EXAMPLE = str(Path(__file__).parents[2] / "program")


def output(*args: str, columns: str | None = None) -> str:
    env = {"COLUMNS": columns} if columns is not None else {"COLUMNS": ""}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("args", [
    ["status"], ["status", "--by", "team"], ["status", "--by", "objective"],
    ["budget"], ["budget", "--by", "line"], ["staff"], ["staff", "--by", "person"], ["rules"],
])
def test_at_80_columns_no_line_is_longer_than_80(args):
    command = [args[0]] + ([EXAMPLE] if args[0] != "rules" else []) + args[1:]
    assert widest(output(*command)) > 80  # the full table would not fit
    assert widest(output(*command, columns="80")) <= 80


@pytest.mark.parametrize("command", ["status", "budget", "staff"])
def test_at_200_columns_the_tables_use_the_room(command):
    wide = output(command, EXAMPLE, columns="200")
    assert widest(wide) <= 200
    assert widest(wide) > 80


def test_budget_at_80_drops_columns_in_the_documented_order_and_says_so():
    text = output("budget", EXAMPLE, columns="80")
    table = text.split("Budget by project\n", 1)[1].split("\n\n", 1)[0]
    header = table.splitlines()[1].split()
    assert header == ["Project", "Status", "Current", "Actual", "Available", "Spent"]
    assert ("(not shown, to fit 80 columns: Baseline, Transfers in, Transfers out, Committed;\n"
            "--format csv, markdown or json show all)") in table


def test_status_at_200_keeps_every_column_with_full_headers():
    table = output("status", EXAMPLE, columns="200").split("Progress by project\n", 1)[1].split("\n\n", 1)[0]
    for header in ("Name", "Status", "Gap (points)", "Late milestones", "Due in 30 days", "Open problems"):
        assert header in table
    assert "not shown" not in table


def test_status_at_80_abbreviates_then_wraps_long_names():
    table = output("status", EXAMPLE, columns="80").split("Progress by project\n", 1)[1].split("\n\n", 1)[0]
    assert " Gap " in table.splitlines()[1] and "Gap (points)" not in table
    rows = table.splitlines()
    # "ERP replacement (finance, HR and payroll)" wrapped onto a continuation line
    erp = next(i for i, line in enumerate(rows) if line.startswith("erp-replacement"))
    assert rows[erp + 1].startswith(" " * len("erp-replacement"))
    assert "payroll)" in rows[erp + 1]


@pytest.mark.parametrize("fmt", ["csv", "markdown", "json"])
@pytest.mark.parametrize("command", ["status", "budget", "staff"])
def test_other_formats_keep_the_full_table_whatever_the_width(command, fmt):
    assert output(command, EXAMPLE, "--format", fmt, columns="80") == output(command, EXAMPLE, "--format", fmt)


def test_without_columns_and_not_a_terminal_the_table_is_whole():
    assert "not shown" not in output("budget", EXAMPLE)


def test_fit_drops_from_the_right_when_the_order_is_not_enough():
    table = Table("t", [Column("id", "Id"), Column("a", "A" * 30, "count"), Column("b", "B" * 30, "count"),
                            Column("c", "C" * 30, "count")],
                  [["x", 1, 2, 3]])
    text = fit(table, 75)
    assert widest(text) <= 75
    assert text.splitlines()[0].split() == ["Id", "A" * 30, "B" * 30]
    assert text.endswith("(not shown, to fit 75 columns: " + "C" * 30 + "; --format\ncsv, markdown or json show all)")
