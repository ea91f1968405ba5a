"""`pmkit history` against `pmkit rollup --rev C` on every commit of a real repository (issue 12).

The history reads each commit through the engine's caches (per-blob parse and
check, the incremental rule manifest, the row cache): whatever it reuses, each
row must be the figures a rollup of that very revision prints as of the
commit's day. The story has ~20 commits a team would make: expenses appended,
progress moved, transfers, a rename, a commit where a file is invalid, a
commit outside the program folder, a merge of a side branch, baseline and due
date changes.
"""

from __future__ import annotations

import json
import os

import pytest

from .conftest import Repo, pmkit
from .test_history import history

EXPENSES = "program/budget/expenses/2026-h1.yaml"
PAYROLL = "program/projects/payroll.yaml"
TRANSFERS = "program/budget/transfers.yaml"


def _append(repo: Repo, path: str, text: str) -> None:
    full = repo.root / path
    full.write_text(full.read_text(encoding="utf-8") + text, encoding="utf-8")


def _expense(i: int, day: str, amount: str) -> str:
    return (f"  - id: x{i}\n    date: {day}\n    project: payroll\n    category: labor\n"
            f"    amount: {amount}\n")


@pytest.fixture
def long_story(repo: Repo) -> Repo:
    day = iter(range(2, 29))

    def when(month: int) -> str:
        return f"2026-{month:02d}-{next(day):02d}T10:00:00+00:00"

    for i, amount in enumerate(("1200.00", "830.45", "99.99"), 1):
        _append(repo, EXPENSES, _expense(i, f"2026-05-{10 + i}", amount))
        repo.commit(f"expense x{i}", when(5))
    repo.edit(PAYROLL, "progress: 50", "progress: 52")
    repo.commit("build 52 %", when(5))
    _append(repo, TRANSFERS, "  - id: tr-2\n    date: 2026-05-20\n    amount: 1000.00\n"
                             "    from: {project: payroll, category: contractors}\n"
                             "    to: {project: payroll, category: labor}\n    reason: More staff.\n"
                             "    approved_by: ann\n")
    repo.commit("transfer tr-2", when(5))
    repo.write("README.md", "# The program\n")
    repo.commit("readme, outside the program folder", when(6))
    repo.edit(PAYROLL, "progress: 52", "progress: 250")
    repo.commit("typo: invalid progress", when(6))
    repo.edit(PAYROLL, "progress: 250", "progress: 58")
    repo.commit("fix the typo", when(6))
    repo.git("mv", "program/risks/vendor-delay.yaml", "program/risks/vendor-late.yaml")
    repo.commit("rename a risk", when(6))
    _append(repo, EXPENSES, _expense(4, "2026-06-05", "4000.00"))
    repo.commit("expense x4", when(6))
    repo.git("checkout", "-q", "-b", "side")
    repo.edit(PAYROLL, "progress: 58", "progress: 64")
    repo.commit("side: progress", when(6))
    _append(repo, EXPENSES, _expense(5, "2026-06-20", "250.00"))
    repo.commit("side: expense x5", when(6))
    repo.git("checkout", "-q", "main")
    os.environ["GIT_COMMITTER_DATE"] = os.environ["GIT_AUTHOR_DATE"] = when(7)
    try:
        repo.git("-c", "user.name=Ann", "-c", "user.email=ann@example.org", "merge", "-q", "--no-ff", "-m",
                 "merge side", "side")
    finally:
        del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
    repo.edit(PAYROLL, "due: 2026-11-30", "due: 2026-12-10")
    repo.commit("go-live slips", when(7))
    repo.edit(PAYROLL, "labor: 100000.00", "labor: 110000.00")
    repo.commit("labour baseline up", when(8))
    for i, amount in enumerate(("310.00", "77.70", "5000.00"), 6):
        _append(repo, EXPENSES, _expense(i, f"2026-07-{i:02d}", amount))
        repo.commit(f"expense x{i}", when(8))
    repo.edit(PAYROLL, "progress: 64", "progress: 70")
    repo.commit("build 70 %", when(9))
    return repo


FIGURES = {  # history column -> path in the rollup document's program
    "progress": ("progress",), "planned": ("planned",), "pv": ("evm", "pv"), "ev": ("evm", "ev"),
    "actual": ("budget", "actual"), "committed": ("budget", "committed"), "current_budget": ("budget", "current"),
    "eac": ("evm", "eac"), "cpi": ("evm", "cpi"), "spi": ("evm", "spi"), "spi_t": ("earned_schedule", "spi_t"),
    "forecast_finish": ("earned_schedule", "forecast_finish"), "funding_gap": ("funding_gap",),
    "fte": ("staffing", "fte"), "open_problems": ("open_problems",), "milestones_late": ("milestones_late",),
}


def _at(doc: dict, path: tuple[str, ...]):
    for key in path:
        doc = doc[key]
    return doc


def test_every_row_equals_a_rollup_of_its_revision(long_story: Repo) -> None:
    rows = history(long_story)["rows"]
    shas = long_story.git("log", "--first-parent", "--format=%H").split()[::-1]
    assert [r["commit"] for r in rows] == shas and len(rows) >= 18
    assert [r["subject"] for r in rows if not r["valid"]] == ["typo: invalid progress"]
    for row in rows:
        done = pmkit(long_story.root, "rollup", "--rev", row["commit"], "--as-of", row["date"], "--format", "json")
        if not row["valid"]:
            assert done.returncode != 0 and row["errors"] >= 1 and row["progress"] is None
            continue
        assert done.returncode == 0, (row["subject"], done.stderr)
        program = json.loads(done.stdout)["program"]
        got = {k: row[k] for k in FIGURES}
        want = {k: _at(program, path) for k, path in FIGURES.items()}
        assert got == want, row["subject"]
    # the figures do move along the story (a differential test of constants would prove nothing)
    valid = [r for r in rows if r["valid"]]
    assert len({r["actual"] for r in valid}) >= 6 and len({r["progress"] for r in valid}) >= 3


def test_a_second_run_and_a_run_after_one_more_commit_agree(long_story: Repo) -> None:
    first = history(long_story)["rows"]
    assert history(long_story)["rows"] == first
    _append(long_story, EXPENSES, _expense(99, "2026-09-20", "1.00"))
    long_story.commit("one more expense", "2026-09-21T10:00:00+00:00")
    again = history(long_story)["rows"]
    assert again[:-1] == first and again[-1]["subject"] == "one more expense"
    assert float(again[-1]["actual"]) == pytest.approx(float(first[-1]["actual"]) + 1.0)


def test_the_baseline_log_reads_only_commits_that_change_the_folder_and_misses_nothing(long_story: Repo) -> None:
    from pmkit.app import history as hist

    repo, folder = hist.locate_repository(long_story.root / "program")
    chosen = hist.steps(repo)
    touched = hist.touching(repo, folder, chosen)
    assert "readme, outside the program folder" not in [s.subject for s in touched]
    assert "merge side" in [s.subject for s in touched]  # the merge changes the folder against its first parent
    everything = []  # the slow way: every pair of consecutive valid commits
    before = None
    for step in chosen:
        s = hist.summary(repo, folder, step, use_cache=False)
        if s["valid"]:
            if before is not None:
                everything += [(step.subject, *item.values(), old, new) for item, old, new in
                               hist._compare(before, s["baselines"])]
            before = s["baselines"]
    fast = [(c["subject"], c["project"], c["what"], c["item"], c["old"], c["new"])
            for c in hist.baseline_changes(repo, folder, chosen, use_cache=False)]
    assert fast == everything == [
        ("go-live slips", "payroll", "due", "go-live", "2026-11-30", "2026-12-10"),
        ("labour baseline up", "payroll", "baseline", "labor", "100000.00", "110000.00"),
    ]
