"""Checking files in forked processes gives the outcomes of checking them here, in order."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from functools import partial
from pathlib import Path

import pytest

from pmkit.core import procs as parallel
from pmkit.engine import files
from pmkit.ingest.source import DirectorySource, SourceFile
from pmkit.engine.files import check_file
from pmkit.engine.validate import read_settings, validate_directory

EXAMPLE = Path(__file__).resolve().parent.parent / "program"


def _sources(root: Path) -> list[SourceFile]:
    return list(DirectorySource(root).files())


def test_forked_checks_equal_the_serial_ones(monkeypatch):
    sources = _sources(EXAMPLE)
    check = partial(check_file, settings=read_settings((EXAMPLE / "program.yaml").read_bytes()))
    monkeypatch.setenv("PMKIT_JOBS", "3")
    assert files.check_many(sources, check, min_bytes=0) == [check(s) for s in sources]


def test_a_whole_validate_in_parallel_equals_one_process(tmp_path, monkeypatch):
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    (root / "projects/cloud-migration.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (root / "staff/aisha-bello.yaml").write_text("name: A\nname: B\n", encoding="utf-8")
    monkeypatch.setenv("PMKIT_JOBS", "1")
    serial = validate_directory(root, dt.date(2026, 10, 31)).findings
    monkeypatch.setenv("PMKIT_JOBS", "2")
    monkeypatch.setattr(files, "MIN_BYTES", 0)
    assert validate_directory(root, dt.date(2026, 10, 31)).findings == serial
    assert {f.code for f in serial} >= {"yaml-syntax", "duplicate-key"}


def test_a_child_that_fails_has_its_share_done_here(monkeypatch):
    sources = _sources(EXAMPLE)
    check = partial(check_file, settings=read_settings((EXAMPLE / "program.yaml").read_bytes()))
    monkeypatch.setenv("PMKIT_JOBS", "2")
    monkeypatch.setattr(parallel, "_child", lambda send, share, check: send.close())  # sends nothing
    assert files.check_many(sources, check, min_bytes=0) == [check(s) for s in sources]


@pytest.mark.parametrize("setting, expected", [("1", 1), ("4", 4), ("0", None), ("x", None), ("", None)])
def test_pmkit_jobs_sets_the_number_of_processes(monkeypatch, setting, expected):
    monkeypatch.delenv("PMKIT_JOBS", raising=False)
    cores = parallel.jobs()
    assert 1 <= cores <= 8
    monkeypatch.setenv("PMKIT_JOBS", setting)
    assert parallel.jobs() == (expected if expected is not None else cores)


def test_the_site_rendered_on_two_cores_is_the_one_rendered_on_one(monkeypatch):
    from pmkit.app.site import pages
    from pmkit.app.site.data import load

    data = load(EXAMPLE, dt.date(2026, 10, 31), use_cache=False)
    monkeypatch.setenv("PMKIT_JOBS", "1")
    serial = pages.render_site(data.model, data.document, data.findings, data.as_of)
    monkeypatch.setenv("PMKIT_JOBS", "2")
    monkeypatch.setattr(pages, "PARALLEL_TASKS", 0)
    assert pages.render_site(data.model, data.document, data.findings, data.as_of) == serial
    assert list(serial) == sorted(serial) and any(p.startswith("projects/") for p in serial)


def test_pages_in_reading_order_are_the_rendered_site():
    from pmkit.app.site import pages
    from pmkit.app.site.data import load

    data = load(EXAMPLE, dt.date(2026, 10, 31), use_cache=False)
    serial = pages.render_site(data.model, data.document, data.findings, data.as_of)
    paths, rendered = pages.in_reading_order(data.model, data.document, data.findings, data.as_of)
    assert paths == list(serial)  # every path announced before anything is rendered
    groups = list(rendered)
    firsts = [min(path for path in group if path.endswith(".md")) for group in groups]
    assert firsts == sorted(firsts), "not in the order MkDocs reads the pages"
    assert {path: text for group in groups for path, text in group.items()} == serial
    assert all(serial[path] == text for group in groups for path, text in group.items())  # a chart two pages show


def test_the_site_loaded_and_rendered_by_a_child_is_the_same(tmp_path, monkeypatch):
    """Through MkDocs: each page handed over when it reads it, the charts before it copies them."""
    from click.testing import CliRunner

    from pmkit.app.cli import main

    def build(out: Path) -> dict[str, bytes]:
        done = CliRunner().invoke(main, ["site", "build", str(EXAMPLE), "--output", str(out), "--no-cache"])
        assert done.exit_code == 0, done.output
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    monkeypatch.setenv("PMKIT_JOBS", "1")
    serial = build(tmp_path / "serial")
    monkeypatch.setenv("PMKIT_JOBS", "2")
    streams: list[parallel.Stream] = []
    real = parallel.Stream.__init__
    monkeypatch.setattr(parallel.Stream, "__init__", lambda self, *a, **k: streams.append(self) or real(self, *a, **k))
    assert build(tmp_path / "later") == serial
    assert streams and all(stream.worked_here == 0 for stream in streams), "the site was not left to a child"
    assert "charts/projects/cloud-migration-timeline.svg" in serial


@pytest.mark.parametrize("unbounded", [False, True])
def test_a_stream_whose_child_dies_is_worked_out_here(monkeypatch, unbounded):
    here = os.getpid()

    def produce():
        for x in range(5):
            yield x * 2 if os.getpid() == here or x < 2 else os._exit(3)

    monkeypatch.setenv("PMKIT_JOBS", "2")
    stream = parallel.Stream(produce, unbounded=unbounded)
    assert stream._child is not None
    assert list(stream) == [0, 2, 4, 6, 8]
    assert stream.worked_here == 3
    stream.close()


def test_a_stream_that_fails_in_its_child_raises_here(monkeypatch):
    here = os.getpid()

    def produce():
        yield 1
        raise ValueError(f"in {'this process' if os.getpid() == here else 'the child'}")

    monkeypatch.setenv("PMKIT_JOBS", "2")
    stream = parallel.Stream(produce)
    assert stream.next() == 1
    with pytest.raises(ValueError, match="in this process"):
        stream.next()
    stream.close()


def test_a_stream_closed_early_stops_its_child(monkeypatch):
    monkeypatch.setenv("PMKIT_JOBS", "2")
    stream = parallel.Stream(lambda: ("x" * 10_000 for _ in range(10_000)))  # the pipe fills: the child waits
    assert stream.next() == "x" * 10_000
    child = stream._child
    assert child is not None and child.is_alive()
    stream.close()
    assert not child.is_alive()


def test_an_unbounded_stream_never_keeps_its_child_waiting(monkeypatch, tmp_path):
    """The caller asks for nothing until the child has sent far more than a pipe holds (64 KB):
    a bounded stream's child would wait at the first results; an unbounded one's finishes."""
    done = tmp_path / "done"

    def produce():
        for i in range(200):
            yield f"{i:04d}" + "x" * 10_000
        done.write_text("all sent")

    monkeypatch.setenv("PMKIT_JOBS", "2")
    stream = parallel.Stream(produce, unbounded=True)
    child = stream._child
    assert child is not None
    child.join(timeout=30)
    assert done.read_text() == "all sent" and not child.is_alive()
    assert [item[:4] for item in stream] == [f"{i:04d}" for i in range(200)]
    assert stream.worked_here == 0


def test_alone_keeps_this_process_from_forking(monkeypatch):
    monkeypatch.setenv("PMKIT_JOBS", "2")
    parent = os.getpid()
    with parallel.alone():
        assert parallel.jobs() == 1
        assert parallel.fork_map([1, 2], lambda _: os.getpid() != parent, lambda _: 1, min_cost=0) == [False, False]
    assert parallel.jobs() == 2


def test_only_a_stream_that_leads_forks_again(monkeypatch):
    here = os.getpid()

    def produce():
        parent = os.getpid()
        forked = parallel.fork_map([1, 2], lambda _: os.getpid() != parent, lambda _: 1, min_cost=0)
        yield parent != here, forked  # (worked out in a child, by more than one process)

    monkeypatch.setenv("PMKIT_JOBS", "2")
    assert list(parallel.Stream(produce, leads=True)) == [(True, [False, True])]
    assert list(parallel.Stream(produce)) == [(True, [False, False])]


def test_a_stream_without_a_second_core_works_here_when_asked(monkeypatch):
    monkeypatch.setenv("PMKIT_JOBS", "1")
    asked: list[int] = []
    stream = parallel.Stream(lambda: (asked.append(x) or x for x in range(3)))
    assert stream._child is None and asked == []
    assert stream.next() == 0 and asked == [0]
    assert list(stream) == [1, 2]
    with pytest.raises(StopIteration):
        stream.next()


def test_figures_built_while_a_child_runs_the_rules_are_the_serial_ones(tmp_path, monkeypatch):
    from pmkit.engine import validate
    from pmkit.app.pipeline import figures

    day = dt.date(2026, 10, 31)
    monkeypatch.setenv("PMKIT_JOBS", "1")
    serial = figures(EXAMPLE, day, use_cache=False)
    monkeypatch.setenv("PMKIT_JOBS", "2")
    monkeypatch.setattr(validate, "PARALLEL_MIN_BYTES", 0)
    forked = figures(EXAMPLE, day, use_cache=False)
    assert forked.document == serial.document and forked.result.findings == serial.result.findings
    # A rule's error: the model worked out meanwhile is not used.
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    text = (root / "projects/cloud-migration.yaml").read_text(encoding="utf-8")
    (root / "projects/cloud-migration.yaml").write_text(text.replace("owner: raj-patel", "owner: nobody"),
                                                        encoding="utf-8")
    broken = figures(root, day, use_cache=False)
    assert broken.result.errors and broken.model is None and broken.document is None


def test_work_really_is_shared_with_a_child(monkeypatch):
    """Without this, every equality test above would pass with nothing forked."""
    import os

    monkeypatch.setenv("PMKIT_JOBS", "2")
    pids = parallel.fork_map(list(range(8)), lambda _: os.getpid(), lambda _: 1, min_cost=0)
    assert len(set(pids)) == 2 and os.getpid() in pids
    assert parallel.in_child(os.getpid, worth_it=True).result() != os.getpid()
    monkeypatch.setenv("PMKIT_JOBS", "1")
    assert set(parallel.fork_map(list(range(8)), lambda _: os.getpid(), lambda _: 1, min_cost=0)) == {os.getpid()}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_page_announced_but_never_rendered_is_an_error_not_a_wait(monkeypatch, jobs):
    from pmkit.app.site.later import LaterPages, Plan

    def produce():
        yield Plan(["a.md", "b.md"], dt.date(2026, 10, 31), 0, 0)
        yield {"a.md": "# A"}

    monkeypatch.setenv("PMKIT_JOBS", jobs)
    later = LaterPages(produce)
    assert later.plan.paths == ["a.md", "b.md"] and later.get("a.md") == "# A"
    with pytest.raises(LookupError, match="b.md"):
        later.get("b.md")
    assert later.all() == {"a.md": "# A"}
    later.close()


@pytest.mark.parametrize("whole_index", [False, True], ids=["incremental", "whole-index"])
def test_outcomes_written_by_the_processes_that_checked_them_load_in_the_next_run(tmp_path, monkeypatch,
                                                                                  whole_index):
    """Each process checking a share of the files writes their outcomes to the
    cache itself: every file gets an entry, whoever checked it, and the next
    run reads them all back without checking a single file again."""
    from pmkit.engine import incremental, validate

    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    cache = tmp_path / "cache"
    monkeypatch.setenv("PMKIT_JOBS", "2")
    monkeypatch.setattr(files, "MIN_BYTES", 0)
    parents = {os.getpid()}
    checked_here: list[str] = []
    plain_check = validate.check_file

    def counted(source: SourceFile, *args: object, **kwargs: object) -> files.FileOutcome:
        if os.getpid() in parents:
            checked_here.append(source.path)
        return plain_check(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "check_file", counted)
    monkeypatch.setattr(incremental, "check_stages", counted)
    day = dt.date(2026, 10, 31)
    first = validate_directory(root, day, use_cache=True, cache_dir=cache, need_index=whole_index)
    entries = list((cache / "files").rglob("*.pickle"))
    assert len(entries) == first.files == len(_sources(root))
    assert 0 < len(checked_here) < first.files  # the other share was checked (and written) by a child
    checked_here.clear()
    shutil.rmtree(cache / "manifests", ignore_errors=True)  # every file looked up by its key again
    again = validate_directory(root, day, use_cache=True, cache_dir=cache, need_index=whole_index)
    assert again.findings == first.findings
    assert checked_here == []
