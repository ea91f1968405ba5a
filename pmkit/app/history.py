"""`pmkit history`: the program's figures over the repository's history, and the baseline audit trail.

Which commits: the current branch's first-parent line (HEAD, first parents
only: what the branch believed at each step; a merge is one step), oldest
first, limited by ``--since``/``--until`` (an ISO date compares with the
committer's day; anything else is a revision: ``--since REV`` starts after
it, ``--until REV`` ends at it). ``--by day|week|month`` keeps the last
commit of each day, ISO week or month.

Each commit's figures are the rollup of the program folder at that commit as
of the commit's own day (what the program believed that day). A commit whose
program does not validate is a row with ``valid`` false and its error count,
never skipped; a commit where the folder cannot be read at all is such a row
with a ``note``; a commit without the folder (before the program was
committed, or while the folder had another name) is a row with ``valid``
false, no error and the note ``ABSENT``. Nothing here crashes on bad history.

Cost: every file version (blob) is parsed and schema-checked once, ever (the
engine's per-file cache is keyed by content); each commit's row is kept in
the engine's cache directory under (the program folder's tree id, day), as
plain data, so a second run reads rows only, a run after one new commit
computes one, and a commit that does not change the folder on a day already
computed costs nothing. The baseline log reads only the commits that change
the folder.

``--baselines``: every change between consecutive commits whose records load
(valid ones, and those where only a rule fails: a baseline raised past the
funding is logged at its own commit) to a budget line's baseline, a
project's start or end, or a milestone's due date, with the commit, author,
day, and the old and new values (``null`` when the record appeared or
disappeared).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from functools import partial
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit.app.pipeline import Extent, start_figures_of
from pmkit.core.procs import Stream, alone, jobs
from pmkit.core.vocabulary import minor_digits
from pmkit.rollup.figures import field_json
from pmkit.engine.cache import FileCache, RecentMemory, default_dir
from pmkit.engine.validate import collecting_seldom, recall_versions_before
from pmkit.ingest.gitsource import NO_SIGNATURE, GitError, GitMissing, GitStopped, Repository, folder_spec

ROW_VERSION = "7"  # 6: a commit without the program folder has no error, note ABSENT; 7: BEFORE_START
PROGRAM_FIGURES = ("progress", "planned", "pv", "ev", "actual", "committed", "current_budget", "eac", "cpi", "spi",
                   "spi_t", "forecast_finish", "funding_gap", "fte", "open_problems", "milestones_late")


@dataclass(frozen=True)
class Step:
    sha: str
    day: dt.date
    author: str
    subject: str


#: a commit as ``git log`` writes it for a ``Step`` (``_step``)
LOG_FORMAT = "--format=%H%x00%cI%x00%an%x00%s"


def _step(line: str) -> Step:
    sha, date, author, subject = line.split("\0", 3)
    return Step(sha, dt.date.fromisoformat(date[:10]), author, subject)


def _log(repo: Repository, tip: str) -> list[Step]:
    try:
        out = subprocess.run(["git", "log", NO_SIGNATURE, "--first-parent", LOG_FORMAT, tip, "--"],
                             cwd=repo.root, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    except subprocess.CalledProcessError as exc:
        raise GitError(f"git log failed: {exc.stderr.decode('utf-8', 'replace').strip()}") from exc
    return [_step(line) for line in out.splitlines()][::-1]


def _as_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


#: what a person means as a date, well formed or not (2026-3-1, 2026-02-30, 2026-13-45)
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _revision(repo: Repository, text: str, option: str) -> str:
    """The commit ``text`` names; a mistyped date is said to be one, not an unknown revision."""
    try:
        return repo.resolve(text)
    except GitError:
        if _DATE_LIKE.fullmatch(text):
            raise GitError(f"{option} {text}: not a date in the form YYYY-MM-DD (e.g. 2026-03-01), "
                           "nor a revision") from None
        raise


def steps(repo: Repository, since: str | None = None, until: str | None = None, by: str = "commit") -> list[Step]:
    """The commits of the series, oldest first (see the module docstring)."""
    until_day, since_day = _as_date(until), _as_date(since)
    if since_day is not None and until_day is not None and since_day > until_day:
        raise GitError(f"--since {since} is after --until {until}: give the earlier day first")
    if (until is None or until_day is not None) and not repo.has_commits():
        return []  # nothing committed yet: an empty history (a named --until revision is still looked up)
    tip = _revision(repo, until, "--until") if until is not None and until_day is None else repo.resolve("HEAD")
    chosen = _log(repo, tip)
    if until_day is not None:
        chosen = [s for s in chosen if s.day <= until_day]
    if since_day is not None:
        chosen = [s for s in chosen if s.day >= since_day]
    elif since is not None:
        start = _revision(repo, since, "--since")
        shas = [s.sha for s in chosen]
        if start not in shas:
            if until is not None and start in {s.sha for s in _log(repo, repo.resolve("HEAD"))}:
                raise GitError(f"--since {since} comes after --until {until} on the current branch: "
                               "give the earlier revision first")
            raise GitError(f"{since} is not on the current branch's first-parent line up to {tip[:12]}")
        chosen = chosen[shas.index(start) + 1:]
    return bucket(chosen, by)


def period_of(day: dt.date, by: str) -> str:
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(by)


def bucket(chosen: list[Step], by: str) -> list[Step]:
    """The last commit of each period (every commit for ``commit``)."""
    if by == "commit":
        return chosen
    last: dict[str, Step] = {}
    for step in chosen:
        last[period_of(step.day, by)] = step
    return list(last.values())


# ------------------------------------------------------------------ one commit


def _figures_of(rollup: Any, key: str | None) -> dict[str, Any]:
    """The series' figures of the program (key None) or of one project, as the
    rollup's JSON document writes them (only these are written)."""
    digits = minor_digits(rollup.currency)
    p = rollup.sections["program"] if key is None else rollup.sections["projects"][key]
    evm, budget, schedule = p.evm, p.budget, p.earned_schedule
    return {
        "progress": field_json(p, "progress", digits), "planned": field_json(p, "planned", digits),
        "pv": field_json(evm, "pv", digits), "ev": field_json(evm, "ev", digits),
        "actual": field_json(budget, "actual", digits), "committed": field_json(budget, "committed", digits),
        "current_budget": field_json(budget, "current", digits), "eac": field_json(evm, "eac", digits),
        "cpi": field_json(evm, "cpi", digits), "spi": field_json(evm, "spi", digits),
        "spi_t": field_json(schedule, "spi_t", digits),
        "forecast_finish": field_json(schedule, "forecast_finish", digits),
        "funding_gap": field_json(p, "funding_gap", digits) if key is None else None,
        "fte": field_json(p.staffing, "fte", digits) if key is None else field_json(p, "fte", digits),
        "open_problems": p.open_problems, "milestones_late": p.milestones_late,
    }


def _baselines_of(rollup: Any) -> dict[str, Any]:
    digits = minor_digits(rollup.currency)
    out: dict[str, Any] = {}
    for pid, p in rollup.sections["projects"].items():
        out[pid] = {"start": p.start.isoformat(), "end": p.end.isoformat(),
                    "lines": {str(cat): field_json(b, "baseline", digits) for cat, b in p.lines.items()},
                    "milestones": {}}
    for m in rollup.sections["milestones"]:
        if m.project in out:
            out[m.project]["milestones"][m.id] = m.due.isoformat()
    return out


def folder_trees(repo: Repository, folder: str, chosen: list[Step]) -> dict[str, str]:
    """The program folder's tree id at each step's commit (one ``git cat-file --batch-check``);
    a commit without the folder is left out."""
    if not chosen:
        return {}
    names = "".join(f"{folder_spec(s.sha, folder)}\n" for s in chosen)
    try:
        out = subprocess.run(["git", "cat-file", "--batch-check"], cwd=repo.root, input=names.encode(),
                             capture_output=True, check=True).stdout.decode("utf-8", "replace").splitlines()
    except (subprocess.CalledProcessError, OSError):
        return {}
    trees = {}
    for step, line in zip(chosen, out):
        parts = line.split()
        if len(parts) == 3 and parts[1] == "tree":
            trees[step.sha] = parts[0]
    return trees


#: what a row needs of the rollup: the program, projects and milestones, not the plan by month
EXTENT = Extent(plan_by_month=False, sections=frozenset({"milestones"}), document=False)


#: what a row holds only when asked for (``summary(detail=True)``): kept apart
#: from the head, because a row of a few hundred projects weighs 60 KB and a
#: series of the program reads only the head (a few hundred bytes)
DETAIL = ("projects", "baselines")


def summary(repo: Repository, folder: str, step: Step, use_cache: bool, tree: str | None = None,
            memo: dict[tuple[str, str], dict[str, Any]] | None = None,
            memory: RecentMemory | None = None, detail: bool = True,
            cache: FileCache | None = None, run: str = "", before: tuple[str, str] | None = None) -> dict[str, Any]:
    """Plain data for one commit: counts, program and project figures, baselines (cached).

    The figures are a function of the program folder's files and the day
    only, so with the folder's ``tree`` id known a row is kept under (tree,
    day): a commit that leaves the folder as it was on a day already computed
    (a code or docs commit, a rebase, a merge that changes nothing there) is
    read from the cache, or from ``memo`` within one run without a cache.
    ``memory``: what the commit before computed (files' outcomes and facts,
    the rule memo), shared in this process, cache or not. ``detail``: the
    row's ``DETAIL`` too (without it a row read from the cache may lack them).
    ``cache``: the rows' cache (``row_cache``), made here if not given.
    ``run``: names the run of commits this one belongs to in the rule cache
    ("" for the run that ends the series, see ``summaries``). ``before``: the
    commit before this one in the series and its folder's tree, when known."""
    cache = cache or row_cache(use_cache, repo)
    ident = _ident(step, tree)
    known = memo.get((ident, step.day.isoformat())) if memo is not None else None
    if known is not None and (not detail or "projects" in known):
        return known
    key = _row_key(cache, repo, folder, ident, step)
    kept = _kept_row(cache, key, ident, detail)
    if kept is not None:
        if memo is not None:
            memo[(ident, step.day.isoformat())] = kept
        return kept
    if before is not None and tree is not None and memory is not None and not memory and not memory.older:
        _recall(repo, folder, before, tree, use_cache, memory)
    out = _computed_row(repo, folder, step, use_cache, ident, memory, run, tree)
    if not (out["note"] or "").startswith(UNREADABLE):
        # (an unforeseen failure may be this run's, not the commit's: out of memory in
        # one of several processes, too many open files; it is not kept, but tried again)
        cache.store("history", key, {name: value for name, value in out.items() if name not in DETAIL})
        cache.store("history", _detail_key(key), {"ident": ident, **{name: out[name] for name in DETAIL}})
    if memo is not None:
        memo[(ident, step.day.isoformat())] = out
    return out


def _recall(repo: Repository, folder: str, before: tuple[str, str], tree: str, use_cache: bool,
            memory: RecentMemory) -> None:
    """The first commit a process computes: the files it changed, as the commit before had
    them (from the cache, if a run before computed that commit), so that a long list file
    re-parses only its new entries (a run after one new commit: a day's expenses appended
    to a month of them), as it does from one commit to the next within a run."""
    sha, before_tree = before
    changed = repo.changed_paths(before_tree, tree)
    if not changed:
        return
    try:
        with repo.source(sha, folder, memory=memory, tree=before_tree) as source:
            recall_versions_before(source, changed, use_cache, memory)
    except GitError:
        pass  # (only a shortcut: the commit is computed all the same)


def row_cache(use_cache: bool, repo: Repository) -> FileCache:
    """The rows' cache; refused inside the repository, as every cache of pmkit (``unsafe_reason``)."""
    return FileCache(default_dir() if use_cache else None, "history", repo.root)


def _ident(step: Step, tree: str | None) -> str:
    return f"tree:{tree}" if tree is not None else step.sha


def _row_key(cache: FileCache, repo: Repository, folder: str, ident: str, step: Step) -> str:
    return cache.digest("history-row", ROW_VERSION, str(repo.root), folder, ident, step.day.isoformat())


def _detail_key(key: str) -> str:
    return f"{key}-detail"


def _kept_row(cache: FileCache, key: str, ident: str, detail: bool) -> dict[str, Any] | None:
    """A row from the cache: its head, and its detail when asked for (None if either is missing)."""
    head = cache.load("history", key)
    if not isinstance(head, dict) or head.get("ident") != ident:
        return None
    if not detail:
        return head
    more = cache.load("history", _detail_key(key))
    if not isinstance(more, dict) or more.get("ident") != ident:
        return None
    return {**head, **{name: more.get(name) for name in DETAIL}}


#: the note of a row whose computation failed unforeseen (never kept in the cache)
UNREADABLE = "could not be read"
#: the note of a row whose commit has no program folder (``valid`` false, no error)
ABSENT = "the program folder is not in this commit"


#: the note of a row whose day is before the program's start (as ``rollup --as-of`` refuses it: no figures)
BEFORE_START = "before the program starts"


def before_start(row: dict[str, Any]) -> bool:
    """Whether a row's day is before the program's start (valid, no figures)."""
    return (row.get("note") or "").startswith(BEFORE_START)


def absent(row: dict[str, Any]) -> bool:
    """Whether a row's commit has no program folder (before the program was committed)."""
    return row.get("note") == ABSENT


def _computed_row(repo: Repository, folder: str, step: Step, use_cache: bool, ident: str,
                  memory: RecentMemory | None, run: str = "", tree: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"ident": ident, "valid": False, "errors": 0, "warnings": 0, "note": None,
                           "program": None, "projects": {}, "baselines": {}}
    try:
        with repo.source(step.sha, folder, memory=memory, tree=tree) as source:
            # The rules run here, not in a forked child beside the model and rollup: the
            # run of commits beside this one keeps the other core busy, and a forked child
            # of a process this size cost some 100 ms of copied pages a commit.
            underway = start_figures_of(source, step.day, use_cache, f"history\0{repo.root}\0{folder}{run}",
                                        memory=memory, extent=EXTENT, rules_in_child=False)
            computed = underway.finish()
            # every file read and met its schema (git's own findings: an object missing, a
            # file too large, a link out): only then do the records stand for the commit
            whole = underway.checking.loaded_ok and not source.findings
            missing = list(source.missing)
    except GitStopped as exc:
        out["errors"], out["note"] = 1, f"{UNREADABLE}: {exc}"
    except GitMissing:
        # before the program was committed (or while its folder had another name): no
        # program, so no finding either; the site leaves these out of its charts
        out["note"] = ABSENT
    except GitError as exc:
        out["errors"], out["note"] = 1, str(exc)
    except Exception as exc:  # noqa: BLE001  (a history is read as it is: one bad commit is a row, not a crash)
        out["errors"], out["note"] = 1, f"{UNREADABLE}: {type(exc).__name__}"
    else:
        result = computed.result
        out["errors"], out["warnings"] = result.errors, result.warnings
        if missing:
            # the repository's fault, not the commit's: not kept, so a repaired repository is read again
            out["note"] = f"{UNREADABLE}: git holds no object for {', '.join(missing[:3])}" + (
                f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        rollup = computed.rollup
        start = rollup.sections["program"].start if rollup is not None else None
        if start is not None and step.day < start:
            # as `pmkit rollup --as-of` refuses a day before the start: no figures for it (only
            # the findings, and the baselines the commit says)
            out["valid"] = True
            out["note"] = f"{BEFORE_START} ({start}): no figures"
            out["baselines"] = _baselines_of(rollup)
        elif rollup is not None:
            out["valid"] = True
            out["program"] = _figures_of(rollup, None)
            # A tuple in PROGRAM_FIGURES order: a thousand rows of a few hundred
            # projects each are read back (and held) without repeating the names.
            out["projects"] = {str(pid): tuple(_figures_of(rollup, pid).values()) for pid in rollup.sections["projects"]}
            out["baselines"] = _baselines_of(rollup)
        elif underway.built is not None and whole:
            # No figures from a program with errors, but its records were loaded and schema-valid:
            # their baselines are what the commit says (a baseline raised past the funding is an
            # error of budget-over-funding, and the audit trail must name that commit).
            out["baselines"] = _baselines_of(underway.built[1])
    return out


# ------------------------------------------------------------------ the series


def series(repo: Repository, folder: str, chosen: list[Step], project: str | None = None,
           all_projects: bool = False, use_cache: bool = True,
           each: Callable[[Step, dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Rows of the series: one per commit (and per project with ``all_projects``)."""
    rows = []
    for step, s in summaries(repo, folder, chosen, use_cache, detail=all_projects or project is not None):
        if each is not None:
            each(step, s)
        keys: list[str | None] = sorted(s.get("projects") or {}) if all_projects else [project]
        if all_projects and not keys:  # (no figures at this commit: one row that says why)
            keys = [None]
        for key in keys:
            kept = s["projects"].get(key) if key is not None else None
            figures = ((None if all_projects else s["program"]) if key is None
                       else dict(zip(PROGRAM_FIGURES, kept)) if kept else None)
            row: dict[str, Any] = {"commit": step.sha, "date": step.day.isoformat(), "author": step.author,
                                   "subject": step.subject}
            if all_projects or project is not None:
                row["project"] = key
            row.update({"valid": s["valid"], "errors": s["errors"], "warnings": s["warnings"], "note": s["note"]})
            if s["valid"] and figures is None and not s["note"]:
                row["note"] = f"no project {key} at this commit"
            row.update({name: (figures or {}).get(name) for name in PROGRAM_FIGURES})
            rows.append(row)
    return rows


#: the fewest commits worth a worker of their own: a worker's first commit
#: costs a cold rollup (every file loaded), the next ones about a fifth
MIN_STEPS_PER_WORKER = 8


def summaries(repo: Repository, folder: str, chosen: list[Step], use_cache: bool,
              detail: bool = True) -> Iterator[tuple[Step, dict[str, Any]]]:
    """Each step with its ``summary``, oldest first.

    The rows to compute are dealt in runs of consecutive commits between this
    process and a forked worker per further core (``procs.Stream``); each
    computes its run in order, with what the commit before computed at hand
    (``RecentMemory``). Only the rows not yet given are held: a worker's, from
    when it sends them until this process reaches them (heads alone unless
    ``detail``: a row with its detail weighs 60 KB at scale 0.1). A row is
    the same whoever computes it: a function of the folder's tree and the day.
    """
    with collecting_seldom():  # (the workers forked below inherit it)
        yield from _summaries(repo, folder, chosen, use_cache, detail)


def _summaries(repo: Repository, folder: str, chosen: list[Step], use_cache: bool,
               detail: bool) -> Iterator[tuple[Step, dict[str, Any]]]:
    trees = folder_trees(repo, folder, chosen)
    cache = row_cache(use_cache, repo)
    todo = [i for i, step in enumerate(chosen) if not _is_kept(cache, repo, folder, step, trees, detail)]
    runs = _runs(todo, min(jobs(), len(todo) // MIN_STEPS_PER_WORKER))
    # The rule memo the next run starts from is the one the last commit leaves:
    # every run but the one ending the series keeps its own.
    names = [f"\0run {k}" for k in range(len(runs) - 1)] + [""]
    workers = [Stream(partial(_compute_run, repo, folder, [chosen[i] for i in run], use_cache, trees, detail, name,
                              _before(chosen, run[0], trees)),
                      unbounded=True) for run, name in zip(runs[1:], names[1:])]
    worker_of = {i: w for w, run in enumerate(runs[1:]) for i in run}
    memory = RecentMemory()
    memo: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        for i, step in enumerate(chosen):
            if i in worker_of:
                with alone():  # (a worker that died has the rest of its run done here, beside the others)
                    s = workers[worker_of[i]].next()
            else:
                with alone() if workers else nullcontext():
                    s = summary(repo, folder, step, use_cache, trees.get(step.sha), memo, memory, detail, cache,
                                names[0], _before(chosen, i, trees))
                memory.step()
                memo = {key: row for key, row in memo.items() if row is s}
            yield step, s
    finally:
        for worker in workers:
            worker.close()


def _before(chosen: list[Step], i: int, trees: dict[str, str]) -> tuple[str, str] | None:
    """The step before ``chosen[i]`` and its folder's tree (None for the first, or without the folder)."""
    if i == 0 or chosen[i - 1].sha not in trees:
        return None
    return chosen[i - 1].sha, trees[chosen[i - 1].sha]


def _is_kept(cache: FileCache, repo: Repository, folder: str, step: Step, trees: dict[str, str],
             detail: bool) -> bool:
    key = _row_key(cache, repo, folder, _ident(step, trees.get(step.sha)), step)
    return cache.has("history", key) and (not detail or cache.has("history", _detail_key(key)))


def _runs(todo: list[int], workers: int) -> list[list[int]]:
    """``todo`` cut into ``workers`` runs of about equal length, in order (one run without workers)."""
    if workers < 2:
        return [todo]
    size, extra = divmod(len(todo), workers)
    out, start = [], 0
    for w in range(workers):
        end = start + size + (w < extra)
        out.append(todo[start:end])
        start = end
    return out


def _compute_run(repo: Repository, folder: str, run: list[Step], use_cache: bool, trees: dict[str, str],
                 detail: bool, run_name: str, before: tuple[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """A worker's rows: its run of steps, in order, as ``summaries`` computes its own
    (``before``: the step before the run's first, and its folder's tree)."""
    cache = row_cache(use_cache, repo)
    memory = RecentMemory()
    memo: dict[tuple[str, str], dict[str, Any]] = {}
    for k, step in enumerate(run):
        s = summary(repo, folder, step, use_cache, trees.get(step.sha), memo, memory, detail, cache, run_name,
                    before if k == 0 else None)
        memory.step()
        memo = {key: row for key, row in memo.items() if row is s}
        # held by the caller until its turn comes (``Stream(unbounded=True)``): the head alone, if that is all it reads
        yield s if detail else {part: value for part, value in s.items() if part not in DETAIL}


def touching(repo: Repository, folder: str, chosen: list[Step]) -> list[Step]:
    """The steps whose commit changed the program folder (against its first parent), and the first step.

    A commit that leaves the folder as it was reads the same files as the
    step before it, so it has the same baselines: the baseline log needs only
    these (one ``git log -- FOLDER``, instead of a rollup per commit).
    """
    if not chosen or not folder:
        return chosen
    try:
        out = subprocess.run(["git", "log", NO_SIGNATURE, "--first-parent", "--format=%H", chosen[-1].sha, "--", folder],
                             cwd=repo.root, capture_output=True, check=True).stdout.decode()
    except subprocess.CalledProcessError:
        return chosen
    changed = set(out.split())
    return [step for i, step in enumerate(chosen) if i == 0 or step.sha in changed]


def baseline_changes(repo: Repository, folder: str, chosen: list[Step], use_cache: bool = True,
                     each: Callable[[Step], None] | None = None,
                     seen: set[str] | None = None) -> list[dict[str, Any]]:
    """Every change of a baseline, project date or milestone due date between consecutive commits
    whose records load (only the commits that changed the program folder are read: see :func:`touching`). ``each``
    is told of each step read, once its row is (a progress line); ``seen`` gathers the projects
    of the commits read."""
    changes: list[dict[str, Any]] = []
    before: dict[str, Any] | None = None
    # The first commit of a range (--since) is compared with the one before it, which is read
    # for that alone: otherwise the changes it made would never be listed.
    reference = _parent_step(repo, chosen[0]) if chosen else None
    reads = touching(repo, folder, chosen)
    for step, s in summaries(repo, folder, [reference, *reads] if reference is not None else reads, use_cache):
        if step is reference:
            before = s["baselines"] or None
            continue
        if each is not None:
            each(step)
        now = s["baselines"]
        if not now:  # (a commit whose records could not be loaded: compared from the next that can)
            continue
        if seen is not None:
            seen.update(now)
        if before is not None:
            for item, old, new in _compare(before, now):
                changes.append({"commit": step.sha, "date": step.day.isoformat(), "author": step.author,
                                "subject": step.subject, **item, "old": old, "new": new})
        before = now
    return changes


def _parent_step(repo: Repository, step: Step) -> Step | None:
    """The commit before ``step`` on the first-parent line (None for a root commit, or one
    whose parent a shallow clone does not hold)."""
    done = subprocess.run(["git", "log", NO_SIGNATURE, "-1", LOG_FORMAT, f"{step.sha}^1", "--"], cwd=repo.root, capture_output=True)
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return _step(done.stdout.decode("utf-8", "replace").rstrip("\n"))


def _compare(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Any, Any]]:
    for pid in sorted(set(old) | set(new)):
        a, b = old.get(pid) or {}, new.get(pid) or {}
        for field in ("start", "end"):
            if a.get(field) != b.get(field):
                yield {"project": pid, "what": field, "item": None}, a.get(field), b.get(field)
        for kind, name in (("lines", "baseline"), ("milestones", "due")):
            left, right = a.get(kind) or {}, b.get(kind) or {}
            for item in sorted(set(left) | set(right)):
                if left.get(item) != right.get(item):
                    yield {"project": pid, "what": name, "item": item}, left.get(item), right.get(item)


def locate_repository(directory: Path) -> tuple[Repository, str]:
    """The repository holding a program folder and the folder relative to its root."""
    repo = Repository.find(directory.resolve())
    return repo, repo.relative(directory)
