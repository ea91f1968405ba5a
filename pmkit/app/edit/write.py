"""Every edit ends here: validate the program as it would be, show the diff,
write atomically, and refuse whatever would break a file or lose a change.

An edit is a set of whole-file replacements (`Change`). Before anything is
written, the program is validated twice, as it is and as it would be; if the
edit adds an error nothing is written. Each file is written to a temporary
file in its own folder, flushed and fsynced, given the original's mode and
renamed over the original; the folder is fsynced after. Right before the
rename the original is read again: if its bytes or mtime changed since the
edit read it, the edit is refused (someone else saved it meanwhile).
"""

from __future__ import annotations

import difflib
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pmkit.core.findings import Finding, Severity
from pmkit.engine.validate import Result, validate_files
from pmkit.ingest.source import DirectorySource, SourceFile, read_guarded

#: Test hook: when set, pause this many seconds between the temp write and
#: the rename (a test kills the process there to prove the original survives).
PAUSE_ENV = "PMKIT_EDIT_PAUSE_BEFORE_RENAME"


class EditRefused(Exception):
    """An edit that cannot be made; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Original:
    """A file as the edit read it: its bytes and mtime (None: it did not exist)."""

    path: str
    data: bytes | None
    mtime_ns: int | None


@dataclass(frozen=True)
class Change:
    original: Original
    data: bytes

    @property
    def path(self) -> str:
        return self.original.path


@dataclass
class Outcome:
    new_errors: list[Finding]
    warnings: list[Finding]
    diff: str
    new_warnings: list[Finding] = field(default_factory=list)


def resolve_inside(root: Path, rel: str) -> Path:
    """The real path of ``rel``; a symbolic link is followed only inside the program."""
    root = root.resolve()
    full = root / rel
    real = full.resolve()
    if not real.is_relative_to(root):
        raise EditRefused(f"{rel} is a link to a file outside the program; pmkit writes only inside it")
    return real


def read_original(root: Path, rel: str) -> Original:
    real = resolve_inside(root, rel)
    try:
        # The time first: a change after it is caught before the write (``commit``).
        changed_ns = os.stat(real).st_mtime_ns
        # Read under the validator's guards: a FIFO, a device or an oversized file is refused, not read.
        return Original(rel, read_guarded(root, rel), changed_ns)
    except FileNotFoundError:
        return Original(rel, None, None)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise EditRefused(reason if rel in reason else f"cannot read {rel}: {reason}") from exc


def program_files(root: Path) -> list[SourceFile]:
    source = DirectorySource(root)
    return list(source.files())


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.file, finding.code, finding.message)


def judge(root: Path, changes: list[Change]) -> Outcome:
    """Validate before and after; the errors the edit adds, the warnings after."""
    before_files = program_files(root)
    replaced = {c.path: c.data for c in changes}
    after_files = [SourceFile(f.path, replaced.pop(f.path, f.data)) for f in before_files]
    after_files.extend(SourceFile(path, data) for path, data in sorted(replaced.items()))
    before: Result = validate_files(before_files)
    after: Result = validate_files(sorted(after_files, key=lambda f: f.path))
    new_errors = _added(before, after, Severity.ERROR)
    warnings = [f for f in after.findings if f.severity is Severity.WARNING]
    return Outcome(new_errors, warnings, unified_diff(changes), _added(before, after, Severity.WARNING))


def _added(before: Result, after: Result, severity: Severity) -> list[Finding]:
    """The findings of ``severity`` after the edit that were not there before it."""
    had = Counter(_key(f) for f in before.findings if f.severity is severity)
    added = []
    for finding in after.findings:
        if finding.severity is not severity:
            continue
        if had[_key(finding)] > 0:
            had[_key(finding)] -= 1
        else:
            added.append(finding)
    return added


def unified_diff(changes: list[Change]) -> str:
    out: list[str] = []
    for change in changes:
        old = (change.original.data or b"").decode("utf-8").splitlines(keepends=True)
        new = change.data.decode("utf-8").splitlines(keepends=True)
        before = f"a/{change.path}" if change.original.data is not None else "/dev/null"
        out.extend(difflib.unified_diff(old, new, before, f"b/{change.path}"))
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def commit(root: Path, changes: list[Change]) -> None:
    """Write every change atomically, after checking none changed on disk."""
    for change in changes:
        _check_unchanged(root, change.original)
    for change in changes:
        atomic_write(root, change)


def _check_unchanged(root: Path, original: Original) -> None:
    now = read_original(root, original.path)
    if now.data != original.data or now.mtime_ns != original.mtime_ns:
        raise EditRefused(f"{original.path} changed on disk while pmkit was editing it; nothing was written, "
                          "run the command again")


def atomic_write(root: Path, change: Change) -> None:
    target = resolve_inside(root, change.path)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = os.stat(target).st_mode & 0o7777 if change.original.data is not None else None
        if mode is not None and (not mode & 0o222 or not os.access(target, os.W_OK)):
            raise EditRefused(f"cannot write {change.path}: the file is read-only")
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".pmkit-tmp", dir=folder)
    except OSError as exc:
        raise EditRefused(f"cannot write {change.path}: {exc.strerror}") from exc
    try:
        try:
            view = memoryview(change.data)
            while view:
                view = view[os.write(handle, view):]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.chmod(temp, mode if mode is not None else 0o666 & ~_umask())
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            print(f"pmkit: paused before rename of {temp}", flush=True)
            time.sleep(float(pause))
        _check_unchanged(root, change.original)
        os.replace(temp, target)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise EditRefused(f"cannot write {change.path}: {exc.strerror}; the file is unchanged") from exc
        raise
    _fsync_folder(folder)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
