"""`pmkit diff` where one side has no program folder: the pull request that adds the
program (the first one a team opens once it adopts pmkit) and the one that removes it.
The CI job posting the diff must not fail with "program does not exist at BASE"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from .conftest import MINIMAL, Repo, pmkit

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "diff.schema.json").read_text())


def _adding(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "The planning repository.\n")
    repo.commit("readme", "2026-04-01T12:00:00+00:00")
    shutil.copytree(MINIMAL, repo.root / "program")
    repo.commit("the program", "2026-05-01T12:00:00+00:00")
    return repo


def test_the_change_that_adds_the_program_lists_its_records_as_added(tmp_path: Path) -> None:
    repo = _adding(tmp_path)
    done = pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "does not exist" not in done.stderr
    assert "records added" in done.stdout and "removed" not in done.stdout.split("**Records**")[0]
    assert "| added | project | payroll | program/projects/payroll.yaml |" in done.stdout
    assert "HEAD&#126;1 has no program folder program/" in done.stdout, done.stdout
    assert "validation errors" not in done.stdout
    document = json.loads(pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--format", "json").stdout)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    assert {r["action"] for r in document["records"]} == {"added"}
    assert document["figures"]["compared"] is False
    # the working tree as the head works the same
    assert pmkit(repo.root, "diff", "HEAD~1").returncode == 0


def test_the_change_that_removes_the_program_lists_its_records_as_removed(tmp_path: Path) -> None:
    repo = _adding(tmp_path)
    done = pmkit(repo.root, "diff", "HEAD", "HEAD~1")
    assert done.returncode == 0, done.stderr
    assert "records removed" in done.stdout
    assert "HEAD~1 has no program folder program/" in done.stdout, done.stdout


EXAMPLE = Path(__file__).resolve().parents[2] / "program"
#: GitHub refuses an issue comment whose body is longer than this (characters)
GITHUB_COMMENT_MAX = 65536


def test_a_large_change_is_a_comment_github_accepts(tmp_path: Path) -> None:
    """Adding the example program is 583 records (150 KB of markdown): GitHub refuses such a
    comment ("body is too long"), and the workflows' `head -c 60000` cut it mid-row, a
    <details> left open and the footer lost. The markdown stays under the bound and says
    what it left out."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "The planning repository.\n")
    repo.commit("readme", "2026-04-01T12:00:00+00:00")
    shutil.copytree(EXAMPLE, repo.root / "program")
    repo.commit("the program", "2026-05-01T12:00:00+00:00")
    done = pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) < GITHUB_COMMENT_MAX, len(done.stdout)
    # the workflows cut the file at 60,000 bytes (head -c): the whole of it is under that
    assert len(done.stdout.encode("utf-8")) < 60_000 - len("<!-- pmkit-diff -->\n")
    assert done.stdout.rstrip().endswith("private fields are never shown</sub>")
    assert "583 records added" in done.stdout
    assert "more not shown here: pmkit diff HEAD&#126;1 HEAD lists them all" in done.stdout
    assert "| added | expenses | exp-2025-07-001 |" in done.stdout  # the first rows are still there
    # the other formats keep everything
    document = json.loads(pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--format", "json").stdout)
    assert len(document["records"]) == 583


def test_a_date_before_the_program_starts_moves_no_figure(repo: Repo) -> None:
    """`pmkit rollup --as-of` refuses a day before the start ("there are no figures for it");
    the diff showed figures moving on it."""
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("progress", "2026-06-01T12:00:00+00:00")
    assert "before the program starts" in pmkit(repo.root, "rollup", "--as-of", "2025-12-01").stderr
    done = pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--as-of", "2025-12-01", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["figures"]["compared"] is False
    assert document["figures"]["note"].startswith("2025-12-01 is before the program starts (2026-01-01)")
    assert [r["action"] for r in document["records"]] == ["changed"]  # the records are still listed
    moved = pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--as-of", "2026-06-30", "--format", "json").stdout
    assert json.loads(moved)["figures"]["compared"] is True
