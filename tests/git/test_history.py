"""`pmkit history` on real repositories with dated commits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from .conftest import Repo, pmkit

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "history.schema.json"


@pytest.fixture
def story(repo: Repo) -> Repo:
    """first (05-01), June progress, an invalid commit, fixed, a rename, a merged branch, September baseline."""
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")
    repo.commit("June progress", "2026-06-28T17:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 55", "progress: 150")
    repo.commit("typo", "2026-07-01T09:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 150", "progress: 60")
    repo.commit("fix typo", "2026-07-01T10:00:00+00:00")
    repo.git("mv", "program/risks/vendor-delay.yaml", "program/risks/vendor-late.yaml")
    repo.commit("rename a risk", "2026-07-02T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side")
    repo.edit("program/projects/payroll.yaml", "progress: 60", "progress: 70")
    repo.commit("side work", "2026-07-10T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    import os
    os.environ["GIT_COMMITTER_DATE"] = os.environ["GIT_AUTHOR_DATE"] = "2026-07-11T10:00:00+00:00"
    try:
        repo.git("-c", "user.name=Ann", "-c", "user.email=ann@example.org", "merge", "-q", "--no-ff", "-m",
                 "merge side", "side")
    finally:
        del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
    repo.edit("program/projects/payroll.yaml", "due: 2026-11-30", "due: 2026-12-15")
    repo.edit("program/projects/payroll.yaml", "labor: 100000.00", "labor: 110000.00")
    repo.commit("September re-plan", "2026-09-29T09:00:00+00:00")
    return repo


def history(repo: Repo, *args: str) -> dict:
    done = pmkit(repo.root, "history", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    return document


def test_a_row_per_first_parent_commit(story: Repo) -> None:
    rows = history(story)["rows"]
    assert [r["subject"] for r in rows] == ["first", "June progress", "typo", "fix typo", "rename a risk",
                                            "merge side", "September re-plan"]
    bad = rows[2]
    assert bad["valid"] is False and bad["errors"] >= 1 and bad["progress"] is None
    june = rows[1]
    assert june["valid"] and june["date"] == "2026-06-28"
    # payroll build (30 of effort) 50 -> 55: progress moves; the rename keeps one open problem
    assert rows[0]["progress"] < june["progress"]
    assert rows[4]["open_problems"] == rows[3]["open_problems"] == 1
    assert rows[5]["progress"] > rows[4]["progress"]  # the merge brought the side branch's 70 %
    assert rows[6]["current_budget"] != rows[5]["current_budget"]


def test_figures_equal_a_rollup_at_that_revision(story: Repo) -> None:
    rows = history(story)["rows"]
    june = rows[1]
    done = pmkit(story.root, "rollup", "--rev", june["commit"], "--as-of", "2026-06-28")
    doc = json.loads(done.stdout)
    assert (june["progress"], june["planned"], june["actual"], june["eac"], june["open_problems"]) == (
        doc["program"]["progress"], doc["program"]["planned"], doc["program"]["budget"]["actual"],
        doc["program"]["evm"]["eac"], doc["program"]["open_problems"])


def test_by_month_since_and_project(story: Repo) -> None:
    rows = history(story, "--by", "month")["rows"]
    assert [r["subject"] for r in rows] == ["first", "June progress", "merge side", "September re-plan"]
    rows = history(story, "--since", "2026-07-01", "--until", "2026-07-02")["rows"]
    assert [r["subject"] for r in rows] == ["typo", "fix typo", "rename a risk"]
    rows = history(story, "--project", "payroll", "--since", "HEAD~1")["rows"]
    assert [(r["subject"], r["project"]) for r in rows] == [("September re-plan", "payroll")]
    rows = history(story, "--all-projects", "--since", "HEAD~1")["rows"]
    assert len(rows) >= 2 and {r["project"] for r in rows} >= {"payroll"}


def test_baselines_audit_trail(story: Repo) -> None:
    changes = history(story, "--baselines")["changes"]
    assert [(c["project"], c["what"], c["item"], c["old"], c["new"], c["author"], c["date"]) for c in changes] == [
        ("payroll", "baseline", "labor", "100000.00", "110000.00", "Ann", "2026-09-29"),
        ("payroll", "due", "go-live", "2026-11-30", "2026-12-15", "Ann", "2026-09-29"),
    ]


def test_table_and_csv_and_second_run_from_the_cache(story: Repo) -> None:
    table = pmkit(story.root, "history")
    assert table.returncode == 0
    assert "1 commit where the program does not validate" in table.stdout
    shas = story.git("log", "--first-parent", "--format=%H").split()
    assert len(shas) == 7 and all(sha[:10] in table.stdout for sha in shas)
    csv = pmkit(story.root, "history", "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("commit,date,valid,errors")
    assert len(csv.stdout.splitlines()) == 8
    again = pmkit(story.root, "history", "--format", "csv")
    assert again.stdout == csv.stdout


def test_outside_git_is_a_usage_problem(tmp_path: Path) -> None:
    import shutil
    from .conftest import MINIMAL

    shutil.copytree(MINIMAL, tmp_path / "p")
    done = pmkit(tmp_path, "history", "p")
    assert done.returncode == 2 and "not inside a git repository" in done.stderr


def test_a_terminal_sees_which_commit_is_being_worked_out_and_a_log_does_not(tmp_path: Path) -> None:
    """The progress line goes to a real terminal (a pseudo-terminal here) and is
    cleared at the end; a file or pipe gets nothing."""
    import os
    import pty
    import select

    from pmkit.app.history_command import Progress

    from pmkit.app.history import Step

    chosen = [Step(f"{n:040x}", dt.date(2026, 5, n), "Ann", f"change {n}") for n in range(1, 6)]
    leader, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8", closefd=True) as terminal:
        progress = Progress(chosen, terminal, after=0, every=0)
        for step in (chosen[0], chosen[2]):  # (the baseline log reads only the commits that change the folder)
            progress.step(step)
        progress.end()
    chunks = []
    while select.select([leader], [], [], 10)[0]:  # the terminal hands the writes over in pieces
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the other side is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    shown = b"".join(chunks).decode()
    assert "pmkit history: commit 1 of 5" in shown and "commit 3 of 5" in shown
    assert shown.endswith("\r\033[K")  # cleared: what follows starts on a clean line
    with open(tmp_path / "log", "w", encoding="utf-8") as log:
        quiet = Progress(chosen, log, after=0, every=0)
        quiet.step(chosen[0])
        quiet.end()
    assert (tmp_path / "log").read_text() == ""


def test_a_cache_folder_inside_the_repository_is_refused_for_the_rows_too(repo: Repo) -> None:
    """The cache is refused inside the program's repository (a CI checkout
    must not fill with pickles): history said so, then kept its rows there."""
    import os
    import subprocess
    import sys

    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("second", "2026-06-02T12:00:00+00:00")
    inside = repo.root / ".pmkit-cache"
    env = {**os.environ, "PMKIT_CACHE_DIR": str(inside), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "pmkit", "history"], cwd=repo.root, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "not using the cache" in done.stderr
    assert not inside.exists()
