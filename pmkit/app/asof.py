"""Past dates are computed from the past: the revision in force on an as-of date.

In a git repository, a date D earlier than the working tree's status date is
computed from the revision in force on D: the last commit on the current
branch's first-parent line (HEAD, first parents only, so a merged branch's
own commits are not candidates) whose committer date (the committer's own
calendar day) is on or before D (``Repository.in_force_on``). Outside git,
before the first commit, when that commit has no program folder yet (the
repository began before the program, or it was under another name then), or
for D on or after the status date, the working tree is read and the rollup's
``provenance.note`` says when undated values are later than D. A shallow
clone whose history begins after D is refused (the revision in force is one
``git fetch --unshallow`` away). An explicit ``--rev`` is always obeyed as
given.

Every output names what it used: ``provenance.revision`` and
``revision_date`` in the rollup JSON, a sentence in the views and reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from pmkit.app.locate import Program
from pmkit.domain.model import Model
from pmkit.ingest.gitsource import Commit, GitError, NotRepository, Repository


def repository_of(program: Program) -> Repository | None:
    """The repository holding the program's folder, or None outside git. GitError for a
    repository git refuses to read: its history is there, so today's files would be a
    wrong answer for a past date."""
    if program.repo is not None:
        return program.repo
    try:
        return Repository.find(program.directory.resolve())
    except NotRepository:
        return None


def in_force(program: Program, day: dt.date, files_date: dt.date | None) -> tuple[Program, Commit | None]:
    """The program to read for figures as of ``day`` and the commit it is at (None: the files on disk).

    ``files_date``: the working tree's status date (today without one); a day on
    or after it is read from the working tree."""
    if program.rev is not None:
        assert program.repo is not None
        return program, program.repo.commit(program.rev)
    if files_date is not None and day >= files_date:
        return program, None
    repo = repository_of(program)
    if repo is None:
        return program, None
    try:
        folder = program.folder if program.repo is not None else repo.relative(program.directory)
        sha = repo.in_force_on(day)
    except (GitError, ValueError):
        return program, None  # e.g. a repository without commits yet: the files on disk, with the note
    if sha is None:
        if repo.is_shallow():
            # the clone's history stops after D: the revision in force is upstream, one fetch away
            raise GitError(f"this is a shallow clone: its history begins after {day}, so the revision in force on "
                           f"{day} is not here; run `git fetch --unshallow` (in GitHub Actions: actions/checkout "
                           "with `fetch-depth: 0`)")
        return program, None
    if not repo.has_folder(sha, folder):
        # the program's folder came later (or had another name then): as before the first
        # commit, the files on disk, with the note that undated values are later than D
        return program, None
    commit = repo.commit(sha)
    return dataclasses.replace(program, repo=repo, folder=folder, rev=sha, note=None,
                               shown=program.shown), commit


def stamp(document: dict[str, Any], model: Model, day: dt.date, commit: Commit | None) -> None:
    """Write the revision used into the document's provenance (with its note)."""
    if commit is None:
        return
    from pmkit.rollup import provenance
    from pmkit.rollup.figures import to_json

    document["provenance"] = to_json(provenance(model, day, commit.sha, commit.date.date()), 2)


def before_start(model: Model, day: dt.date) -> str | None:
    """A one-line refusal when ``day`` is before the program's start, else None."""
    return _refusal(day, model.program.start)


def _refusal(day: dt.date, start: dt.date) -> str | None:
    if day < start:
        return (f"{day} is before the program starts ({start}): there are no figures for it; "
                f"give a date on or after {start}")
    return None


def before_start_of_folder(program_dir: Path, day: dt.date | None) -> str | None:
    """``before_start`` read from program.yaml alone, before anything is loaded (the site:
    MkDocs is started only for a date that has figures). Lenient: a program.yaml that
    cannot be read or has no valid start refuses nothing here (validation says why)."""
    if day is None:
        return None
    from pmkit.ingest.loader.yaml12 import parse
    from pmkit.ingest.source import read_guarded

    try:
        data = parse("program.yaml", read_guarded(program_dir, "program.yaml"), want_positions=False).value
        start = dt.date.fromisoformat(str(data.get("start"))) if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None
    return _refusal(day, start) if start is not None else None
