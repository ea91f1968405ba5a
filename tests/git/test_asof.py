"""Past dates are computed from the past: --as-of before the status date reads the revision in force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import Repo, pmkit


@pytest.fixture
def june_september(repo: Repo) -> tuple[Repo, str, str]:
    """A June commit (status 2026-06-30) and a September commit that moves progress, budget and risks."""
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    june = repo.commit("June", "2026-06-28T17:00:00+00:00")
    repo.edit("program/program.yaml", "status_date: 2026-06-30", "status_date: 2026-09-30")
    repo.edit("program/projects/payroll.yaml", "progress: 55", "progress: 90")
    repo.edit("program/projects/payroll.yaml", "labor: 100000.00", "labor: 110000.00")
    repo.write("program/risks/late-risk.yaml", "type: risk\ntitle: Data migration may slip\nproject: payroll\n"
               "owner: ann\nopened: 2026-08-05\nstatus: open\nseverity: medium\nprobability: 2\nimpact: 3\n")
    september = repo.commit("September", "2026-09-29T09:00:00+00:00")
    return repo, june, september


def rollup(cwd: Path, *args: str) -> dict:
    done = pmkit(cwd, "rollup", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_as_of_june_reads_the_june_files(june_september, tmp_path: Path) -> None:
    repo, june, september = june_september
    doc = rollup(repo.root, "--as-of", "2026-06-30")
    assert doc["provenance"]["revision"] == june
    assert doc["provenance"]["revision_date"] == "2026-06-28"
    assert doc["provenance"]["undated_as_of_files"] is False
    # the same figures as the June files read from a plain folder as of June 30
    plain = tmp_path / "plain"
    repo.git("worktree", "add", "-q", str(plain), june)
    folder = rollup(tmp_path, str(plain / "program"), "--as-of", "2026-06-30")
    for key in ("progress", "planned", "budget", "evm", "open_problems"):
        assert doc["program"][key] == folder["program"][key], key
    # June: payroll build at 50 % and labour 100,000; September moved both
    assert doc["projects"]["payroll"]["budget"]["baseline"] == "170000.00"
    now = rollup(repo.root)
    assert now["projects"]["payroll"]["budget"]["baseline"] == "180000.00"
    assert now["provenance"]["revision"] is None and now["as_of"] == "2026-09-30"
    assert now["program"]["progress"] > doc["program"]["progress"]
    assert now["program"]["open_problems"] == doc["program"]["open_problems"] + 1


def test_views_name_the_revision(june_september) -> None:
    repo, june, _ = june_september
    done = pmkit(repo.root, "status", "--as-of", "2026-07-15")
    assert done.returncode == 0, done.stderr
    assert f"Figures from revision {june[:12]} of 2026-06-28" in done.stdout


def test_before_the_first_commit_the_files_are_read_with_the_note(june_september) -> None:
    repo, _, _ = june_september
    doc = rollup(repo.root, "--as-of", "2026-04-30")  # the first commit is of 2026-05-01
    assert doc["provenance"]["revision"] is None
    assert doc["provenance"]["undated_as_of_files"] is True
    assert "later than 2026-04-30" in doc["provenance"]["note"]


def test_outside_git_the_note_says_undated_values_are_today(tmp_path: Path) -> None:
    from .conftest import MINIMAL

    shutil.copytree(MINIMAL, tmp_path / "p")
    doc = rollup(tmp_path, "p", "--as-of", "2026-03-31")
    assert doc["provenance"]["revision"] is None and doc["provenance"]["undated_as_of_files"] is True
    assert "status date 2026-06-30" in doc["provenance"]["note"]


def test_a_date_before_the_program_starts_is_refused(tmp_path: Path) -> None:
    from .conftest import MINIMAL

    shutil.copytree(MINIMAL, tmp_path / "p")
    done = pmkit(tmp_path, "rollup", "p", "--as-of", "2025-12-31")
    assert done.returncode == 2
    assert "2025-12-31 is before the program starts (2026-01-01)" in done.stderr
    done = pmkit(tmp_path, "report", "p", "--period", "2025-11")
    assert done.returncode == 2 and "before the program starts" in done.stderr
