"""A content-addressed cache of per-file results (parse + schema layers).

A re-run after a one-file change re-parses only that file: every other file's
parsed data and findings come back from here, keyed by a hash of its bytes,
its path, the schemas, pmkit's version and the settings that affect them.
The same store keeps what ``incremental`` needs to re-check only what
changed: the manifest of the last run, the expense files' facts and each
rule part's findings with the kinds it read.

The cache lives in the user's cache directory, never inside the program:
entries are pickles, and a pull request must not be able to plant one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pmkit import __version__
from pmkit.engine.files import FileOutcome

FORMAT = 1


def default_dir() -> Path:
    if "PMKIT_CACHE_DIR" in os.environ:
        return Path(os.environ["PMKIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pmkit"


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


class FileCache:
    def __init__(self, directory: Path | None, settings_key: str) -> None:
        self.directory = directory
        self.prefix = f"{FORMAT}|{__version__}|{code_fingerprint()}|{settings_key}|".encode()

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.blake2b(self.prefix, digest_size=20)
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str, section: str) -> Path:
        assert self.directory is not None
        return self.directory / section / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> FileOutcome | None:
        outcome = self.load("files", key)
        return outcome if isinstance(outcome, FileOutcome) else None

    def load(self, section: str, key: str) -> object:
        """The value stored under ``key`` in ``section``, or None."""
        if self.directory is None:
            return None
        try:
            with open(self._file(key, section), "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            return None  # missing, unreadable or from another layout: recompute

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
        if self.directory is None:
            return
        target = self._file(key, section)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            self.directory = None  # read-only or full: carry on without a cache
