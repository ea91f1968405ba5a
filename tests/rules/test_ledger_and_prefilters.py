"""One ledger: the rules' budget lines equal the rollup's, and every rule's
expense pre-filters change no finding (the reference path reads every file)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import shutil
import sys
from pathlib import Path

import pytest

from pmkit.domain import model as domain
from pmkit.domain.expense_facts import prefilters_off
from pmkit.domain.ledger import ledger
from pmkit.engine.validate import validate_directory
from pmkit.rollup import budget

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "program"
DATES = [dt.date(2025, 6, 30), dt.date(2026, 3, 31), dt.date(2026, 10, 31), dt.date(2027, 12, 31)]


def _generated(tmp: Path, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate_ledger", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    out = tmp / f"gen-{seed}"
    module.generate(out, scale=0.002, seed=seed)
    return out


def _programs(tmp: Path) -> list[Path]:
    return [EXAMPLE, _generated(tmp, 1), _generated(tmp, 7)]


@pytest.mark.parametrize("day", DATES)
def test_the_rules_ledger_equals_the_rollups_lines(tmp_path: Path, day: dt.date):
    for root in _programs(tmp_path):
        result = validate_directory(root, day)
        index = result.index
        books = ledger(index)
        table = budget.lines(domain.build(index, spent_as_of=day), day)
        assert table, root
        for line, figures in table.items():
            mine = books.get(line)
            assert (mine.baseline, mine.transfers_in, mine.transfers_out, mine.actual, mine.current) == (
                figures.baseline, figures.transfers_in, figures.transfers_out, figures.actual, figures.current), (root, line)


def _damage(root: Path, seed: int) -> None:
    """Edits that give the expense rules something to find: repeated ids and
    invoices, unknown categories and projects, large amounts, stray refunds."""
    rng = random.Random(seed)
    files = sorted(p for p in (root / "budget" / "expenses").glob("*.yaml") if "  - id:" in p.read_text())
    for path in rng.sample(files, min(3, len(files))):
        lines = path.read_text().splitlines(keepends=True)
        for i, line in enumerate(lines):
            roll = rng.random()
            if line.startswith("    amount:") and roll < 0.05:
                lines[i] = "    amount: 9999999.00\n"
            elif line.startswith("    category:") and roll < 0.03:
                lines[i] = "    category: catering\n"
            elif line.startswith("  - id:") and roll < 0.03:
                lines[i] = "  - id: exp-000001\n"
            elif line.startswith("    invoice:") and roll < 0.05:
                lines[i] = "    invoice: INV-00001\n"
            elif line.startswith("    amount:") and roll < 0.08:
                lines[i] = "    amount: -5.00\n    refund_of: exp-000002\n"
        path.write_text("".join(lines))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_expense_prefilters_change_no_finding(tmp_path: Path, seed: int):
    roots = [_generated(tmp_path, seed)]
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example)
    roots.append(example)
    for root in roots:
        _damage(root, seed)
        for day in (dt.date(2025, 6, 30), dt.date(2026, 10, 31)):
            fast = validate_directory(root, day).findings
            with prefilters_off():
                reference = validate_directory(root, day).findings
            assert fast == reference
            assert any(f.code not in ("internal-error",) for f in fast) or root == example
            assert not any(f.code == "internal-error" for f in fast)
