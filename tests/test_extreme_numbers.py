"""Extreme numbers (issue 14, item 4): every number in the schemas has a range
and a precision, so a value past them is a finding with file and line, and
the arithmetic is safe (and quick) for every value the schemas accept."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pmkit.app.pipeline import figures
from pmkit.engine.validate import validate_directory

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
AS_OF = dt.date(2026, 6, 30)

HOSTILE = [
    ("projects/infra.yaml", "effort: 8", "effort: 1e-999999", 15),
    ("projects/infra.yaml", "effort: 8", "effort: 1e999999", 15),
    ("projects/infra.yaml", "effort: 8", "effort: 0.001", 15),
    ("projects/infra.yaml", "effort: 8", "effort: " + "9" * 5001, 15),
    ("projects/infra.yaml", "effort: 8", "effort: 0x" + "f" * 5000, 15),
    ("program.yaml", "target: 2", "target: 1e999999999", 17),
    ("program.yaml", "target: 2", "target: -1e999999999", 17),
    ("program.yaml", "target: 2", "target: 2.000000000000000000001", 17),
    ("hiring/payroll-lead.yaml", "openings: 1", "openings: 1e5000", 4),
    ("hiring/payroll-lead.yaml", "openings: 1", "openings: " + "9" * 5001, 4),
]


@pytest.mark.parametrize("path, old, new, line", HOSTILE, ids=[h[2][:24] for h in HOSTILE])
def test_extreme_number_is_a_finding(program, path: str, old: str, new: str, line: int):
    program.replace(path, old, new)
    found = validate_directory(program.root).findings
    assert [(f.file, f.line, f.code) for f in found] == [(path, line, "out-of-range")], found
    assert all(len(f.message) < 300 for f in found)
    computed = figures(program.root, AS_OF, use_cache=False)  # what `pmkit rollup` runs
    assert computed.document is None and computed.result.findings == found


def test_rollup_command_says_so_without_a_traceback(program):
    program.replace("program.yaml", "target: 2", "target: 1e999999999")
    run = subprocess.run([sys.executable, "-m", "pmkit", "rollup", str(program.root), "--no-cache", "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr + run.stdout


@pytest.mark.parametrize("edits", [
    [("projects/infra.yaml", "effort: 8", "effort: 0.01")],
    [("projects/infra.yaml", "effort: 8", "effort: 100000"), ("projects/payroll.yaml", "effort: 10", "effort: 0.01")],
    [("program.yaml", "baseline: 10", "baseline: 2")],  # target = baseline
    [("program.yaml", "baseline: 10", "baseline: -1000000000000000"),
     ("program.yaml", "target: 2", "target: 999999999999999.9999"), ("program.yaml", "current: 6", "current: 0.0001")],
    [("program.yaml", "baseline: 10", "baseline: 0.0001"), ("program.yaml", "target: 2", "target: 0.0002"),
     ("program.yaml", "current: 6", "current: -1000000000000000")],
])
def test_accepted_extremes_roll_up(program, edits):
    for path, old, new in edits:
        program.replace(path, old, new)
    computed = figures(program.root, AS_OF, use_cache=False)
    assert computed.result.findings == [] and computed.document is not None
    json.dumps(computed.document, default=str)


def _numbers(node, path=()):
    if isinstance(node, dict):
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "number" in kinds or "integer" in kinds:
            yield path, node
        for key, value in node.items():
            yield from _numbers(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numbers(value, (*path, i))


@pytest.mark.parametrize("schema", sorted(p.name for p in SCHEMAS.glob("*.schema.json") if p.name not in ("rollup.schema.json", "diff.schema.json", "history.schema.json")))
def test_every_number_has_a_range_and_a_precision(schema: str):
    for path, node in _numbers(json.loads((SCHEMAS / schema).read_text())):
        assert {"minimum", "exclusiveMinimum"} & node.keys(), (schema, path)
        assert {"maximum", "exclusiveMaximum"} & node.keys(), (schema, path)
        if node["type"] == "number":
            fmt = node.get("format", "")
            assert fmt == "money" or fmt.startswith("decimals-"), (schema, path)
