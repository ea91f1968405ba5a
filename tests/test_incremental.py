"""A re-validate reads and checks only what changed, and finds exactly what a cold run finds."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmkit import rules as checks
from pmkit.engine import memo
from pmkit.engine.cache import FileCache
from pmkit.domain.index import Index
from pmkit.engine.incremental import LazyProgram, incremental_run
from pmkit.ingest.loader import splice
from pmkit.ingest.source import DirectorySource
from pmkit.engine.validate import read_settings, settings_key, validate_directory

EXAMPLE = Path(__file__).resolve().parent.parent / "program"
AS_OF = dt.date(2026, 10, 31)
HOUR_AGO = 3600


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example program whose files look an hour old (so a re-run trusts their signatures)."""
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    _age(root)
    return root


@pytest.fixture(params=["whole", "spliced"])
def reparse(request, monkeypatch) -> str:
    """Changed expense files parsed whole, or (as for a large file) only their changed entries."""
    if request.param == "spliced":
        monkeypatch.setattr(splice, "MIN_BYTES", 0)
    return request.param


def _age(root: Path) -> None:
    old = dt.datetime.now().timestamp() - HOUR_AGO
    for path in root.rglob("*.yaml"):
        os.utime(path, (old, old))


def _warm(root: Path, cache: Path) -> list:
    return validate_directory(root, AS_OF, use_cache=True, cache_dir=cache, need_index=False).findings


def _cold(root: Path) -> list:
    return validate_directory(root, AS_OF).findings


def _run(root: Path, cache: Path):
    """incremental_run itself, to see what it reused."""
    source = DirectorySource(root)
    conf = read_settings((root / "program.yaml").read_bytes())
    file_cache = FileCache(cache, settings_key(conf))
    return incremental_run(source, file_cache, conf, AS_OF)


def _edit(root: Path, path: str, old: str, new: str) -> None:
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_rerun_with_no_change_reads_nothing_and_reuses_every_rule(example, tmp_path):
    cache = tmp_path / "cache"
    assert _warm(example, cache) == _cold(example)
    again = _run(example, cache)
    assert again.reused == sum(len(rule.parts) for rule in checks.rules())
    assert isinstance(again.index.lazy, LazyProgram) and again.index.lazy.fresh == {}  # nothing re-parsed


def test_a_corrupt_cache_is_worked_out_again(example, tmp_path):
    cache = tmp_path / "cache"
    _warm(example, cache)
    for entry in cache.rglob("*.pickle"):  # outcomes, facts, manifest, the rules' findings
        entry.write_bytes(b"not a pickle")
    _edit(example, "budget/expenses/2026-03.yaml", "amount: ", "amount: 9")
    assert _warm(example, cache) == _cold(example)


def test_an_expense_edit_rechecks_only_the_rules_that_read_expenses(example, tmp_path):
    cache = tmp_path / "cache"
    _warm(example, cache)
    _edit(example, "budget/expenses/2026-03.yaml", "amount: ", "amount: 9")
    run = _run(example, cache)
    assert set(run.index.lazy.fresh) == {"budget/expenses/2026-03.yaml"}  # the one file parsed again
    assert "staff" not in run.index._loaded and "risk" not in run.index._loaded  # their rules were reused
    assert "expenses" not in run.index._loaded  # the expense rules worked from facts
    assert sorted(set(run.findings)) == _cold(example)


def test_each_kind_of_edit_gives_what_a_cold_run_gives(example, tmp_path, reparse):
    cache = tmp_path / "cache"
    edits = [
        ("budget/expenses/2026-03.yaml", "amount: ", "amount: 9"),           # overspends a line
        ("budget/transfers.yaml", "amount: ", "amount: 9"),                  # a transfer overdraws
        ("projects/cloud-migration.yaml", "start: 20", "start: 21"),         # dates move
        ("staff/aisha-bello.yaml", "team: ", "team: x"),                     # a dangling reference
        ("budget/expenses/2025-09.yaml", "expenses:", "expenses: [oops"),     # a file stops parsing
        ("program.yaml", "categories: [labor,", "categories: [labour,"),       # a category disappears
    ]
    assert _warm(example, cache) == _cold(example)
    for path, old, new in edits:
        _edit(example, path, old, new)
        assert _warm(example, cache) == _cold(example), f"after editing {path}"
    (example / "budget/expenses/2026-01.yaml").unlink()
    assert _warm(example, cache) == _cold(example), "after deleting an expense file"
    shutil.copy(example / "projects/cloud-migration.yaml", example / "projects/cloud-migration-2.yaml")
    assert _warm(example, cache) == _cold(example), "after adding a project"


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(example, tmp_path):
    """Same size, mtime put back: the change time still tells (git's index does the same)."""
    cache = tmp_path / "cache"
    path = example / "projects/cloud-migration.yaml"
    stat = path.stat()
    _warm(example, cache)
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"owner: (\S)", r"owner: q", text, count=1)
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _warm(example, cache) == _cold(example)
    assert any(f.code == "unknown-reference" and f.file == "projects/cloud-migration.yaml" for f in _cold(example))


def test_no_rule_reads_every_expense(example):
    """Rules look at expenses through their facts, and record by record only where a
    finding may be: on a valid program no expense record is loaded at all."""
    source = DirectorySource(example)
    conf = read_settings((example / "program.yaml").read_bytes())
    file_cache = FileCache(None, settings_key(conf))
    run = incremental_run(source, file_cache, conf, AS_OF, remember=False)
    assert isinstance(run.index, Index)
    assert "expenses" not in run.index._loaded


LINES = st.sampled_from(["amount: ", "date: 2026-0", "date: 2025-1", "category: ", "project: ",
                         "vendor: ", "refund_of: ", "id: ", "invoice: ", "contract: "])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.lists(st.tuples(LINES, st.sampled_from(["9", "x", "-", "1"])),
                                                    min_size=1, max_size=4))
def test_random_expense_edits_give_what_a_cold_run_gives(tmp_path_factory, reparse, rnd: random.Random, edits):
    root = tmp_path_factory.mktemp("p") / "program"
    shutil.copytree(EXAMPLE, root)
    _age(root)
    cache = root.parent / "cache"
    _warm(root, cache)
    files = sorted((root / "budget/expenses").glob("*.yaml"))
    for field, text in edits:
        target = rnd.choice(files)
        body = target.read_text(encoding="utf-8")
        spots = [m.end() for m in re.finditer(re.escape(field), body)]
        if spots:
            at = rnd.choice(spots)
            target.write_text(body[:at] + text + body[at:], encoding="utf-8")
    assert _warm(root, cache) == _cold(root)


def test_a_child_parsing_the_changed_files_while_this_process_loads_ahead_finds_the_same(example, tmp_path,
                                                                                         monkeypatch, reparse):
    from pmkit.engine import incremental

    monkeypatch.setattr(incremental, "AHEAD_BYTES", 0)
    monkeypatch.setenv("PMKIT_JOBS", "2")
    cache = tmp_path / "cache"
    _warm(example, cache)
    for path, old, new in [("budget/expenses/2026-03.yaml", "amount: ", "amount: 9"),
                           ("budget/expenses/2026-04.yaml", "expenses:", "expenses: [oops"),
                           ("projects/cloud-migration.yaml", "owner: raj-patel", "owner: nobody"),
                           ("budget/expenses/2026-05.yaml", "  - id: exp-2026-05-002",  # a copy: a duplicate id
                            "  - id: exp-2026-05-001\n    date: 2026-05-04\n    project: citizen-portal\n"
                            "    category: cloud\n    amount: 1840.00\n    description: Again\n\n"
                            "  - id: exp-2026-05-002"),
                           ("budget/expenses/2026-05.yaml", "  - id: exp-2026-05-001\n", "  - id: exp-2026-05-0x\n"),
                           ("budget/expenses/2026-05.yaml", "    amount: 1840.00\n", "")]:  # a field deleted
        _edit(example, path, old, new)
        assert _warm(example, cache) == _cold(example), f"after editing {path}"


def test_rule_parts_shared_with_a_child_find_the_same(example, tmp_path, monkeypatch):
    """A re-run shares the parts to run again with a forked child when they took long enough last time."""
    monkeypatch.setattr(memo, "PARALLEL_SECONDS", 0)
    monkeypatch.setattr(memo, "UNKNOWN_SECONDS", 0.01)
    monkeypatch.setenv("PMKIT_JOBS", "2")
    cache = tmp_path / "cache"
    assert _warm(example, cache) == _cold(example)
    for path, old, new in [("projects/cloud-migration.yaml", "owner: raj-patel", "owner: nobody"),
                           ("budget/expenses/2026-03.yaml", "amount: ", "amount: 9"),
                           ("staff/aisha-bello.yaml", "team: ", "team: x")]:
        _edit(example, path, old, new)
        assert _warm(example, cache) == _cold(example), f"after editing {path}"
