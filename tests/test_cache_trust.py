"""The cache trusts nothing it did not write (issue 14, items 1, 6 and 8):
a planted entry runs no code, a damaged entry is a miss, a refused folder is
never read or written, a full disk leaves no temporary files."""

from __future__ import annotations

import errno
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest

from pmkit.engine import cache as cache_module
from pmkit.engine.cache import FileCache
from pmkit.engine.validate import validate_directory


class Boom:
    """A pickle that runs a command when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def test_planted_entry_never_runs(program, tmp_path: Path):
    cache = tmp_path / "cache"
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    cold = validate_directory(program.root, use_cache=True, cache_dir=cache)
    marker = tmp_path / "ran"
    planted = pickle.dumps(Boom(marker))
    entries = _entries(cache)
    assert entries
    for entry in entries:  # every section: outcomes, facts, manifests, rule memo
        entry.write_bytes(planted)  # an unsigned pickle
    warm = validate_directory(program.root, use_cache=True, cache_dir=cache)
    for entry in _entries(cache):  # with a tag that is not this user's
        entry.write_bytes(b"\0" * cache_module.TAG_BYTES + planted)
    again = validate_directory(program.root, use_cache=True, cache_dir=cache)
    assert not marker.exists()
    assert warm.findings == again.findings == cold.findings
    assert [f.code for f in cold.findings] == ["unknown-reference"]


def test_entry_moved_to_another_key_is_a_miss(tmp_path: Path):
    store = FileCache(tmp_path / "cache", "x")
    store.store("facts", "a" * 40, {"spend": 1})
    assert store.load("facts", "a" * 40) == {"spend": 1}
    source = store._file("a" * 40, "facts")
    target = store._file("b" * 40, "facts")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    assert store.load("facts", "b" * 40) is None
    assert store.load("rules", "a" * 40) is None


def test_signed_entry_that_fails_to_unpickle_is_a_miss(tmp_path: Path):
    """Even with this user's tag, an entry naming a missing module, or any
    bytes that do not unpickle, is a miss."""
    store = FileCache(tmp_path / "cache", "x")
    bad = [b"cno_such_module\nthing\n.", b"\x80\x05K", b"garbage", pickle.dumps(1)[:-1]]
    for n, body in enumerate(bad):
        key = f"{n:040d}"
        path = store._file(key, "facts")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(store._tag("facts", key, body) + body)
        assert store.load("facts", key) is None


def test_random_byte_flips_are_misses(program, tmp_path: Path):
    cache = tmp_path / "cache"
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    cold = validate_directory(program.root, use_cache=True, cache_dir=cache)
    pristine = {p: p.read_bytes() for p in _entries(cache)}
    rng = random.Random(14)
    for _ in range(25):
        for path, data in pristine.items():
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(flipped))
                flipped[at] ^= 1 << rng.randrange(8)
            path.write_bytes(bytes(flipped))
        assert validate_directory(program.root, use_cache=True, cache_dir=cache).findings == cold.findings
        assert validate_directory(program.root, use_cache=True, cache_dir=cache, need_index=False).findings == cold.findings


def _refused(program, cache: Path, capfd) -> None:
    before = _entries(cache) if cache.exists() else []
    result = validate_directory(program.root, use_cache=True, cache_dir=cache, need_index=False)
    assert result.findings == []
    assert (_entries(cache) if cache.exists() else []) == before  # nothing written
    assert "not using the cache" in capfd.readouterr().err


@pytest.fixture()
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(cache_module, "_warned", set())


def test_empty_cache_dir_variable_means_no_cache(program, monkeypatch, tmp_path, capfd, fresh_warnings):
    monkeypatch.setenv("PMKIT_CACHE_DIR", "")
    monkeypatch.chdir(program.root)
    assert cache_module.default_dir() is None
    validate_directory(program.root, use_cache=True, need_index=False)
    assert not any(p.is_dir() and p.name in ("files", "manifests") for p in program.root.iterdir())
    assert "PMKIT_CACHE_DIR is set but empty" in capfd.readouterr().err


def test_refused_cache_folders(program, tmp_path: Path, monkeypatch, capfd, fresh_warnings):
    monkeypatch.chdir(tmp_path)
    _refused(program, Path("relative-cache"), capfd)
    assert not (tmp_path / "relative-cache").exists()
    _refused(program, program.root / ".pmkit-cache", capfd)
    assert not (program.root / ".pmkit-cache").exists()
    # inside the program's repository, though outside the program
    repo = tmp_path / "repo"
    (repo / "plans").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for item in program.root.iterdir():
        item.rename(repo / "plans" / item.name)
    program.root = repo / "plans"
    _refused(program, repo / ".cache", capfd)
    assert not (repo / ".cache").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="owners are a POSIX notion")
def test_folders_other_users_can_write_are_refused(program, tmp_path: Path, capfd, fresh_warnings):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone may rename or plant here
    _refused(program, shared / "cache", capfd)
    group = tmp_path / "group"
    group.mkdir()
    group.chmod(0o770)
    _refused(program, group, capfd)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp: others may write, not replace our folder
    assert cache_module.unsafe_reason(sticky / "cache") is None
    assert cache_module.unsafe_reason(sticky) is not None  # but not the shared folder itself
    if os.geteuid() == 0:  # a folder owned by another account
        theirs = tmp_path / "theirs"
        theirs.mkdir()
        os.chown(theirs, 65534, 65534)
        _refused(program, theirs, capfd)


def test_cache_key_is_private_and_outside_the_cache(tmp_path: Path, monkeypatch, fresh_warnings):
    store = FileCache(tmp_path / "cache", "x")
    key = cache_module.config_dir() / "cache-key"
    assert store.directory is not None and key.stat().st_mode & 0o777 == 0o600
    assert tmp_path / "cache" not in key.parents
    key.chmod(0o644)  # readable by others: it no longer proves anything
    assert FileCache(tmp_path / "cache", "x").directory is None


def test_full_disk_leaves_no_temporary_file(tmp_path: Path, monkeypatch):
    folder = tmp_path / "small"
    folder.mkdir(mode=0o700)
    mounted = sys.platform.startswith("linux") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(folder)], capture_output=True).returncode == 0
    try:
        store = FileCache(folder, "x")
        if not mounted:  # no way to make a small disk here: fail the rename as a full disk would
            def full(*_args):
                raise OSError(errno.ENOSPC, "No space left on device")
            monkeypatch.setattr(cache_module.os, "replace", full)
        store.store("facts", "c" * 40, os.urandom(256 * 1024))
        assert store.directory is None  # carries on without a cache
        assert [p for p in folder.rglob("*") if p.is_file()] == []
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
