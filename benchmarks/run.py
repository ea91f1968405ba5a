#!/usr/bin/env python3
"""Benchmark pmkit against its baselines (SPEC §9).

    python benchmarks/run.py [--scale 1.0] [--repeat 3] [--only ROW ...] [--json FILE]

Generates the program into benchmarks/out/scale-<s>/ when missing (see
generate.py), runs every row ``--repeat`` times as a child process, and prints
the median seconds, the peak RSS of the child and the ratio to the floor, then
the SPEC §9 targets with PASS/FAIL.

Why it is built this way:
- Every measurement is a separate child process timed from the outside, so
  pmkit and its baselines pay the same interpreter start-up and nothing leaks
  between runs; peak memory is the child's own ``ru_maxrss`` from ``os.wait4``.
- Medians, because a 2-core machine is noisy; ratios to a baseline measured in
  the same run, because ratios hold better than seconds across machines.
- A row is one small function registered with ``@row``; a target is one
  ``Target`` in TARGETS. Adding a comparison (rollup vs hledger, site build vs
  mkdocs) is adding one function and, if it has a goal, one target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
LOGS = OUT / "logs"  # the last output of each row, to see why one failed
SCHEMAS = REPO / "schemas"

# Kind -> files of a program directory (the layout of SPEC §2).
KIND_FILES: dict[str, str] = {
    "program": "program.yaml",
    "project": "projects/*.yaml",
    "team": "teams/*.yaml",
    "staff": "staff/*.yaml",
    "vendor": "vendors/*.yaml",
    "position": "hiring/*.yaml",
    "rule": "rules/*.yaml",
    "risk": "risks/*.yaml",
    "report": "reports/*.yaml",
    "funding": "budget/funding.yaml",
    "transfers": "budget/transfers.yaml",
    "expenses": "budget/expenses/*.yaml",
}

# The floor: what any Python tool pays just to load the files with PyYAML's C
# loader. Documents are kept (a validator needs the whole program for its
# cross-file checks), which is what makes the garbage collector expensive.
FLOOR_SCRIPT = """
import gc, sys, yaml
from pathlib import Path
if sys.argv[2] == "paused":
    gc.disable()
docs = []
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    docs.append(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
print(len(docs), "files")
"""


# --------------------------------------------------------------------------
# Results


@dataclass
class Run:
    """One child process: wall time, its own peak RSS, its exit status."""

    seconds: float
    peak_rss_mb: float
    returncode: int


@dataclass
class Row:
    """One line of the table: a name and its runs (none when not available)."""

    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def available(self) -> bool:
        return bool(self.runs)

    @property
    def median(self) -> float | None:
        return statistics.median(r.seconds for r in self.runs) if self.runs else None

    @property
    def peak_rss_mb(self) -> float | None:
        return max(r.peak_rss_mb for r in self.runs) if self.runs else None

    def to_json(self) -> dict:
        return {**asdict(self), "median": self.median, "peak_rss_mb": self.peak_rss_mb}


@dataclass
class Context:
    """What every row needs: the program, the interpreter, the repeat count."""

    program: Path
    scale: float
    repeat: int
    python: str = sys.executable
    results: dict[str, Row] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Running children


def run_child(cmd: list[str], log: Path | None = None, cwd: Path = REPO) -> Run:
    """Run cmd to completion; time it and read its own peak RSS via wait4.

    Output goes to a file (not a pipe) so a chatty child cannot block and the
    wait4 call is the only wait.
    """
    with tempfile.TemporaryFile() if log is None else open(log, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return Run(seconds=round(seconds, 3), peak_rss_mb=round(rss, 1), returncode=proc.returncode)


def repeat(ctx: Context, name: str, cmd: list[str], note: str = "") -> Row:
    """The same command ``ctx.repeat`` times; the last output is kept in out/."""
    log = LOGS / f"{slugify(name)}.log"
    row = Row(name, note=note)
    for _ in range(ctx.repeat):
        row.runs.append(run_child(cmd, log))
    return with_exit_note(row, log)


def with_exit_note(row: Row, log: Path) -> Row:
    """Flag a row whose child failed: its time measures something else."""
    bad = sorted({r.returncode for r in row.runs if r.returncode != 0})
    if bad:
        last = log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
        row.note = (row.note + "; " if row.note else "") + f"exit {bad}: {last[0][:60]} (see {log.relative_to(REPO)})"
    return row


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pmkit_validate_options(ctx: Context) -> set[str] | None:
    """The options ``pmkit validate`` accepts, or None when there is no such command."""
    proc = subprocess.run([ctx.python, "-m", "pmkit", "validate", "--help"], capture_output=True, text=True,
                          cwd=REPO)
    if proc.returncode != 0:
        return None
    return set(re.findall(r"--[a-z][a-z-]*", proc.stdout))


# --------------------------------------------------------------------------
# Rows: each a function of the context returning a Row, in table order.

ROWS: dict[str, Callable[[Context], Row]] = {}


def row(key: str):
    """Register a row function under a short key (for --only)."""

    def register(fn: Callable[[Context], Row]) -> Callable[[Context], Row]:
        ROWS[key] = fn
        return fn

    return register


@row("floor")
def floor_gc_paused(ctx: Context) -> Row:
    """The floor of SPEC §9: CSafeLoader over every file, GC paused."""
    return repeat(ctx, "floor: CSafeLoader, GC paused",
                  [ctx.python, "-c", FLOOR_SCRIPT, str(ctx.program), "paused"])


@row("floor-gc")
def floor_gc_running(ctx: Context) -> Row:
    """The same load with the collector running, for reference."""
    return repeat(ctx, "floor: CSafeLoader, GC running",
                  [ctx.python, "-c", FLOOR_SCRIPT, str(ctx.program), "running"])


@row("cold")
def validate_cold(ctx: Context) -> Row:
    """All four layers with no cache: the CI case."""
    options = pmkit_validate_options(ctx)
    if options is None:
        return Row("pmkit validate (cold)", note="n/a: no `pmkit validate` command yet")
    cmd = [ctx.python, "-m", "pmkit", "validate", str(ctx.program)]
    note = ""
    if "--no-cache" in options:
        cmd.append("--no-cache")
    else:
        note = "no --no-cache option yet: plain run"
    return repeat(ctx, "pmkit validate (cold)", cmd, note)


@row("warm")
def validate_warm(ctx: Context) -> Row:
    """A second validate after appending one expense to one monthly file.

    Each repetition restores the file, fills the cache with one untimed run,
    appends a new line and times the next run; the file is restored at the end.
    """
    name = "pmkit validate (warm, 1 file changed)"
    if pmkit_validate_options(ctx) is None:
        return Row(name, note="n/a: no `pmkit validate` command yet")
    target = largest_expense_file(ctx.program)
    original = target.read_bytes()
    cmd = [ctx.python, "-m", "pmkit", "validate", str(ctx.program)]
    log = LOGS / f"{slugify(name)}.log"
    result = Row(name, note=f"appends 1 expense to {target.relative_to(ctx.program)}")
    try:
        for i in range(ctx.repeat):
            target.write_bytes(original)
            run_child(cmd)  # fills the cache
            target.write_bytes(original + extra_expense(original.decode("utf-8"), i).encode("utf-8"))
            result.runs.append(run_child(cmd, log))
    finally:
        target.write_bytes(original)
    return with_exit_note(result, log)


@row("check-jsonschema")
def check_jsonschema(ctx: Context) -> Row:
    """check-jsonschema over the same files and schemas, one invocation per
    kind; a repetition's time is the sum, its memory the largest child."""
    name = "check-jsonschema (all kinds)"
    exe = shutil.which("check-jsonschema", path=str(Path(ctx.python).parent)) or shutil.which("check-jsonschema")
    if exe is None:
        return Row(name, note="n/a: check-jsonschema not installed")
    groups = [(kind, sorted(ctx.program.glob(pattern))) for kind, pattern in KIND_FILES.items()]
    groups = [(kind, files) for kind, files in groups if files and (SCHEMAS / f"{kind}.schema.json").exists()]
    if not groups:
        return Row(name, note="n/a: no schemas yet")
    log = LOGS / f"{slugify(name)}.log"
    result = Row(name, note=f"{len(groups)} kinds")
    for _ in range(ctx.repeat):
        runs = [run_child([exe, "--schemafile", str(SCHEMAS / f"{kind}.schema.json"), *map(str, files)],
                          LOGS / f"{slugify(name)}-{kind}.log") for kind, files in groups]
        bad = next((r.returncode for r in runs if r.returncode), 0)
        result.runs.append(Run(seconds=round(sum(r.seconds for r in runs), 3),
                               peak_rss_mb=max(r.peak_rss_mb for r in runs), returncode=bad))
        failed = [kind for (kind, _), r in zip(groups, runs) if r.returncode]
        if failed:
            log.write_text(f"failed kinds: {', '.join(failed)} (see the per-kind logs)\n")
    return with_exit_note(result, log)


def largest_expense_file(program: Path) -> Path:
    files = sorted(program.glob("budget/expenses/*.yaml"))
    return max(files, key=lambda p: (p.stat().st_size, p.name))


def extra_expense(text: str, i: int) -> str:
    """A new, valid expense copied from the file's first one: a fresh id, a
    small amount, no vendor invoice (so no duplicate invoice or contract)."""
    start = text.index("  - id: ")
    end = text.find("\n  - id: ", start + 1)
    block = text[start:end + 1 if end != -1 else len(text)].splitlines()
    keep = [line for line in block
            if not line.lstrip().startswith(("vendor:", "contract:", "invoice:", "refund_of:"))]
    keep[0] = f"  - id: bench-warm-{i + 1}"
    keep = [re.sub(r"^(    amount: ).*$", r"\g<1>1.00", line) for line in keep]
    return "\n".join(keep) + "\n"


# --------------------------------------------------------------------------
# Targets (SPEC §9)


@dataclass
class Target:
    """A goal comparing two rows: passes when left < factor × right
    (or ≤ when inclusive)."""

    label: str
    left: str
    right: str
    factor: float = 1.0
    inclusive: bool = False

    def verdict(self, results: dict[str, Row]) -> str:
        a, b = results.get(self.left), results.get(self.right)
        if not (a and b and a.available and b.available) or any(r.returncode for r in a.runs + b.runs):
            return "n/a"
        ok = a.median <= self.factor * b.median if self.inclusive else a.median < self.factor * b.median
        return "PASS" if ok else "FAIL"


TARGETS = [
    Target("cold validate < floor (GC paused)", "cold", "floor"),
    Target("warm validate <= 0.1 x cold", "warm", "cold", factor=0.1, inclusive=True),
    Target("cold validate < check-jsonschema", "cold", "check-jsonschema"),
]


# --------------------------------------------------------------------------
# Program directory


def ensure_program(scale: float, seed: int = 1) -> Path:
    """benchmarks/out/scale-<s>/, generated when missing or when generate.py
    changed since (a stamp beside it records the generator's hash).
    Written to a temporary folder first, so an interrupted run leaves none."""
    program = OUT / f"scale-{scale}"
    stamp = OUT / f"scale-{scale}.stamp"
    source = (BENCH / "generate.py").read_bytes()
    want = hashlib.sha256(source + f"{scale} {seed}".encode()).hexdigest()
    if program.is_dir() and stamp.exists() and stamp.read_text().strip() == want:
        return program
    sys.path.insert(0, str(BENCH))
    import generate  # noqa: E402  (benchmarks/ is not a package)

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = OUT / f".scale-{scale}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    stats = generate.generate(tmp, scale, seed, hledger=OUT / f"scale-{scale}.journal")
    shutil.rmtree(program, ignore_errors=True)
    tmp.rename(program)
    stamp.write_text(want + "\n")
    print(f"generated {program.relative_to(REPO)}: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    return program


# --------------------------------------------------------------------------
# Report


def table(ctx: Context) -> str:
    """The results as a fixed-width table, then the targets."""
    floor = ctx.results.get("floor")
    base = floor.median if floor and floor.available else None
    lines = [f"{'name':40} {'median s':>9} {'runs':>4} {'peak MB':>8} {'x floor':>8}  note"]
    for r in ctx.results.values():
        if not r.available:
            lines.append(f"{r.name:40} {'n/a':>9} {0:>4} {'n/a':>8} {'n/a':>8}  {r.note}")
            continue
        ratio = f"{r.median / base:8.2f}" if base else f"{'n/a':>8}"
        lines.append(f"{r.name:40} {r.median:9.2f} {len(r.runs):>4} {r.peak_rss_mb:8.0f} {ratio}  {r.note}")
    lines.append("")
    lines.append("SPEC §9 targets:")
    for t in TARGETS:
        lines.append(f"  {t.verdict(ctx.results):4}  {t.label}")
    return "\n".join(lines)


def save_json(ctx: Context, path: Path) -> None:
    doc = {
        "scale": ctx.scale,
        "repeat": ctx.repeat,
        "program": str(ctx.program),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "rows": {key: r.to_json() for key, r in ctx.results.items()},
        "targets": [{"label": t.label, "verdict": t.verdict(ctx.results)} for t in TARGETS],
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark pmkit against its SPEC §9 baselines.")
    ap.add_argument("--scale", type=float, default=1.0, help="program size, 1.0 = SPEC §9 (default)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per row; the median is reported (default 3)")
    ap.add_argument("--only", nargs="+", choices=list(ROWS), metavar="ROW",
                    help=f"run only these rows: {', '.join(ROWS)}")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also save the results as JSON")
    args = ap.parse_args(argv)
    ctx = Context(program=ensure_program(args.scale), scale=args.scale, repeat=max(1, args.repeat))
    LOGS.mkdir(parents=True, exist_ok=True)
    for key, fn in ROWS.items():
        if args.only and key not in args.only:
            continue
        print(f"running {key} ...", file=sys.stderr, flush=True)
        ctx.results[key] = fn(ctx)
    print(f"scale {ctx.scale} ({ctx.program.relative_to(REPO)}), {ctx.repeat} runs per row, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(table(ctx))
    if args.json:
        save_json(ctx, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
