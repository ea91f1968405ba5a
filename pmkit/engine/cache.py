"""A content-addressed cache of per-file results (parse + schema layers).

A re-run after a one-file change re-parses only that file: every other file's
parsed data and findings come back from here, keyed by a hash of its bytes,
its path, the schemas, pmkit's version and the settings that affect them.
The same store keeps what ``incremental`` needs to re-check only what
changed: the manifest of the last run, the expense files' facts and each
rule part's findings with the kinds it read.

Trust: an entry is a pickle, and a pickle can run code, so no entry is
unpickled unless it carries an HMAC-SHA256 tag (over its section, key and
bytes) made with a per-user secret that lives outside the cache, in a 0600
file of the user's config directory. Whoever cannot read that secret cannot
make an entry that loads: a planted, swapped or damaged entry is a miss. On
top of that the cache folder itself is refused (never read nor written, said
once on stderr) when it is empty, relative, inside the program or its
repository, or when another user owns or can write it or any folder above it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pmkit import __version__
from pmkit.engine.files import FileOutcome
from pmkit.ingest.loader.yaml12 import PositionTable

FORMAT = 2

#: Bytes of the HMAC-SHA256 tag in front of every entry.
TAG_BYTES = 32

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def default_dir() -> Path | None:
    """Where the cache lives: ``PMKIT_CACHE_DIR``, else the user's cache
    directory. None (no cache) when ``PMKIT_CACHE_DIR`` is set but empty: an
    empty path would be the current folder, in CI the pull request's checkout."""
    if "PMKIT_CACHE_DIR" in os.environ:
        value = os.environ["PMKIT_CACHE_DIR"]
        if not value.strip():
            warn_once("PMKIT_CACHE_DIR is set but empty")
            return None
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pmkit"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pmkit"


_warned: set[str] = set()


def warn_once(reason: str) -> None:
    """Say once on stderr why the run goes on without the cache."""
    if reason not in _warned:
        _warned.add(reason)
        print(f"pmkit: not using the cache: {reason}", file=sys.stderr)


def unsafe_reason(directory: Path, program: Path | None = None) -> str | None:
    """Why ``directory`` must not hold the cache, or None when it may."""
    if not str(directory).strip():
        return "the cache folder is empty"
    if not directory.is_absolute():
        return f"the cache folder {directory} is a relative path"
    resolved = Path(os.path.realpath(directory))
    for inside in _program_and_repository(program):
        if resolved == inside or inside in resolved.parents:
            return f"the cache folder {directory} is inside the program or its repository ({inside})"
    me = os.geteuid() if hasattr(os, "geteuid") else None
    probe = resolved
    while True:
        reason = _unsafe_folder(probe, me, own=probe == resolved)
        if reason:
            return reason
        if probe.parent == probe:
            return None
        probe = probe.parent


def _unsafe_folder(folder: Path, me: int | None, own: bool) -> str | None:
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return None  # made later, 0700, by us
    except OSError as error:
        return f"the cache folder cannot be checked ({error.strerror}: {folder})"
    if me is None:
        return None  # no owners to compare on this system
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if info.st_uid not in (me, 0) or (own and info.st_uid != me):
        return f"{folder} belongs to another user"
    shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if shared and (own or not info.st_mode & stat.S_ISVTX):
        return f"other users can write in {folder}"
    return None


def _program_and_repository(program: Path | None) -> list[Path]:
    if program is None:
        return []
    root = Path(os.path.realpath(program))
    found = [root]
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            found.append(folder)
            break
    return found


def user_secret() -> bytes | None:
    """The per-user key that signs cache entries: made once (32 random bytes,
    0600, in the config directory); None when it cannot be kept safely."""
    folder = config_dir()
    path = folder / "cache-key"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            secret = fh.read(64)
    except OSError as error:
        warn_once(f"the cache key {path} cannot be kept ({error.strerror})")
        return None
    if hasattr(os, "geteuid") and (info.st_uid != os.geteuid() or info.st_mode & 0o077):
        warn_once(f"the cache key {path} is not the user's own 0600 file")
        return None
    if len(secret) < 32:
        warn_once(f"the cache key {path} is damaged: delete it to make a new one")
        return None
    return secret


@cache
def code_fingerprint() -> str:
    """A digest of pmkit's own code and schemas, as a whole: any change to
    either (a fixed position, a new message, a new rule) must not leave stale
    results behind, even when the version number stays the same. No list of
    files to keep in step: a new module is covered the day it is added."""
    from pmkit.ingest.schema import schema_dir

    schemas = [Path(str(e)) for e in schema_dir().iterdir() if e.name.endswith(".json")]
    return tree_digest(Path(__file__).resolve().parent.parent, schemas)


def tree_digest(package: Path, extra: list[Path]) -> str:
    """A digest of every ``*.py`` under ``package`` and of ``extra``, by relative path."""
    entries = [(p.relative_to(package).as_posix(), p) for p in package.rglob("*.py")]
    entries += [(f"schemas/{p.name}", p) for p in extra]
    digest = hashlib.blake2b(digest_size=16)
    for name, entry in sorted(entries):
        digest.update(name.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(entry.read_bytes())
    return digest.hexdigest()


class RecentMemory(dict[tuple[str, str], object]):
    """A ``FileCache.memory`` for a run over many versions of one program
    (``pmkit history``): what a step did not use is forgotten after the next
    one, so the store holds about two versions of the program, however long
    the history. ``step()`` marks the end of a step."""

    def __init__(self) -> None:
        super().__init__()
        self.older: dict[tuple[str, str], object] = {}

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        if key in self.older:
            self[key] = self.older.pop(key)
            return True
        return False

    def step(self) -> None:
        self.older = dict(self)
        self.clear()


class FileCache:
    """Per-file outcomes (``get``/``put``) and anything else (``load``/``store``
    under a section), keyed by ``key``/``digest``. ``directory`` is None when
    there is no cache, or when the folder asked for is refused
    (``unsafe_reason``; ``program`` is the program's folder, which neither it
    nor its repository may contain) or no secret can be kept."""

    def __init__(self, directory: Path | None, settings_key: str, program: Path | None = None,
                 memory: dict[tuple[str, str], object] | None = None) -> None:
        #: Entries kept in this process (``pmkit diff``: both sides of a change share
        #: what their identical files and unchanged rule parts gave). Never on disk,
        #: never pickled: only what this run computed itself.
        self.memory = memory
        self.secret = b""
        if directory is not None:
            reason = unsafe_reason(directory, program)
            if reason:
                warn_once(reason)
                directory = None
        if directory is not None:
            secret = user_secret()
            if secret is None:
                directory = None
            else:
                self.secret = secret
        self.directory = directory
        self._folders: set[Path] = set()  # made or found by ``write``
        self.prefix = f"{FORMAT}|{__version__}|{code_fingerprint()}|{settings_key}|".encode()
        self._prefix_id = hashlib.blake2b(self.prefix, digest_size=10).hexdigest()

    @property
    def active(self) -> bool:
        """Whether anything is kept: on disk, in memory or both."""
        return self.directory is not None or self.memory is not None

    def key(self, path: str, data: bytes, oid: str | None = None) -> str:
        """The key of a file's outcome: a digest of the prefix, its path and bytes.
        With ``oid`` (git's id of the bytes) and a ``memory``, a file met before in
        this run is not hashed again (``pmkit history``: 700 files a commit, one or
        two changed). Only in memory: on disk every key is of the bytes themselves."""
        if oid is not None and self.memory is not None:
            slot = ("key", f"{self._prefix_id}\0{path}\0{oid}")
            if slot in self.memory:
                known = self.memory[slot]
                if isinstance(known, str):
                    return known
            self.memory[slot] = key = self.key(path, data)
            return key
        digest = hashlib.blake2b(self.prefix, digest_size=20)
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str, section: str) -> Path:
        return Path(self._name(key, section))

    def _name(self, key: str, section: str) -> str:
        """``_file`` as text: joined, not built as a Path (30 us, and a history run reads
        a row for each of a thousand commits, and 700 files' outcomes for the first)."""
        assert self.directory is not None
        return f"{os.fspath(self.directory)}{os.sep}{section}{os.sep}{key[:2]}{os.sep}{key}.pickle"

    def get(self, key: str) -> FileOutcome | None:
        outcome = self.load("files", key)
        return outcome if isinstance(outcome, FileOutcome) else None

    def load(self, section: str, key: str) -> object:
        """The value stored under ``key`` in ``section``, or None."""
        if self.memory is not None and (section, key) in self.memory:
            return self.memory[(section, key)]
        if self.directory is None:
            return None
        try:
            # Never a link, never waiting on a pipe, never reading a device.
            fd = os.open(self._name(key, section), os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except OSError:
            return None  # missing or unreadable: recompute
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            with open(fd, "rb", closefd=False) as fh:
                blob = fh.read()
        except OSError:
            return None
        finally:
            os.close(fd)
        tag, body = blob[:TAG_BYTES], memoryview(blob)[TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(section, key, body)):
            return None  # not made by this user's pmkit (planted, swapped or damaged): never unpickled
        try:
            value = pickle.loads(body)
        except Exception:  # noqa: BLE001 - whatever an entry holds, a bad one is a miss
            return None
        # Kept in memory too: the next version of the program asks again (a history's
        # next commit, a file another process of the run checked first), and the same
        # object again is what keeps its document and all derived from it.
        self.remember(section, key, value)
        return value

    def has(self, section: str, key: str) -> bool:
        """Whether something is stored under ``key`` (unread: ``load`` may still refuse it)."""
        if self.memory is not None and (section, key) in self.memory:
            return True
        return self.directory is not None and os.path.isfile(self._name(key, section))

    def _mac(self, section: str, key: str) -> hmac.HMAC:
        return hmac.new(self.secret, f"{FORMAT}/{section}/{key}\0".encode(), hashlib.sha256)

    def _tag(self, section: str, key: str, body: bytes | memoryview) -> bytes:
        mac = self._mac(section, key)
        mac.update(body)
        return mac.digest()

    def put(self, key: str, value: FileOutcome) -> None:
        self.store("files", key, value)

    def digest(self, *parts: str) -> str:
        """A key for anything else this cache keeps (under the same prefix)."""
        digest = hashlib.blake2b(self.prefix, digest_size=20)
        for part in parts:
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        return digest.hexdigest()

    def store(self, section: str, key: str, value: object) -> None:
        self.remember(section, key, value)
        self.write(section, key, value)

    def remember(self, section: str, key: str, value: object) -> None:
        """``store`` in this process's memory only (what a worker wrote to disk, ``write``)."""
        if self.memory is not None:
            self.memory[(section, key)] = value

    def write(self, section: str, key: str, value: object) -> None:
        """``store`` on disk only: a process checking its share of the files
        writes their outcomes itself, beside the others (``validate._load``)."""
        if self.directory is None:
            return
        target = self._file(key, section)
        tmp = None
        try:
            if target.parent not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._folders.add(target.parent)
            try:
                fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            except FileNotFoundError:  # removed since it was made (the cache cleared mid-run): again
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                # Streamed: the tag's place first, the pickle through the MAC, then the tag.
                fh.write(bytes(TAG_BYTES))
                signed = _Signing(fh, self._mac(section, key))
                pickle.dump(value, signed, protocol=pickle.HIGHEST_PROTOCOL)
                fh.seek(0)
                fh.write(signed.mac.digest())
            os.replace(tmp, target)
            tmp = None
        except OSError:
            self.directory = None  # read-only or full: carry on without a cache
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)  # a full disk must not leave half-written entries behind
                except OSError:
                    pass


@dataclass(frozen=True)
class KeptPositions:
    """A document's ``PositionStore``: its positions on disk under the file's
    cache key (which names its path, bytes and depth limit) and pmkit's code
    (a mended parser must not leave stale lines behind), written by the
    process that first needed them, HMAC-tagged like every entry."""

    cache: FileCache
    key: str

    def _slot(self) -> str:
        return self.cache.digest("positions", self.key, code_fingerprint())

    def load(self) -> PositionTable | None:
        table = self.cache.load("positions", self._slot())
        return table if isinstance(table, dict) else None

    def keep(self, table: PositionTable) -> None:
        self.cache.store("positions", self._slot(), table)


class _Signing:
    """A file that feeds what is written to it through a MAC as well."""

    def __init__(self, fh: Any, mac: hmac.HMAC) -> None:
        self.fh = fh
        self.mac = mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return int(self.fh.write(data))
