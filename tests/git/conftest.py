"""Real git repositories in temporary folders (no mocks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "minimal"


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.org",
               "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.org",
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        return subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True,
                              text=True).stdout

    def write(self, path: str, text: str) -> None:
        full = self.root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text, encoding="utf-8")

    def edit(self, path: str, old: str, new: str) -> None:
        full = self.root / path
        text = full.read_text(encoding="utf-8")
        assert old in text, (path, old)
        full.write_text(text.replace(old, new, 1), encoding="utf-8")

    def commit(self, message: str, date: str = "2026-06-01T12:00:00+00:00") -> str:
        self.git("add", "-A")
        env_date = ["-c", "user.name=Ann"]
        os.environ["GIT_COMMITTER_DATE"] = date
        os.environ["GIT_AUTHOR_DATE"] = date
        try:
            self.git(*env_date, "commit", "-q", "-m", message)
        finally:
            del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository whose first commit holds the minimal program in program/."""
    made = Repo(tmp_path / "repo")
    shutil.copytree(MINIMAL, made.root / "program")
    made.commit("first", "2026-05-01T12:00:00+00:00")
    return made


def broken_in_june(repo: Repo) -> str:
    """A status date of September, then a commit on June 10 whose program does not validate
    (a progress of 150) and its fix on July 1: the revision in force on June 20 is broken
    while the working tree validates. Its sha."""
    repo.edit("program/program.yaml", "status_date: 2026-06-30", "status_date: 2026-09-30")
    repo.commit("September status", "2026-05-02T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 150")
    broken = repo.commit("typo", "2026-06-10T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 150", "progress: 60")
    repo.commit("fix", "2026-07-01T12:00:00+00:00")
    return broken


def pmkit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, with its own cache folder."""
    env = {**os.environ, "PMKIT_CACHE_DIR": str(cwd.parent / "cache"), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run([sys.executable, "-m", "pmkit", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    return done
