"""The per-file cache must never change what validate reports."""

from pathlib import Path

from conftest import only
from pmkit.engine.validate import validate_directory


def test_cached_run_reports_the_same_and_sees_edits(program, tmp_path: Path):
    cache = tmp_path / "cache"
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    cold = validate_directory(program.root, use_cache=True, cache_dir=cache)
    entries = list((cache / "files").rglob("*.pickle"))
    assert len(entries) == cold.files == 16
    warm = validate_directory(program.root, use_cache=True, cache_dir=cache)
    assert warm.findings == cold.findings and [f.code for f in warm.findings] == ["unknown-reference"]
    # The finding's position is still right when its file came from the cache.
    assert (warm.findings[0].line, warm.findings[0].column) == (3, 8)

    program.replace("projects/infra.yaml", "owner: bobb", "owner: bob")
    program.replace("projects/payroll.yaml", "progress: 50", "progress: 500")
    edited = validate_directory(program.root, use_cache=True, cache_dir=cache)
    assert [f.code for f in edited.findings] == ["out-of-range"]
    assert len(list((cache / "files").rglob("*.pickle"))) == 18  # two new entries, nothing rewritten


def test_corrupt_cache_entry_is_recomputed(program, tmp_path: Path):
    cache = tmp_path / "cache"
    validate_directory(program.root, use_cache=True, cache_dir=cache)
    for entry in cache.rglob("*.pickle"):  # file outcomes and the rules' findings
        entry.write_bytes(b"not a pickle")
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    result = validate_directory(program.root, use_cache=True, cache_dir=cache)
    assert [f.code for f in result.findings] == ["unknown-reference"]


def test_currency_is_part_of_the_key(program, tmp_path: Path):
    """10.50 is fine in USD and wrong in JPY: a cached USD verdict must not leak."""
    cache = tmp_path / "cache"
    assert validate_directory(program.root, use_cache=True, cache_dir=cache).findings == []
    program.replace("program.yaml", "currency: USD", "currency: JPY")
    result = validate_directory(program.root, use_cache=True, cache_dir=cache)
    assert only(result, "money-precision")


def test_code_changes_invalidate_the_cache(tmp_path: Path):
    """Entries made by other code must not be reused: a change to any module
    of the package, one the fingerprint never named included, changes it."""
    import shutil

    from pmkit.engine import cache

    package = Path(cache.__file__).resolve().parent.parent
    copy = tmp_path / "pmkit"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "schemas"))
    before = cache.tree_digest(copy, [])
    assert before == cache.tree_digest(copy, [])
    rollup = copy / "rollup" / "figures.py"
    rollup.write_text(rollup.read_text() + "\n# a change\n")
    assert cache.tree_digest(copy, []) != before
    (copy / "rules" / "new_rule.py").write_text("CODE = None\n")
    assert len({before, cache.tree_digest(copy, [])}) == 2


def test_unchanged_program_reuses_the_rules_findings(program, tmp_path: Path, monkeypatch):
    from pmkit import rules as checks

    cache = tmp_path / "cache"
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    first = validate_directory(program.root, use_cache=True, cache_dir=cache)
    ran: list[str] = []
    real = checks.run_part
    monkeypatch.setattr(checks, "run_part", lambda rule, part, ix: ran.append(rule.code.id) or real(rule, part, ix))
    again = validate_directory(program.root, use_cache=True, cache_dir=cache)
    assert again.findings == first.findings and ran == []
    # Another as-of date runs again the rules that read the date, and only those;
    # a change to a file, the rules that read its kind.
    new_year = __import__("datetime").date(2027, 1, 1)
    later = validate_directory(program.root, as_of=new_year, use_cache=True, cache_dir=cache)
    assert "milestone-late" in ran and "milestone-late" in {f.code for f in later.findings}
    assert "dependency-cycle" not in ran and "date-order" not in ran  # they never read the date
    ran.clear()
    program.replace("projects/infra.yaml", "owner: bobb", "owner: bob")
    fixed = validate_directory(program.root, as_of=new_year, use_cache=True, cache_dir=cache)
    assert "unknown-reference" not in {f.code for f in fixed.findings}
    assert "unknown-reference" in ran and "problem-overdue" not in ran  # risks were not touched


def test_recent_memory_keeps_what_the_last_step_used_and_forgets_the_rest():
    """``pmkit history`` holds about two versions of the program however long the history."""
    from pmkit.engine.cache import RecentMemory

    memory = RecentMemory()
    memory[("files", "a")] = 1
    memory[("files", "b")] = 2
    memory.step()  # a and b: from the step before
    assert ("files", "a") in memory and memory[("files", "a")] == 1  # used again: kept
    memory[("files", "c")] = 3
    memory.step()
    assert ("files", "b") not in memory  # not used in the last step: forgotten
    assert ("files", "a") in memory and ("files", "c") in memory
    memory.step()
    memory.step()
    assert ("files", "a") not in memory and len(memory) == 0


def test_a_cache_folder_removed_during_a_run_is_made_again(tmp_path: Path):
    """``FileCache.write`` makes each folder once and remembers it. When
    someone removes the cache while a run goes on (a long ``pmkit history``,
    a clean-up of ~/.cache), the next write into a remembered folder must make
    it again, as writes did before they remembered folders, not turn the
    cache off for the rest of the run (every outcome after it lost)."""
    import shutil

    from pmkit.engine.cache import FileCache

    folder = tmp_path / "cache"
    cache = FileCache(folder, "settings")
    first, second = "ab" + "0" * 38, "ab" + "1" * 38  # one folder for both
    cache.write("files", first, {"n": 1})
    shutil.rmtree(folder)
    cache.write("files", second, {"n": 2})
    assert cache.directory == folder
    assert FileCache(folder, "settings").load("files", second) == {"n": 2}


def test_an_entry_read_from_disk_is_kept_in_the_runs_memory(tmp_path: Path):
    """Another process of the run wrote it (a history's worker checked the file first): the
    next version of the program that asks gets the same object again, not a new unpickling,
    so the document and all derived from it are reused (a history's main process rebuilt
    every such project at every commit, and held each rebuilt plan)."""
    from pmkit.engine.cache import FileCache, RecentMemory

    writer = FileCache(tmp_path / "cache", "settings")
    writer.store("files", "k" * 40, {"outcome": [1, 2, 3]})
    memory = RecentMemory()
    reader = FileCache(tmp_path / "cache", "settings", memory=memory)
    first = reader.load("files", "k" * 40)
    assert first == {"outcome": [1, 2, 3]} and memory[("files", "k" * 40)] is first
    memory.step()
    assert reader.load("files", "k" * 40) is first
    assert FileCache(tmp_path / "cache", "settings").load("files", "k" * 40) is not first  # no memory: read again


def test_positions_are_parsed_once_per_file_version(program, tmp_path: Path, monkeypatch):
    """A finding's line and column in a file version met before come from the cache: the rules
    of a new commit (history, --rev, diff) in a fresh process located every late milestone by
    parsing its project file again. The lines are the same as a parse gives."""
    import pmkit.ingest.loader as loader

    cache = tmp_path / "cache"
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    cold = validate_directory(program.root, use_cache=True, cache_dir=cache, name="first")
    assert [(f.code, f.line, f.column) for f in cold.findings] == [("unknown-reference", 3, 8)]
    assert len(list((cache / "positions").rglob("*.pickle"))) == 1
    parses: list[str] = []
    real = loader.parse
    monkeypatch.setattr(loader, "parse", lambda path, *a, **k: parses.append(path) or real(path, *a, **k))
    # another rule memo (another name): the rules run again, in a run with nothing in memory
    warm = validate_directory(program.root, use_cache=True, cache_dir=cache, name="second")
    assert warm.findings == cold.findings and parses == []
    no_cache = validate_directory(program.root, name="third")
    # without a cache every file is parsed to be checked, and the file with a finding once more
    assert no_cache.findings == cold.findings and parses.count("projects/infra.yaml") == 2


def test_a_tampered_positions_entry_is_parsed_again(program, tmp_path: Path):
    """Positions are a pickle like every entry: one this user's pmkit did not make is never
    unpickled (nor trusted), and the file is parsed for its lines instead."""
    cache = tmp_path / "cache"
    program.replace("projects/infra.yaml", "owner: bob", "owner: bobb")
    validate_directory(program.root, use_cache=True, cache_dir=cache, name="first")
    (entry,) = (cache / "positions").rglob("*.pickle")
    import pickle

    entry.write_bytes(bytes(32) + pickle.dumps({("owner",): (90, 9, 90, 90)}))
    again = validate_directory(program.root, use_cache=True, cache_dir=cache, name="second")
    assert [(f.code, f.line, f.column) for f in again.findings] == [("unknown-reference", 3, 8)]
