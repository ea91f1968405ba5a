"""What the site is rendered from: validate, build the model, compute the rollup.

``load(program_dir, as_of)`` runs :func:`pmkit.app.pipeline.figures`, the same
pipeline as ``pmkit rollup``, and returns everything
:func:`pmkit.app.site.pages.render_site` needs, with private values redacted
from the findings. With any validation error there is no model and no
rollup: the site shows the findings and no figure computed from invalid data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmkit.core.findings import Finding
from pmkit.domain.model import Model


@dataclass
class HistoryData:
    """The History page's series (``pmkit.app.history``), or why there is none."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None  # one sentence when there is nothing to draw
    by: str = "month"  # the step: commit, day, week or month
    folder: str = ""  # the program folder, relative to the repository's root
    shallow: bool = False  # a shallow clone: the series begins where the clone was cut

    @property
    def invalid(self) -> int:
        """The points where the program did not validate (a commit without it is no point,
        and one git could not read is counted apart: ``unread``)."""
        return sum(not r["valid"] for r in self.points) - self.unread

    @property
    def early(self) -> int:
        """The points before the program's start: no figures (only findings are drawn)."""
        from pmkit.app.history import before_start

        return sum(before_start(r) for r in self.points)

    @property
    def unread(self) -> int:
        """The points git could not read (a partial clone's remote out of reach): not the commit's fault."""
        from pmkit.app.history import UNREADABLE

        return sum((r["note"] or "").startswith(UNREADABLE) for r in self.points)

    @property
    def points(self) -> list[dict[str, Any]]:
        """The rows drawn: those of commits holding the program folder (before it was
        committed there is no program, and no finding to count)."""
        from pmkit.app.history import absent

        return [r for r in self.rows if not absent(r)]

    @property
    def before(self) -> int:
        """The rows of commits without the program folder, left out of the charts."""
        return len(self.rows) - len(self.points)


#: What the plugin's ``history`` option may say (``true`` means ``month``, ``false`` turns it off).
HISTORY_STEPS = ("commit", "day", "week", "month")
HISTORY_OFF = ("The history is turned off for this site (the pmkit plugin's option `history: false` in "
               "mkdocs.yml): set it to `month`, `week`, `day` or `commit` to draw it.")


@dataclass(frozen=True)
class Origin:
    """Where a program folder's files were exported from: a commit of a repository
    (``pmkit site build --rev REV``, or ``--as-of D`` in git: the revision in force on D).
    The History page reads that repository's history up to the commit, and the
    dashboard names the revision, as every other output does."""

    root: Path  # the repository's work tree
    folder: str  # the program folder, relative to the root
    commit: str  # the full sha
    date: dt.date  # its committer day
    by_date: bool = True  # the revision in force on the as-of date (false: named by --rev)

    def as_option(self) -> dict[str, Any]:
        """As the plugin's ``origin`` option holds it."""
        return {"root": str(self.root), "folder": self.folder, "commit": self.commit, "date": self.date.isoformat(),
                "by_date": self.by_date}

    @classmethod
    def from_option(cls, value: dict[str, Any]) -> Origin:
        return cls(Path(str(value["root"])), str(value["folder"]), str(value["commit"]),
                   dt.date.fromisoformat(str(value["date"])), bool(value.get("by_date", True)))


def load_history(program_dir: Path, use_cache: bool = True, by: str = "month",
                 since: dt.date | None = None, origin: Origin | None = None) -> HistoryData:
    """The series (the last commit of each ``by`` period, from ``since``) and the baseline changes
    of the repository holding the program, if any (``origin``: the repository and commit the
    program's files were exported from; the series ends at that commit)."""
    from pmkit.app import history
    from pmkit.ingest.gitsource import GitError, NotRepository, Repository

    try:
        repo, folder = ((Repository(origin.root), origin.folder) if origin is not None
                        else history.locate_repository(program_dir))
    except (NotRepository, ValueError):
        return HistoryData(reason="The program is not in a git repository, so there is no history to draw: "
                                  "commit its files to git and each commit becomes a point here.")
    except GitError as exc:
        return HistoryData(reason=f"The repository's history cannot be read ({exc}), so there is none to draw.")
    try:
        every = history.steps(repo, since.isoformat() if since is not None else None,
                              origin.commit if origin is not None else None)
    except GitError as exc:
        return HistoryData(reason=f"The repository's history cannot be read ({exc}), so there is none to draw.")
    if not every:
        last = history.steps(repo, None, origin.commit if origin is not None else None)[-1:] if since else []
        if last:  # (the plugin's history_since is after the last commit: a typo of the year, most likely)
            return HistoryData(reason=f"No commit since {since} (the pmkit plugin's `history_since`): the last "
                                      f"one is of {last[0].day}, so there is nothing to draw.")
        return HistoryData(reason="The repository has no commit yet: each commit will become a point here.")
    rows = history.series(repo, folder, history.bucket(every, by), use_cache=use_cache)
    return HistoryData(rows, history.baseline_changes(repo, folder, every, use_cache), by=by, folder=folder,
                       shallow=repo.is_shallow())


@dataclass
class SiteData:
    program_dir: Path
    as_of: dt.date
    findings: list[Finding]  # private values redacted
    files: int
    model: Model | None = None
    document: dict[str, Any] | None = None  # pmkit.rollup.as_json
    history: HistoryData | None = None
    origin: Origin | None = None  # the commit the files were exported from, if any

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


def load(program_dir: Path, as_of: dt.date | None = None, use_cache: bool = True, history: str | None = None,
         history_since: dt.date | None = None, origin: Origin | None = None) -> SiteData:
    """The program's site data; its git history by ``history`` (a step of HISTORY_STEPS), or none
    (``None``: the History page says it was not loaded), from ``history_since`` if given.
    ``origin``: the commit ``program_dir``'s files were exported from (see ``Origin``)."""
    from pmkit.app.pipeline import Extent, figures
    from pmkit.app.site.privacy import collect, redact

    computed = figures(program_dir, as_of, use_cache, extent=Extent(report_months=True))
    result = computed.result
    if origin is not None and computed.document is not None and computed.model is not None:
        from pmkit.rollup import provenance
        from pmkit.rollup.figures import to_json

        computed.document["provenance"] = to_json(
            provenance(computed.model, computed.as_of, origin.commit, origin.date), 2)
    # Reading every private value means parsing the files again: only when there is something to redact.
    findings = redact(result.findings, collect(program_dir)) if result.findings else []
    return SiteData(program_dir, computed.as_of, findings, result.files, computed.model, computed.document,
                    _history(program_dir, use_cache, history, history_since, origin)
                    if computed.document is not None else None, origin)


def _history(program_dir: Path, use_cache: bool, by: str | None, since: dt.date | None,
             origin: Origin | None = None) -> HistoryData | None:
    if by is None:
        return None
    if by == "off":
        return HistoryData(reason=HISTORY_OFF)
    return load_history(program_dir, use_cache, by, since, origin)
