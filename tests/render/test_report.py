"""`pmkit report --period`: the Markdown status report for superiors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.app.render.report import period_bounds, report_date

REPO = Path(__file__).parent.parent.parent
EXAMPLE = REPO / "program"


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    return re.split(r"\n#+ ", text.split(f"\n{heading}\n", 1)[1], maxsplit=1)[0]


def cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


# ------------------------------------------------------------- the example


@pytest.fixture(scope="module")
def october() -> str:
    return run("report", str(EXAMPLE), "--period", "2026-10")


def test_each_team_has_its_rag_and_summary_from_the_period_file(october):
    narrative = yaml.safe_load((EXAMPLE / "reports" / "2026-10.yaml").read_text(encoding="utf-8"))
    assert narrative["entries"]
    for entry in narrative["entries"]:
        heading = re.search(rf"^### .* \(`{entry['team']}`\): (\w+)$", october, re.M)
        assert heading, entry["team"]
        assert heading[1] == entry["rag"].upper()
        assert f"**Summary:** {' '.join(entry['summary'].split())}" in october
        for blocker in entry.get("blockers", []):
            assert f"- {' '.join(blocker.split())}" in october
        row = next(cells(line) for line in october.splitlines() if line.startswith(f"| {entry['team']} "))
        assert row[3] == entry["rag"].upper()  # the reported RAG beside the computed one and the progress


def test_team_rag_is_computed_and_the_reported_one_is_beside_it(october):
    # hr-systems reported RED in October but has no project in flight: no computed RAG;
    # app-dev runs citizen-portal, 11.28 points behind plan (50.15 vs 61.43): computed RED, reported AMBER.
    rows = {cells(line)[0]: cells(line) for line in section(october, "### By team").splitlines()
            if line.startswith("| ") and not line.startswith("| Team")}
    assert rows["app-dev"][2:4] == ["RED", "AMBER"]
    assert rows["hr-systems"][2:4] == ["—", "RED"]
    assert "Reported AMBER; computed RED (11.3 points behind plan (more than 10))." in october
    projects = {cells(line)[0]: cells(line) for line in section(october, "### By project").splitlines()
                if line.startswith("| ") and not line.startswith("| Project")}
    assert projects["citizen-portal"][3] == "RED"
    assert projects["erp-replacement"][3] == "AMBER"  # a milestone late
    assert projects["cloud-migration"][3] == "AMBER"  # 5.8 points behind
    assert projects["identity-sso"][3] == "—"  # done: no RAG


def test_the_late_milestone_is_reported_missed(october):
    missed = section(october, "### Missed (late as of 2026-10-31)")
    (row,) = [cells(line) for line in missed.splitlines() if "parallel-run-1" in line]
    assert row == ["erp-replacement", "parallel-run-1", "Payroll parallel run 1 reconciled", "2026-10-23", "8"]


def test_headline_figures_are_the_rollup_figures(october):
    headline = {cells(line)[0]: cells(line)[1] for line in section(october, "## Headline").splitlines()
                if line.startswith("| ") and not line.startswith("| Figure")}
    assert headline["Progress"] == "69.4%" and headline["Planned"] == "73.9%"
    assert headline["Current budget"] == "19,325,000.00"
    assert headline["Actual spend"] == "11,680,428.30"
    assert headline["Available"] == "3,812,797.13"
    assert headline["Spent"] == "60.4%"
    assert (headline["CPI (cost performance)"], headline["SPI (schedule performance)"]) == ("1.14", "0.94")
    assert headline["EAC (estimate at completion)"] == "16,480,224.31"
    assert headline["Funding gap (negative: surplus)"] == "-75,000.00"
    assert "Figures as of 2026-10-31; money in USD." in october
    assert "Narrative by Dana Whitfield." in october


def test_top_problems_are_open_by_severity_with_owners(october):
    rows = [cells(line) for line in section(october, "## Top problems").splitlines()
            if line.startswith("| ") and not line.startswith("| Severity")]
    assert rows[0][:2] == ["critical", "risk-payroll-parallel"] and rows[0][4] == "Michelle Tran"
    order = ["critical", "high", "medium", "low"]
    assert [order.index(r[0]) for r in rows] == sorted(order.index(r[0]) for r in rows)
    dispute = next(r for r in rows if r[1] == "iss-cloud-invoice-dispute")
    assert dispute[-1] == "yes"


def test_september_lists_its_hits_and_transfers_and_warns_about_undated_records():
    september = run("report", str(EXAMPLE), "--period", "2026-09")
    hit = section(september, "### Hit in the period")
    assert "wave2-complete" in hit and "build-complete" in hit and "parallel-run-1" not in hit
    transfers = section(september, "### Transfers in the period")
    assert "tr-2026-005" in transfers and "20,000.00" in transfers and "tr-2026-004" not in transfers
    assert "Figures as of 2026-09-30" in september
    assert "Undated values (task progress" in september  # the files are later than September 30


def test_the_report_is_deterministic_and_can_be_written_to_a_file(tmp_path, october):
    target = tmp_path / "status.md"
    assert run("report", str(EXAMPLE), "--period", "2026-10", "-o", str(target), "--no-cache") == ""
    assert target.read_text(encoding="utf-8") == october


# ------------------------------------------------------------ the fixture


def test_a_team_without_an_entry_says_so(program):
    out = run("report", str(program.root), "--period", "2026-06")
    apps = section(out, "### Applications (`apps`): GREEN")
    assert "**Summary:** Build on track." in apps and "- Integration tests" in apps
    ops = section(out, "### Operations (`ops`)")
    assert "No entry for this team in `reports/2026-06.yaml`." in ops


def test_a_period_without_a_report_file_still_has_the_figures(program):
    out = run("report", str(program.root), "--period", "2026-03")
    assert "**No status report for 2026-03:** `reports/2026-03.yaml` does not exist" in out
    assert "_No narrative: there is no `reports/2026-03.yaml`._" in out
    assert "Figures as of 2026-03-31" in out
    hit = section(out, "### Hit in the period")
    (row,) = [cells(line) for line in hit.splitlines() if "design-done" in line]
    assert row == ["payroll", "design-done", "Design approved", "2026-03-31", "2026-03-30", "-1"]
    transfers = section(out, "### Transfers in the period")
    (row,) = [cells(line) for line in transfers.splitlines() if "tr-1" in line]
    assert row == ["tr-1", "2026-03-01", "5,000.00", "payroll/software", "payroll/labor", "License came in cheaper."]


def test_yaml_text_cannot_break_the_report_tables_or_lists(program):
    program.replace("risks/vendor-delay.yaml", "title: Vendor may deliver late",
                    'title: "Vendor | may\\ndeliver late"')
    program.replace("reports/2026-06.yaml", "next: [Integration tests]", 'next: ["Integration\\ntests | soon"]')
    out = run("report", str(program.root), "--period", "2026-06")
    (row,) = [cells(line) for line in out.splitlines() if line.startswith("| high ")]
    assert len(row) == 8 and row[2] == r"Vendor \| may deliver late"
    assert "- Integration tests | soon\n" in out


def test_a_period_after_the_status_date_is_refused(program):
    result = invoke("report", str(program.root), "--period", "2026-07")
    assert result.exit_code == 2 and "begins after the status date 2026-06-30" in result.output


@pytest.mark.parametrize("period", ["2026-13", "2026-6", "June", "2026-06-01"])
def test_a_bad_period_is_a_usage_error(program, period):
    result = invoke("report", str(program.root), "--period", period)
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_report_date_is_the_period_end_or_the_earlier_status_date():
    assert period_bounds("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert report_date("2026-09", dt.date(2026, 10, 31)) == dt.date(2026, 9, 30)
    assert report_date("2026-10", dt.date(2026, 10, 15)) == dt.date(2026, 10, 15)


def test_as_of_reports_the_next_month_without_editing_status_date(program):
    """`--as-of` stands for the status date: the July report, written while
    program.yaml still says 2026-06-30, equals the report after the edit."""
    refused = invoke("report", str(program.root), "--period", "2026-07")
    assert refused.exit_code == 2
    july = run("report", str(program.root), "--period", "2026-07", "--as-of", "2026-07-31", "--no-cache")
    program_yaml = program.root / "program.yaml"
    program_yaml.write_text(program_yaml.read_text(encoding="utf-8").replace("2026-06-30", "2026-07-31"),
                            encoding="utf-8")
    assert run("report", str(program.root), "--period", "2026-07", "--no-cache") == july
    assert "2026-07-31" in july
    early = invoke("report", str(program.root), "--period", "2026-08", "--as-of", "2026-07-31")
    assert early.exit_code == 2 and "begins after the status date 2026-07-31" in early.output
