"""pmkit diff: what a change does, from real git repositories."""

from __future__ import annotations

import html
import json
from pathlib import Path

import jsonschema
import pytest

from .conftest import Repo, pmkit

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "diff.schema.json").read_text())
#: Values of private fields planted by the tests: none may appear in any output.
SECRETS = ("sentinel-mail@example.org", "913.37", "Sentinel Candidate", "ann@example.org", "800.00",
           "Candidate One", "Strong.")

TRANSFER = """  - id: tr-2
    date: 2026-05-01
    amount: 1234.56
    from: {project: payroll, category: labor}
    to: {project: payroll, category: contractors}
    reason: More contractor time.
    approved_by: ann
"""
EXPENSE = """  - id: e5
    date: 2026-05-10
    project: payroll
    category: software
    amount: 2500.00
    description: Extra licences
"""


def diff_json(cwd: Path, *args: str) -> dict:
    done = pmkit(cwd, "diff", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    return document


def records(document: dict) -> dict[tuple[str, str, str], dict]:
    return {(r["action"], r["kind"], r["id"]): r for r in document["records"]}


def no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.fixture
def pr(repo: Repo) -> Repo:
    """Three commits; the last adds a transfer and an expense, moves a task's
    progress, and changes private fields (a rate, an e-mail, a candidate's name)."""
    repo.edit("program/projects/infra.yaml", "name: Infrastructure", "name: Infrastructure refresh")
    repo.commit("second", "2026-05-02T12:00:00+00:00")
    (repo.root / "program/budget/transfers.yaml").write_text(
        (repo.root / "program/budget/transfers.yaml").read_text() + TRANSFER)
    (repo.root / "program/budget/expenses/2026-h1.yaml").write_text(
        (repo.root / "program/budget/expenses/2026-h1.yaml").read_text() + EXPENSE)
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 70")
    repo.edit("program/staff/ann.yaml", "rate: 800.00", "rate: 913.37")
    repo.edit("program/staff/ann.yaml", "email: ann@example.org", "email: sentinel-mail@example.org")
    repo.edit("program/hiring/payroll-lead.yaml", "name: Candidate One", "name: Sentinel Candidate")
    repo.commit("transfer, expense, progress", "2026-05-03T12:00:00+00:00")
    return repo


def test_done_when_markdown_names_the_change_and_nothing_private(pr: Repo) -> None:
    done = pmkit(pr.root, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    text = html.unescape(done.stdout)  # as GitHub shows it: the Markdown escapes YAML text with references
    assert "tr-2" in text and "e5" in text
    assert "1,234.56" in text and "2,500.00" in text
    assert "figures moved: program, payroll" in text
    assert "tasks[build].progress: 50 → 70" in text
    assert "rate changed (private)" in text and "email changed (private)" in text
    no_secret(text + done.stderr)
    document = diff_json(pr.root, "HEAD~1", "HEAD")
    no_secret(json.dumps(document))
    no_secret(pmkit(pr.root, "diff", "HEAD~1", "HEAD").stdout)
    assert pmkit(pr.root, "validate", "--rev", "HEAD~2").returncode == 0


def test_json_records_and_exact_money(pr: Repo) -> None:
    document = diff_json(pr.root, "HEAD~1", "HEAD")
    found = records(document)
    assert found[("added", "transfers", "tr-2")]["summary"]["amount"] == "1234.56"
    assert found[("added", "expenses", "e5")]["file"] == "program/budget/expenses/2026-h1.yaml"
    changes = found[("changed", "project", "payroll")]["changes"]
    assert changes == [{"path": "tasks[build].progress", "old": 50, "new": 70}]
    assert found[("changed", "staff", "ann")]["changes"] == [{"path": "email", "private": True},
                                                            {"path": "rate", "private": True}]
    assert found[("changed", "position", "payroll-lead")]["changes"] == [
        {"path": "candidates[c1].name", "private": True}]
    deltas = {(d["scope"], d["id"], d["figure"]): d for d in document["figures"]["deltas"]}
    # hand-worked: 2,500.00 more spent on payroll's software line; 1,234.56 moved labor -> contractors
    assert deltas[("project", "payroll", "budget.actual")]["delta"] == "2500.00"
    assert deltas[("project", "payroll", "lines.software.actual")]["new"] == "14500.00"
    assert deltas[("project", "payroll", "lines.labor.current")]["delta"] == "-1234.56"
    assert deltas[("project", "payroll", "lines.contractors.current")]["delta"] == "1234.56"
    assert deltas[("program", None, "budget.actual")]["delta"] == "2500.00"
    assert ("project", "infra", "budget.actual") not in deltas  # only what moved
    assert document["findings"] == {"introduced": [], "fixed": []}


def test_each_kind_of_record_change(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "labor: 100000.00", "labor: 110000.00")
    repo.edit("program/projects/payroll.yaml", "due: 2026-11-30", "due: 2026-12-15")
    repo.git("mv", "program/risks/vendor-delay.yaml", "program/risks/vendor-late.yaml")
    (repo.root / "program/reports/2026-06.yaml").unlink()
    repo.write("program/teams/data.yaml", (repo.root / "program/teams/ops.yaml").read_text().replace(
        "Operations", "Data"))
    repo.commit("many")
    document = diff_json(repo.root, "HEAD~1", "HEAD")
    found = records(document)
    assert found[("changed", "project", "payroll")]["changes"] == [
        {"path": "budget.labor", "old": "100000.00", "new": "110000.00"},
        {"path": "milestones[go-live].due", "old": "2026-11-30", "new": "2026-12-15"}]
    renamed = found[("renamed", "risk", "vendor-late")]
    assert (renamed["old_id"], renamed["old_file"]) == ("vendor-delay", "program/risks/vendor-delay.yaml")
    assert found[("removed", "report", "2026-06")]["file"] == "program/reports/2026-06.yaml"
    assert ("added", "team", "data") in found
    assert document["findings"] == {"introduced": [], "fixed": []}
    deltas = {(d["scope"], d["id"], d["figure"]): d for d in document["figures"]["deltas"]}
    assert deltas[("project", "payroll", "budget.baseline")]["delta"] == "10000.00"
    assert deltas[("project", "payroll", "lines.labor.available")]["delta"] == "10000.00"


def test_an_entry_moved_to_another_file_is_renamed_with_its_changes(repo: Repo) -> None:
    path = repo.root / "program/budget/expenses/2026-h1.yaml"
    text = path.read_text()
    start = text.index("  - id: e2")
    end = text.index("  - id: e3")
    entry = text[start:end]
    path.write_text(text[:start] + text[end:])
    repo.write("program/budget/expenses/2026-h2.yaml", "expenses:\n" + entry.replace("12000.00", "12500.00"))
    repo.commit("move e2")
    found = records(diff_json(repo.root, "HEAD~1", "HEAD"))
    moved = found[("renamed", "expenses", "e2")]
    assert moved["old_file"] == "program/budget/expenses/2026-h1.yaml"
    assert moved["file"] == "program/budget/expenses/2026-h2.yaml"
    assert moved["changes"] == [{"path": "amount", "old": "12000.00", "new": "12500.00"}]


def test_a_revision_with_an_invalid_file(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: [oops")
    repo.commit("broken")
    document = diff_json(repo.root, "HEAD~1", "HEAD")
    assert document["head"]["valid"] is False
    assert any(f["file"] == "program/projects/payroll.yaml" for f in document["findings"]["introduced"])
    assert document["figures"] == {"compared": False, "deltas": [], "note": document["figures"]["note"]}
    assert "HEAD" in document["figures"]["note"]
    back = diff_json(repo.root, "HEAD", "HEAD~1")
    assert back["findings"]["fixed"] and not back["findings"]["introduced"]
    markdown = pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert markdown.returncode == 0 and "Findings introduced" in markdown.stdout


def test_the_working_tree_with_uncommitted_changes(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    document = diff_json(repo.root, "HEAD")
    assert document["head"] == {"label": "working tree", "commit": None, "valid": True, "errors": 0,
                                "warnings": 0}
    assert records(document)[("changed", "project", "payroll")]["changes"] == [
        {"path": "tasks[build].progress", "old": 50, "new": 55}]
    text = pmkit(repo.root / "program" / "projects", "diff", "HEAD")  # from a subfolder: same paths
    assert "program/projects/payroll.yaml" in text.stdout


def test_detached_head_and_no_change(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("second")
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    document = diff_json(repo.root, "HEAD", "main")
    assert records(document)[("changed", "project", "payroll")]["changes"][0]["new"] == 60
    same = diff_json(repo.root, "HEAD")
    assert same["records"] == [] and same["figures"]["deltas"] == []
    assert "no record changed" in pmkit(repo.root, "diff", "HEAD").stdout


def test_usage_errors_exit_2(repo: Repo, tmp_path: Path) -> None:
    done = pmkit(repo.root, "diff", "nope")
    assert done.returncode == 2 and "unknown revision 'nope'" in done.stderr
    (tmp_path / "plain").mkdir()
    outside = pmkit(tmp_path / "plain", "diff", "HEAD")
    assert outside.returncode == 2 and len(outside.stderr.strip().splitlines()) == 1


def test_a_file_over_the_programs_size_bound_is_the_same_file_on_both_sides(repo: Repo) -> None:
    """program.yaml may lower the size bound below some files (they are then
    reported, not read). The working tree, unchanged since HEAD, must still
    diff as no change, as HEAD against HEAD does: the working tree's side
    took its files from what validation read (under the program's bound)
    while a revision's side reads every file under the default bound, so
    the larger files looked deleted."""
    (repo.root / "program/program.yaml").write_text(
        (repo.root / "program/program.yaml").read_text() + "settings:\n  max_file_size_mb: 0.0005\n")
    repo.commit("a low size bound")  # payroll.yaml and payroll-lead.yaml are over it
    revisions = diff_json(repo.root, "HEAD", "HEAD")
    working_tree = diff_json(repo.root, "HEAD")
    assert revisions["records"] == working_tree["records"] == []
