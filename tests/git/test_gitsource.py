"""GitSource: a program folder at any revision, from git objects alone."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from pmkit.engine.validate import validate_directory, validate_source
from pmkit.ingest.gitsource import GitError, Repository

from .conftest import Repo


def _status(root: Path) -> str:
    return os.popen(f"git -C {root} status --porcelain").read()


def test_reads_every_file_of_a_revision_as_the_directory_does(repo: Repo) -> None:
    repository = Repository.find(repo.root / "program" / "projects")
    assert repository.root == repo.root
    with repository.source("HEAD", "program") as source:
        from_git = {f.path: f.data for f in source.files()}
    on_disk = {p.relative_to(repo.root / "program").as_posix(): p.read_bytes()
               for p in (repo.root / "program").rglob("*.yaml")}
    assert from_git == on_disk
    assert _status(repo.root) == ""  # nothing written, nothing checked out


def test_findings_of_a_revision_equal_the_working_tree_s(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 150")
    repo.commit("bad progress")
    day = dt.date(2026, 6, 30)
    with Repository(repo.root).source("HEAD", "program") as source:
        git_findings = validate_source(source, day).findings
    disk_findings = validate_directory(repo.root / "program", day).findings
    assert git_findings == disk_findings
    assert any(f.file == "projects/payroll.yaml" for f in git_findings)


def test_older_revisions_a_rename_and_a_deleted_file(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    repo.git("mv", "program/risks/vendor-delay.yaml", "program/risks/vendor-late.yaml")
    repo.commit("rename")
    (repo.root / "program/rules/conduct.yaml").unlink()
    repo.commit("delete")
    repository = Repository(repo.root)
    with repository.source(first, "program") as old, repository.source("HEAD~1", "program") as mid, \
            repository.source("HEAD", "program") as new:
        assert "risks/vendor-delay.yaml" in old.paths() and "rules/conduct.yaml" in old.paths()
        assert "risks/vendor-late.yaml" in mid.paths() and "risks/vendor-delay.yaml" not in mid.paths()
        assert "rules/conduct.yaml" not in new.paths()
        assert old.blob_id("risks/vendor-delay.yaml") == mid.blob_id("risks/vendor-late.yaml")


def test_an_invalid_file_at_some_revision_gives_findings_not_a_traceback(repo: Repo) -> None:
    repo.write("program/projects/payroll.yaml", "name: [unclosed\n")
    repo.commit("broken")
    repo.git("checkout", "-q", "HEAD~1", "--", "program")
    repo.commit("fixed")
    with Repository(repo.root).source("HEAD~1", "program") as source:
        result = validate_source(source, dt.date(2026, 6, 30))
    assert result.errors and {f.file for f in result.findings} >= {"projects/payroll.yaml"}
    with Repository(repo.root).source("HEAD", "program") as source:
        assert validate_source(source, dt.date(2026, 6, 30)).errors == 0


def test_detached_head(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("more progress")
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    with Repository(repo.root).source("HEAD", "program") as source:
        assert b"progress: 50" in source.read("projects/payroll.yaml").data  # type: ignore[union-attr]
    with Repository(repo.root).source("main", "program") as source:
        assert b"progress: 60" in source.read("projects/payroll.yaml").data  # type: ignore[union-attr]


def test_a_non_utf8_path_name_is_a_finding(repo: Repo) -> None:
    name = os.fsencode(str(repo.root / "program" / "risks")) + b"/caf\xe9.yaml"
    with open(name, "wb") as fh:
        fh.write(b"title: x\n")
    repo.commit("odd name")
    with Repository(repo.root).source("HEAD", "program") as source:
        result = validate_source(source, dt.date(2026, 6, 30))
    assert any(f.code == "unreadable-file" and "UTF-8" in f.message for f in result.findings)


def test_links_inside_are_read_links_outside_are_refused(repo: Repo) -> None:
    os.symlink("../../README.md", repo.root / "program/risks/out.yaml")
    (repo.root / "README.md").write_text("secret: 1\n")
    os.symlink("vendor-delay.yaml", repo.root / "program/risks/alias.yaml")
    repo.commit("links")
    with Repository(repo.root).source("HEAD", "program") as source:
        files = {f.path: f.data for f in source.files()}
        codes = {(f.file, f.code) for f in source.findings}
    assert ("risks/out.yaml", "path-outside-program") in codes
    assert "risks/out.yaml" not in files
    assert files["risks/alias.yaml"] == files["risks/vendor-delay.yaml"]


def test_a_submodule_or_lfs_pointer_in_place_of_a_file(repo: Repo) -> None:
    repo.write("program/risks/big.yaml", "version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n")
    head = repo.git("rev-parse", "HEAD").strip()
    repo.git("add", "-A")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{head},program/risks/sub.yaml")
    repo.git("commit", "-q", "-m", "pointer and gitlink")
    with Repository(repo.root).source("HEAD", "program") as source:
        result = validate_source(source, dt.date(2026, 6, 30))
    codes = {(f.file, f.code) for f in result.findings}
    assert ("risks/big.yaml", "lfs-pointer") in codes
    assert ("risks/sub.yaml", "not-a-file") in codes


def test_clear_errors(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(GitError, match="not inside a git repository"):
        Repository.find(outside)
    repository = Repository(repo.root)
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        repository.source("nope", "program")
    with pytest.raises(GitError, match="is not a revision"):
        repository.resolve("--output=x")
    with pytest.raises(GitError, match="elsewhere does not exist at HEAD"):
        repository.source("HEAD", "elsewhere")


def test_a_shallow_clone_says_how_to_fetch_the_base(repo: Repo, tmp_path: Path) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("second")
    shallow = tmp_path / "shallow"
    os.system(f"git clone -q --depth 1 file://{repo.root} {shallow}")
    with pytest.raises(GitError, match="fetch --unshallow"):
        Repository(shallow).resolve("HEAD~1")


def test_commit_facts_and_the_commit_in_force_on_a_day(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    second = repo.commit("second", "2026-06-10T23:30:00-05:00")
    repository = Repository(repo.root)
    facts = repository.commit("HEAD")
    assert (facts.sha, facts.author, facts.subject) == (second, "Ann", "second")
    assert facts.date.date() == dt.date(2026, 6, 10)
    assert repository.in_force_on(dt.date(2026, 4, 30)) is None
    assert repository.in_force_on(dt.date(2026, 6, 9)) == first
    assert repository.in_force_on(dt.date(2026, 6, 10)) == second


def test_a_file_over_the_size_bound_is_refused_before_it_is_read(repo: Repo) -> None:
    """Sizes come from git's object headers (``_sized``), for one file and for all, and from
    blobs a run already holds (``memory``): a blob over the bound is never read."""
    big = repo.root / "program" / "risks" / "big.yaml"
    big.write_text("title: x\n" + "# padding\n" * 200, encoding="utf-8")
    repo.commit("a big risk file")
    repository = Repository.find(repo.root)
    memory: dict[tuple[str, str], object] = {}
    for held in (None, memory, memory):  # the last: sizes from the blobs the one before read
        with repository.source("HEAD", "program", max_bytes=1000, memory=held) as source:
            assert "risks/big.yaml" not in {f.path for f in source.files()}
            assert [(f.file, f.code) for f in source.findings] == [("risks/big.yaml", "file-too-large")]
            assert source.read("risks/big.yaml") is None
            assert source.read("projects/payroll.yaml") is not None
            assert all(oid != source.blob_id("risks/big.yaml") for oid in source._cache)
    assert any(key[0] == "blob" for key in memory)


def test_a_reader_closed_while_git_still_writes_a_blob_ends_it_and_returns(repo: Repo) -> None:
    """Ctrl-C (SIGINT to pmkit alone: ``kill -INT``, a CI runner) may stop a
    read half-way, with git still writing blobs nobody will read. Closing the
    source then waited for git, which waited for room in its full pipe: a
    hang, git left running. The reader's end of the pipe is closed too."""
    import subprocess
    import threading

    from pmkit.ingest.gitsource import BlobReader

    repo.write("program/big.yaml", "note: " + "x" * 4_000_000 + "\n")  # far more than a pipe holds
    repo.commit("a big file")
    oid = repo.git("rev-parse", "HEAD:program/big.yaml").strip()
    reader = BlobReader(repo.root)
    proc: subprocess.Popen[bytes] = reader._proc
    assert proc.stdin is not None and proc.stdout is not None

    def ask() -> None:  # as read_many does: a thread writes the requests, more than a pipe holds
        try:
            proc.stdin.write(f"{oid}\n".encode() * 3000)  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        except OSError:
            pass

    threading.Thread(target=ask, daemon=True).start()
    assert proc.stdout.readline().split()[0] == oid.encode()  # git answers; the rest is left unread
    closing = threading.Thread(target=reader.close, daemon=True)
    closing.start()
    closing.join(20)  # a deadline against the hang, not a timing
    alive = closing.is_alive()
    if alive:
        proc.kill()
    assert not alive, "closing the reader waited for ever"
    assert proc.poll() is not None  # git ended


def test_a_reader_closed_before_its_requests_writer_runs_leaves_no_traceback(repo: Repo) -> None:
    """Ctrl-C just after ``read_many`` started its requests' writer: ``close`` shuts git's
    input before that thread writes, and its write fails on a closed file. That thread's
    end must be quiet: its traceback reached the terminal of a stopped `pmkit history`.
    (Here the close comes first for sure: the read finds the reader closed.)"""
    import threading

    from pmkit.ingest.gitsource import BlobReader

    oid = repo.git("rev-parse", "HEAD:program/program.yaml").strip()
    uncaught: list[BaseException | None] = []
    before, threading.excepthook = threading.excepthook, lambda args: uncaught.append(args.exc_value)
    try:
        reader = BlobReader(repo.root)
        reader.close()
        try:
            reader.read_many([oid])
        except ValueError:
            pass  # (this thread's own read of the closed pipe: the caller's, stopped anyway)
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and thread.name.endswith("(write)"):
                thread.join(20)
    finally:
        threading.excepthook = before
    assert uncaught == [], uncaught
