"""The CI files a team copies: parsed, and their pmkit commands run against a real repository.

The GitHub workflow and the GitLab pipeline are the templates in
pmkit/app/scaffold/ci/ (what `pmkit init` ships); the repository's own
.github/workflows/pmkit.yml and .gitlab-ci.yml are the same files installing
pmkit from the checkout. The `pip install` steps are skipped: pmkit is on PATH
from the test's venv. `gh` (GitHub's API) is the one stand-in: tests/git/fake_gh.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.git.conftest import Repo

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "pmkit" / "app" / "scaffold" / "ci"
GITHUB = TEMPLATES / "github-pmkit.yml"
GITLAB = TEMPLATES / "gitlab-ci.yml"
#: What GitHub puts in place of the expressions the steps use.
EXPRESSIONS = {"${{ github.base_ref }}": "main", "${{ github.event.pull_request.number }}": "7",
               "${{ github.repository }}": "revenue/plan", "${{ github.token }}": "a-token"}

pytestmark = pytest.mark.slow


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(workflow: dict[Any, Any]) -> Any:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def test_the_repository_runs_the_templates_it_ships() -> None:
    for template, copy in ((GITHUB, ROOT / ".github" / "workflows" / "pmkit.yml"), (GITLAB, ROOT / ".gitlab-ci.yml")):
        ours = copy.read_text(encoding="utf-8").splitlines()[2:]  # after the two lines saying it is a copy
        theirs = template.read_text(encoding="utf-8").splitlines()
        different = [(a, b) for a, b in zip(theirs, ours) if a != b]
        assert len(ours) == len(theirs) and len(different) == 1, different
        assert different[0][0].lstrip().startswith("PMKIT_PIP:") and '"."' in different[0][1]


def test_github_workflow_shape() -> None:
    workflow = _load(GITHUB)
    assert set(_triggers(workflow)) == {"pull_request", "push"}
    review = workflow["jobs"]["review"]
    assert review["permissions"]["pull-requests"] == "write"
    assert review["steps"][0]["with"]["fetch-depth"] == 0
    uses = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert "actions/upload-pages-artifact@v3" in uses and "actions/deploy-pages@v4" in uses
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "site" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["env"]["PMKIT_PIP"].startswith("pmkit-planning @ git+https://")


@pytest.fixture
def pull_request(tmp_path: Path) -> Repo:
    """A clone of a team's repository (the example program on main) with a pull request's branch checked out."""
    upstream = Repo(tmp_path / "upstream")
    shutil.copytree(ROOT / "program", upstream.root / "program")
    upstream.commit("the program")
    subprocess.run(["git", "clone", "-q", str(upstream.root), str(tmp_path / "work")], check=True)
    work = Repo.__new__(Repo)
    work.root = tmp_path / "work"
    work.git("checkout", "-q", "-b", "change")
    work.edit("program/projects/citizen-portal.yaml", "progress: 65", "progress: 80")
    work.edit("program/projects/citizen-portal.yaml", "progress: 55", "progress: 55\n    assignee: nobody-here")
    work.commit("portal: more progress, and a typo")
    return work


def _env(tmp_path: Path, step_env: dict[str, str]) -> dict[str, str]:
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    gh = tools / "gh"
    if not gh.exists():
        gh.write_text(f"#!/bin/sh\nexec {sys.executable} {Path(__file__).parent / 'fake_gh.py'} \"$@\"\n")
        gh.chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PMKIT_CACHE_DIR": str(tmp_path / "cache"), "FAKE_GH_STATE": str(tmp_path / "gh.json"),
           "GITHUB_ACTIONS": "true"}
    env.pop("NO_COLOR", None)
    for key, value in step_env.items():
        env[key] = EXPRESSIONS.get(str(value), str(value))
    return env


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _steps(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in job["steps"] if "run" in s}


def test_github_pull_request_job(pull_request: Repo, tmp_path: Path) -> None:
    steps = _steps(_load(GITHUB)["jobs"]["review"])
    assert "pip install" in steps["Install pmkit"]["run"]

    def run(name: str) -> subprocess.CompletedProcess[str]:
        return _run(steps[name]["run"], pull_request.root, _env(tmp_path, steps[name].get("env", {})))

    validate = run("Validate")
    assert validate.returncode == 1, validate.stderr  # the typo the pull request brings
    (annotation,) = [line for line in validate.stdout.splitlines() if line.startswith("::")]
    assert annotation.startswith("::error file=program/projects/citizen-portal.yaml,line=")
    assert "more not shown" in validate.stdout  # the example program's old warnings stay out of the way
    assert run("Diff").returncode == 0
    first = (pull_request.root / "pmkit-diff.md").read_text(encoding="utf-8")
    assert "citizen-portal" in first or "Citizen" in first
    assert run("Comment").returncode == 0
    pull_request.edit("program/projects/citizen-portal.yaml", "\n    assignee: nobody-here", "")
    pull_request.commit("portal: typo fixed")
    assert run("Validate").returncode == 0
    assert run("Diff").returncode == 0
    assert run("Comment").returncode == 0
    comments = json.loads((tmp_path / "gh.json").read_text())["comments"]
    assert len(comments) == 1  # updated, not repeated
    body = comments[0]["body"]
    assert body.startswith("<!-- pmkit-diff -->\n") and comments[0]["issue"] == "7"
    assert body != "<!-- pmkit-diff -->\n" + first and body.endswith((pull_request.root / "pmkit-diff.md").read_text())


def test_github_site_job_builds_the_site(pull_request: Repo, tmp_path: Path) -> None:
    pull_request.git("checkout", "-q", "main")
    step = _steps(_load(GITHUB)["jobs"]["site"])["Build the site"]
    done = _run(step["run"], pull_request.root, _env(tmp_path, step.get("env", {})))
    assert done.returncode == 0, done.stderr
    upload = next(s for s in _load(GITHUB)["jobs"]["site"]["steps"] if s.get("uses", "").startswith("actions/upload"))
    assert (pull_request.root / upload["with"]["path"] / "index.html").is_file()


def test_gitlab_pipeline(pull_request: Repo, tmp_path: Path) -> None:
    pipeline = _load(GITLAB)
    assert pipeline["default"]["before_script"] == ['pip install "$PMKIT_PIP"']
    assert pipeline["variables"]["GIT_DEPTH"] == "0"
    env = _env(tmp_path, {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_PIPELINE_SOURCE": "merge_request_event"})
    env.pop("GITHUB_ACTIONS")
    results = {}
    for job in ("pmkit-validate", "pmkit-diff"):
        results[job] = _run("\n".join(pipeline[job]["script"]), pull_request.root, env)
    assert results["pmkit-validate"].returncode == 1
    junit = (pull_request.root / pipeline["pmkit-validate"]["artifacts"]["reports"]["junit"]).read_text()
    assert "program/projects/citizen-portal.yaml" in junit
    assert results["pmkit-diff"].returncode == 0, results["pmkit-diff"].stderr
    assert (pull_request.root / pipeline["pmkit-diff"]["artifacts"]["paths"][0]).read_text().strip()
    pull_request.git("checkout", "-q", "main")
    done = _run("\n".join(pipeline["pages"]["script"]), pull_request.root, env)
    assert done.returncode == 0, done.stderr
    assert (pull_request.root / pipeline["pages"]["artifacts"]["paths"][0] / "index.html").is_file()
