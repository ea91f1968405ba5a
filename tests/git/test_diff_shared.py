"""pmkit diff's fast path against the plain computation.

``run_diff`` shares one in-memory store between the two sides (a file
identical on both sides is parsed once, a rule part whose kinds did not change
runs once) and the disk cache when there is one. Every diff here is computed
three ways — shared without the disk cache, shared with a cold then a warm
disk cache — and must equal the plain computation: each side alone, no cache.
The changes cover a new expense that breaks a rule (a finding introduced), a
broken file (no figures), a fix, a renamed project and a deleted file, on the
minimal program and on a generated one (benchmarks/generate.py).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from pmkit.app.diff_command import render, run_diff
from pmkit.app.locate import locate

from .conftest import Repo

ROOT = Path(__file__).resolve().parents[2]

OVER_BUDGET = """  - id: e-huge
    date: 2026-05-10
    project: payroll
    category: software
    amount: 99000000.00
    description: Far over the line
"""


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _all_ways(root: Path, base: str, head: str | None, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    program = locate(None, base)
    as_of = dt.date(2026, 6, 30)
    plain = run_diff(program, base, head, as_of, use_cache=False, share=False)
    expected = (json.dumps(plain.as_json(), sort_keys=True), render(plain, "markdown"))
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(cache))
    for use_cache in (False, True, True):  # no disk cache; a cold one; the same one warm
        fast = run_diff(program, base, head, as_of, use_cache=use_cache, share=True)
        assert (json.dumps(fast.as_json(), sort_keys=True), render(fast, "markdown")) == expected


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    return folder


def test_changes_to_the_minimal_program(repo: Repo, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expenses = repo.root / "program/budget/expenses/2026-h1.yaml"
    expenses.write_text(expenses.read_text() + OVER_BUDGET)
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 70")
    repo.commit("over budget")  # HEAD~3
    repo.edit("program/projects/infra.yaml", "progress:", "progress: [oops\n  x:")
    repo.commit("broken")  # HEAD~2
    repo.edit("program/projects/infra.yaml", "progress: [oops\n  x:", "progress:")
    (repo.root / "program/hiring/payroll-lead.yaml").unlink()
    repo.commit("fixed, a file deleted")  # HEAD~1
    repo.git("mv", "program/projects/infra.yaml", "program/projects/infrastructure.yaml")
    repo.commit("renamed")  # HEAD
    for base, head in (("HEAD~4", "HEAD~3"), ("HEAD~3", "HEAD~2"), ("HEAD~2", "HEAD~1"), ("HEAD~1", "HEAD"),
                       ("HEAD~4", "HEAD")):
        _all_ways(repo.root, base, head, cache, monkeypatch)
    repo.edit("program/projects/payroll.yaml", "progress: 70", "progress: 75")  # uncommitted
    _all_ways(repo.root, "HEAD~3", None, cache, monkeypatch)


def test_one_expense_on_a_generated_program(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "gen")
    _generator().generate(repo.root / "program", 0.002, seed=1)
    repo.commit("generated")
    target = max(sorted((repo.root / "program/budget/expenses").glob("*.yaml")), key=lambda p: p.stat().st_size)
    text = target.read_text()
    first = text.index("  - id: ")
    entry = text[first:text.index("\n  - id: ", first) + 1]
    target.write_text(text + entry.replace("  - id: ", "  - id: copy-", 1))  # a second invoice line
    repo.commit("one expense")
    _all_ways(repo.root, "HEAD~1", None, cache, monkeypatch)
    _all_ways(repo.root, "HEAD~1", "HEAD", cache, monkeypatch)


def test_the_head_reuses_what_the_bases_rules_child_worked_out(tmp_path: Path, cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The base's rules run in a forked child (forced here: the program is
    small); the expense files' facts it works out come back, so the head's
    rules, run in this process, work out only the changed file's. The diff
    still equals the plain one, in this process's memory and with a disk cache."""
    import pmkit.engine.validate as validate
    from pmkit.domain.index import Index

    repo = Repo(tmp_path / "gen")
    _generator().generate(repo.root / "program", 0.002, seed=1)
    repo.commit("generated")
    expense_files = sorted((repo.root / "program/budget/expenses").glob("*.yaml"))
    assert len(expense_files) > 2
    target = max(expense_files, key=lambda p: p.stat().st_size)
    text = target.read_text()
    first = text.index("  - id: ")
    entry = text[first:text.index("\n  - id: ", first) + 1]
    target.write_text(text + entry.replace("  - id: ", "  - id: copy-", 1))
    monkeypatch.setattr(validate, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv("PMKIT_JOBS", "2")
    worked_out: list[str] = []
    plain_facts = Index._file_facts

    def counted(self: Index, path: str, *args: object) -> object:
        worked_out.append(path)
        return plain_facts(self, path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Index, "_file_facts", counted)
    _all_ways(repo.root, "HEAD", None, cache, monkeypatch)
    monkeypatch.delenv("PMKIT_CACHE_DIR")
    worked_out.clear()
    monkeypatch.chdir(repo.root)
    run_diff(locate(None, "HEAD"), "HEAD", None, dt.date(2026, 6, 30), use_cache=False, share=True)
    # In this process: only the head's changed file (the base's were worked out in the child).
    assert worked_out == [f"budget/expenses/{target.name}"]
