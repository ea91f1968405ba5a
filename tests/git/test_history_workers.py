"""``pmkit history`` deals the commits to compute between processes, and keeps
each row's head apart from its detail: neither may change a row.

A row is a function of the program folder's tree and the day, so whichever
process computes it, in whichever run of commits, after whichever commit
before, it must be the same as the row computed in one process; and a row
read back without its detail, then with it, must be the row computed fresh.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pmkit.app import history
from pmkit.ingest.gitsource import Repository

from .conftest import Repo
from .test_history_differential import long_story  # noqa: F401  (a fixture)


def _rows(root: Path, **options: object) -> list[dict[str, object]]:
    repo = Repository.find(root)
    return history.series(repo, "program", history.steps(repo), **options)  # type: ignore[arg-type]


@pytest.fixture
def pids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file to which every process that computes a row writes its id (a forked worker too)."""
    where = tmp_path / "pids"
    computed = history._computed_row

    def noted(*args: object, **kwargs: object) -> dict[str, object]:
        with open(where, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return computed(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "_computed_row", noted)
    return where


@pytest.mark.parametrize("use_cache", [False, True])
def test_rows_dealt_between_processes_equal_rows_computed_in_one(long_story: Repo,  # noqa: F811
                                                                 tmp_path: Path, pids: Path, use_cache: bool,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMKIT_JOBS", "1")
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "one"))
    alone = _rows(long_story.root, all_projects=True, use_cache=use_cache)
    assert len(set(pids.read_text().split())) == 1
    pids.unlink()
    monkeypatch.setenv("PMKIT_JOBS", "3")
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "three"))
    monkeypatch.setattr(history, "MIN_STEPS_PER_WORKER", 2)
    dealt = _rows(long_story.root, all_projects=True, use_cache=use_cache)
    assert len(set(pids.read_text().split())) == 3  # this process and two workers computed rows
    assert dealt == alone
    assert any(not row["valid"] for row in dealt)  # the invalid commit is a row in any process


def test_a_row_read_without_its_detail_then_with_it_is_the_row_computed_fresh(
        long_story: Repo, tmp_path: Path, pids: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PMKIT_JOBS", "1")
    fresh_program = _rows(long_story.root, use_cache=False)
    fresh_projects = _rows(long_story.root, project="payroll", use_cache=False)
    pids.unlink()
    assert _rows(long_story.root) == fresh_program  # computes and keeps every row
    computed = len(pids.read_text().split())
    assert _rows(long_story.root) == fresh_program  # heads only
    assert _rows(long_story.root, project="payroll") == fresh_projects  # heads and details
    assert len(pids.read_text().split()) == computed  # nothing computed again
    # a detail lost from the cache (evicted, damaged): that row is computed again, the same
    details = [p for p in (tmp_path / "cache" / "history").rglob("*-detail.pickle")]
    assert len(details) == computed
    details[0].unlink()
    assert _rows(long_story.root, project="payroll") == fresh_projects
    assert len(pids.read_text().split()) == computed + 1
    assert _rows(long_story.root) == fresh_program
