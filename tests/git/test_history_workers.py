"""``pmkit history`` deals the commits to compute between processes, and keeps
each row's head apart from its detail: neither may change a row.

A row is a function of the program folder's tree and the day, so whichever
process computes it, in whichever run of commits, after whichever commit
before, it must be the same as the row computed in one process; and a row
read back without its detail, then with it, must be the row computed fresh.
"""

from __future__ import annotations

import os
import shutil
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


def _one_more_commit(repo: Repo) -> None:
    path = repo.root / "program/budget/expenses/2026-h1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - id: x99\n    date: 2026-09-02\n    project: payroll\n"
                    "    category: labor\n    amount: 12.00\n", encoding="utf-8")
    repo.commit("one more expense", "2026-09-02T10:00:00+00:00")


def test_a_run_after_one_more_commit_starts_from_the_rule_memo_of_the_last_commit(
        long_story: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Dealt or not, the rule memo kept under the program's name is the one the last commit
    left (not an earlier run's), so the next run reuses as many rule parts after a dealt run
    as after a run in one process."""
    from pmkit.engine.memo import Memo

    twin = Repo.__new__(Repo)
    twin.root = tmp_path / "twin"
    shutil.copytree(long_story.root, twin.root)
    monkeypatch.setattr(history, "MIN_STEPS_PER_WORKER", 2)
    reused: list[int] = []
    run_all = Memo.run_all

    def noted(self: Memo, index: object, parts: list) -> None:  # type: ignore[type-arg]
        run_all(self, index, parts)  # type: ignore[arg-type]
        reused.append(self.reused)

    reuse = {}
    for jobs, repo in (("1", long_story), ("3", twin)):
        monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / f"cache-{jobs}"))
        monkeypatch.setenv("PMKIT_JOBS", jobs)
        _rows(repo.root)
        _one_more_commit(repo)
        monkeypatch.setenv("PMKIT_JOBS", "1")
        reused.clear()
        with monkeypatch.context() as patch:
            patch.setattr(Memo, "run_all", noted)
            assert _rows(repo.root)[-1]["valid"]
        assert len(reused) == 1  # the new commit alone was computed
        reuse[jobs] = reused[0]
    assert reuse["3"] == reuse["1"] > 0
