"""A repository git itself refuses to read (a broken config, another user's folder: git's
"dubious ownership" in a CI container) or one without a working tree (bare, or run
inside .git) is not "outside git": pmkit says what git said, never that there is no
.git, and never falls back to today's files for a past date."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Repo, pmkit


def _history_in_june(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 70")
    repo.commit("June progress", "2026-06-10T12:00:00+00:00")


def _break_config(repo: Repo) -> None:
    with (repo.root / ".git" / "config").open("a", encoding="utf-8") as out:
        out.write("[core\n")  # git: "bad config line"


def test_a_repository_git_refuses_is_said_to_be_refused_not_missing(repo: Repo) -> None:
    _history_in_june(repo)
    _break_config(repo)
    for args in (("history",), ("validate", "--rev", "HEAD"), ("diff", "HEAD~1", "HEAD")):
        done = pmkit(repo.root, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "not inside a git repository" not in done.stderr, (args, done.stderr)
        assert "bad config" in done.stderr, (args, done.stderr)


def test_a_past_date_in_a_refused_repository_is_refused_not_computed_from_todays_files(repo: Repo) -> None:
    """The history is there but git will not read it: figures from today's files, with a
    note that there is no revision, would be a wrong number for May."""
    _history_in_june(repo)
    _break_config(repo)
    done = pmkit(repo.root, "rollup", "--as-of", "2026-05-15")
    assert done.returncode == 2, done.stdout[:300]
    assert "bad config" in done.stderr
    assert done.stdout == ""


def test_the_history_page_of_a_refused_repository_says_why(repo: Repo, tmp_path: Path) -> None:
    from pmkit.app.site.data import load_history

    _history_in_june(repo)
    _break_config(repo)
    data = load_history(repo.root / "program", use_cache=False)
    assert data.reason is not None
    assert "not in a git repository" not in data.reason
    assert "bad config" in data.reason


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the folder away")
def test_another_users_repository_names_git_safe_directory(repo: Repo) -> None:
    """git's "dubious ownership" (a container's checkout owned by another user): the user is
    told git's own fix, `git config --global --add safe.directory`."""
    _history_in_june(repo)
    subprocess.run(["chown", "-R", "65534", str(repo.root)], check=True)
    env_home = repo.root.parent / "home"
    env_home.mkdir()
    os.environ["HOME"], old = str(env_home), os.environ.get("HOME")
    try:
        done = pmkit(repo.root, "history")
    finally:
        if old is not None:
            os.environ["HOME"] = old
    assert done.returncode == 2, done.stderr
    assert "safe.directory" in done.stderr, done.stderr
    assert "not inside a git repository" not in done.stderr


def test_a_bare_repository_is_said_to_have_no_working_tree(repo: Repo, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(bare)], check=True)
    for args in (("history",), ("validate", "--rev", "HEAD")):
        done = pmkit(bare, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "bare repository" in done.stderr, (args, done.stderr)
        assert "holds no program.yaml" not in done.stderr
        assert "not inside a git repository" not in done.stderr


def test_a_worktree_whose_repository_is_gone_says_so(repo: Repo, tmp_path: Path) -> None:
    """A linked worktree's `.git` file points at a repository that was moved away."""
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked), "HEAD")
    shutil.move(str(repo.root), str(tmp_path / "moved"))
    done = pmkit(linked, "history")
    assert done.returncode == 2, done.stderr
    assert "no .git found" not in done.stderr, done.stderr
    assert ".git" in done.stderr and "linked" in done.stderr


@pytest.mark.parametrize("language", ["", "fr"])
def test_outside_any_repository_is_still_said_plainly(tmp_path: Path, language: str) -> None:
    """Whatever language git speaks (its messages are translated: "n'est un dépôt git")."""
    plain = tmp_path / "plain"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "minimal", plain)
    old = os.environ.get("LANGUAGE")
    os.environ["LANGUAGE"] = language
    try:
        done = pmkit(plain, "history")
        rollup = pmkit(plain, "rollup", "--as-of", "2026-05-15")
    finally:
        if old is None:
            del os.environ["LANGUAGE"]
        else:
            os.environ["LANGUAGE"] = old
    assert done.returncode == 2
    assert "not inside a git repository" in done.stderr, done.stderr
    assert rollup.returncode == 0, rollup.stderr
    assert json.loads(rollup.stdout)["provenance"]["revision"] is None


def test_changed_since_and_annotations_in_a_refused_repository_give_gits_reason(repo: Repo) -> None:
    """CI in a container whose checkout git refuses: --changed-since said "needs a git
    repository; . is not inside one", and --format github placed annotations by paths
    relative to the program folder (GitHub finds no such file)."""
    _history_in_june(repo)
    _break_config(repo)
    for args in (("validate", "--changed-since", "HEAD~1"), ("validate", "program", "--format", "github")):
        done = pmkit(repo.root, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "bad config" in done.stderr and "not inside one" not in done.stderr, (args, done.stderr)
