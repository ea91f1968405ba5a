"""A program at a git revision for MkDocs, which reads a folder: its files
exported to a temporary folder outside the repository (nothing is written to
the repository or its work tree); the site's own pages and theme come from
the working tree's mkdocs.yml."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pmkit.app.locate import Program


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
