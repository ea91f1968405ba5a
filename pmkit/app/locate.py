"""Which program a command reads, and from where: a folder on disk or a git revision.

Without DIR, a command run in a git repository finds the program the same
way every time: the folder named by the pmkit plugin's ``program:`` option in
the repository's ``mkdocs.yml``, else ``program/``; it says on stderr which it
used. Findings then show paths relative to the repository root whatever the
working directory (``program/projects/erp.yaml``). With an explicit DIR and
no ``--rev`` they show ``DIR/<file>`` as typed (relative to the working
directory), as before; with ``--rev`` they are relative to the repository
root. Inside pmkit findings always name files relative to the program folder,
so a revision and the working tree name the same paths.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pmkit.app.pipeline import Figures, figures, figures_of, source_status_date, status_date
from pmkit.core.findings import Finding
from pmkit.engine.validate import Result, validate_directory, validate_source
from pmkit.ingest.gitsource import GitError, GitSource, NotRepository, Repository

DEFAULT_FOLDER = "program"


class NoProgram(Exception):
    """No program where the command looked; ``str`` is one line for the user."""


@dataclass
class Program:
    """A program on disk (``rev`` None) or at a revision of ``repo``."""

    directory: Path  # on disk (for a revision: where it would be in the working tree)
    shown: str  # what finding paths are joined to when printed
    repo: Repository | None = None
    folder: str = ""  # relative to the repository root
    rev: str | None = None
    note: str | None = None  # what to tell the user on stderr about how it was found

    @property
    def rooted(self) -> bool:
        """Whether printed paths are relative to the repository root (found, or at a revision)."""
        return self.repo is not None

    def report_paths(self, findings: list[Finding]) -> tuple[list[Finding], str]:
        """Findings as every output format prints them, and the root a Report joins them to:
        relative to the repository root when ``rooted``, else to DIR as given."""
        if not self.rooted:
            return findings, self.shown
        return [replace(f, file=posixpath.join(self.folder, f.file) if self.folder else f.file)
                for f in findings], "."

    def source(self) -> GitSource:
        assert self.repo is not None and self.rev is not None
        return self.repo.source(self.rev, self.folder)

    def status_date(self) -> dt.date | None:
        if self.rev is None:
            return status_date(self.directory)
        with self.source() as source:
            return source_status_date(source)

    def validate(self, as_of: dt.date | None, use_cache: bool, need_index: bool = False,
                 memory: dict[tuple[str, str], object] | None = None, name: str | None = None) -> Result:
        """``memory`` and ``name``: one store and one rule-cache name for two
        versions of the program validated one after the other (``validate
        --changed-since``), as ``pmkit diff`` has (see ``validate_source``)."""
        if self.rev is None:
            return validate_directory(self.directory, as_of, use_cache=use_cache, need_index=need_index,
                                      memory=memory, name=name)
        with self.source() as source:
            return validate_source(source, as_of, use_cache=use_cache, name=name or self.cache_name, memory=memory)

    def figures(self, as_of: dt.date | None, use_cache: bool) -> Figures:
        if self.rev is None:
            return figures(self.directory, as_of, use_cache)
        with self.source() as source:
            return figures_of(source, as_of, use_cache, self.cache_name)

    @property
    def cache_name(self) -> str:
        """What names a revision's program in the rule cache (one slot per folder, apart from the disk's)."""
        root = self.repo.root if self.repo is not None else self.directory
        return f"git\0{root}\0{self.folder}"


def configured_folder(root: Path) -> str | None:
    """The pmkit plugin's ``program:`` in ``root/mkdocs.yml``, if set."""
    from pmkit.app.site.build import CONFIG_NAMES, _read_config

    for name in CONFIG_NAMES:
        path = root / name
        try:
            data = _read_config(path) or {}
        except OSError as exc:
            raise NoProgram(f"{exc.strerror} ({path})") from exc
        plugins: Any = data.get("plugins")
        entries = plugins.items() if isinstance(plugins, dict) else (
            (k, v) for p in plugins if isinstance(p, dict) for k, v in p.items()) if isinstance(plugins, list) else ()
        for key, options in entries:
            if key == "pmkit" and isinstance(options, dict) and isinstance(options.get("program"), str):
                # as git names it ("./program/" is "program"; "." the root): findings, annotations
                # and the files a change touched are compared by these paths
                written = options["program"].strip().strip("/")
                return posixpath.normpath(written) if written else None
    return None


def locate(directory: Path | None, rev: str | None = None, cwd: Path | None = None) -> Program:
    """The program a command reads. Raises NoProgram or GitError (one line each)."""
    cwd = cwd or Path.cwd()
    if directory is None and (cwd / "program.yaml").is_file():
        directory = Path(".")  # run inside a program folder: as before
    if directory is not None:
        return _given(directory, rev)
    try:
        repo = Repository.find(cwd)
    except NotRepository:  # (a repository git refuses to read is said to be one: GitError)
        return _outside_git(cwd, rev)
    configured = configured_folder(repo.root)
    folder = configured or DEFAULT_FOLDER
    how = "from mkdocs.yml" if configured else "the default"
    on_disk = repo.root / folder
    if rev is None and not (on_disk / "program.yaml").is_file():
        raise NoProgram(f"found no program in this repository: {folder}/ ({how}) holds no program.yaml; "
                        "give the program folder: pmkit COMMAND DIR")
    note = f"pmkit: using the program in {folder}/ ({how})"
    if rev is not None:
        repo.resolve(rev)
    return Program(on_disk, folder, repo, _in_git(repo, on_disk, folder), rev, note)


def _in_git(repo: Repository, on_disk: Path, folder: str) -> str:
    """The folder as git names it: where a link on disk points (``program -> plans/fy27``: git
    holds the link itself at ``program``, the files at ``plans/fy27``), '' for the root."""
    if on_disk.is_dir():
        try:
            return repo.relative(on_disk)
        except ValueError:  # (a link out of the repository: git has no files there)
            pass
    return "" if folder == "." else folder


def _outside_git(cwd: Path, rev: str | None) -> Program:
    """Not in a git repository (e.g. just after `pmkit init DIR`): the program
    folder named by the pmkit plugin in the working directory's mkdocs.yml.
    Without that file nothing is guessed (the error suggests program/)."""
    folder = configured_folder(cwd)
    if rev is not None or folder is None or not (cwd / folder / "program.yaml").is_file():
        raise NoProgram(_missing(cwd, "."))
    return Program(Path(folder), folder, note=f"pmkit: using the program in {folder}/ (from mkdocs.yml)")


def _given(directory: Path, rev: str | None) -> Program:
    if rev is None:
        if not (directory / "program.yaml").is_file():
            raise NoProgram(_missing(directory, directory.as_posix()))
        return Program(directory, directory.as_posix())
    repo = Repository.find(directory)
    try:
        folder = repo.relative(directory)
    except ValueError:
        raise NoProgram(f"{directory} is not inside the repository {repo.root}") from None
    repo.resolve(rev)
    return Program(directory, folder or ".", repo, folder, rev)


def _missing(directory: Path, shown: str) -> str:
    for candidate in (configured_folder(directory), DEFAULT_FOLDER):
        if candidate and (directory / candidate / "program.yaml").is_file():
            return (f"{shown} holds no program.yaml; did you mean {(Path(shown) / candidate).as_posix()}/? "
                    f"(pmkit validate {(Path(shown) / candidate).as_posix()})")
    return f"{shown} holds no program.yaml; is it a pmkit program directory?"

