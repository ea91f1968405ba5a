"""A program folder at any git revision, read straight from git's objects.

``GitSource`` has the interface the engine uses of ``DirectorySource``
(``paths``, ``names``, ``read``, ``files``, ``findings``, ``signature``), so
findings for a revision name the same paths as for the working tree. Nothing
is checked out and nothing is written to the repository: the tree comes from
one ``git ls-tree -r -t -l -z`` and every blob from ONE long-lived
``git cat-file --batch`` process (one process for thousands of blobs; no
library to install, git is there wherever the repository is).

``Repository`` holds the few questions ``--rev``, ``pmkit diff`` and
``pmkit history`` ask of git: where the repository is, what a revision names,
when and by whom a commit was made, which commit was in force on a day.

Every problem with the repository or a revision is a ``GitError`` whose
message is one line (the CLI prints it and exits 2); a problem with one file
(a link out of the program, a submodule or an LFS pointer where a YAML file
should be) is a finding on that file, as for a directory.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.ingest.source import (
    DEFAULT_MAX_BYTES, FILE_TOO_LARGE, NOT_A_FILE, PATH_OUTSIDE, UNREADABLE, Signature, SourceFile, _is_utf8,
    _megabytes,
)

LFS_POINTER = Code(
    "lfs-pointer", Severity.ERROR, "yaml",
    "The file in git is a Git LFS pointer, not the YAML itself. pmkit reads "
    "the repository's own objects; keep program files out of LFS "
    "(`git lfs untrack` the pattern and commit the files again).",
)

_MB = 1024 * 1024
_LFS_HEAD = b"version https://git-lfs.github.com/spec/"
_MAX_LINK_HOPS = 40  # as the kernel's ELOOP bound

MODE_TREE, MODE_LINK, MODE_GITLINK = "040000", "120000", "160000"


class GitError(Exception):
    """A repository or revision problem; ``str(error)`` is one line for the user."""


class GitMissing(GitError):
    """The program folder is not in the commit (it came later, or had another name then)."""


class NotRepository(GitError):
    """The folder is in no git repository at all (the only GitError that means "outside git")."""


def _reason(stderr: bytes | None) -> str:
    """What a failed git said, in one line (a partial clone's remote out of reach, said so)."""
    lines = [line.strip().removeprefix("fatal: ") for line in (stderr or b"").decode("utf-8", "replace").splitlines()
             if line.strip()]
    promisor = next((line for line in lines if "promisor remote" in line), None)
    if promisor is not None:
        return (f"{promisor} (this is a partial clone: git fetches old file versions from its remote on demand, "
                "and that remote cannot be reached: reconnect to it, or work from a full clone, one made "
                "without `--filter`)")
    return lines[0] if lines else "git failed"


def _refusal(folder: Path, stderr: str) -> GitError:
    """Why ``git rev-parse --show-toplevel`` failed in ``folder``, in one line: no repository
    (``NotRepository``), or one git will not read (git's own words, and its fix)."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    first = lines[0].removeprefix("fatal: ") if lines else ""
    if not lines or (first.startswith("not a git repository") and "(or any" in first):
        return NotRepository(f"{folder} is not inside a git repository (no .git found above it)")
    if first.startswith("not a git repository: "):
        return GitError(f"{folder} has a .git file pointing at {first.removeprefix('not a git repository: ')}, "
                        "which is not a git repository (was the repository it belongs to moved or deleted?)")
    if "must be run in a work tree" in first:
        return GitError(f"{folder} is in a bare repository (or inside a .git folder), which has no working tree "
                        "for pmkit to find the program in: run pmkit in a clone with one (git clone)")
    if "dubious ownership" in first:
        fix = next((line for line in lines if "safe.directory" in line), "")
        return GitError(f"git refuses the repository at {folder}: {first} (another user owns it); "
                        f"if you trust it, run `{fix}`" if fix else f"git refuses the repository at {folder}: {first}")
    return GitError(f"git cannot read the repository at {folder}: {first}")


class GitStopped(GitError):
    """git stopped while it was being read (killed, out of memory): a failure of
    this run, not of the revision, which another run may read."""


#: for every ``git log`` and ``git show`` whose lines pmkit parses: a user's ``log.showSignature``
#: would otherwise put each signed commit's signature check among them
NO_SIGNATURE = "--no-show-signature"


def _untranslated() -> dict[str, str]:
    """The environment for a git whose messages pmkit tells apart ("not a git repository"):
    git translates them (LANGUAGE=fr: "n'est un dépôt git")."""
    return {**os.environ, "LC_ALL": "C", "LANGUAGE": "C"}


def _git(cwd: Path, *args: str, check: bool = True,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, env=env)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (or not on PATH)") from exc
    except OSError as exc:
        raise GitError(f"cannot run git in {cwd}: {exc.strerror}") from exc
    if check and done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {first[0] if first else 'exit ' + str(done.returncode)}")
    return done


@dataclass(frozen=True)
class Commit:
    sha: str
    date: dt.datetime  # committer date, with its own offset
    author: str
    subject: str


class Repository:
    """A git repository found from a folder inside it (its work tree)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def find(cls, folder: Path) -> Repository:
        """The repository holding ``folder``; GitError if there is none."""
        folder = folder if folder.is_dir() else folder.parent
        done = _git(folder, "rev-parse", "--show-toplevel", check=False, env=_untranslated())
        if done.returncode != 0:
            raise _refusal(folder, done.stderr.decode("utf-8", "replace"))
        return cls(Path(done.stdout.decode("utf-8", "surrogateescape").strip()))

    def relative(self, folder: Path) -> str:
        """``folder`` as a POSIX path relative to the root ('' for the root itself)."""
        rel = folder.resolve().relative_to(self.root.resolve()).as_posix()
        return "" if rel == "." else rel

    def is_shallow(self) -> bool:
        return _git(self.root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"

    def has_commits(self) -> bool:
        """Whether HEAD names a commit (False in a repository with nothing committed yet)."""
        return _git(self.root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).returncode == 0

    def has_folder(self, rev: str, folder: str) -> bool:
        """Whether ``folder`` (relative to the root; '' the root) is a folder at commit ``rev``."""
        return self.kind_at(folder_spec(rev, folder)) == b"tree"

    def changed_paths(self, old_tree: str, new_tree: str) -> list[str]:
        """The files that differ between two trees (added, removed or changed), relative to them;
        [] when git cannot tell (an object missing)."""
        done = _git(self.root, "-c", "core.quotepath=off", "diff-tree", "-r", "-z", "--name-only", "--no-renames",
                    old_tree, new_tree, check=False)
        if done.returncode != 0:
            return []
        return [name.decode("utf-8", "surrogateescape") for name in done.stdout.split(b"\0") if name]

    def kind_at(self, spec: str) -> bytes | None:
        """git's type of the object ``spec`` names (``b"tree"``, ``b"blob"``, ``b"commit"``), None if none."""
        done = _git(self.root, "cat-file", "-t", spec, check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def resolve(self, rev: str) -> str:
        """The commit ``rev`` names (a branch, tag, ``HEAD~3``, a sha)."""
        if not rev or rev.startswith("-"):
            raise GitError(f"{rev!r} is not a revision")
        done = _git(self.root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
                    check=False)
        if done.returncode == 0:
            return done.stdout.decode().strip()
        if self.is_shallow():
            raise GitError(f"unknown revision {rev!r}: this is a shallow clone that may not hold it; run "
                           "`git fetch --unshallow` (in GitHub Actions: actions/checkout with `fetch-depth: 0`)")
        raise GitError(f"unknown revision {rev!r} in {self.root}")

    def commit(self, rev: str) -> Commit:
        sha = self.resolve(rev)
        out = _git(self.root, "show", NO_SIGNATURE, "-s", "--format=%H%x00%cI%x00%an%x00%s", sha).stdout
        full, date, author, subject = out.decode("utf-8", "replace").rstrip("\n").split("\0", 3)
        return Commit(full, dt.datetime.fromisoformat(date), author, subject)

    def in_force_on(self, day: dt.date, rev: str = "HEAD") -> str | None:
        """The last commit on ``rev``'s first-parent line (the current branch)
        committed on or before ``day`` (the committer's own calendar day), or
        None if the branch began after it."""
        tip = self.resolve(rev)
        out = _git(self.root, "log", NO_SIGNATURE, "--first-parent", "--format=%H %cI", tip).stdout.decode()
        for line in out.splitlines():
            sha, date = line.split(" ", 1)
            if dt.date.fromisoformat(date[:10]) <= day:
                return sha
        return None

    def source(self, rev: str, folder: str, max_bytes: int = DEFAULT_MAX_BYTES,
               memory: dict[tuple[str, str], object] | None = None, tree: str | None = None) -> GitSource:
        """The files of ``folder`` (relative to the root) at ``rev``; ``memory``: see ``GitSource``.
        ``tree``: the folder's tree id at ``rev``, a full commit id, when the caller knows them
        (``pmkit history`` asks them of every commit at once): two git processes fewer."""
        commit = rev if tree is not None else self.resolve(rev)
        return GitSource(self, commit, folder, max_bytes, rev, memory, tree)


def folder_spec(rev: str, folder: str) -> str:
    """What names ``folder`` (relative to the root; '' the root) at ``rev`` for git."""
    return f"{rev}:{folder}" if folder else f"{rev}^{{tree}}"


@dataclass(frozen=True)
class Entry:
    mode: str
    kind: str  # blob, tree, commit
    oid: str
    size: int | None


class BlobReader:
    """One ``git cat-file --batch`` process for every blob asked of it."""

    def __init__(self, root: Path) -> None:
        try:
            self._proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise GitError(f"cannot run git cat-file: {exc.strerror}") from exc

    def read_many(self, oids: list[str]) -> list[bytes | None]:
        """The blobs' bytes in order (None for a missing object). The requests
        are written by a thread while this one reads, so neither pipe fills."""
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        request = "".join(f"{oid}\n" for oid in oids).encode()

        def write() -> None:
            try:
                proc.stdin.write(request)  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
            except (OSError, ValueError):
                # git is gone (a broken pipe), or the reader was closed meanwhile (Ctrl-C:
                # ``close`` shuts the pipe under this write): nobody waits for the rest
                pass

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        out: list[bytes | None] = []
        for _ in oids:
            header = proc.stdout.readline()
            if not header:
                raise GitStopped("git cat-file stopped unexpectedly")
            parts = header.split()
            if len(parts) < 3 or parts[1] == b"missing":
                out.append(None)
                continue
            size = int(parts[2])
            data = proc.stdout.read(size)
            if len(data) < size or proc.stdout.read(1) != b"\n":  # (the newline after the content)
                raise GitStopped("git cat-file stopped unexpectedly")
            out.append(data)
        writer.join()
        return out

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            # A read stopped half-way (Ctrl-C) leaves git writing what nobody
            # will read, and perhaps the requests' writer waiting for git to
            # read them: git would wait for room in its pipe for ever, and
            # this for git. Its output closed first, git's write fails and it
            # ends, and so does the writer's.
            self._proc.stdout.close()
            try:
                self._proc.stdin.close()
            except OSError:  # git is gone: what it was not sent does not matter
                pass
            self._proc.wait()


class GitSource:
    """The YAML files of a program folder at one commit, paths relative to the folder."""

    def __init__(self, repo: Repository, commit: str, folder: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 rev: str | None = None, memory: dict[tuple[str, str], object] | None = None,
                 tree: str | None = None) -> None:
        """``memory``: blobs kept by the caller across sources, under ``("blob", oid)``
        (``pmkit history`` reads one commit after another: a blob the commit before
        read is not read again; an object id names its content, so a blob never changes)."""
        self.repo = repo
        self.commit = commit
        self.rev = rev or commit
        self.folder = folder.strip("/")
        self.max_bytes = max_bytes
        self.findings: list[Finding] = []
        #: files whose object git does not hold (a broken or partial clone): what this
        #: source reads is not the commit's content, so nothing read from it is kept
        self.missing: list[str] = []
        self._entries = self._list(tree)
        self._reader: BlobReader | None = None
        self._cache: dict[str, bytes] = {}
        self._memory = memory

    # --- the tree ---------------------------------------------------------------------
    def _list(self, tree: str | None) -> dict[str, Entry]:
        spec = tree if tree is not None else self._tree_spec()
        # No sizes here (``-l`` opens every object: 5 x the listing in a repository
        # of loose objects); ``_sized`` asks them of the blobs about to be read.
        out = _git(self.repo.root, "ls-tree", "-r", "-t", "-z", "--full-tree", spec).stdout
        entries: dict[str, Entry] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw = record.partition(b"\t")
            mode, kind_, oid = meta.decode().split()
            path = raw.decode("utf-8", "surrogateescape")
            entries[path] = Entry(mode, kind_, oid, None)
        return entries

    def _tree_spec(self) -> str:
        """What names the folder's tree at the commit, once git says it is a folder."""
        shown = self.folder or "the repository root"
        spec = folder_spec(self.commit, self.folder)
        what = self.repo.kind_at(spec)
        if what is None:
            raise GitMissing(f"{shown} does not exist at {self.rev}")
        if what == b"commit":
            raise GitError(f"{shown} is a git submodule at {self.rev}; pmkit reads a program folder of this "
                           "repository, not of a submodule")
        if what != b"tree":
            raise GitError(f"{shown} is a file at {self.rev}, not a program folder")
        return spec

    def _sized(self, paths: Iterable[str]) -> None:
        """Give the blob entries at ``paths`` their size, before any is read (a blob
        over ``max_bytes`` is never read): the length of one already at hand, else
        one ``git cat-file --batch-check`` for the rest."""
        unknown: dict[str, list[str]] = {}
        for path in paths:
            entry = self._entries.get(path)
            if entry is None or entry.kind != "blob" or entry.size is not None:
                continue
            data = self._at_hand(entry.oid)
            if data is not None:
                self._entries[path] = replace(entry, size=len(data))
            else:
                unknown.setdefault(entry.oid, []).append(path)
        if not unknown:
            return
        try:
            out = subprocess.run(["git", "cat-file", "--batch-check"], cwd=self.repo.root, capture_output=True,
                                 input="".join(f"{oid}\n" for oid in unknown).encode(), check=True,
                                 env=_untranslated()).stdout  # (``_reason`` reads its message)
        except OSError as exc:
            raise GitError(f"cannot read the sizes of {len(unknown)} files at {self.rev}: {exc.strerror}") from exc
        except subprocess.CalledProcessError as exc:
            # git holds the tree but could not get its blobs: a partial clone whose promisor
            # remote is out of reach (offline, no credentials), a repository damaged under
            # it. The run's failure, not the revision's (GitStopped: never kept as its row).
            raise GitStopped(f"git cannot read {len(unknown)} files at {self.rev}: "
                             f"{_reason(exc.stderr)}") from exc
        for oid, line in zip(unknown, out.decode().splitlines()):
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                for path in unknown[oid]:
                    self._entries[path] = replace(self._entries[path], size=int(parts[2]))

    def paths(self) -> list[str]:
        """Relative paths of every ``*.yaml`` / ``*.yml`` entry, sorted (hidden folders skipped)."""
        return sorted(p for p in self._entries
                      if p.endswith((".yaml", ".yml")) and not any(part.startswith(".") for part in p.split("/")[:-1]))

    def names(self) -> Iterator[str]:
        """``paths()``, less the names that are not UTF-8 (each reported)."""
        for path in self.paths():
            if _is_utf8(path):
                yield path
                continue
            shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            self._report(UNREADABLE, shown, "the file name is not valid UTF-8 text",
                         hint="rename the file: ids use lower-case letters, digits and dashes")

    def blob_id(self, path: str) -> str | None:
        """The git object id of the blob at ``path`` (a link's own blob), or None."""
        entry = self._entries.get(path)
        return entry.oid if entry is not None and entry.kind == "blob" else None

    def blob_ids(self) -> dict[str, str]:
        """Every YAML path and its blob id: what ``pmkit history`` caches by."""
        return {p: e.oid for p in self.paths() if (e := self._entries[p]).kind == "blob"}

    def signature(self, path: str) -> Signature | None:
        return None  # a revision never changes: nothing to compare without reading

    # --- reading ----------------------------------------------------------------------
    def _target(self, path: str) -> tuple[str, Entry] | str:
        """The regular file ``path`` names after following links, or why not (a message)."""
        seen = 0
        entry = self._entries.get(path)
        current = path
        while entry is not None and entry.mode == MODE_LINK:
            seen += 1
            if seen > _MAX_LINK_HOPS:
                return "loop"
            link = self._blobs([entry.oid])[0] or b""
            target = link.decode("utf-8", "surrogateescape")
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
            if target.startswith("/") or joined == ".." or joined.startswith("../"):
                return "outside"
            current = joined
            entry = self._entries.get(current)
        if entry is None:
            return "broken"
        return current, entry

    def read(self, path: str) -> SourceFile | None:
        """The bytes of one file, or None with a finding explaining why not."""
        found = self._target(path)
        if found == "outside":
            self._report(PATH_OUTSIDE, path, f"`{path}` is a link to a file outside the program directory")
            return None
        if isinstance(found, str):
            self._report(UNREADABLE, path, "the file cannot be opened (broken link?)")
            return None
        target, entry = found
        if entry.size is None:
            self._sized([target])
            entry = self._entries[target]
        if not self._readable(path, entry):
            return None
        data = self._blobs([entry.oid])[0]
        if data is None:
            self.missing.append(path)
            self._report(UNREADABLE, path, f"git holds no object {entry.oid[:12]} for this file at {self.rev}",
                         hint="a partial or shallow clone: run `git fetch --unshallow`")
            return None
        return self._checked(path, data, entry.oid)

    def _readable(self, path: str, entry: Entry) -> bool:
        if entry.kind == "tree":
            self._report(NOT_A_FILE, path, f"`{path}` is a directory, not a YAML file")
            return False
        if entry.kind == "commit":
            self._report(NOT_A_FILE, path, f"`{path}` is a git submodule, not a YAML file",
                         hint="commit the file itself in this repository")
            return False
        if entry.size is not None and entry.size > self.max_bytes:
            self._report(FILE_TOO_LARGE, path,
                         f"the file is {entry.size / _MB:.1f} MB, over the bound of {_megabytes(self.max_bytes)} MB",
                         hint="split it into smaller files (expenses can use one file per month)")
            return False
        return True

    def _checked(self, path: str, data: bytes, oid: str) -> SourceFile | None:
        if data.startswith(_LFS_HEAD):
            self._report(LFS_POINTER, path, f"`{path}` is a Git LFS pointer in git, not the YAML file itself",
                         hint="keep program files out of Git LFS: `git lfs untrack` and commit the real file")
            return None
        return SourceFile(path, data, oid)

    def files(self) -> Iterator[SourceFile]:
        """Every readable file, the plain ones fetched in one batch."""
        names = list(self.names())
        self._sized(names)
        plain = [p for p in names if (e := self._entries[p]).mode not in (MODE_LINK, MODE_GITLINK, MODE_TREE)
                 and (e.size is None or e.size <= self.max_bytes)]
        self._blobs([self._entries[p].oid for p in plain])
        for path in names:
            read = self.read(path)
            if read is not None:
                yield read

    def _at_hand(self, oid: str) -> bytes | None:
        """A blob read already, by this source or (``memory``) one before it."""
        if oid in self._cache:
            return self._cache[oid]
        if self._memory is not None and ("blob", oid) in self._memory:
            kept = self._memory[("blob", oid)]
            return kept if isinstance(kept, bytes) else None
        return None

    def _blobs(self, oids: Iterable[str]) -> list[bytes | None]:
        wanted = []
        for oid in dict.fromkeys(oids):
            data = self._at_hand(oid)
            if data is None:
                wanted.append(oid)
            else:
                self._cache[oid] = data
        if wanted:
            if self._reader is None:
                self._reader = BlobReader(self.repo.root)
            for oid, data in zip(wanted, self._reader.read_many(wanted)):
                if data is not None:
                    self._cache[oid] = data
                    if self._memory is not None:
                        self._memory[("blob", oid)] = data
        return [self._cache.get(oid) for oid in oids] if isinstance(oids, list) else []

    def end_reader(self) -> None:
        """End the cat-file process, keeping the blobs read: before forking a
        child that outlives the source (a child holding the process's input
        open would keep it, and whoever waits for it, waiting)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        """End the cat-file process and drop the blobs read."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._cache.clear()

    def __enter__(self) -> GitSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _report(self, code: Code, path: str, message: str, hint: str | None = None) -> None:
        self.findings.append(Finding(path, 1, 1, code.id, message, code.severity, hint))
