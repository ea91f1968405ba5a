"""``pmkit history``: the click command and its outputs (the series is pmkit.app.history)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from pmkit.app import history as hist
from pmkit.app.render import Column, Table, as_csv, grid
from pmkit.core.wording import count

SERIES_COLUMNS = [
    Column("commit", "Commit"), Column("date", "Date"), Column("project", "Project"), Column("valid", "Valid", "bool"),
    Column("errors", "Errors", "count"), Column("warnings", "Warnings", "count"),
    Column("progress", "Progress", "percent"), Column("planned", "Planned", "percent"),
    Column("pv", "PV", "money"), Column("ev", "EV", "money"), Column("actual", "Actual", "money"),
    Column("committed", "Committed", "money"), Column("current_budget", "Budget", "money"),
    Column("eac", "EAC", "money"), Column("cpi", "CPI", "index"), Column("spi", "SPI", "index"),
    Column("spi_t", "SPI(t)", "index"), Column("forecast_finish", "Forecast finish"),
    Column("funding_gap", "Funding gap", "money"), Column("fte", "FTE", "fte"),
    Column("open_problems", "Open problems", "count"), Column("milestones_late", "Late milestones", "count"),
    Column("author", "Author"), Column("subject", "Subject"), Column("note", "Note"),
]
TABLE_KEYS = ("commit", "date", "project", "errors", "warnings", "progress", "planned", "actual", "current_budget",
              "eac", "cpi", "spi", "fte", "open_problems", "milestones_late")
BASELINE_COLUMNS = [
    Column("commit", "Commit"), Column("date", "Date"), Column("author", "Author"), Column("project", "Project"),
    Column("what", "What"), Column("item", "Item"), Column("old", "Old"), Column("new", "New"),
    Column("subject", "Subject"),
]


def series_table(rows: list[dict[str, Any]], short: bool) -> Table:
    columns = [c for c in SERIES_COLUMNS if not short or c.key in TABLE_KEYS]
    if rows and "project" not in rows[0]:
        columns = [c for c in columns if c.key != "project"]
    body = [[(r[c.key][:10] if short and c.key == "commit" else r.get(c.key)) for c in columns] for r in rows]
    return Table("History", columns, body, "no commits")


def render(rows: list[dict[str, Any]], fmt: str, document: dict[str, Any]) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2) + "\n"
    if fmt == "csv":
        return as_csv(series_table(rows, short=False))
    table = series_table(rows, short=True)
    if not table.rows:
        return "(no commits)\n"
    text = grid(table, "simple") + "\n"
    missing = [r for r in rows if hist.absent(r)]
    unread = [r for r in rows if (r["note"] or "").startswith(hist.UNREADABLE)]
    invalid = [r for r in rows if not r["valid"] and not hist.absent(r)
               and not (r["note"] or "").startswith(hist.UNREADABLE)]
    early = {r["commit"]: r for r in rows if hist.before_start(r)}
    if missing:
        text += (f"\n{count(len(missing), 'commit')} without the program folder {document['folder'] or '.'}/ "
                 "(before it was committed, or while it had another name): no figures.\n")
    if early:
        text += (f"\n{count(len(early), 'commit')} before the program starts: no figures (as `pmkit rollup --as-of` "
                 "refuses a day before the start).\n")
    if unread:
        text += (f"\n{count(len(unread), 'commit')} git could not read: no figures, and not kept in the cache, so "
                 f"the next run reads them again (why: {unread[0]['note']}).\n")
    if invalid:
        text += (f"\n{count(len(invalid), 'commit')} where the program does not validate: no figures (errors counted; "
                 "`pmkit validate --rev COMMIT` shows them).\n")
    return text


def render_baselines(changes: list[dict[str, Any]], fmt: str, document: dict[str, Any]) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2) + "\n"
    table = Table("Baseline changes", BASELINE_COLUMNS,
                  [[(c[col.key][:10] if col.key == "commit" and fmt == "table" else c[col.key])
                    for col in BASELINE_COLUMNS] for c in changes], "no baseline changes")
    if fmt == "csv":
        return as_csv(table)
    return (grid(table, "simple") + "\n") if table.rows else "(no baseline changes)\n"


class Progress:
    """``commit 120 of 1000`` on one line of a terminal, while a long series is worked out.

    Only on a terminal (a log or a pipe gets nothing), at most twice a
    second, and only once the run has taken a second (a cached series
    prints nothing); the line is cleared at the end, so the output that
    follows is what it would be without it."""

    def __init__(self, chosen: list[hist.Step], stream: TextIO | None = None, after: float = 1.0,
                 every: float = 0.5) -> None:
        self.stream, self.after, self.every = stream or sys.stderr, after, every
        #: the commit's place in the series (the baseline log reads only some of them)
        self.place = {step.sha: n for n, step in enumerate(chosen, 1)}
        self.on = self.stream.isatty()
        self.started = time.monotonic()
        self.shown = self.started - every
        self.printed = False

    def step(self, step: hist.Step, *_: object) -> None:
        """``step``'s row is read."""
        now = time.monotonic()
        if self.on and now - self.started >= self.after and now - self.shown >= self.every:
            self.shown, self.printed = now, True
            self.stream.write(f"\rpmkit history: commit {self.place[step.sha]} of {len(self.place)}")
            self.stream.flush()

    def end(self) -> None:
        if self.printed:
            self.stream.write("\r\033[K")
            self.stream.flush()


class UnknownProject(ValueError):
    """``--project ID`` names no project of any valid commit of the series (a typo, most likely)."""


def run(program_dir: Path, since: str | None, until: str | None, by: str, project: str | None, all_projects: bool,
        fmt: str, baselines: bool, use_cache: bool) -> str:
    repo, folder = hist.locate_repository(program_dir)
    chosen = hist.steps(repo, since, until, "commit" if baselines else by)
    if chosen and repo.is_shallow():
        # the first rows are where the clone was cut, not where the program began: say so
        sys.stderr.write(f"pmkit history: this is a shallow clone: its history begins at {chosen[0].sha[:12]} "
                         f"({chosen[0].day}); run `git fetch --unshallow` for all of it (in GitHub Actions: "
                         "actions/checkout with `fetch-depth: 0`).\n")
    progress = Progress(chosen)
    try:
        if baselines:
            known: set[str] = set()
            changes = hist.baseline_changes(repo, folder, chosen, use_cache, each=progress.step, seen=known)
            if project is not None:  # one project's changes (a mistyped id is refused, as for the series)
                if known and project not in known:
                    raise UnknownProject(f"no project {project!r} in any commit of the series; its projects: "
                                         f"{', '.join(sorted(known))}")
                changes = [c for c in changes if c["project"] == project]
            return render_baselines(changes, fmt, {"folder": folder, "changes": changes})
        seen: set[str] = set()  # the projects of the valid commits (to name them if --project is none of them)

        def each(step: hist.Step, row: dict[str, Any]) -> None:
            progress.step(step)
            if row["valid"]:
                seen.update(row.get("projects") or {})

        rows = hist.series(repo, folder, chosen, project, all_projects, use_cache, each=each)
    finally:
        progress.end()
    if project is not None:
        _known_project(rows, project, seen)
    document = {"folder": folder, "by": by, "project": project, "all_projects": all_projects, "rows": rows}
    return render(rows, fmt, document)


def _known_project(rows: list[dict[str, Any]], project: str, seen: set[str]) -> None:
    """Refuse a ``--project`` that no valid commit of the series has: a table of dashes
    would hide the typo. (A project some commits lack is fine: their rows say so.)
    ``seen``: the projects of the valid commits."""
    if project in seen or not any(row["valid"] for row in rows):
        return
    raise UnknownProject(f"no project {project!r} in any commit of the series; its projects: "
                         f"{', '.join(sorted(seen)) or 'none'}")
