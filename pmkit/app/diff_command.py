"""``pmkit diff BASE [HEAD]``: load both sides, compare (pmkit.app.diff), render.

A revision is read from git objects (``GitSource``); HEAD left out is the
working tree. Both sides' figures are computed as of the same date (``--as-of``,
else HEAD's status date, else BASE's, else today), so the deltas are what the
change does, not what time does.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from pmkit.app.diff import Diff, FigureDelta, RecordChange, Side, compare
from pmkit.app.locate import Program
from pmkit.app.pipeline import Extent, Figures, Underway, source_status_date, start_figures, start_figures_of, status_date
from pmkit.engine.validate import Result, source_settings
from pmkit.core.findings import Finding
from pmkit.core.procs import keep_to_exit
from pmkit.core.wording import count
from pmkit.ingest.gitsource import GitError, GitMissing, GitSource, Repository

WORKING_TREE = "working tree"
#: Rows of a table shown open; longer tables are folded (<details> in Markdown).
OPEN_ROWS = 10
#: The longest markdown diff, in UTF-8 bytes: GitHub refuses a comment over 65,536
#: characters ("body is too long"), and the workflows cut the file at 60,000 bytes
#: (``head -c``), which would end it mid-row with a <details> left open.
COMMENT_MAX = 59_000
#: The rows per table tried, in turn, while the markdown is longer than COMMENT_MAX.
COMMENT_ROWS = (200, 100, 50, 20, 10, 0)


# --- loading -----------------------------------------------------------------------


def _fetch_blobs(source: GitSource) -> None:
    """Every blob validation will read (under program.yaml's size bound), fetched
    now and kept; then git's pipe is closed: the rules child forked while the
    side is validated outlives the source, and closing a pipe the child still
    held would wait for it."""
    source.max_bytes = source_settings(source).max_bytes
    reported = len(source.findings)
    for _ in source.files():
        pass
    del source.findings[reported:]  # validation reads the files again and reports them once
    source.end_reader()


def git_date(repo: Repository, rev: str, folder: str) -> dt.date | None:
    """The status date of program.yaml at ``rev`` (None without one, or without the folder)."""
    try:
        with repo.source(rev, folder) as source:
            return source_status_date(source)
    except GitMissing:
        return None


#: Shared: the two sides of a diff are one program at two moments, so they
#: take the same name in the rule cache and one in-memory store (``Shared``).
def _name(repo: Repository, folder: str) -> str:
    return f"diff\0{repo.root}\0{folder}"


Shared = dict  # (section, key) -> entry: what one side computed, for the other (FileCache.memory)

#: A diff compares no forecast (earned schedule, planned value by month) and
#: nothing but the program's and the projects' figures: the rest is not worked out.
DIFF_EXTENT = Extent(forecasts=False, sections=frozenset())


@dataclass
class Started:
    """One side loaded and its rules started (``Underway``); ``finish`` gives the ``Side``."""

    label: str
    commit: str | None
    files: dict[str, bytes]
    underway: Underway | Figures  # Figures: nothing to work out (a revision without the folder)
    absent: bool = False

    def finish(self) -> Side:
        figures = self.underway if isinstance(self.underway, Figures) else self.underway.finish()
        return Side(self.label, self.commit, self.files, figures, self.absent)


def git_side(repo: Repository, rev: str, folder: str, day: dt.date, use_cache: bool,
             shared: Shared | None = None, rules_in_child: bool = True) -> Started:
    with repo.source(rev, folder) as source:
        _fetch_blobs(source)
        underway = start_figures_of(source, day, use_cache, name=_name(repo, folder), memory=shared,
                                    extent=DIFF_EXTENT, rules_in_child=rules_in_child)
        return Started(rev, source.commit, _files(underway), underway)


def absent_side(repo: Repository, rev: str, day: dt.date) -> Started:
    """A revision without the program folder (before the program was committed, or after it
    was removed): no files, no findings, no figures."""

    return Started(rev, repo.resolve(rev), {}, Figures(day, Result([], 0)), absent=True)


def _git_side_or_absent(repo: Repository, rev: str, folder: str, day: dt.date, use_cache: bool,
                        shared: Shared | None, rules_in_child: bool = True) -> Started:
    try:
        return git_side(repo, rev, folder, day, use_cache, shared, rules_in_child)
    except GitMissing:
        return absent_side(repo, rev, day)


def disk_side(directory: Path, day: dt.date, use_cache: bool, shared: Shared | None = None,
              name: str | None = None, rules_in_child: bool = True) -> Started:
    underway = start_figures(directory, day, use_cache, memory=shared, name=name, extent=DIFF_EXTENT,
                             rules_in_child=rules_in_child)
    return Started(WORKING_TREE, None, _files(underway), underway)


def _files(underway: Underway) -> dict[str, bytes]:
    """A side's files as validation read them: both sides under their program's
    size bound, so a file over it is on neither (its finding says so)."""
    return {f.path: f.data for f in underway.checking.sources}


def run_diff(program: Program, base: str, head: str | None, as_of: dt.date | None, use_cache: bool,
             share: bool = True) -> Diff:
    """Both sides of ``program`` (found in a repository) and their comparison.

    ``share``: the sides share one in-memory store (``FileCache.memory``), so
    a file identical on both sides (same path, same bytes: most of them) is
    parsed and checked once, a rule part whose kinds are unchanged runs once,
    and what the model derives from one file (an expense file's sums, a
    project's typed record) is derived once. Without it each side is computed
    alone: the plain computation the tests compare the shared one with."""
    from pmkit.app.site.privacy import PrivateData, collect_files, redact

    repo = program.repo
    assert repo is not None
    folder = program.folder
    repo.resolve(base)
    if head is not None:
        repo.resolve(head)
    day = as_of or _side_date(program, head) or git_date(repo, base, folder) or dt.date.today()
    shared: Shared | None = {} if share else None
    # The base's rules run in a child while this process builds the base's
    # model and rollup, then loads the head. The head's rules re-run only the
    # parts the change touched (the base's memo is shared): cheaper here than
    # in a forked child, so they wait for the base's and run in this process.
    started = _git_side_or_absent(repo, base, folder, day, use_cache, shared)
    head_rules_in_child = not share
    head_started = (_git_side_or_absent(repo, head, folder, day, use_cache, shared, head_rules_in_child) if head else
                    disk_side(program.directory, day, use_cache, shared, _name(repo, folder) if share else None,
                              head_rules_in_child))
    base_side = started.finish()
    head_side = head_started.finish()
    memo: dict | None = {} if share else None  # a file identical on both sides is read once
    base_private = collect_files(base_side.files.items(), memo, _parsed(base_side))
    head_private = collect_files(head_side.files.items(), memo, _parsed(head_side))
    values = base_private.values | head_private.values  # a value may be quoted on either side

    def scrub_base(found: list[Finding]) -> list[Finding]:
        return redact(found, PrivateData(values, base_private.lines))

    def scrub_head(found: list[Finding]) -> list[Finding]:
        return redact(found, PrivateData(values, head_private.lines))

    return compare(base_side, head_side, folder, day, (scrub_base, scrub_head), reuse=share)


def _parsed(side: Side) -> dict[str, Any]:
    """The side's files with a private field, as validation parsed them (path -> data)."""
    from pmkit.app.site.privacy import private_kinds

    index = side.figures.result.index
    if index is None:
        return {}
    return {doc.path: doc.data for kind in private_kinds() for doc in index.documents_of(kind)}


def _side_date(program: Program, head: str | None) -> dt.date | None:
    assert program.repo is not None
    if head is not None:
        return git_date(program.repo, head, program.folder)
    try:
        return status_date(program.directory)
    except OSError:
        return None


# --- rendering ---------------------------------------------------------------------


def show(value: Any) -> str:
    """A YAML value on one line: exact decimals with separators, dates as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(none)"
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def what(record: RecordChange, folder: str) -> str:
    """The record's change in words: its public fields, or each field's change."""
    parts = []
    if record.action == "renamed":
        old_file = f"{folder}/{record.old_file}" if folder else record.old_file
        parts.append(f"was {record.old_id} in {old_file}")
    if record.summary:
        parts.append("; ".join(f"{k} {show(v)}" for k, v in record.summary.items() if k != "id"))
    for change in record.changes:
        if change.private:
            parts.append(f"{change.path} changed (private)")
        elif change.old is None:
            parts.append(f"{change.path} set to {show(change.new)}")
        elif change.new is None:
            parts.append(f"{change.path} removed (was {show(change.old)})")
        else:
            parts.append(f"{change.path}: {show(change.old)} → {show(change.new)}")
    return "; ".join(p for p in parts if p)


FIGURE_NAMES = {
    "progress": "progress %", "planned": "planned %", "budget.baseline": "budget baseline",
    "budget.current": "budget current", "budget.actual": "actual", "budget.committed": "committed",
    "budget.available": "available", "evm.eac": "EAC", "evm.vac": "VAC", "evm.cpi": "CPI", "evm.spi": "SPI",
    "open_problems": "open problems", "milestones_late": "late milestones", "funding_gap": "funding gap",
    "staffing.fte": "FTE", "fte": "FTE",
}


def figure_name(delta: FigureDelta) -> str:
    if delta.figure.startswith("lines."):
        _, line, name = delta.figure.split(".", 2)
        return f"line {line}: {name}"
    return FIGURE_NAMES.get(delta.figure, delta.figure)


def number(value: Any, money: bool, signed: bool = False) -> str:
    if value is None:
        return "—"
    if money:
        amount = Decimal(str(value))
        text = f"{amount:,f}"
        return f"+{text}" if signed and amount > 0 else text
    if isinstance(value, float):
        value = round(value, 4)
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"+{text}" if signed and value > 0 else text


def _view(diff: Diff) -> dict[str, Any]:
    """What the text and markdown templates show, every value already a string."""
    folder = diff.folder

    def rooted(path: str | None) -> str:
        return f"{folder}/{path}" if folder and path else (path or "")

    counts = diff.counts()
    records = [{"action": r.action, "kind": r.kind, "id": r.id, "file": rooted(r.file), "what": what(r, folder)}
               for r in diff.records]
    deltas = [{"scope": "program" if d.scope == "program" else f"project {d.id}", "figure": figure_name(d),
               "old": number(d.old, d.money), "new": number(d.new, d.money),
               "change": number(d.delta, d.money, signed=True)} for d in diff.figures]

    def finding(f: Finding) -> dict[str, Any]:
        return {"where": f"{rooted(f.file)}:{f.line}", "code": f.code, "severity": f.severity.value,
                "message": f.message}

    acted = [(action, counts[action]) for action in ("added", "removed", "renamed", "changed") if counts[action]]
    if len(acted) == 1:  # "1 record added", "3 records changed"
        headline_records = f"{count(acted[0][1], 'record')} {acted[0][0]}"
    else:  # "4 records: 3 added, 1 changed"
        headline_records = (f"{count(sum(n for _, n in acted), 'record')}: "
                            + ", ".join(f"{n} {action}" for action, n in acted)) if acted else "no record changed"
    moved = ["program"] if any(d.scope == "program" for d in diff.figures) else []
    moved += diff.projects_moved()
    headline_program = [f"{figure_name(d)} {number(d.delta, d.money, signed=True)}" for d in diff.figures
                        if d.scope == "program"][:4]
    return {
        "base": diff.base.label, "head": diff.head.label, "as_of": diff.as_of.isoformat(),
        "currency": diff.currency or "", "records": records, "figures": deltas, "figures_note": diff.figures_note,
        "introduced": [finding(f) for f in diff.introduced], "fixed": [finding(f) for f in diff.fixed],
        "headline_records": headline_records, "moved": moved, "headline_program": headline_program,
        "open_rows": OPEN_ROWS,
    }


def render(diff: Diff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diff.as_json(), indent=2, ensure_ascii=False) + "\n"
    from pmkit.app.site.text import md_cell, md_text
    from pmkit.app.formats import printable
    from pmkit.app.templates import derived

    env = derived({"md_cell": md_cell, "md_text": md_text, "plain": printable})
    view = _view(diff)
    if fmt != "markdown":
        return env.get_template("diff/diff.txt.j2").render(**view)
    template = env.get_template("diff/diff.md.j2")
    view["again"] = f"pmkit diff {diff.base.label}" + (f" {diff.head.label}" if diff.head.commit else "")
    text = template.render(**view, shown=None)
    for shown in COMMENT_ROWS:  # fewer rows per table until GitHub takes the comment
        if len(text.encode("utf-8")) <= COMMENT_MAX:
            break
        text = template.render(**view, shown=shown)
    return text


# --- the command ---------------------------------------------------------------------


def command(program: Program, base: str, head: str | None, fmt: str, as_of: dt.date | None,
            output: Path | None, use_cache: bool) -> None:
    """Run ``pmkit diff`` for the CLI (errors: one line, exit 2)."""
    try:
        diff = run_diff(program, base, head, as_of, use_cache)
    except GitError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"Error: cannot read {exc.filename or program.directory}: {exc.strerror}", err=True)
        sys.exit(2)
    keep_to_exit(diff)
    text = render(diff, fmt)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(f"Error: cannot write {output}: {exc.strerror}", err=True)
            sys.exit(2)
    else:
        click.echo(text, nl=False)
