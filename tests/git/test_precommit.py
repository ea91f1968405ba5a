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


def _try_repo(program_repo: Repo, home: Path, head: str, repo: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PMKIT_CACHE_DIR": str(home / "pmkit-cache"), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(repo), "pmkit-validate", "--ref", head,
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


def _package_version() -> str:
    import re

    (version,) = re.findall(r'^__version__ = "([^"]+)"', (ROOT / "pmkit/__init__.py").read_text(encoding="utf-8"),
                            re.MULTILINE)
    return version


def _tagged_commit(repo: Path, tag: str) -> str | None:
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], cwd=repo,
                           capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else None


def test_the_examples_pin_the_version_this_code_says_it_is() -> None:
    assert _named_release() == f"v{_package_version()}"


def test_the_release_tag_names_a_commit_of_that_version() -> None:
    # A CI clone carries commits, not tags: there the tag is absent and the
    # test above is what holds the examples to the code's version.
    tag = _named_release()
    commit = _tagged_commit(ROOT, tag)
    if commit is None:
        pytest.skip(f"this clone has no tag {tag} (git fetch --tags)")
    init = subprocess.run(["git", "show", f"{commit}:pmkit/__init__.py"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout
    assert f'__version__ = "{tag[1:]}"' in init


def _release_repo(tmp_path: Path, tag: str) -> Path:
    """A clone of this repository holding the tag the examples pin: the real
    tag when this clone has it, else one made on HEAD, whose version the
    examples pin (test_the_examples_pin_the_version_this_code_says_it_is)."""
    clone = tmp_path / "pmkit-release"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True)
    if _tagged_commit(clone, tag) is None:
        subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "tag", tag, "HEAD"],
                       cwd=clone, check=True, capture_output=True)
    return clone


def test_pre_commit_try_repo_runs_the_hook_at_the_tagged_release(tmp_path: Path) -> None:
    tag = _named_release()
    release = _release_repo(tmp_path, tag)
    plans = Repo(tmp_path / "plans")
    shutil.copytree(MINIMAL, plans.root / "program")
    plans.edit("program/projects/infra.yaml", "team: ops", "team: nosuch")
    plans.commit("a team that does not exist")
    failed = _try_repo(plans, tmp_path / "pre-commit-home", tag, release)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "program/projects/infra.yaml:4:7: error unknown-reference" in failed.stdout
