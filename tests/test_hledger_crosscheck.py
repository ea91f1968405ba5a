"""pmkit's budget lines against hledger on the same postings, to the cent.

The benchmark generator writes a program and, with ``--hledger``, the same
expenses as an hledger journal (budget lines and transfers as budget goals).
For every project:category, ``pmkit rollup``'s ``actual`` (as of a date after
every posting) must equal hledger's ``balance --budget`` actual for
``expenses:<project>:<category>``, and pmkit's ``current`` must equal hledger's
budget goal. The comparison is benchmarks/run.py's, so the benchmark's
cross-check and this test cannot drift apart. Needs the ``hledger`` executable
(Debian: ``apt-get install hledger``): skipped without it, failed under CI.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.005  # 10 projects, 2,500 expenses: the whole test takes about 2 s

_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench  # dataclasses look their module up there
_spec.loader.exec_module(bench)


def _hledger() -> str:
    exe = shutil.which("hledger")
    if exe is None:
        unavailable("hledger is not installed (Debian: apt-get install hledger); the rollup cross-check needs it")
    return exe


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """(pmkit rollup JSON document, hledger budget CSV) for one generated program."""
    hledger = _hledger()
    root = tmp_path_factory.mktemp("crosscheck")
    program, journal = root / "program", root / "program.journal"
    bench.generator().generate(program, SCALE, seed=1, hledger=journal)
    begin, end, last_day = bench.program_period()
    env = {**os.environ, "PMKIT_CACHE_DIR": str(root / "cache")}
    ours = subprocess.run(bench.rollup_cmd(sys.executable, program, last_day), capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run(bench.hledger_cmd(hledger, journal, begin, end), capture_output=True, text=True,
                            timeout=120)
    assert theirs.returncode == 0, theirs.stderr
    return json.loads(ours.stdout), theirs.stdout


def test_both_sides_hold_the_same_lines(outputs):
    document, csv_text = outputs
    ours, theirs = bench.pmkit_lines(document), bench.hledger_lines(csv_text)
    assert len(ours) >= 20
    assert set(ours) == set(theirs)
    assert sum(actual for actual, _ in ours.values()) > 0


def test_actual_equals_hledger_to_the_cent(outputs):
    check = bench.crosscheck(*outputs)
    assert check.actual_mismatches == []


def test_current_budget_equals_hledger_budget_goal(outputs):
    check = bench.crosscheck(*outputs)
    assert check.budget_mismatches == []


def test_a_one_cent_difference_is_a_mismatch(outputs):
    document, csv_text = outputs
    tampered = copy.deepcopy(document)
    pid, project = next((pid, p) for pid, p in tampered["projects"].items() if p["lines"])
    category, line = next(iter(project["lines"].items()))
    line["actual"] = str(Decimal(line["actual"]) + Decimal("0.01"))
    check = bench.crosscheck(tampered, csv_text)
    assert not check.ok
    assert [m.split()[0] for m in check.actual_mismatches] == [f"{pid}:{category}"]


@pytest.mark.parametrize(("text", "value"), [
    ("1234.50 USD", Decimal("1234.50")), ("-3.00 USD", Decimal("-3.00")), ("0", Decimal(0)), ("", Decimal(0)),
])
def test_hledger_amounts(text, value):
    assert bench.hledger_amount(text) == value


def test_an_amount_in_several_commodities_is_refused():
    with pytest.raises(ValueError):
        bench.hledger_amount("1.00 USD, 2.00 EUR")
