"""The adversarial comparison of issue 14, kept in CI: rounds of random
edits to any file of the example program (lines swapped, duplicated, dropped,
values changed, entries moved), each followed by a re-validate on the same
cache; every re-validate must find exactly what a cold run finds."""

from __future__ import annotations

import random
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_incremental import EXAMPLE, _age, _cold, _warm, reparse  # noqa: F401 (fixture)

VALUES = ["0", "1", "-5", "10.5", "2026-07-01", "2025-13-01", "x", "''", "[]", "payroll", "999999999999"]


def _edit(rnd: random.Random, text: str) -> str:
    lines = text.split("\n")
    op = rnd.choice(["swap", "duplicate", "drop", "value", "value", "indent", "move-entry"])
    i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
    if op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "drop":
        del lines[i]
    elif op == "value" and ": " in lines[i]:
        lines[i] = lines[i].split(": ", 1)[0] + ": " + rnd.choice(VALUES)
    elif op == "indent":
        lines[i] = " " * rnd.choice([1, 2]) + lines[i]
    elif op == "move-entry":
        starts = [k for k, line in enumerate(lines) if line.startswith("  - ")]
        if len(starts) > 1:
            a = rnd.randrange(len(starts) - 1)
            entry = lines[starts[a]:starts[a + 1]]
            del lines[starts[a]:starts[a + 1]]
            at = rnd.choice([k for k, line in enumerate(lines) if line.startswith("  - ")] or [len(lines)])
            lines[at:at] = entry
    return "\n".join(lines)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_rounds_of_random_edits_give_what_a_cold_run_gives(tmp_path_factory, reparse, rnd: random.Random):
    root = tmp_path_factory.mktemp("p") / "program"
    shutil.copytree(EXAMPLE, root)
    _age(root)
    cache = root.parent / "cache"
    _warm(root, cache)
    files = sorted(p for p in root.rglob("*.yaml"))
    for _ in range(3):
        for target in rnd.sample(files, rnd.randint(1, 3)):
            target.write_text(_edit(rnd, target.read_text(encoding="utf-8")), encoding="utf-8")
        assert _warm(root, cache) == _cold(root)
