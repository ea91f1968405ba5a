"""validate for CI: --format sarif (valid SARIF 2.1.0) and --changed-since, in real repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from pmkit.engine.catalog import all_codes
from tests.git.conftest import Repo, pmkit

SARIF_SCHEMA = Path(__file__).resolve().parent.parent / "sarif" / "sarif-schema-2.1.0.json"


def _break_infra(repo: Repo) -> None:
    repo.edit("program/projects/infra.yaml", "team: ops", "team: nosuch")  # line 4, column 7


def test_sarif_is_valid_deterministic_and_placed_from_any_directory(repo: Repo) -> None:
    _break_infra(repo)
    inside = repo.root / "program" / "projects"
    first = pmkit(inside, "validate", "..", "--format", "sarif")
    again = pmkit(repo.root, "validate", "--format", "sarif")
    assert first.returncode == again.returncode == 1, first.stderr
    assert first.stdout == again.stdout  # paths from the repository root wherever it ran; no timestamps
    document = json.loads(first.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(document)
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pmkit" and driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [c.id for c in all_codes()]
    unknown = next(r for r in rules if r["id"] == "unknown-reference")
    assert unknown["defaultConfiguration"]["level"] == "error" and unknown["fullDescription"]["text"]
    (result,) = run["results"]
    assert result["ruleId"] == "unknown-reference" and rules[result["ruleIndex"]]["id"] == "unknown-reference"
    assert result["level"] == "error" and "nosuch" in result["message"]["text"]
    assert result["properties"]["hint"] == "create the record or correct the id"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "program/projects/infra.yaml"
    assert location["region"] == {"startLine": 4, "startColumn": 7}
    assert run["properties"] == {"files": 16, "errors": 1, "warnings": 0}


def test_sarif_uri_escapes_odd_names(repo: Repo) -> None:
    repo.write("program/projects/big move é.yaml", "name: [unclosed\n")
    document = json.loads(pmkit(repo.root, "validate", "--format", "sarif").stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    assert "program/projects/big%20move%20%C3%A9.yaml" in uris


def test_github_annotations_name_repository_paths_from_a_subdirectory(repo: Repo) -> None:
    _break_infra(repo)
    done = pmkit(repo.root / "program" / "teams", "validate", "..", "--format", "github")
    assert done.returncode == 1
    assert done.stdout.startswith("::error file=program/projects/infra.yaml,line=4,col=7,title=pmkit unknown-reference::")


def _change_since_base(repo: Repo) -> str:
    """A base with one old error; a change that breaks a file it edits and, through a deletion, untouched ones."""
    repo.edit("program/projects/payroll.yaml", "departments: [Finance]", "departments: [Finance]\nfoo: 1")
    base = repo.commit("an old mistake")
    _break_infra(repo)  # touched, uncommitted
    repo.commit("infra moves to a team that does not exist")
    (repo.root / "program" / "teams" / "apps.yaml").unlink()  # uncommitted: breaks files that name `apps`
    repo.write("program/vendors/new.yaml", "name: [unclosed\n")  # untracked
    return base


def test_changed_since_reports_touched_files_and_what_the_change_caused(repo: Repo) -> None:
    base = _change_since_base(repo)
    everything = json.loads(pmkit(repo.root, "validate", "--format", "json").stdout)
    done = pmkit(repo.root, "validate", "--changed-since", base, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    files = {f["file"] for f in report["findings"]}
    assert "program/projects/payroll.yaml" not in files  # there before, file untouched
    assert {"program/projects/infra.yaml", "program/vendors/new.yaml", "program/staff/ann.yaml"} <= files
    assert report["summary"]["hidden"] == 1
    assert len(report["findings"]) + 1 == len(everything["findings"])
    text = pmkit(repo.root, "validate", "--changed-since", base).stdout
    assert "(1 more not shown: in files the change did not touch, and there before it)" in text


def test_changed_since_exit_code_follows_what_is_reported(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "departments: [Finance]", "departments: [Finance]\nfoo: 1")
    base = repo.commit("an old mistake")
    repo.edit("program/projects/infra.yaml", "name: Infrastructure", "name: Infrastructure and network")
    done = pmkit(repo.root, "validate", "--changed-since", base, "--format", "json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["summary"] == {"files": 16, "errors": 0, "warnings": 0, "hidden": 1}
    assert pmkit(repo.root, "validate").returncode == 1


def test_changed_since_a_revision_without_the_program_reports_everything(repo: Repo) -> None:
    tree = repo.git("hash-object", "-t", "tree", "-w", os.devnull).strip()  # the empty tree: no program yet
    empty = repo.git("-c", "user.name=Ann", "commit-tree", tree, "-m", "before the program").strip()
    _break_infra(repo)
    done = pmkit(repo.root, "validate", "--changed-since", empty, "--format", "json")
    assert done.returncode == 1 and json.loads(done.stdout)["summary"]["hidden"] == 0


def test_changed_since_an_unknown_revision_is_a_usage_error(repo: Repo) -> None:
    done = pmkit(repo.root, "validate", "--changed-since", "no-such-branch")
    assert done.returncode == 2 and "no-such-branch" in done.stderr and done.stdout == ""


def test_changed_since_with_rev_is_a_usage_error(repo: Repo) -> None:
    done = pmkit(repo.root, "validate", "--rev", "HEAD", "--changed-since", "HEAD")
    assert done.returncode == 2 and "--changed-since" in done.stderr and done.stdout == ""


def test_changed_since_reports_the_same_with_no_cache_an_empty_one_and_a_warm_one(repo: Repo) -> None:
    """The base reuses what the working tree's run left: with the cache, its
    files' outcomes and rule parts from there (under the working tree's rule
    name); with --no-cache, one store in memory. All three give one report."""
    base = _change_since_base(repo)
    args = ("validate", "--changed-since", base, "--format", "json")
    empty = pmkit(repo.root, *args)
    warm = pmkit(repo.root, *args)
    uncached = pmkit(repo.root, *args, "--no-cache")
    assert empty.returncode == warm.returncode == uncached.returncode == 1
    assert json.loads(empty.stdout)["summary"]["hidden"] == 1
    assert empty.stdout == warm.stdout == uncached.stdout
    # A plain validate after them still reports every finding (the base left its rule parts in the cache).
    assert len(json.loads(pmkit(repo.root, "validate", "--format", "json").stdout)["findings"]) == \
        len(json.loads(empty.stdout)["findings"]) + 1


def test_a_cache_folder_inside_the_repository_is_refused_for_a_revision_too(repo: Repo) -> None:
    """A cache folder inside the program's repository is refused (a CI
    checkout must not fill with pickles): the working tree's validation
    said so, then validated the base of --changed-since (or --rev, or a
    side of pmkit diff) from git into that very folder."""
    _break_infra(repo)
    inside = repo.root / ".pmkit-cache"
    env = {**os.environ, "PMKIT_CACHE_DIR": str(inside), "NO_COLOR": "1"}
    for args in (("validate", "--changed-since", "HEAD"), ("validate", "--rev", "HEAD"), ("diff", "HEAD"),
                 ("diff", "HEAD", "HEAD")):
        done = subprocess.run([sys.executable, "-m", "pmkit", *args], cwd=repo.root, env=env, capture_output=True,
                              text=True)
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
        assert "not using the cache" in done.stderr, args
        assert not inside.exists(), args
