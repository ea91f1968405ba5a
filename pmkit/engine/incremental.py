"""``pmkit validate`` after a change: read, parse and check only what changed.

A cold validate of a 100 MB program parses everything and runs every rule
over everything. A re-run after one edit needs far less, and three records
kept in the cache (never in the program: see ``cache``) tell what:

- the *manifest* of the last run: for every file its signature (times, size,
  inode, as git's index keeps them), its cache key and what the per-file
  stages found. A file whose signature has not changed is not even read;
- the *facts* of every expense file (``checks.expense_facts``), so the budget
  rules need not load the 500,000 expenses again;
- for every rule part, the kinds of record it read (with a digest of their
  files) and what it found. A part reads the same data when none of those
  kinds changed, so its findings are reused; the others run on a lazy index
  that loads only the kinds they ask for.

The findings are the same as a cold run's: tests compare the two after
random edits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

from pmkit import rules as checks
from pmkit.engine.cache import FileCache, KeptPositions, code_fingerprint
from pmkit.engine.memo import Memo
from pmkit.engine.tracking import AS_OF, TrackedIndex
from pmkit.engine.files import FileOutcome
from pmkit.domain.expense_facts import FileFacts, file_facts
from pmkit.domain.index import Index, Record, add_document, list_records
from pmkit.core.findings import Finding
from pmkit.core.kinds import BY_NAME, KINDS, file_id, kind_of
from pmkit.ingest.loader import Document, splice
from pmkit.core.procs import in_child
from pmkit.engine.files import Settings, check_many, check_file as check_stages
from pmkit.ingest.source import DirectorySource, Signature, SourceFile


class Check(Protocol):
    """The per-file stages (``files.check_file`` with the program's settings), given the file's last outcome."""

    def __call__(self, read: SourceFile, previous: FileOutcome | None = None) -> FileOutcome: ...


#: A file changed less than this long before the last run began may have
#: changed again within the file system's timestamp granularity: re-read it.
RACY_NS = 2_000_000_000

FORMAT = 1


@dataclass
class Entry:
    """One file as the last run saw it."""

    signature: Signature | None
    key: str
    kind: str | None
    findings: list[Finding]
    parsed: bool
    invalid: set[int] | None


@dataclass
class Manifest:
    format: int = FORMAT
    started_ns: int = 0
    files: dict[str, Entry] = field(default_factory=dict)


@dataclass
class Outcome:
    """What ``incremental_run`` gives ``validate``: the findings and the lazy index."""

    findings: list[Finding]
    files: int
    index: Index
    reused: int


class LazyProgram:
    """A program whose files are known by key; their data loads on demand (``LazySource``)."""

    def __init__(self, source: DirectorySource, cache: FileCache, entries: dict[str, Entry],
                 fresh: dict[str, FileOutcome], check_file: Check, max_depth: int) -> None:
        self.source = source
        self.cache = cache
        self.entries = entries
        self.fresh = fresh  # outcomes computed in this run
        self.check_file = check_file
        self.max_depth = max_depth
        self.by_kind: dict[str, list[str]] = {kind.name: [] for kind in KINDS}
        for path, entry in entries.items():
            if entry.kind is not None:
                self.by_kind[entry.kind].append(path)
        #: facts already at hand: loaded ahead, or worked out by the child that parsed their file
        self.facts: dict[str, FileFacts] = {}

    def kind_digests(self) -> dict[str, str]:
        return kind_digests((entry.kind, entry.key) for entry in self.entries.values())

    def document(self, path: str) -> tuple[Document, set[int] | None] | None:
        outcome = self._outcome(path)
        if outcome is None or outcome.data is None:
            return None
        store = KeptPositions(self.cache, self.entries[path].key) if self.cache.directory is not None else None
        return Document(path, BY_NAME[outcome.kind or ""], outcome.data, partial(self._bytes, path),
                        self.max_depth, store=store), outcome.invalid

    def _bytes(self, path: str) -> bytes:
        """A file's bytes, read again only when a finding needs a position in it."""
        read = self.source.read(path)
        return read.data if read is not None else b""

    def _outcome(self, path: str) -> FileOutcome | None:
        if path in self.fresh:
            return self.fresh[path]
        outcome = self.cache.get(self.entries[path].key)
        if outcome is None:  # evicted from the cache since: work it out again
            read = self.source.read(path)
            if read is None:
                return None
            outcome = self.check_file(read)
            self.cache.put(self.entries[path].key, outcome)
        return outcome

    # -- LazySource

    def load_kind(self, ix: Index, kind: str) -> None:
        for path in self.by_kind[kind]:
            entry = self.entries[path]
            loaded = self.document(path) if entry.parsed else None
            if loaded is None:
                if BY_NAME[kind].id_from_file:
                    ix.known[kind].add(file_id(path))  # it exists, though it did not parse
                continue
            add_document(ix, *loaded)

    def expense_facts(self, ix: Index) -> list[FileFacts]:
        out = []
        for path in self.by_kind["expenses"]:
            facts = self.file_facts(path, ix.as_of)
            if facts is not None:
                out.append(facts)
        return out

    def file_facts(self, path: str, as_of: dt.date, cached_only: bool = False) -> FileFacts | None:
        """One expense file's facts: at hand, cached, else worked out (and cached)."""
        entry = self.entries[path]
        if not entry.parsed:
            return None
        if path in self.facts:
            return self.facts[path]
        facts = kept_facts(self.cache, entry.key, path, as_of)
        if facts is None:
            if cached_only:
                return None
            loaded = self.document(path)
            facts = _facts(*loaded, as_of) if loaded is not None else None
            if facts is None:
                return None
            self.cache.store("facts", facts_key(self.cache, entry.key), facts)
        self.facts[path] = facts
        return facts

    def expense_records(self, ix: Index, paths: set[str]) -> list[Record]:
        out: list[Record] = []
        for path in self.by_kind["expenses"]:
            if path in paths and self.entries[path].parsed:
                loaded = self.document(path)
                if loaded is not None:
                    out.extend(list_records(*loaded)[0])
        return out


def _facts(doc: Document, invalid: set[int] | None, as_of: dt.date) -> FileFacts | None:
    """An expense file's facts; None without an expense list (as ``build_index``)."""
    if not isinstance(doc.data.get("expenses"), list):
        return None
    return file_facts(doc.path, *list_records(doc, invalid), as_of)


def facts_key(cache: FileCache, file_key: str) -> str:
    """Where a file's facts are kept: one entry per file version, whatever the
    day they were worked out for (``FileFacts.holds_on`` says when they hold)."""
    return cache.digest("facts", file_key, code_fingerprint())


def kept_facts(cache: FileCache, file_key: str, path: str, day: dt.date) -> FileFacts | None:
    """A file's kept facts, if they hold on ``day``."""
    facts = stored_facts(cache, file_key, path)
    return facts.on(day) if facts is not None and facts.holds_on(day) else None


def stored_facts(cache: FileCache, file_key: str, path: str) -> FileFacts | None:
    """A file's kept facts, whatever their day."""
    facts = cache.load("facts", facts_key(cache, file_key))
    return facts if isinstance(facts, FileFacts) and facts.path == path else None


@dataclass
class CachedFacts:
    """The ``FactsStore`` of an index of every file: facts kept in ``cache`` under each file's key."""

    cache: FileCache
    keys: dict[str, str]  # path -> the file's cache key
    #: the facts kept in this process: a rules child sends them back
    #: (``remember``), so the other side of a diff finds them in memory
    kept: dict[str, FileFacts] = field(default_factory=dict)

    def facts(self, path: str, day: dt.date) -> FileFacts | None:
        key = self.keys.get(path)
        return kept_facts(self.cache, key, path, day) if key else None

    def earlier(self, path: str) -> FileFacts | None:
        key = self.keys.get(path)
        return stored_facts(self.cache, key, path) if key else None

    def last_version(self, path: str) -> tuple[FileFacts, list[Record]] | None:
        slot = ("facts-version", path)
        last = self.cache.memory[slot] if self.cache.memory is not None and slot in self.cache.memory else None
        return last if isinstance(last, tuple) else None

    def note_version(self, path: str, facts: FileFacts, records: list[Record]) -> None:
        # in memory only (a run over many versions: ``RecentMemory`` forgets a path no version names)
        if self.cache.memory is not None:
            self.cache.memory[("facts-version", path)] = (facts, records)

    def keep(self, path: str, facts: FileFacts) -> None:
        key = self.keys.get(path)
        if key:
            self.cache.store("facts", facts_key(self.cache, key), facts)
            self.kept[path] = facts

    def remember(self, kept: dict[str, FileFacts]) -> None:
        """Facts a child kept (already on disk, if there is a cache folder), into this process's memory."""
        if self.cache.memory is None:
            return
        for path, facts in kept.items():
            key = self.keys.get(path)
            if key:
                self.cache.memory[("facts", facts_key(self.cache, key))] = facts


def kind_digests(files: Iterable[tuple[str | None, str]]) -> dict[str, str]:
    """kind -> a digest of the cache keys of its files, from (kind, key) in path order."""
    digests = {kind.name: hashlib.blake2b(digest_size=16) for kind in KINDS}
    for kind, key in files:
        if kind is not None:
            digests[kind].update(key.encode())
    return {kind: digest.hexdigest() for kind, digest in digests.items()}


def rule_memo(cache: FileCache, program_id: str, as_of: dt.date, digests: dict[str, str]) -> tuple[str, Memo]:
    """The memo of the last run on this program (whatever its as-of date), and its key."""
    key = rule_memo_key(cache, program_id)
    previous = cache.load("rules", key)
    return key, Memo({**digests, AS_OF: as_of.isoformat()}, previous if isinstance(previous, dict) else {})


def rule_memo_key(cache: FileCache, program_id: str) -> str:
    """One memo per program: a part that does not read the as-of date is reused on any day."""
    return cache.digest("rules", program_id, code_fingerprint())


def run_rules(index: Index, cache: FileCache, program_id: str, digests: dict[str, str],
              overrides: dict[str, str], memo: tuple[str, Memo] | None = None) -> tuple[list[Finding], int]:
    """Every rule, reusing the findings of the parts whose kinds (and, if they
    read it, the as-of date) are unchanged since the last run on this
    program; (findings, parts reused)."""
    key, kept = memo or rule_memo(cache, program_id, index.as_of, digests)
    found = checks.run(index, overrides, kept)
    cache.store("rules", key, kept.current)
    return found, kept.reused


def program_id(cache: FileCache, source: DirectorySource) -> str:
    """What names a program in the cache: its directory (and, through the prefix, the settings)."""
    return cache.digest("manifest", str(source.root))


#: From this many bytes of changed files on, a child parses them while this
#: process loads ahead (``incremental_run``).
AHEAD_BYTES = 1024 * 1024

_PARSED: dict[str, Any] = {}  # stands for parsed data in a summary (``_summary``)


def _summary(outcome: FileOutcome) -> FileOutcome:
    """An outcome without its data (which stays in the cache): what crosses back from a child."""
    return replace(outcome, data=_PARSED if outcome.data is not None else None)


class _ChangedFiles:
    """In a child: check the changed files and work out an expense file's
    facts (``check``), send the summaries and facts, and only then write
    them to the cache (``write``): this process need not wait for that."""

    def __init__(self, missing: list[tuple[SourceFile, str, str | None]], check_file: Check, cache: FileCache,
                 as_of: dt.date, max_depth: int) -> None:
        self.missing, self.check_file, self.cache = missing, check_file, cache
        self.as_of, self.max_depth = as_of, max_depth
        self.to_write: list[tuple[str, FileOutcome, FileFacts | None]] = []

    def check(self) -> list[tuple[FileOutcome, FileFacts | None]]:
        out: list[tuple[FileOutcome, FileFacts | None]] = []
        for read, key, old_key in self.missing:
            outcome = self.check_file(read, previous=previous_outcome(self.cache, read, old_key))
            facts = None
            if outcome.kind == "expenses" and outcome.data is not None:
                doc = Document(read.path, BY_NAME["expenses"], outcome.data, read.data, self.max_depth)
                facts = _facts(doc, outcome.invalid, self.as_of)
            self.to_write.append((key, outcome, facts))
            out.append((_summary(outcome), facts))
        return out

    def write(self, _: object = None) -> None:
        for key, outcome, facts in self.to_write:
            self.cache.put(key, outcome)
            if facts is not None:
                self.cache.store("facts", facts_key(self.cache, key), facts)


def previous_outcome(cache: FileCache, read: SourceFile, old_key: str | None) -> FileOutcome | None:
    """A changed file's outcome last time, when re-parsing only its changed entries may pay."""
    kind = kind_of(read.path)
    if old_key is None or kind is None or kind.list_key is None or len(read.data) < splice.MIN_BYTES:
        return None
    return cache.get(old_key)


def _load_ahead(program: LazyProgram, index: Index, kinds: Iterable[str | None]) -> None:
    """Load the kinds the rules are about to read (the expenses: their files' facts)."""
    for kind in sorted(k for k in kinds if k is not None):
        if kind == "expenses":
            for path in program.by_kind["expenses"]:
                program.file_facts(path, index.as_of, cached_only=True)
        else:
            index.use(kind)


def incremental_run(source: DirectorySource, cache: FileCache, settings: Settings, as_of: dt.date,
                    remember: bool = True) -> Outcome:
    """Scan, re-check the changed files, and run the rule parts whose input changed.
    ``remember``: keep long list files' entry layouts (a later edit re-parses only
    its changed entries)."""
    check_file: Check = partial(check_stages, settings=settings, remember=remember)
    max_depth, overrides = settings.max_depth, settings.overrides
    manifest_key = program_id(cache, source)
    before = cache.load("manifests", manifest_key)
    if not isinstance(before, Manifest) or before.format != FORMAT:
        before = Manifest()
    now = Manifest(started_ns=time.time_ns())
    changed = _scan(source, cache, before, now)
    cached = {read.path: cache.get(key) for read, _, key, _ in changed}
    fresh = {path: outcome for path, outcome in cached.items() if outcome is not None}
    missing = [(read, key, old_key) for read, _, key, old_key in changed if cached[read.path] is None]
    program = LazyProgram(source, cache, now.files, fresh, check_file, max_depth)
    index = TrackedIndex(as_of=as_of, lazy=program)
    digests = program.kind_digests()  # from the keys: known before anything is parsed
    memo = rule_memo(cache, manifest_key, as_of, digests)
    # Parsing the changed files is the longest step of a re-run after an edit:
    # a child does it while this process loads what the rules will read.
    pending = None
    if sum(len(read.data) for read, _, _ in missing) >= AHEAD_BYTES and 2 * len(missing) <= len(now.files):
        job = _ChangedFiles(missing, check_file, cache, as_of, max_depth)
        pending = in_child(job.check, worth_it=True, then=job.write)
        _load_ahead(program, index, memo[1].stale_reads() - {now.files[r.path].kind for r, _, _ in missing})
        for (read, _, _), (summary, facts) in zip(missing, pending.result()):
            cached[read.path] = summary
            if facts is not None:
                program.facts[read.path] = facts
    else:
        keys = {read.path: (key, old_key) for read, key, old_key in missing}

        def check(read: SourceFile) -> FileOutcome:
            key, old_key = keys[read.path]
            outcome = check_file(read, previous=previous_outcome(cache, read, old_key))
            cache.write("files", key, outcome)  # by whichever process checked it: on every core
            return outcome

        checked = check_many([read for read, _, _ in missing], check)
        for (read, key, _), checked_now in zip(missing, checked):
            cache.remember("files", key, checked_now)
            cached[read.path] = fresh[read.path] = checked_now
    for read, signature, key, _ in changed:
        outcome = cached[read.path]
        assert outcome is not None
        now.files[read.path] = Entry(signature, key, outcome.kind, outcome.findings, outcome.data is not None,
                                     outcome.invalid)
    found, reused = run_rules(index, cache, manifest_key, digests, overrides, memo)
    if pending is not None:
        pending.wait()  # the changed files' outcomes are in the cache before the manifest names them
    cache.store("manifests", manifest_key, now)
    per_file = [f for entry in now.files.values() for f in entry.findings]
    return Outcome([*per_file, *found], len(now.files), index, reused)


def _scan(source: DirectorySource, cache: FileCache, before: Manifest,
          now: Manifest) -> list[tuple[SourceFile, Signature | None, str, str | None]]:
    """Fill ``now.files`` in path order: unchanged files as the last run saw
    them (not even read when their signature is trusted), changed ones as
    placeholders of their kind; return the changed ones (bytes, signature,
    key, the key they had last time)."""
    trusted_until = before.started_ns - RACY_NS
    changed: list[tuple[SourceFile, Signature | None, str, str | None]] = []
    for path in source.names():
        signature = source.signature(path)
        old = before.files.get(path)
        if old is not None and signature is not None and old.signature == signature and signature[0] < trusted_until:
            now.files[path] = old
            continue
        read = source.read(path)
        if read is None:
            continue
        key = cache.key(path, read.data)
        if old is not None and old.key == key:
            now.files[path] = Entry(signature, key, old.kind, old.findings, old.parsed, old.invalid)
            continue
        kind = kind_of(path)
        now.files[path] = Entry(signature, key, kind.name if kind else None, [], False, None)
        changed.append((read, signature, key, old.key if old is not None else None))
    return changed
