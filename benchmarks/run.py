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
  ``Target`` in TARGETS. Adding a comparison is adding one function and, if it
  has a goal, one target.
- The rollup row is also a correctness check: its output is compared with
  hledger's, line by line, to the cent (see :func:`crosscheck`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
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
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from collections.abc import Iterator
from typing import Callable

from pmkit.core.kinds import KINDS

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
LOGS = OUT / "logs"  # the last output of each row, to see why one failed
SCHEMAS = REPO / "schemas"

# Kind -> files of a program directory (the layout of SPEC §2).
KIND_FILES: dict[str, str] = {kind.name: kind.glob for kind in KINDS}

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
    #: user + system CPU seconds of the child and the children it waited for: on a
    #: shared, noisy machine the wall time varies with the neighbours, this less
    cpu_seconds: float = 0.0


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
    def median_cpu(self) -> float | None:
        return statistics.median(r.cpu_seconds for r in self.runs) if self.runs else None

    @property
    def peak_rss_mb(self) -> float | None:
        return max(r.peak_rss_mb for r in self.runs) if self.runs else None

    def to_json(self) -> dict:
        return {**asdict(self), "median": self.median, "median_cpu": self.median_cpu, "peak_rss_mb": self.peak_rss_mb}


@dataclass
class Context:
    """What every row needs: the program, the interpreter, the repeat count."""

    program: Path
    scale: float
    repeat: int
    journal: Path | None = None  # the same expenses as an hledger journal
    python: str = sys.executable
    results: dict[str, Row] = field(default_factory=dict)
    checks: dict[str, "CrossCheck"] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Running children


def run_child(cmd: list[str], log: Path | None = None, cwd: Path = REPO, output: Path | None = None) -> Run:
    """Run cmd to completion; time it and read its own peak RSS via wait4.

    Output goes to a file (not a pipe) so a chatty child cannot block and the
    wait4 call is the only wait. With ``output``, stdout goes there and only
    stderr to ``log`` (for rows whose output is checked afterwards).
    """
    with ExitStack() as files:
        out = files.enter_context(tempfile.TemporaryFile() if log is None else open(log, "wb"))
        stdout = out if output is None else files.enter_context(open(output, "wb"))
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.STDOUT if output is None else out, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return Run(seconds=round(seconds, 3), peak_rss_mb=round(rss, 1), returncode=proc.returncode,
               cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3))


def repeat(ctx: Context, name: str, cmd: list[str], note: str = "", output: Path | None = None) -> Row:
    """The same command ``ctx.repeat`` times; the last output is kept in out/
    (stdout in ``output`` when given, for a check that reads it)."""
    log = LOGS / f"{slugify(name)}.log"
    row = Row(name, note=note)
    for _ in range(ctx.repeat):
        row.runs.append(run_child(cmd, log, output=output))
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


def pmkit_options(ctx: Context, *command: str) -> set[str] | None:
    """The options ``pmkit COMMAND`` accepts, or None when there is no such command."""
    proc = subprocess.run([ctx.python, "-m", "pmkit", *command, "--help"], capture_output=True, text=True,
                          cwd=REPO)
    if proc.returncode != 0:
        return None
    return set(re.findall(r"--[a-z][a-z-]*", proc.stdout))


def pmkit_validate_options(ctx: Context) -> set[str] | None:
    return pmkit_options(ctx, "validate")


# --------------------------------------------------------------------------
# Rows: each a function of the context returning a Row, in table order.

ROWS: dict[str, Callable[[Context], Row]] = {}


def row(key: str):
    """Register a row function under a short key (for --only)."""

    def register(fn: Callable[[Context], Row]) -> Callable[[Context], Row]:
        ROWS[key] = fn
        return fn

    return register



@contextmanager
def env_set(name: str, value: str) -> Iterator[None]:
    """``name`` set to ``value`` in this process's environment (so in its children) while the block runs."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@contextmanager
def cache_dir(prefix: str) -> Iterator[Callable[[], None]]:
    """A cache folder outside the repository (pmkit refuses one inside it),
    named by PMKIT_CACHE_DIR while the block runs; the block gets ``empty()``,
    which names a new, empty one instead, as on a fresh CI machine. The
    folders are removed after the block, not between runs: on this machine's
    disk (ext4 mounted with ``discard``) removing a folder of a thousand
    entries slows the writes of the run after it (measured: a first validate
    1.12 s in a new folder, 1.22-1.59 s when the last run's was removed just
    before)."""
    made: list[Path] = []

    def new_folder() -> None:
        made.append(Path(tempfile.mkdtemp(prefix=prefix)))
        os.environ["PMKIT_CACHE_DIR"] = str(made[-1])

    new_folder()
    try:
        yield new_folder
    finally:
        os.environ.pop("PMKIT_CACHE_DIR", None)
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)

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


@row("first")
def validate_first(ctx: Context) -> Row:
    """The first ``pmkit validate`` of a program: an empty cache, filled as it goes
    (SPEC §9 compares the second validate with this one)."""
    name = "pmkit validate (first, empty cache)"
    if pmkit_validate_options(ctx) is None:
        return Row(name, note="n/a: no `pmkit validate` command yet")
    cmd = [ctx.python, "-m", "pmkit", "validate", str(ctx.program)]
    result = Row(name, note="PMKIT_CACHE_DIR emptied before each run")
    with cache_dir("pmkit-first-cache-") as empty:
        for _ in range(ctx.repeat):
            empty()
            result.runs.append(run_child(cmd, LOGS / f"{slugify(name)}.log"))
    return with_exit_note(result, LOGS / f"{slugify(name)}.log")


@row("warm")
def validate_warm(ctx: Context) -> Row:
    """A second validate after appending one expense to one monthly file (the
    largest: the most to parse again).

    Each repetition restores the file, fills the cache with one untimed run,
    appends a new line and times the next run; the file is restored at the end.
    The new line's id is unique to the run: an edit seen before would find
    its file's outcome in the cache and flatter the figure.
    """
    target = largest_expense_file(ctx.program)
    return _warm_row(ctx, "pmkit validate (warm, 1 file changed)", target,
                     lambda text, unique: text + extra_expense(text, unique),
                     f"appends 1 expense to {target.relative_to(ctx.program)}")


@row("warm-project")
def validate_warm_project(ctx: Context) -> Row:
    """The same after renaming one project: what most rules read, so half the
    rule parts run again (where an expense edit re-runs the dozen budget ones)."""
    target = sorted(ctx.program.glob("projects/*.yaml"))[0]
    return _warm_row(ctx, "pmkit validate (warm, 1 project changed)", target,
                     lambda text, unique: re.sub(r"^name: .*$", f"name: Renamed {unique}", text, count=1, flags=re.MULTILINE),
                     f"renames {target.relative_to(ctx.program)}")


def _warm_row(ctx: Context, name: str, target: Path, edit: Callable[[str, int], str], note: str) -> Row:
    if pmkit_validate_options(ctx) is None:
        return Row(name, note="n/a: no `pmkit validate` command yet")
    original = target.read_bytes()
    cmd = [ctx.python, "-m", "pmkit", "validate", str(ctx.program)]
    log = LOGS / f"{slugify(name)}.log"
    result = Row(name, note=note)
    try:
        for _ in range(ctx.repeat):
            target.write_bytes(original)
            run_child(cmd)  # fills the cache
            target.write_bytes(edit(original.decode("utf-8"), time.time_ns()).encode("utf-8"))
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
                               peak_rss_mb=max(r.peak_rss_mb for r in runs), returncode=bad,
                               cpu_seconds=round(sum(r.cpu_seconds for r in runs), 3)))
        failed = [kind for (kind, _), r in zip(groups, runs) if r.returncode]
        if failed:
            log.write_text(f"failed kinds: {', '.join(failed)} (see the per-kind logs)\n")
    return with_exit_note(result, log)


@row("rollup")
def rollup(ctx: Context) -> Row:
    """Every SPEC §4 figure as JSON, validation included, no cache; as of the
    last day of the program, so that every expense counts (as in hledger's
    report). The output of the last run is kept for the cross-check."""
    name = "pmkit rollup (json, no cache)"
    if pmkit_options(ctx, "rollup") is None:
        return Row(name, note="n/a: no `pmkit rollup` command yet")
    return repeat(ctx, name, rollup_cmd(ctx.python, ctx.program, program_period()[2]),
                  output=LOGS / "rollup.json")


@row("hledger")
def hledger(ctx: Context) -> Row:
    """``hledger balance --budget`` on the same postings: actual per
    project:category against its budget (lines + transfers) over the program."""
    name = "hledger balance --budget"
    exe = shutil.which("hledger")
    if exe is None:
        return Row(name, note="n/a: hledger not installed (apt-get install hledger)")
    if ctx.journal is None or not ctx.journal.exists():
        return Row(name, note="n/a: no journal (generate.py --hledger)")
    begin, end, _ = program_period()
    return repeat(ctx, name, hledger_cmd(exe, ctx.journal, begin, end), output=LOGS / "hledger.csv")


# The plain-MkDocs baseline of the site: the pages render_site produces for the
# program, written once as Markdown files under the same configuration as
# `pmkit site build` (build.default_config: theme, overrides, hand-written
# pages, extensions, styles) minus the pmkit plugin, with the nav the plugin
# would set. Untimed; only `mkdocs build` of the result is timed.
PLAIN_SITE_SCRIPT = """
import posixpath, sys, yaml
from pathlib import Path
from pmkit.app.site import build as site_build
from pmkit.app.site.data import load
from pmkit.app.site.pages import NAV, render_site
from pmkit.app.site.plugin import STYLESHEET
program, folder = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
config_file = site_build.default_config(folder, program, None)
config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
config["plugins"] = [p for p in config["plugins"] if p != "pmkit" and not (isinstance(p, dict) and "pmkit" in p)]
docs = Path(config["docs_dir"])
in_nav = {path for _, path in NAV}
hand_written = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
data = load(program, None, use_cache=False)
if data.errors:
    sys.exit(f"{data.errors} validation error(s): the site would show no figures")
pages = render_site(data.model, data.document, data.findings, data.as_of)
pages[STYLESHEET] = (Path(site_build.__file__).parent / "assets" / "site.css").read_text(encoding="utf-8")
for rel, text in pages.items():
    path = docs / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
config["nav"] = [{title: path} for title, path in NAV] + [p for p in hand_written if p not in in_nav]
config["not_in_nav"] = "\\n".join(sorted({"/" + (posixpath.dirname(p) + "/*.md" if "/" in p else p)
                                           for p in pages if p.endswith(".md") and p not in in_nav}))
config["extra_css"] = [STYLESHEET] + [c for c in config.get("extra_css", []) if c != STYLESHEET]
config_file.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
print(len(pages), "files")
"""


_PLAIN_PREPARED: set[Path] = set()


@row("mkdocs")
def plain_mkdocs(ctx: Context) -> Row:
    """``mkdocs build`` of the site's pages as plain Markdown files (the baseline)."""
    name = "mkdocs build (same pages, plain .md)"
    if pmkit_options(ctx, "site", "build") is None:
        return Row(name, note="n/a: no `pmkit site build` command yet")
    folder = OUT / "site-plain"
    if ctx.program not in _PLAIN_PREPARED:  # once per invocation, untimed
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        prepared = run_child([ctx.python, "-c", PLAIN_SITE_SCRIPT, str(ctx.program), str(folder)],
                             LOGS / "site-plain-prepare.log")
        if prepared.returncode:
            return with_exit_note(Row(name, runs=[prepared]), LOGS / "site-plain-prepare.log")
        _PLAIN_PREPARED.add(ctx.program)
    pages = sum(1 for _ in (folder / "docs").rglob("*.md"))
    return repeat(ctx, name, [ctx.python, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml"),
                              "-d", str(OUT / "site-plain-public")], note=f"{pages} pages")


@row("site")
def site(ctx: Context) -> Row:
    """``pmkit site build``: validate (no cache), rollup, render, MkDocs."""
    name = "pmkit site build (no cache)"
    if pmkit_options(ctx, "site", "build") is None:
        return Row(name, note="n/a: no `pmkit site build` command yet")
    return repeat(ctx, name, [ctx.python, "-m", "pmkit", "site", "build", str(ctx.program),
                              "--output", str(OUT / "site-pmkit-public"), "--no-cache"])


@row("site-after-validate")
def site_after_validate(ctx: Context) -> Row:
    """``pmkit site build`` as CI runs it: after ``pmkit validate`` (untimed)
    has filled the cache, so the files are not parsed again."""
    name = "pmkit site build (after validate)"
    if pmkit_options(ctx, "site", "build") is None:
        return Row(name, note="n/a: no `pmkit site build` command yet")
    cmd = [ctx.python, "-m", "pmkit", "site", "build", str(ctx.program), "--output", str(OUT / "site-pmkit-public")]
    result = Row(name, note="cache filled by an untimed `pmkit validate`")
    for _ in range(ctx.repeat):
        run_child([ctx.python, "-m", "pmkit", "validate", str(ctx.program)])
        result.runs.append(run_child(cmd, LOGS / f"{slugify(name)}.log"))
    return with_exit_note(result, LOGS / f"{slugify(name)}.log")


# The diff rows: the program committed in a git repository of its own, then a
# one-file change committed on top (one expense appended to the largest
# monthly file). Prepared once per program, untimed; `pmkit diff HEAD~1` in
# its root then loads HEAD~1 from git objects and the working tree from disk.
_DIFF_PREPARED: dict[Path, Path] = {}


def diff_repository(ctx: Context) -> Path:
    """OUT/diff-scale-<s>/: program/ committed, then one expense appended and committed."""
    if ctx.program in _DIFF_PREPARED:
        return _DIFF_PREPARED[ctx.program]
    repo = OUT / f"diff-{ctx.program.name}"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(ctx.program, repo / "program")
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "program")
    target = largest_expense_file(repo / "program")
    text = target.read_text(encoding="utf-8")
    target.write_text(text + extra_expense(text, 1), encoding="utf-8")
    git("commit", "-q", "-am", "one expense")
    _DIFF_PREPARED[ctx.program] = repo
    return repo


def _diff_row(ctx: Context, name: str, options: list[str], note: str, fresh_cache: bool) -> Row:
    if pmkit_options(ctx, "diff") is None:
        return Row(name, note="n/a: no `pmkit diff` command yet")
    repo = diff_repository(ctx)
    cmd = [ctx.python, "-m", "pmkit", "diff", "HEAD~1", "--format", "json", *options]
    log = LOGS / f"{slugify(name)}.log"
    result = Row(name, note=note)
    with cache_dir("pmkit-diff-cache-") as empty:
        for _ in range(ctx.repeat):
            if fresh_cache:
                empty()
            result.runs.append(run_child(cmd, log, cwd=repo))
    return with_exit_note(result, log)


@row("diff")
def diff(ctx: Context) -> Row:
    """``pmkit diff HEAD~1`` after a one-file change, as on a fresh CI machine:
    the cache folder empty before each run (base from git objects, head from disk)."""
    return _diff_row(ctx, "pmkit diff HEAD~1 (empty cache)", [], "1 expense appended; cache emptied before each run",
                     fresh_cache=True)


@row("diff-no-cache")
def diff_no_cache(ctx: Context) -> Row:
    """The same with ``--no-cache``."""
    return _diff_row(ctx, "pmkit diff HEAD~1 (--no-cache)", ["--no-cache"], "1 expense appended", fresh_cache=False)


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
    keep[0] = f"  - id: bench-warm-{i}"
    keep = [re.sub(r"^(    amount: ).*$", r"\g<1>1.00", line) for line in keep]
    return "\n".join(keep) + "\n"


# --------------------------------------------------------------------------
# History (issue 12): a repository of N commits a team would make


#: Commits in the history repository (``--commits``; SPEC asks 1,000 at scale 0.1).
HISTORY_COMMITS = [1000]
#: Commits of the baseline's sample: ``pmkit rollup --rev`` on every commit is
#: estimated from this many consecutive ones (times N / sample).
ROLLUP_SAMPLE = 10


def _git_env(day: str) -> dict[str, str]:
    return {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_DATE": f"{day}T12:00:00+00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00+00:00"}


def _git(root: Path, day: str, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=_git_env(day), check=True, capture_output=True)


def extra_transfer(text: str, i: int) -> str:
    """A transfer of 1.00 copied from the file's first one, with a fresh id."""
    start = text.index("  - id: ")
    end = text.find("\n  - id: ", start + 1)
    block = text[start:end + 1 if end != -1 else len(text)].splitlines()
    block[0] = f"  - id: bench-history-tr-{i}"
    block = [re.sub(r"^(    amount: ).*$", r"\g<1>1.00", line) for line in block]
    return "\n".join(block) + "\n"


def _one_change(program: Path, i: int) -> list[Path]:
    """The i-th change: an expense appended, a task's progress moved, or a transfer (and an expense)."""
    expenses = sorted(program.glob("budget/expenses/*.yaml"))
    if i % 3 == 0:
        target = expenses[i % len(expenses)]
        target.write_text(target.read_text(encoding="utf-8") + extra_expense(target.read_text(encoding="utf-8"),
                                                                             i).replace("bench-warm", "bench-history"),
                          encoding="utf-8")
        return [target]
    if i % 3 == 1:
        projects = sorted(program.glob("projects/*.yaml"))
        target = projects[i % len(projects)]
        text = target.read_text(encoding="utf-8")
        found = list(re.finditer(r"^(    progress: )(\d+)$", text, flags=re.MULTILINE))
        if found:
            hit = found[i % len(found)]
            value = min(100, int(hit.group(2)) + 1) if int(hit.group(2)) < 100 else 99
            text = text[:hit.start()] + f"{hit.group(1)}{value}" + text[hit.end():]
            target.write_text(text, encoding="utf-8")
        return [target]
    transfers = program / "budget" / "transfers.yaml"
    transfers.write_text(transfers.read_text(encoding="utf-8") + extra_transfer(transfers.read_text(encoding="utf-8"),
                                                                               i), encoding="utf-8")
    target = expenses[(i * 7) % len(expenses)]
    target.write_text(target.read_text(encoding="utf-8") + extra_expense(target.read_text(encoding="utf-8"),
                                                                         10**6 + i).replace("bench-warm",
                                                                                            "bench-history"),
                      encoding="utf-8")
    return [transfers, target]


def history_repo(ctx: Context) -> Path:
    """OUT/history-<scale>-<N>/: the program committed, then N-1 commits of one or two changed files,
    one a day from the program's status date back (so every commit is as of its own day).
    Built once (a stamp records it)."""
    import datetime as dt

    n = HISTORY_COMMITS[0]
    root = OUT / f"history-{ctx.scale}-{n}"
    stamp = OUT / f"history-{ctx.scale}-{n}.stamp"
    if stamp.exists() and root.is_dir():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copytree(ctx.program, root / "program")
    first = dt.date.fromordinal(generator().PROGRAM_START) + dt.timedelta(days=30)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=_git_env(first.isoformat()))
    t0 = time.perf_counter()
    _git(root, first.isoformat(), "add", "-A")
    _git(root, first.isoformat(), "commit", "-q", "-m", "program")
    for i in range(1, n):
        day = (first + dt.timedelta(days=i)).isoformat()
        changed = _one_change(root / "program", i)
        _git(root, day, "add", *[str(p.relative_to(root)) for p in changed])
        _git(root, day, "commit", "-q", "-m", f"change {i}")
    stamp.write_text(f"{n}\n")
    print(f"built {root.relative_to(REPO)}: {n} commits in {time.perf_counter() - t0:.1f} s", flush=True)
    return root


def _history_cmd(ctx: Context, root: Path) -> list[str]:
    return [ctx.python, "-m", "pmkit", "history", str(root / "program"), "--by", "commit", "--format", "json"]


@row("history-rollups")
def history_rollups(ctx: Context) -> Row:
    """The baseline: ``pmkit rollup --rev C --as-of DAY`` on every commit, one after the other with
    one cache (as a script looping over ``git log`` would), estimated from ROLLUP_SAMPLE consecutive
    commits in the middle of the history: their total x N / sample."""
    root = history_repo(ctx)
    n = HISTORY_COMMITS[0]
    log = subprocess.run(["git", "log", "--first-parent", "--format=%H %cs"], cwd=root, check=True,
                         capture_output=True, text=True).stdout.split("\n")[::-1]
    commits = [line.split() for line in log if line.strip()]
    middle = max(0, len(commits) // 2 - ROLLUP_SAMPLE // 2)
    sample = commits[middle:middle + ROLLUP_SAMPLE]
    name = f"history baseline: rollup --rev x {n}"
    result = Row(name, note=f"estimated: {len(sample)} consecutive commits x {n}/{len(sample)}; one cache, "
                            "emptied first")
    with cache_dir("pmkit-hist-rollup-cache-") as empty:
        for _ in range(ctx.repeat):
            empty()
            runs = [run_child([ctx.python, "-m", "pmkit", "rollup", "--rev", sha, "--as-of", day, "--format",
                               "json"], LOGS / f"{slugify(name)}.log", cwd=root) for sha, day in sample]
            result.runs.append(Run(seconds=round(sum(r.seconds for r in runs) * n / len(sample), 3),
                                   peak_rss_mb=max(r.peak_rss_mb for r in runs),
                                   returncode=next((r.returncode for r in runs if r.returncode), 0)))
    return with_exit_note(result, LOGS / f"{slugify(name)}.log")


@row("history")
def history_cold(ctx: Context) -> Row:
    """``pmkit history --by commit`` over the N commits with an empty cache."""
    root = history_repo(ctx)
    name = f"pmkit history --by commit (cold, {HISTORY_COMMITS[0]})"
    result = Row(name, note="PMKIT_CACHE_DIR emptied before each run")
    with cache_dir("pmkit-hist-cache-") as empty:
        for _ in range(ctx.repeat):
            empty()
            result.runs.append(run_child(_history_cmd(ctx, root), LOGS / f"{slugify(name)}.log", cwd=root))
    return with_exit_note(result, LOGS / f"{slugify(name)}.log")


@row("history-next")
def history_next(ctx: Context) -> Row:
    """``pmkit history --by commit`` again after one new commit (an expense appended), the cache
    filled by an untimed run first; the commit is undone afterwards.

    Beside it, the least a new row needs: ``pmkit rollup --rev HEAD`` of that commit, timed with
    a copy of the same cache made just before the history run (so neither finds what the other
    worked out); kept as the row ``history-next-rollup``."""
    import datetime as dt

    root = history_repo(ctx)
    name = "pmkit history (after 1 new commit)"
    result = Row(name, note="cache filled by an untimed run; one expense appended and committed")
    yardstick = Row("rollup --rev HEAD (same commit, same cache)",
                    note="the new commit alone: a copy of the history row's cache")
    with cache_dir("pmkit-hist-next-cache-"):
        run_child(_history_cmd(ctx, root), cwd=root)
        cache = Path(os.environ["PMKIT_CACHE_DIR"])
        for k in range(ctx.repeat):
            last = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=root, check=True, capture_output=True,
                                  text=True).stdout.strip()
            day = (dt.date.fromisoformat(last) + dt.timedelta(days=1)).isoformat()
            changed = _one_change(root / "program", 3 * (10**7 + time.time_ns() % 10**6))
            _git(root, day, "add", *[str(p.relative_to(root)) for p in changed])
            _git(root, day, "commit", "-q", "-m", "one more")
            copy = Path(tempfile.mkdtemp(prefix="pmkit-hist-next-copy-")) / "cache"
            try:
                shutil.copytree(cache, copy)
                result.runs.append(run_child(_history_cmd(ctx, root), LOGS / f"{slugify(name)}.log", cwd=root))
                rollup = [ctx.python, "-m", "pmkit", "rollup", "--rev", "HEAD", "--as-of", day, "--format", "json"]
                with env_set("PMKIT_CACHE_DIR", str(copy)):
                    yardstick.runs.append(run_child(rollup, LOGS / "history-next-rollup.log", cwd=root))
            finally:
                _git(root, day, "reset", "-q", "--hard", "HEAD~1")
                shutil.rmtree(copy.parent, ignore_errors=True)
    # (a second row of the same rounds: run.py's rows give one each, so it is kept here)
    ctx.results["history-next-rollup"] = merged(ctx.results.get("history-next-rollup"),
                                                with_exit_note(yardstick, LOGS / "history-next-rollup.log"))
    return with_exit_note(result, LOGS / f"{slugify(name)}.log")


# --------------------------------------------------------------------------
# Cross-check: pmkit rollup and hledger must agree on every budget line


def program_period() -> tuple[str, str, str]:
    """(first day, day after the last, last day) of the generated program:
    hledger's -b/-e and pmkit's --as-of, so both count every posting."""
    import datetime as dt

    gen = generator()
    first, last = dt.date.fromordinal(gen.PROGRAM_START), dt.date.fromordinal(gen.PROGRAM_END)
    return first.isoformat(), (last + dt.timedelta(days=1)).isoformat(), last.isoformat()


def rollup_cmd(python: str, program: Path, as_of: str) -> list[str]:
    return [python, "-m", "pmkit", "rollup", str(program), "--format", "json", "--no-cache", "--as-of", as_of]


def hledger_cmd(exe: str, journal: Path, begin: str, end: str) -> list[str]:
    """Actual and budget goal per account over [begin, end), as CSV: one
    period, so actual = the sum of the expenses and goal = budget lines +
    transfers (single-date periodic rules in the journal)."""
    return [exe, "-f", str(journal), "balance", "--budget", "-b", begin, "-e", end, "-O", "csv", "expenses"]


_HLEDGER_AMOUNT = re.compile(r"^(-?[0-9][0-9.]*)(?: ([A-Z]{3}))?$")


def hledger_amount(text: str) -> Decimal:
    """``"1234.50 USD"``, ``"-3.00 USD"`` or ``"0"`` (an empty cell: 0)."""
    text = text.strip()
    if not text:
        return Decimal(0)
    match = _HLEDGER_AMOUNT.match(text)
    if not match:
        raise ValueError(f"unexpected hledger amount {text!r} (several commodities?)")
    return Decimal(match.group(1))


def hledger_lines(csv_text: str) -> dict[str, tuple[Decimal, Decimal]]:
    """{"project:category": (actual, budget goal)} from ``hledger_cmd``'s CSV;
    parent accounts (inclusive sums) and the total are left out."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows or rows[0][:1] != ["Account"] or len(rows[0]) != 3:
        raise ValueError(f"unexpected hledger CSV header {rows[:1]}")
    lines = {}
    for account, actual, budget in rows[1:]:
        parts = account.removeprefix("<unbudgeted>:").split(":")
        if len(parts) == 3 and parts[0] == "expenses":
            lines[f"{parts[1]}:{parts[2]}"] = (hledger_amount(actual), hledger_amount(budget))
    return lines


def pmkit_lines(document: dict) -> dict[str, tuple[Decimal, Decimal]]:
    """{"project:category": (actual, current)} from a rollup JSON document."""
    return {f"{pid}:{category}": (Decimal(line["actual"]), Decimal(line["current"]))
            for pid, project in document["projects"].items()
            for category, line in project["lines"].items()}


@dataclass
class CrossCheck:
    """pmkit's budget lines against hledger's accounts, to the cent."""

    lines: int
    actual_mismatches: list[str]  # "project:category pmkit=… hledger=…"
    budget_mismatches: list[str]  # pmkit current vs hledger's budget goal

    @property
    def ok(self) -> bool:
        return not self.actual_mismatches

    def summary(self) -> str:
        def part(what: str, bad: list[str]) -> str:
            if not bad:
                return f"{what} OK"
            return f"{what} {len(bad)} mismatch(es), e.g. {'; '.join(bad[:3])}"
        return (f"{self.lines} project:category lines: {part('actual', self.actual_mismatches)}, "
                f"{part('current budget vs hledger goal', self.budget_mismatches)}")


def crosscheck(document: dict, hledger_csv: str) -> CrossCheck:
    """Compare every line either side holds (a line missing on one side counts 0)."""
    ours, theirs = pmkit_lines(document), hledger_lines(hledger_csv)
    zero = (Decimal(0), Decimal(0))
    actual, budget = [], []
    for key in sorted(ours.keys() | theirs.keys()):
        (a, c), (ha, hb) = ours.get(key, zero), theirs.get(key, zero)
        if a != ha:
            actual.append(f"{key} pmkit={a} hledger={ha}")
        if c != hb:
            budget.append(f"{key} pmkit={c} hledger={hb}")
    return CrossCheck(len(ours), actual, budget)


def hledger_crosscheck(ctx: Context) -> CrossCheck | None:
    """The check on the last outputs of the rollup and hledger rows, when both ran cleanly."""
    a, b = ctx.results.get("rollup"), ctx.results.get("hledger")
    if not (a and b and a.available and b.available) or any(r.returncode for r in a.runs + b.runs):
        return None
    document = json.loads((LOGS / "rollup.json").read_text(encoding="utf-8"))
    return crosscheck(document, (LOGS / "hledger.csv").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Targets (SPEC §9)


@dataclass
class Target:
    """A goal comparing two rows: passes when left < factor × right
    (or ≤ when inclusive), on the median time or on the peak RSS."""

    label: str
    left: str
    right: str
    factor: float = 1.0
    inclusive: bool = False
    measure: str = "median"  # or "peak_rss_mb"

    def verdict(self, results: dict[str, Row]) -> str:
        a, b = results.get(self.left), results.get(self.right)
        if not (a and b and a.available and b.available) or any(r.returncode for r in a.runs + b.runs):
            return "n/a"
        x, y = getattr(a, self.measure), self.factor * getattr(b, self.measure)
        return "PASS" if (x <= y if self.inclusive else x < y) else "FAIL"

    def ratio(self, results: dict[str, Row]) -> float | None:
        a, b = results.get(self.left), results.get(self.right)
        if not (a and b and a.available and b.available) or not getattr(b, self.measure):
            return None
        return getattr(a, self.measure) / getattr(b, self.measure)


TARGETS = [
    Target("cold validate < floor (GC paused)", "cold", "floor"),
    # SPEC asks a tenth of the first validate; a tenth of the cold one is our own, stricter goal.
    Target("warm validate <= 0.1 x cold (stricter than SPEC)", "warm", "cold", factor=0.1, inclusive=True),
    Target("warm validate <= 0.1 x first validate", "warm", "first", factor=0.1, inclusive=True),
    Target("warm validate, a project changed, <= 0.1 x cold (stricter than SPEC)", "warm-project", "cold",
           factor=0.1, inclusive=True),
    Target("warm validate, a project changed, <= 0.1 x first", "warm-project", "first", factor=0.1,
           inclusive=True),
    Target("cold validate < check-jsonschema", "cold", "check-jsonschema"),
    Target("rollup < hledger balance --budget (time)", "rollup", "hledger"),
    Target("rollup < hledger balance --budget (peak memory)", "rollup", "hledger", measure="peak_rss_mb"),
    Target("site build <= 1.2 x plain mkdocs build", "site", "mkdocs", factor=1.2, inclusive=True),
    Target("site build after validate <= 1.2 x plain mkdocs build", "site-after-validate", "mkdocs",
           factor=1.2, inclusive=True),
    Target("diff HEAD~1 (one file changed, empty cache) <= 1.5 x cold validate", "diff", "cold", factor=1.5,
           inclusive=True),
    Target("diff HEAD~1 (one file changed, --no-cache) <= 1.5 x cold validate", "diff-no-cache", "cold",
           factor=1.5, inclusive=True),
]


# --------------------------------------------------------------------------
# Program directory


def generator():
    """benchmarks/generate.py as a module (benchmarks/ is not a package)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import generate

    return generate


def journal_path(scale: float) -> Path:
    return OUT / f"scale-{scale}.journal"


def ensure_program(scale: float, seed: int = 1) -> Path:
    """benchmarks/out/scale-<s>/ and its hledger journal, generated when
    missing or when generate.py changed since (a stamp beside it records the
    generator's hash). Written to a temporary folder first, so an interrupted
    run leaves none."""
    program = OUT / f"scale-{scale}"
    stamp = OUT / f"scale-{scale}.stamp"
    source = (BENCH / "generate.py").read_bytes()
    want = hashlib.sha256(source + f"{scale} {seed}".encode()).hexdigest()
    if program.is_dir() and journal_path(scale).exists() and stamp.exists() and stamp.read_text().strip() == want:
        return program
    generate = generator()

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = OUT / f".scale-{scale}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    stats = generate.generate(tmp, scale, seed, hledger=journal_path(scale))
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
    lines = [f"{'name':40} {'median s':>9} {'cpu s':>6} {'runs':>4} {'peak MB':>8} {'x floor':>8}  note"]
    for r in ctx.results.values():
        if not r.available:
            lines.append(f"{r.name:40} {'n/a':>9} {'n/a':>6} {0:>4} {'n/a':>8} {'n/a':>8}  {r.note}")
            continue
        ratio = f"{r.median / base:8.2f}" if base else f"{'n/a':>8}"
        lines.append(f"{r.name:40} {r.median:9.2f} {r.median_cpu:6.2f} {len(r.runs):>4} {r.peak_rss_mb:8.0f} {ratio}  "
                     f"{r.note}")
    lines.append("")
    lines.append("SPEC §9 targets:")
    for t in TARGETS:
        ratio = t.ratio(ctx.results)
        lines.append(f"  {t.verdict(ctx.results):4}  {t.label}" + (f"  ({ratio:.2f}x)" if ratio is not None else ""))
    check = ctx.checks.get("hledger")
    if check is not None:
        lines.append("")
        lines.append(f"Cross-check, pmkit rollup vs hledger: {'OK' if check.ok else 'MISMATCH'}  {check.summary()}")
    return "\n".join(lines)


def save_json(ctx: Context, path: Path) -> None:
    doc = {
        "scale": ctx.scale,
        "repeat": ctx.repeat,
        "program": str(ctx.program),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "rows": {key: r.to_json() for key, r in ctx.results.items()},
        "targets": [{"label": t.label, "verdict": t.verdict(ctx.results), "ratio": t.ratio(ctx.results)}
                    for t in TARGETS],
        "crosscheck": {key: {**asdict(c), "ok": c.ok} for key, c in ctx.checks.items()},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")


def merged(before: Row | None, row: Row) -> Row:
    """A row's runs of every round so far."""
    if before is None:
        return row
    before.runs.extend(row.runs)
    before.note = before.note or row.note
    return before


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark pmkit against its SPEC §9 baselines.")
    ap.add_argument("--scale", type=float, default=1.0, help="program size, 1.0 = SPEC §9 (default)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per row; the median is reported (default 3)")
    ap.add_argument("--only", nargs="+", choices=list(ROWS), metavar="ROW",
                    help=f"run only these rows: {', '.join(ROWS)}")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also save the results as JSON")
    ap.add_argument("--commits", type=int, default=HISTORY_COMMITS[0],
                    help="commits of the history rows' repository (default 1000)")
    args = ap.parse_args(argv)
    HISTORY_COMMITS[0] = max(2, args.commits)
    ctx = Context(program=ensure_program(args.scale), scale=args.scale, repeat=max(1, args.repeat),
                  journal=journal_path(args.scale))
    LOGS.mkdir(parents=True, exist_ok=True)
    # An installed package comes with its bytecode compiled; an editable
    # checkout under PYTHONDONTWRITEBYTECODE (set on some CI images) would
    # compile every module in every timed process instead (0.1-0.3 s each).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "pmkit")], check=True)
    selected = [(key, fn) for key, fn in ROWS.items() if not args.only or key in args.only]
    # Each repetition runs every selected row once, in turn, so that a drift of
    # the machine's speed (up to 20% within an hour here) weighs on every row
    # alike: a ratio compares rows of the same rounds.
    once = replace(ctx, repeat=1)
    for round_ in range(1, ctx.repeat + 1):
        for key, fn in selected:
            print(f"running {key} ({round_}/{ctx.repeat}) ...", file=sys.stderr, flush=True)
            ctx.results[key] = merged(ctx.results.get(key), fn(once))
    check = hledger_crosscheck(ctx)
    if check is not None:
        ctx.checks["hledger"] = check
    print(f"scale {ctx.scale} ({ctx.program.relative_to(REPO)}), {ctx.repeat} runs per row, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(table(ctx))
    if args.json:
        save_json(ctx, args.json)
    return 1 if any(not c.ok for c in ctx.checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
