"""``pmkit validate --changed-since REV``: report what a change touches or causes.

Every rule still runs on the whole program (references cross files). A
finding is reported when

- its file changed since REV: committed since the merge base of REV and HEAD,
  staged, modified in the working tree, or untracked (git's own lists), or
- it is new compared with validating the program at that merge base: same
  file, line, column, code and message not found there. This catches what a
  change causes elsewhere, e.g. a reference in an untouched file to a
  project the change deleted, or every finding when the program folder did
  not exist at REV.

Everything else was there before the change and is counted as hidden.
Paths are compared relative to the repository root.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from pmkit.app.locate import Program
from pmkit.core.findings import Finding
from pmkit.engine.validate import rule_name
from pmkit.ingest.gitsource import GitError, NotRepository, Repository


@dataclass(frozen=True)
class Filtered:
    shown: list[Finding]  # repository-rooted paths, as report_paths gives them
    hidden: int
    base: str  # the commit the change is measured from


def rooted(program: Program) -> Program:
    """``program`` with finding paths relative to the repository root, when it lies in one.
    GitError for a repository git refuses to read (its reason, rather than paths a CI
    cannot place)."""
    if program.rooted:
        return program
    try:
        repo = Repository.find(program.directory)
        folder = repo.relative(program.directory)
    except (NotRepository, ValueError):
        return program
    return replace(program, repo=repo, folder=folder, shown=folder or ".")


def _git_lines(root: Path, *args: str) -> list[str]:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from exc
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {first[0] if first else 'exit ' + str(done.returncode)}")
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def merge_base(repo: Repository, rev: str) -> str:
    """Where the change starts: the merge base of REV and HEAD (REV itself if they share none)."""
    commit = repo.resolve(rev)
    try:
        return _git_lines(repo.root, "merge-base", "-z", commit, "HEAD")[0].strip()
    except (GitError, IndexError):
        return commit


def changed_files(repo: Repository, base: str) -> set[str]:
    """Files (relative to the repository root) that differ between ``base`` and the working tree, or are new."""
    # core.quotepath off and -z: names exactly as stored, however odd.
    changed = _git_lines(repo.root, "-c", "core.quotepath=off", "diff", "--name-only", "--no-renames", "-z", base, "--")
    untracked = _git_lines(repo.root, "-c", "core.quotepath=off", "ls-files", "-z", "--others", "--exclude-standard")
    return set(changed) | set(untracked)


def _key(finding: Finding) -> tuple[str, int, int, str, str]:
    return (finding.file, finding.line, finding.column, finding.code, finding.message)


#: One in-memory store for the working tree and the base (``Program.validate``)
#: without a cache: a file the change left alone is parsed and checked once,
#: and a rule part whose kinds it did not touch runs once.
Shared = dict[tuple[str, str], object]


def shared_name(program: Program) -> str:
    """What names both versions of the program in the rule cache, sharing a ``Shared``."""
    return f"changed-since\0{program.directory}"


def filter_changed(program: Program, findings: list[Finding], rev: str, as_of: dt.date | None,
                   use_cache: bool, shared: Shared | None = None) -> Filtered:
    """The findings of ``program`` (already repository-rooted) that the change since ``rev`` touches or causes.
    ``shared``: the store the working tree was validated with (under ``shared_name``).

    Raises GitError (one line) when the program is not in a repository or REV is unknown.
    """
    if program.repo is None:
        raise GitError(f"--changed-since needs a git repository; {program.directory} is not inside one")
    repo = program.repo
    base = merge_base(repo, rev)
    changed = changed_files(repo, base)
    before = _findings_at(program, base, as_of, use_cache, shared)
    shown = [f for f in findings if f.file in changed or _key(f) not in before]
    return Filtered(shown, len(findings) - len(shown), base)


def _findings_at(program: Program, commit: str, as_of: dt.date | None, use_cache: bool,
                 shared: Shared | None) -> set[tuple[str, int, int, str, str]]:
    """The keys of the findings at ``commit``, repository-rooted; none when the folder did not exist then."""
    at_base = replace(program, rev=commit, note=None)
    try:
        name = shared_name(program) if shared is not None else rule_name(program.directory)
        result = at_base.validate(as_of, use_cache=use_cache, memory=shared, name=name)
    except GitError:
        return set()  # no program at REV: everything the change brings is new
    found, _ = at_base.report_paths(result.findings)
    return {_key(f) for f in found}
