"""Where a site's figures come from in git, and the program at that revision
for MkDocs, which reads a folder.

``site_origin`` is THE place that picks the revision a site is built from:
``pmkit site build``, ``site export`` and ``site serve`` call it, and so does
the MkDocs plugin in a plain ``mkdocs build``/``mkdocs serve`` whose
mkdocs.yml sets ``as_of`` (then no ``origin`` option is given). ``exported``
writes that revision's files to a temporary folder outside the repository
(nothing is written to the repository or its work tree); the site's own
pages and theme come from the working tree's mkdocs.yml.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pmkit.app.locate import Program

if TYPE_CHECKING:
    from pmkit.app.site.data import Origin


def site_origin(program: Program, as_of: dt.date | None) -> tuple[Program, Origin | None]:
    """The program a site is built from, and where its files come from in git: the
    revision given by --rev, else for an as-of date D the revision in force on D (as
    every view reads it, ``asof.in_force``), else the working tree (None).

    Raises GitError (e.g. a shallow clone whose history begins after D) and OSError
    (the working tree's program.yaml cannot be read) for the caller to word."""
    from pmkit.app.asof import in_force
    from pmkit.app.site.data import Origin

    commit = None
    by_date = False
    if program.rev is not None and program.repo is not None:
        commit = program.repo.commit(program.rev)
    elif as_of is not None:
        program, commit = in_force(program, as_of, program.status_date() or dt.date.today())
        by_date = True
    if commit is None or program.repo is None:
        return program, None
    return program, Origin(program.repo.root, program.folder, commit.sha, commit.date.date(), by_date)


def origin_sentence(origin: Origin, as_of: dt.date | None) -> str:
    """Which revision the figures come from, in the words of the views and the site."""
    why = (f", the last commit on or before {as_of}" if origin.by_date and as_of is not None
           else ", as given by --rev")
    return f"figures from revision {origin.commit[:12]} of {origin.date}{why}"


@contextmanager
def exported(program: Program) -> Iterator[Path | None]:
    """The folder holding ``program``'s files at its revision (None: on disk already)."""
    if program.rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="pmkit-rev-") as tmp, program.source() as source:
        root = Path(tmp) / "program"
        root.mkdir()
        for file in source.files():
            target = root / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
        yield root
