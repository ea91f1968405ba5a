"""--as-of in a git repository, attacked: a revision in force that does not validate or
has no program folder, the status report's statement of where its figures come from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import MINIMAL, Repo, broken_in_june, pmkit


def test_a_revision_in_force_that_does_not_validate_is_named_in_the_refusal(repo: Repo) -> None:
    """The working tree validates; the commit in force on the date does not. The refusal
    must say the errors are that revision's (not point at a `pmkit validate` that passes)."""
    broken = broken_in_june(repo)
    assert pmkit(repo.root, "validate").returncode == 0
    for command in ("rollup", "status", "budget"):
        done = pmkit(repo.root, command, "--as-of", "2026-06-20")
        assert done.returncode == 1, done.stderr
        assert "program/projects/payroll.yaml" in done.stderr  # the finding itself
        assert f"revision {broken[:12]} of 2026-06-10" in done.stderr, done.stderr
        assert f"pmkit validate --rev {broken[:12]}" in done.stderr, done.stderr
        assert "(`pmkit validate`)" not in done.stderr


def test_a_revision_in_force_without_the_program_folder_reads_the_files_with_the_note(tmp_path: Path) -> None:
    """The repository began before the program: on a day whose commit has no program/
    folder, the figures are the files' with the note (as before the first commit), not
    `Error: program does not exist at <sha>`."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "The planning repository.\n")
    repo.commit("readme", "2026-02-01T12:00:00+00:00")
    shutil.copytree(MINIMAL, repo.root / "program")
    repo.commit("the program", "2026-05-01T12:00:00+00:00")
    done = pmkit(repo.root, "rollup", "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["provenance"]["revision"] is None
    assert doc["provenance"]["undated_as_of_files"] is True
    assert "later than 2026-03-31" in doc["provenance"]["note"]
    status = pmkit(repo.root, "status", "--as-of", "2026-03-31")
    assert status.returncode == 0, status.stderr
    assert "later than 2026-03-31" in status.stdout
    # a day after the program's first commit still reads that commit
    later = json.loads(pmkit(repo.root, "rollup", "--as-of", "2026-05-15").stdout)
    assert later["provenance"]["revision_date"] == "2026-05-01"


def test_the_report_names_the_revision_it_read_and_says_nothing_false(repo: Repo) -> None:
    """`pmkit report --period 2026-05` in git reads the revision in force on May 31:
    the report must say so, not that undated values are "as the files stand"."""
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    may = repo.commit("May progress", "2026-05-20T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 55", "progress: 90")
    repo.commit("June progress", "2026-06-28T12:00:00+00:00")
    done = pmkit(repo.root, "report", "--period", "2026-05")
    assert done.returncode == 0, done.stderr
    assert f"revision {may[:12]} of 2026-05-20" in done.stdout, done.stdout
    assert "as the files stand" not in done.stdout
    # the May figures: payroll build at 55 % (design 10 x 100, build 30 x 55, train 5 x 0;
    # infra network 8 x 80): (1000 + 1650 + 0 + 640) / 53 = 62.08 %
    assert "Progress is 62.1%" in done.stdout


def test_the_report_outside_git_says_undated_values_are_the_files(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "p")
    done = pmkit(tmp_path, "report", "p", "--period", "2026-03")
    assert done.returncode == 0, done.stderr
    assert "Undated values" in done.stdout and "later than 2026-03-31" in done.stdout
    assert "status date 2026-06-30" in done.stdout


def test_a_shallow_clone_whose_history_begins_after_the_date_says_to_unshallow(repo: Repo, tmp_path: Path) -> None:
    """CI checks out one commit: the revision in force on a past date is upstream, not
    here. Reading today's files instead would give last month's report today's progress."""
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June progress", "2026-06-28T12:00:00+00:00")
    clone = Repo.__new__(Repo)
    clone.root = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone.root))
    done = pmkit(clone.root, "rollup", "--as-of", "2026-05-15")
    assert done.returncode != 0
    assert "shallow clone" in done.stderr and "git fetch --unshallow" in done.stderr
    # a date the clone holds is read as in the full repository
    held = pmkit(clone.root, "rollup", "--as-of", "2026-06-29")
    assert held.returncode == 0, held.stderr
    assert json.loads(held.stdout)["provenance"]["revision_date"] == "2026-06-28"


def test_an_explicit_rev_that_does_not_validate_points_at_validate_of_that_rev(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 150")
    repo.commit("typo", "2026-06-10T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 150", "progress: 60")
    repo.commit("fix", "2026-06-11T12:00:00+00:00")
    done = pmkit(repo.root, "status", "--rev", "HEAD~1")
    assert done.returncode == 1
    assert "`pmkit validate --rev HEAD~1`" in done.stderr and "last commit on or before" not in done.stderr


def test_a_narrative_written_after_the_month_is_in_that_months_report(repo: Repo) -> None:
    """The May narrative is committed on June 3, after the revision in force on May 31: the
    May report must still carry it (the figures are May's, the narrative is about May),
    not say `reports/2026-05.yaml` does not exist while it is right there."""
    june = (MINIMAL / "reports" / "2026-06.yaml").read_text(encoding="utf-8")
    assert "period: 2026-06" in june
    repo.write("program/reports/2026-05.yaml", june.replace("period: 2026-06", "period: 2026-05"))
    written = repo.commit("May report", "2026-06-03T12:00:00+00:00")
    may = repo.git("rev-parse", f"{written}~1").strip()  # the first commit, of 2026-05-01
    done = pmkit(repo.root, "report", "--period", "2026-05")
    assert done.returncode == 0, done.stderr
    assert f"Figures from revision {may[:12]} of 2026-05-01" in done.stdout  # May's figures
    assert "does not exist" not in done.stdout
    assert "Narrative by Ann Lee." in done.stdout and "Build on track." in done.stdout
    assert "The teams' narratives are from `reports/2026-05.yaml` as it stands" in done.stdout
    # an explicit --rev is obeyed as given: that revision has no May narrative
    given = pmkit(repo.root, "report", "--period", "2026-05", "--rev", may)
    assert given.returncode == 0 and "does not exist" in given.stdout


def test_an_explicit_rev_is_not_called_the_last_commit_on_or_before_the_date(repo: Repo, tmp_path: Path) -> None:
    """`--rev` names a revision whatever came after it: "the last commit on or before D"
    would be false when later commits precede D."""
    first = repo.git("rev-parse", "HEAD").strip()  # 2026-05-01
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June", "2026-06-01T12:00:00+00:00")  # before the as-of date 2026-06-30
    status = pmkit(repo.root, "status", "--rev", first)
    assert status.returncode == 0, status.stderr
    assert f"Figures from revision {first[:12]} of 2026-05-01, as given by --rev." in status.stdout
    assert "last commit on or before" not in status.stdout
    report = pmkit(repo.root, "report", "--period", "2026-06", "--rev", first)
    assert "as given by --rev" in report.stdout and "last commit on or before" not in report.stdout
    out = tmp_path / "site"
    assert pmkit(repo.root, "site", "build", "--rev", first, "-o", str(out)).returncode == 0
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "as given by --rev" in dashboard and "last commit on or before" not in dashboard
    # chosen by the date, the clause stands
    dated = pmkit(repo.root, "status", "--as-of", "2026-05-20")
    assert f"Figures from revision {first[:12]} of 2026-05-01, the last commit on or before 2026-05-20." in dated.stdout
