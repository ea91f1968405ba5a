"""The validation pipeline: load -> schema -> references and business rules."""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from pmkit import rules as checks
from pmkit.core import codes
from pmkit.domain.expense_facts import FileFacts
from pmkit.domain.index import Index, build_index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.vocabulary import minor_digits
from pmkit.engine.cache import FileCache, KeptPositions, code_fingerprint, default_dir
from pmkit.engine.files import FileOutcome, Settings, check_file
from pmkit.engine.tracking import TrackedIndex
from pmkit.engine.incremental import (CachedFacts, incremental_run, kind_digests, program_id, rule_memo,
                                      rule_memo_key)
from pmkit.core.procs import in_child
from pmkit.engine.files import MIN_BYTES as PARALLEL_MIN_BYTES, check_many
from pmkit.core.kinds import BY_NAME, file_id
from pmkit.ingest.gitsource import GitSource
from pmkit.ingest.loader import Document, Loaded
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.source import DirectorySource, SourceFile

BAD_OVERRIDE = Code(
    "invalid-check-override", Severity.WARNING, "config",
    "program.yaml `checks:` names a code that does not exist or that cannot be "
    "re-graded (only business rules can; a file that does not parse or breaks "
    "its schema is always an error). The override is ignored.",
)


#: A ceiling on `settings.max_file_size_mb` (1 TB): beyond it nothing changes.
MAX_FILE_SIZE_MB = 1024 * 1024


@dataclass
class Result:
    findings: list[Finding]
    files: int
    index: Index | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


def read_settings(program_yaml: bytes | None) -> Settings:
    """The few program.yaml settings validation itself needs, read leniently.

    program.yaml is validated properly with everything else; here a broken
    value just means the default.
    """
    settings = Settings()
    if program_yaml is None:
        return settings
    data = parse("program.yaml", program_yaml).value or {}
    block = data.get("settings")
    limits: dict[str, Any] = block if isinstance(block, dict) else {}
    size = limits.get("max_file_size_mb")
    if isinstance(size, (int, Decimal)) and not isinstance(size, bool) and size > 0:
        # Compare before multiplying: 1e999999999 MB would overflow Decimal.
        settings.max_bytes = int(min(size, MAX_FILE_SIZE_MB) * 1024 * 1024)
    depth = limits.get("max_depth")
    if isinstance(depth, int) and not isinstance(depth, bool) and depth >= 4:
        settings.max_depth = depth
    if isinstance(data.get("currency"), str):
        settings.currency = data["currency"]
    try:
        settings.status_date = dt.date.fromisoformat(str(data.get("status_date")))
    except ValueError:
        pass
    if isinstance(data.get("checks"), dict):
        settings.overrides = {str(k): str(v) for k, v in data["checks"].items()}
    return settings


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of objects are built.

    Parsed YAML holds no reference cycles, and with the collector running a
    100 MB program takes about twice as long: each collection walks a heap
    that only ever grows.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was loaded stays referenced by the result: keep later
        # collections (model, rollup, site) from re-scanning it. Frozen
        # objects are still freed by reference counting once dropped.
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextmanager
def collecting_seldom(young: int = 20_000) -> Iterator[None]:
    """Collect the youngest objects every ``young`` allocations instead of 700,
    while one program after another is built (``pmkit history``). Each
    commit's model and rollup allocate hundreds of thousands of objects that
    live until the next commit, so most frequent collections find nothing to
    free: at scale 0.1 they cost 18-24 ms a commit, and 2-3 ms so."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Checking:
    """A validation under way: every file loaded and indexed (``index``), the
    rules started. ``finish()`` waits for them and gives the ``Result``.

    Between the two the caller may work on the index (not change it): the
    figures (``pmkit.app.pipeline``) build the model and rollup there while a
    child runs the rules (``start_pipeline(..., rules_in_child=True)``).
    ``loaded_ok``: every file parsed and met its schema. ``sources``: the
    files as read, under program.yaml's size bound (``pmkit diff`` compares
    their bytes without reading them again).
    """

    def __init__(self, index: Index, loaded_ok: bool, finish: Callable[[], Result],
                 sources: list[SourceFile]) -> None:
        self.index, self.loaded_ok, self._finish, self.sources = index, loaded_ok, finish, sources
        self._result: Result | None = None

    def finish(self) -> Result:
        if self._result is None:
            self._result = self._finish()
        return self._result


def start_pipeline(files: Iterable[SourceFile], settings: Settings, as_of: dt.date | None,
                   file_cache: FileCache | None = None, program: str | None = None,
                   rules_in_child: bool = False) -> Checking:
    """Load and index ``files`` and start the rules: in a child process when
    ``rules_in_child``, every file met its schema and the program is big
    enough to pay for it (``PARALLEL_MIN_BYTES``), else when finished. With a
    cache and ``program`` (what names it in the cache), rule parts whose
    input is unchanged are reused.
    """
    file_cache = file_cache or FileCache(None, "")
    sources = list(files)
    # Only the loaded program is frozen for the collector: what is built
    # from it (a model with reference cycles) must stay collectable.
    with _collector_paused():
        loaded, outcomes, keys, index = _load(sources, settings, as_of, file_cache)

    memo_key = ""

    facts = index.facts_store if isinstance(index, TrackedIndex) and isinstance(index.facts_store, CachedFacts) else None

    def rules() -> tuple[list[Finding], Any, dict[str, FileFacts]]:
        """The findings, what to keep of the rule parts and the expense files'
        facts worked out (stored by this process: the rules may run in a
        child, whose memory is not ours)."""
        nonlocal memo_key
        if file_cache.active and program is not None:
            digests = kind_digests((outcome.kind, key) for outcome, key in zip(outcomes, keys))  # type: ignore[union-attr]
            memo_key, kept = rule_memo(file_cache, program, index.as_of, digests)
            found = checks.run(index, settings.overrides, kept)
            return found, kept.current, facts.kept if facts is not None else {}
        return checks.run(index, settings.overrides), None, {}

    valid = not any(f.severity is Severity.ERROR for f in loaded.findings)
    pending = in_child(rules, worth_it=sum(len(s.data) for s in sources) >= PARALLEL_MIN_BYTES) \
        if rules_in_child and valid else None

    def finish() -> Result:
        nonlocal memo_key
        ruled, kept, facts_kept = pending.result() if pending is not None else rules()
        if pending is not None and facts is not None:
            facts.remember(facts_kept)
        if kept is not None:
            if not memo_key:  # worked out in a child: the same key here
                memo_key = rule_memo_key(file_cache, program or "")
            file_cache.store("rules", memo_key, kept)
        found = [*loaded.findings, *ruled]
        found.extend(_override_findings(loaded.documents, settings.overrides))
        return Result(sorted(set(found)), loaded.files, index)

    return Checking(index, valid, finish, sources)


def run_pipeline(files: Iterable[SourceFile], settings: Settings, as_of: dt.date | None,
                 file_cache: FileCache | None = None, program: str | None = None) -> Result:
    """Validate ``files`` and index them (``start_pipeline``, finished)."""
    return start_pipeline(files, settings, as_of, file_cache, program).finish()


def _load(sources: list[SourceFile], settings: Settings, as_of: dt.date | None,
          file_cache: FileCache) -> tuple[Loaded, list[FileOutcome | None], list[str], Index]:
    """The per-file stages (cached, on every core) and the index of what they accepted."""
    loaded = Loaded([], [], 0)
    invalid: dict[str, set[int] | None] = {}
    # Hashing 100 MB is wasted work when nothing is cached (--no-cache).
    cached = file_cache.active
    keys = [file_cache.key(source.path, source.data, source.oid) if cached else "" for source in sources]
    outcomes = [file_cache.get(key) if cached else None for key in keys]
    missing = [i for i, outcome in enumerate(outcomes) if outcome is None]
    # Entry layouts only pay for a later parse's splice: a later run's (the
    # cache), or the next version's in this process (``memory``: the next
    # commit of ``pmkit history``), which starts from this version's outcome.
    remember = file_cache.directory is not None
    latest = file_cache.memory if remember else None

    key_of = {sources[i].path: keys[i] for i in missing}

    def check(source: SourceFile) -> FileOutcome:
        before = latest[("latest", source.path)] if latest is not None and ("latest", source.path) in latest else None
        outcome = check_file(source, settings, before if isinstance(before, FileOutcome) else None, remember)
        # Written by whichever process checked the file: on every core, as the checking.
        file_cache.write("files", key_of[source.path], outcome)
        return outcome

    checked = check_many([sources[i] for i in missing], check)
    for i, fresh in zip(missing, checked):
        outcomes[i] = fresh
        file_cache.remember("files", keys[i], fresh)
    if latest is not None:
        for source, outcome in zip(sources, outcomes):
            latest[("latest", source.path)] = outcome
    for source, outcome, key in zip(sources, outcomes, keys):
        loaded.files += 1
        assert outcome is not None
        _collect(loaded, invalid, source, outcome, settings, file_cache.memory if key else None, key,
                 KeptPositions(file_cache, key) if key and file_cache.directory is not None else None)
    day = as_of or settings.status_date or dt.date.today()
    # Expense files' facts are kept with the file (a new day re-works the current month's only).
    by_path = {source.path: key for source, key in zip(sources, keys)}
    store = CachedFacts(file_cache, by_path) if cached else None
    kept = KeptDerived(file_cache.memory, by_path, file_cache) if cached and file_cache.memory is not None else None
    index = TrackedIndex(as_of=day, facts_store=store, derived_store=kept)
    return loaded, outcomes, keys, build_index(loaded, invalid, day, index)


class KeptDerived:
    """What is derived from each file version (``Index.derived``), kept in a
    run's memory (``FileCache.memory``) under the file's cache key: the key
    names its bytes, path and settings, so its outcome (the entries that broke
    the schema included) and all derived from it are the same wherever it
    comes back. The values are kept with the document they were derived from
    and given only for that very document (records point at it). In memory,
    and nothing in it refers back to the store (no cycle keeps a forgotten
    version alive); the plain-data ones (``lasting``: a project's model, an
    expense file's sums) on disk too, under the key and pmkit's code, for the
    first commit of the next run."""

    def __init__(self, memory: dict[tuple[str, str], object], keys: dict[str, str],
                 cache: FileCache | None = None) -> None:
        self.memory, self.keys, self.cache = memory, keys, cache

    def of(self, doc: Document) -> dict[str, object] | None:
        key = self.keys.get(doc.path)
        if not key:
            return None
        slot = ("derived", key)
        kept = self.memory[slot] if slot in self.memory else None
        if not (isinstance(kept, tuple) and kept[0] is doc):
            kept = self.memory[slot] = (doc, {})
        return kept[1]

    def _slot(self, doc: Document, name: str) -> str | None:
        key = self.keys.get(doc.path)
        if not key or self.cache is None or self.cache.directory is None:
            return None
        return self.cache.digest("derived", name, key, code_fingerprint())

    def lasting(self, doc: Document, name: str) -> object | None:
        slot = self._slot(doc, name)
        return self.cache.load("lasting", slot) if slot is not None and self.cache is not None else None

    def keep_lasting(self, doc: Document, name: str, value: object) -> None:
        slot = self._slot(doc, name)
        if slot is not None and self.cache is not None:
            self.cache.write("lasting", slot, value)  # (in memory it is kept with the document)


def _collect(loaded: Loaded, invalid: dict[str, set[int] | None], source: SourceFile,
             outcome: FileOutcome, settings: Settings, memory: dict[tuple[str, str], object] | None = None,
             key: str = "", store: KeptPositions | None = None) -> None:
    """Add one file's outcome. With ``memory``, a document met before (same
    path, bytes and settings: the same ``key``) is the same object again, so
    what was derived from it (``Index.derived``: records that point at it) is
    not worked out twice. ``store``: where the document's positions are kept."""
    loaded.findings.extend(outcome.findings)
    if outcome.kind is None:
        return
    kind = BY_NAME[outcome.kind]
    if outcome.data is None:
        if kind.id_from_file:
            loaded.unparsed.setdefault(kind.name, set()).add(file_id(source.path))
        return
    known = memory.get(("documents", key)) if memory is not None and ("documents", key) in memory else None
    if isinstance(known, Document) and known.path == source.path and known.data is outcome.data:
        document = known
    else:
        document = Document(source.path, kind, outcome.data, source.data, settings.max_depth, store=store)
        if memory is not None:
            memory[("documents", key)] = document
    loaded.documents.append(document)
    if outcome.invalid is None or outcome.invalid:
        invalid[source.path] = outcome.invalid


def settings_key(settings: Settings) -> str:
    """What, besides a file's bytes, changes the per-file stages' outcome."""
    return f"{settings.max_depth}|{minor_digits(settings.currency)}"


def validate_directory(root: Path, as_of: dt.date | None = None, use_cache: bool = False,
                       cache_dir: Path | None = None, need_index: bool = True,
                       memory: dict[tuple[str, str], object] | None = None, name: str | None = None) -> Result:
    """Validate a program directory.

    With the cache and no need for the whole index (``pmkit validate``), only
    what changed since the last run is read and checked (``incremental``).
    ``memory`` and ``name``: see ``validate_source``.
    """
    source, settings, file_cache = _directory(root, use_cache, cache_dir, memory)
    if use_cache and not need_index and file_cache.directory is not None and memory is None:
        return _with_source_findings(_incremental(source, settings, as_of, file_cache), source)
    return _started_directory(source, settings, file_cache, as_of, False, name).finish()


def rule_name(root: Path) -> str:
    """What names the program in ``root`` in the rule cache. Another version
    of it validated under this name (``validate --changed-since``: the base)
    reuses the rule parts of the directory's last run and leaves its own."""
    return str(DirectorySource(root).root)


def start_directory(root: Path, as_of: dt.date | None = None, use_cache: bool = False,
                    cache_dir: Path | None = None, rules_in_child: bool = False,
                    memory: dict[tuple[str, str], object] | None = None, name: str | None = None) -> Checking:
    """``validate_directory`` with the whole index, started (``start_pipeline``)."""
    source, settings, file_cache = _directory(root, use_cache, cache_dir, memory)
    return _started_directory(source, settings, file_cache, as_of, rules_in_child, name)


def _directory(root: Path, use_cache: bool, cache_dir: Path | None,
               memory: dict[tuple[str, str], object] | None) -> tuple[DirectorySource, Settings, FileCache]:
    source = DirectorySource(root)
    settings = read_settings(_program_bytes(source))
    source.max_bytes = settings.max_bytes
    file_cache = FileCache((cache_dir or default_dir()) if use_cache else None, settings_key(settings), root, memory)
    return source, settings, file_cache


def _started_directory(source: DirectorySource, settings: Settings, file_cache: FileCache, as_of: dt.date | None,
                       rules_in_child: bool, name: str | None = None) -> Checking:
    program = file_cache.digest("manifest", name) if name is not None else program_id(file_cache, source)
    checking = start_pipeline(source.files(), settings, as_of, file_cache, program, rules_in_child)
    return _and_source_findings(checking, source)


def _with_source_findings(result: Result, source: ProgramSource | DirectorySource) -> Result:
    """What reading the files found (a link out of the program, an unreadable file), added."""
    if source.findings:
        result.findings = sorted(set(result.findings) | set(source.findings))
    return result


def _and_source_findings(checking: Checking, source: ProgramSource | DirectorySource) -> Checking:
    finish = checking.finish
    return Checking(checking.index, checking.loaded_ok, lambda: _with_source_findings(finish(), source),
                    checking.sources)


class ProgramSource(Protocol):
    """What validation reads a program from: ``DirectorySource`` or ``GitSource``."""

    max_bytes: int
    findings: list[Finding]

    def paths(self) -> list[str]: ...
    def read(self, path: str) -> SourceFile | None: ...
    def files(self) -> Iterator[SourceFile]: ...


def validate_source(source: ProgramSource, as_of: dt.date | None = None, use_cache: bool = False,
                    cache_dir: Path | None = None, name: str | None = None,
                    memory: dict[tuple[str, str], object] | None = None) -> Result:
    """Validate a program from any source (a git revision: ``GitSource``).

    ``name`` names the program in the cache (its rule parts are reused while
    their input is unchanged); without it only per-file outcomes are cached.
    ``memory`` (a dict the caller keeps) holds the same entries in this
    process, with or without the disk cache: ``pmkit diff`` validates both
    sides with one, so a file identical on both sides is parsed and checked
    once and a rule part whose kinds did not change runs once.
    """
    return start_source(source, as_of, use_cache, cache_dir, name, memory=memory).finish()


def source_settings(source: ProgramSource) -> Settings:
    """program.yaml's settings as a source holds it (the defaults without one);
    reading it reports nothing (validation reads it again)."""
    reported = len(source.findings)
    read = source.read("program.yaml") if "program.yaml" in source.paths() else None
    del source.findings[reported:]
    return read_settings(read.data if read is not None else None)


def start_source(source: ProgramSource, as_of: dt.date | None = None, use_cache: bool = False,
                 cache_dir: Path | None = None, name: str | None = None, rules_in_child: bool = False,
                 memory: dict[tuple[str, str], object] | None = None) -> Checking:
    """``validate_source``, started (``start_pipeline``)."""
    settings = source_settings(source)
    source.max_bytes = settings.max_bytes
    # A revision's program is in a repository as the working tree's is: the
    # cache is refused inside it just the same (``unsafe_reason``).
    where = source.repo.root / source.folder if isinstance(source, GitSource) else None
    file_cache = FileCache((cache_dir or default_dir()) if use_cache else None, settings_key(settings), where, memory)
    program = file_cache.digest("manifest", name) if name is not None and file_cache.active else None
    checking = start_pipeline(source.files(), settings, as_of, file_cache, program, rules_in_child)
    return _and_source_findings(checking, source)


def recall_versions_before(source: ProgramSource, paths: Iterable[str], use_cache: bool,
                           memory: dict[tuple[str, str], object]) -> None:
    """Put in ``memory`` the outcomes of ``paths`` as ``source`` holds them (the version
    before, found in the cache), as the next version's checking would find them had this
    process checked that version: a long list file then re-parses only its changed
    entries (``check_file``'s ``previous``). The first commit ``pmkit history`` computes
    after a run that computed the one before. Nothing is parsed here: a file whose
    outcome is not in the cache is left out."""
    settings = source_settings(source)
    source.max_bytes = settings.max_bytes
    where = source.repo.root / source.folder if isinstance(source, GitSource) else None
    file_cache = FileCache(default_dir() if use_cache else None, settings_key(settings), where, memory)
    if file_cache.directory is None:
        return
    present = set(source.paths())
    for path in paths:
        read = source.read(path) if path in present else None
        outcome = file_cache.get(file_cache.key(path, read.data, read.oid)) if read is not None else None
        if outcome is not None and outcome.entries is not None:
            memory[("latest", path)] = outcome


def _incremental(source: DirectorySource, settings: Settings, as_of: dt.date | None, file_cache: FileCache) -> Result:
    day = as_of or settings.status_date or dt.date.today()
    with _collector_paused():
        run = incremental_run(source, file_cache, settings, day)
    found = [*run.findings, *_override_findings(run.index.documents_of("program"), settings.overrides)]
    return Result(sorted(set(found)), run.files, run.index)  # the caller decides when to free it (cli.run)


def _program_bytes(source: DirectorySource) -> bytes | None:
    """program.yaml for its settings, read under the same guards as every file.

    A program.yaml that cannot be read (no permission, a link out of the
    program, a directory, over the default size bound) gives the default
    settings; reading the files reports why, once.
    """
    if not os.path.lexists(source.root / "program.yaml"):
        return None
    reported = len(source.findings)
    read = source.read("program.yaml")
    del source.findings[reported:]
    return read.data if read is not None else None


def validate_files(files: list[SourceFile], as_of: dt.date | None = None) -> Result:
    """The same pipeline over (path, bytes) pairs from anywhere (git blobs, tests)."""
    program = next((f.data for f in files if f.path == "program.yaml"), None)
    return run_pipeline(files, read_settings(program), as_of)


def _override_findings(documents: list[Document], overrides: dict[str, str]) -> list[Finding]:
    program = next((d for d in documents if d.path == "program.yaml"), None)
    if program is None:
        return []
    out = []
    from pmkit.engine import catalog  # the catalog imports this module

    known = {c.id: c for c in catalog.all_codes()}
    configurable = sorted(c for c, v in known.items() if v.configurable)
    for code_id in sorted(overrides):
        line, column = program.locate(("checks", code_id), "key")
        if code_id not in known:
            close = difflib.get_close_matches(code_id, configurable, n=1)
            hint = f"did you mean `{close[0]}`?" if close else "run `pmkit rules` for the list of codes"
            out.append(Finding("program.yaml", line, column, BAD_OVERRIDE.id,
                               f"`{code_id}` is not a pmkit finding code", BAD_OVERRIDE.severity, hint))
        elif not known[code_id].configurable:
            out.append(Finding("program.yaml", line, column, BAD_OVERRIDE.id,
                               f"`{code_id}` cannot be re-graded", BAD_OVERRIDE.severity,
                               "only business rules can be switched off or re-graded"))
    return out
