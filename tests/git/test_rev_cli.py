"""--rev on every command that reads a program, and finding the program in a repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import Repo, pmkit


@pytest.fixture
def history(repo: Repo) -> Repo:
    """Three commits: clean, a progress over 100 in payroll, fixed again."""
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 150")
    repo.commit("bad progress", "2026-05-02T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 150", "progress: 60")
    repo.commit("fixed", "2026-05-03T12:00:00+00:00")
    return repo


def test_validate_rev_in_the_repository_root(history: Repo) -> None:
    bad = pmkit(history.root, "validate", "--rev", "HEAD~1")
    assert bad.returncode == 1
    assert "program/projects/payroll.yaml:" in bad.stdout
    assert "using the program in program/ (the default) at HEAD~1" in bad.stderr
    good = pmkit(history.root, "validate", "--rev", "HEAD~2")
    assert good.returncode == 0, good.stdout
    assert pmkit(history.root, "validate").returncode == 0


def test_paths_are_relative_to_the_repository_root_from_a_subfolder(history: Repo) -> None:
    history.edit("program/projects/payroll.yaml", "progress: 60", "progress: 160")
    where = history.root / "program" / "projects"
    found = pmkit(where, "validate", "--format", "json")
    assert found.returncode == 1
    files = {f["file"] for f in json.loads(found.stdout)["findings"]}
    assert files == {"program/projects/payroll.yaml"}
    at_rev = pmkit(where, "validate", "--rev", "HEAD~1", "--format", "json")
    assert {f["file"] for f in json.loads(at_rev.stdout)["findings"]} == {"program/projects/payroll.yaml"}


def test_explicit_dir_keeps_its_paths(history: Repo) -> None:
    history.edit("program/projects/payroll.yaml", "progress: 60", "progress: 160")
    done = pmkit(history.root, "validate", "program")
    assert "program/projects/payroll.yaml:" in done.stdout and done.stderr == ""


def test_the_folder_named_in_mkdocs_yml(repo: Repo) -> None:
    repo.git("mv", "program", "plan")
    repo.write("mkdocs.yml", "site_name: x\nplugins:\n  - search\n  - pmkit:\n      program: plan\n")
    repo.commit("moved")
    done = pmkit(repo.root, "validate", "--rev", "HEAD")
    assert done.returncode == 0 and "using the program in plan/ (from mkdocs.yml)" in done.stderr


def test_no_program_says_did_you_mean(tmp_path: Path) -> None:
    import shutil

    from .conftest import MINIMAL

    shutil.copytree(MINIMAL, tmp_path / "work" / "program")
    done = pmkit(tmp_path / "work", "validate")
    assert done.returncode == 2
    # outside a repository: no guessing which folder is meant, but the one there is named
    assert done.stderr.splitlines()[-1] == (
        "Error: . holds no program.yaml; did you mean program/? (pmkit validate program)")


def test_views_and_rollup_at_a_revision(history: Repo) -> None:
    old = json.loads(pmkit(history.root, "rollup", "--rev", "HEAD~2", "--as-of", "2026-06-30").stdout)
    new = json.loads(pmkit(history.root, "rollup", "--as-of", "2026-06-30").stdout)
    assert old != new  # payroll's progress moved from 50 to 60
    for command in (["status"], ["budget"], ["staff"], ["report", "--period", "2026-06"]):
        done = pmkit(history.root, *command, "--rev", "HEAD~2")
        assert done.returncode == 0, (command, done.stderr)
    bad = pmkit(history.root, "status", "--rev", "HEAD~1")
    assert bad.returncode == 1 and "program/projects/payroll.yaml" in bad.stderr


def test_site_build_at_a_revision(history: Repo, tmp_path: Path) -> None:
    done = pmkit(history.root, "site", "build", "--rev", "HEAD~2", "-o", str(tmp_path / "public"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "public" / "index.html").is_file()
    assert subprocess.run(["git", "status", "--porcelain"], cwd=history.root, capture_output=True,
                          text=True).stdout == ""


@pytest.mark.parametrize("args, message", [
    (["validate", "--rev", "nope"], "unknown revision 'nope'"),
    (["validate", "program", "--rev", "HEAD"], None),
])
def test_revision_errors(history: Repo, args: list[str], message: str | None) -> None:
    done = pmkit(history.root, *args)
    if message is None:
        assert done.returncode == 0
    else:
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_not_a_repository_and_missing_folder(history: Repo, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = pmkit(tmp_path / "empty", "validate", "--rev", "HEAD")
    assert done.returncode == 2 and "holds no program.yaml" in done.stderr
    history.git("rm", "-rq", "program")
    history.commit("gone")
    history.git("checkout", "-q", "HEAD~1", "--", "program")
    gone = pmkit(history.root, "validate", "program", "--rev", "HEAD")
    assert gone.returncode == 2 and "program does not exist at HEAD" in gone.stderr
