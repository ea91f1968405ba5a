"""The pre-commit hook, for real: `pre-commit try-repo` installs this repository's
committed HEAD into its own environment (pip, from the package index) and runs
it on a program repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.git.conftest import MINIMAL, Repo

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow


def _try_repo(program_repo: Repo, home: Path, head: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PMKIT_CACHE_DIR": str(home / "pmkit-cache"), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "pmkit-validate", "--ref", head,
                           "--all-files", "--color", "never"],
                          cwd=program_repo.root, env=env, capture_output=True, text=True, timeout=900)


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "pmkit-validate" and hook["pass_filenames"] is False and hook["language"] == "python"
    assert hook["entry"] == "pmkit validate"


def test_pre_commit_try_repo_runs_the_hook(tmp_path: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()
    plans = Repo(tmp_path / "plans")
    shutil.copytree(MINIMAL, plans.root / "program")
    plans.commit("the program")
    home = tmp_path / "pre-commit-home"
    passed = _try_repo(plans, home, head)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "pmkit validate" in passed.stdout and "Passed" in passed.stdout
    plans.edit("program/projects/infra.yaml", "team: ops", "team: nosuch")
    plans.commit("a team that does not exist")
    failed = _try_repo(plans, home, head)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "program/projects/infra.yaml:4:7: error unknown-reference" in failed.stdout


def _named_release() -> str:
    """The tag the hook's example in .pre-commit-hooks.yaml pins (the README's and CI templates' too)."""
    import re

    (tag,) = re.findall(r"rev: (v\d+\.\d+\.\d+)", (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for path in ("README.md", "pmkit/app/scaffold/ci/github-pmkit.yml", "pmkit/app/scaffold/ci/gitlab-ci.yml"):
        assert tag in (ROOT / path).read_text(encoding="utf-8"), path
    return tag


def _tagged_commit(tag: str) -> str:
    """The commit the tag names in this repository; a clone without tags skips (except under CI=true)."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], cwd=ROOT,
                           capture_output=True, text=True)
    if found.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the examples pin {tag}, which this clone does not have (git fetch --tags)")
        pytest.skip(f"this clone has no tag {tag} (git fetch --tags)")
    return found.stdout.strip()


def test_the_release_the_examples_pin_is_tagged_with_its_version() -> None:
    tag = _named_release()
    commit = _tagged_commit(tag)
    init = subprocess.run(["git", "show", f"{commit}:pmkit/__init__.py"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout
    assert f'__version__ = "{tag[1:]}"' in init


def test_pre_commit_try_repo_runs_the_hook_at_the_tagged_release(tmp_path: Path) -> None:
    tag = _named_release()
    _tagged_commit(tag)
    plans = Repo(tmp_path / "plans")
    shutil.copytree(MINIMAL, plans.root / "program")
    plans.edit("program/projects/infra.yaml", "team: ops", "team: nosuch")
    plans.commit("a team that does not exist")
    failed = _try_repo(plans, tmp_path / "pre-commit-home", tag)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "program/projects/infra.yaml:4:7: error unknown-reference" in failed.stdout
