"""``pmkit history`` with workers, interrupted: Ctrl-C, a worker killed.

Real repositories and real processes. Ctrl-C reaches every process of the
terminal's foreground group (the command, its workers and their git
processes): the command must stop its workers, say nothing but "Aborted!",
exit 130 and leave a cache whose rows are those of a fresh run. A worker
killed (out of memory) must have its run done by the command, beside the
other workers (one process per core, no more), with the same rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pmkit.app import history
from pmkit.core import procs
from pmkit.ingest.gitsource import Repository

from .conftest import Repo
from .test_history_differential import _append, _expense, long_story  # noqa: F401  (a fixture)

EXPENSES = "program/budget/expenses/2026-h1.yaml"


def _longer(repo: Repo, commits: int) -> None:
    for i in range(commits):
        _append(repo, EXPENSES, _expense(100 + i, "2026-09-01", f"{i + 1}.00"))
        repo.commit(f"expense x{100 + i}", f"2026-09-{1 + i % 28:02d}T10:00:00+00:00")


def _group(pgid: int) -> list[str]:
    """The live processes of a process group (zombies left for init are not running)."""
    out = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split()[1][0] != "Z"]


def _wait_for(what, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Poll until ``what()`` is true (a deadline against a hang, not a timing)."""
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.02)


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PMKIT_CACHE_DIR": str(cache), "PMKIT_JOBS": "2", "NO_COLOR": "1"}


def _history(root: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmkit", "history", "--format", "json", *args], cwd=root,
                          env=_env(cache), capture_output=True, text=True)


def _started(root: Path, cache: Path, args: list[str], kept: str, **popen: Any) -> subprocess.Popen[str]:
    """``pmkit history ARGS`` in a session (process group) of its own, once a worker runs and a
    row matching ``kept`` is in the cache: mid-run, with something of its own to lose."""
    run = subprocess.Popen([sys.executable, "-m", "pmkit", "history", *args], cwd=root, env=_env(cache),
                           start_new_session=True, text=True, **popen)
    try:
        workers = lambda: subprocess.run(["pgrep", "-P", str(run.pid), "-f", "pmkit"],  # noqa: E731
                                         capture_output=True, text=True).stdout.split()
        _wait_for(lambda: bool(workers()) or run.poll() is not None)
        rows = cache / "history"
        _wait_for(lambda: rows.is_dir() and any(rows.rglob(kept)) or run.poll() is not None)
        assert run.poll() is None, "the run ended too soon: make the story longer"
    except BaseException:
        os.killpg(run.pid, signal.SIGKILL)
        raise
    return run


def test_ctrl_c_stops_the_workers_quietly_exits_130_and_leaves_a_sound_cache(long_story: Repo,  # noqa: F811
                                                                             tmp_path: Path) -> None:
    _longer(long_story, 30)
    cache = tmp_path / "cache"
    # a terminal's Ctrl-C: SIGINT to the foreground group, whose processes take SIGINT's default
    run = _started(long_story.root, cache, ["--format", "json"], "*.pickle", stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, err
    assert "Traceback" not in err and "Process" not in err, err  # no worker's traceback
    assert err.strip().splitlines()[-1] == "Aborted!"
    assert out == ""
    _wait_for(lambda: not _group(run.pid), 20)  # nothing left running (its git processes neither)
    fresh = _history(long_story.root, tmp_path / "fresh", "--no-cache")
    again = _history(long_story.root, cache)
    assert fresh.returncode == again.returncode == 0, again.stderr
    assert again.stdout == fresh.stdout


@pytest.fixture
def killed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A worker dies (SIGKILL, as the out-of-memory killer does) at the second row it computes.
    The file returned gets, for each row this process computes, how many processes it may use."""
    where = tmp_path / "jobs"
    computed, me, done_in_child = history._computed_row, os.getpid(), []

    def dying(*args: object, **kwargs: object) -> dict[str, object]:
        if os.getpid() != me:
            done_in_child.append(1)
            if len(done_in_child) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        else:
            with open(where, "a", encoding="utf-8") as fh:
                fh.write(f"{procs.jobs()}\n")
        return computed(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "_computed_row", dying)
    return where


def test_a_worker_killed_mid_run_has_its_run_done_here_alone_with_the_same_rows(
        long_story: Repo, tmp_path: Path, killed_once: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    repo = Repository.find(long_story.root)
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PMKIT_JOBS", "1")
    alone = history.series(repo, "program", history.steps(repo), all_projects=True, use_cache=False)
    killed_once.unlink()
    monkeypatch.setenv("PMKIT_JOBS", "3")
    monkeypatch.setattr(history, "MIN_STEPS_PER_WORKER", 2)
    dealt = history.series(repo, "program", history.steps(repo), all_projects=True)
    assert dealt == alone
    jobs = killed_once.read_text().split()
    assert len(jobs) > len(history.steps(repo)) // 3 + 1  # this process did a dead worker's run too
    assert set(jobs) == {"1"}  # ... alone: the other worker still has the other core


def _generated(root: Path, scale: float) -> Repo:
    """A repository whose program is the benchmarks' generated one (a few dozen projects)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_generate_signals",
                                                  Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    made = Repo(root)
    module.generate(root / "program", scale=scale)
    made.commit("program", "2026-01-01T12:00:00+00:00")
    return made


def test_a_killed_command_leaves_no_worker_running(tmp_path: Path) -> None:
    """The command killed (SIGKILL: nothing of it runs any more): its worker's pipe breaks,
    and the worker stops, instead of waiting for ever to write rows nobody reads."""
    repo = _generated(tmp_path / "repo", 0.03)
    for day in range(2, 28):  # one row a day; every row with its detail (~20 KB: a few fill a pipe)
        repo.write("README.md", f"day {day}\n")
        repo.commit(f"day {day}", f"2026-01-{day:02d}T12:00:00+00:00")
    run = _started(repo.root, tmp_path / "cache", ["--all-projects", "--format", "json"], "*-detail.pickle",
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run.kill()
        run.wait()
        _wait_for(lambda: not _group(run.pid), 120)
    finally:
        for pid in subprocess.run(["pgrep", "-g", str(run.pid)], capture_output=True, text=True).stdout.split():
            os.kill(int(pid), signal.SIGKILL)


def test_a_row_that_failed_for_want_of_memory_is_not_kept_but_computed_again(
        long_story: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Several processes each holding a program: one may run out of memory. Its row says so
    ("could not be read: MemoryError"), but that is the run's failure, not the commit's:
    the next run computes the row again instead of reading the failure from the cache."""
    repo = Repository.find(long_story.root)
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))
    fresh = history.series(repo, "program", history.steps(repo), all_projects=True, use_cache=False)
    monkeypatch.setenv("PMKIT_JOBS", "3")
    monkeypatch.setattr(history, "MIN_STEPS_PER_WORKER", 2)
    start_figures_of, me, calls = history.start_figures_of, os.getpid(), []

    def short_of_memory(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if os.getpid() != me and len(calls) == 2:
            raise MemoryError
        return start_figures_of(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(history, "start_figures_of", short_of_memory)
        failed = history.series(repo, "program", history.steps(repo), all_projects=True)
    assert [row["note"] for row in failed if row["note"] and "MemoryError" in row["note"]] == \
        ["could not be read: MemoryError", "could not be read: MemoryError"]  # one per worker
    assert history.series(repo, "program", history.steps(repo), all_projects=True) == fresh


def test_rows_read_while_git_stopped_are_not_kept(long_story: Repo, tmp_path: Path,  # noqa: F811
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """git cat-file killed while a worker reads it (out of memory, Ctrl-C): the rows it
    was reading say so, and are computed again next run, never a commit's figures read
    from a cut-off file, nor "git cat-file stopped" kept as if the commit were broken."""
    import shutil as sh

    repo = Repository.find(long_story.root)
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))
    fresh = history.series(repo, "program", history.steps(repo), all_projects=True, use_cache=False)
    real = sh.which("git")
    wrapper = tmp_path / "bin" / "git"  # a real git whose `cat-file --batch` stops after 5,000 bytes
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nif [ "$1" = cat-file ] && [ "$2" = --batch ]; then\n'
                       f'  "{real}" "$@" <&0 | dd bs=1 count=5000 2>/dev/null &\n  exec 1>&-\n  wait\n  exit 0\nfi\n'
                       f'exec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PMKIT_JOBS", "3")
    monkeypatch.setattr(history, "MIN_STEPS_PER_WORKER", 2)
    with monkeypatch.context() as patch:
        patch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
        cut = history.series(repo, "program", history.steps(repo), all_projects=True)
    assert {row["note"] for row in cut} >= {"could not be read: git cat-file stopped unexpectedly"}
    assert history.series(repo, "program", history.steps(repo), all_projects=True) == fresh
