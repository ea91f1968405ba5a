"""What a run over many versions of a program reuses from one version to the next
(``pmkit history``, both sides of ``pmkit diff``), against the plain computation.

Reused in memory, per file version: the blob's bytes (``GitSource`` memory),
the document, its entries as records, a project's typed model, an expense
file's sums (``Index.derived``), and a long list file's entry layout (the next
version re-parses only its changed entries). Each must give what a fresh
computation of that version gives.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pmkit.app import history
from pmkit.domain import model as domain
from pmkit.engine.validate import start_directory
from pmkit.ingest.gitsource import Repository
from pmkit.ingest.loader import splice

from .conftest import Repo

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "program"
BIG = "program/budget/expenses/2026-05.yaml"


def _shown(spending: domain.Spending) -> list[list[tuple[object, str]]]:
    """Every sum, in key order, as text (so a different exponent shows)."""
    return [[(key, str(value)) for key, value in part.items()]
            for part in (spending.lines, spending.contracts, spending.vendors, spending.months)]


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start - dt.timedelta(days=1), end + dt.timedelta(days=1)]
    day = start
    while day <= end:
        days += [day, day + dt.timedelta(days=14)]
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return sorted(set(days))


def test_expenses_added_up_file_by_file_equal_every_row_added_up_on_any_day() -> None:
    memory: dict[tuple[str, str], object] = {}
    first = start_directory(EXAMPLE, dt.date(2026, 10, 31), memory=memory).index
    program = domain.build(first, spent_as_of=dt.date(2026, 10, 31)).program
    days = _days(program.start, program.end)
    assert len(days) > 20
    for day in days:
        index = start_directory(EXAMPLE, day, memory=memory).index
        kept = domain.build(index, spent_as_of=day).spending
        assert kept is not None
        plain = domain.add_up(domain._spend_rows(index.expenses), day)
        assert _shown(kept) == _shown(plain), day
        # the second version of a file reads its records (and sums) from the first's
        path = next(p for p, records in index.expense_records.items() if records)
        assert index.expense_records[path] is first.expense_records[path]
        # and they point at the documents this index holds (a rule compares them: ``r.doc is doc``)
        for doc in index.documents_of("expenses"):
            assert all(record.doc is doc for record in index.expense_records[doc.path])


def test_an_expense_files_sums_are_kept_for_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sums of a file version (``lasting``) come back from the cache in a run with nothing
    in memory (the first commit of the next history run), equal to the plain sums; a file
    changed since is added up anew."""
    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program)
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))
    day = dt.date(2026, 10, 31)
    first = domain.build(start_directory(program, day, use_cache=True, memory={}).index, spent_as_of=day).spending
    worked: list[int] = []
    real = domain._whole_file
    monkeypatch.setattr(domain, "_whole_file", lambda records: worked.append(len(records)) or real(records))
    index = start_directory(program, day, use_cache=True, memory={}).index
    again = domain.build(index, spent_as_of=day).spending
    assert worked == [] and first is not None and again is not None
    assert _shown(again) == _shown(first) == _shown(domain.add_up(domain._spend_rows(index.expenses), day))
    may = program / "budget" / "expenses" / "2026-05.yaml"
    may.write_text(may.read_text(encoding="utf-8").replace("amount: ", "amount: 1", 1), encoding="utf-8")
    index = start_directory(program, day, use_cache=True, memory={}).index
    changed = domain.build(index, spent_as_of=day).spending
    assert changed is not None and len(worked) == 1
    assert _shown(changed) == _shown(domain.add_up(domain._spend_rows(index.expenses), day)) != _shown(first)


def _entry(i: int, amount: str = "10.00") -> str:
    return (f"  - id: m{i}\n    date: 2026-05-{1 + i % 28:02d}\n    project: payroll\n    category: labor\n"
            f"    amount: {amount}\n    description: Contractor hours, week {i}, with a long note to fill the file.\n")


@pytest.fixture
def long_file_story(repo: Repo) -> Repo:
    """A list file long enough to be spliced, changed the ways a team changes it, a day apart."""
    entries = [_entry(i, f"{10 + i % 7}.{i % 100:02d}") for i in range(2200)]
    repo.write(BIG, "expenses:\n" + "".join(entries))
    assert len((repo.root / BIG).read_bytes()) > splice.MIN_BYTES
    repo.commit("the May expenses", "2026-05-20T12:00:00+00:00")
    changes = [
        ("append", lambda text: text + _entry(5000, "1234.56")),
        ("correct one in the middle", lambda text: text.replace("    amount: 13.03\n", "    amount: 130.30\n", 1)),
        ("break one", lambda text: text.replace("    amount: 14.04\n", "    amount: lots\n", 1)),
        ("fix it", lambda text: text.replace("    amount: lots\n", "    amount: 14.40\n", 1)),
        ("drop the first", lambda text: "expenses:\n" + text.split("\n", 7)[7]),
    ]
    for n, (subject, change) in enumerate(changes):
        path = repo.root / BIG
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        repo.commit(subject, f"2026-05-{21 + n}T12:00:00+00:00")
    return repo


def _figures(row: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in row.items() if key != "ident"}  # (a tree id, or the commit alone)


def test_history_rows_equal_each_commit_computed_alone(long_file_story: Repo, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))  # splices need entry layouts kept
    repo = Repository.find(long_file_story.root)
    steps = history.steps(repo)
    reused = [_figures(row) for _, row in history.summaries(repo, "program", steps, use_cache=True)]
    alone = [_figures(history.summary(repo, "program", step, use_cache=False)) for step in steps]
    assert [r["valid"] for r in alone] == [True, True, True, True, False, True, True]
    assert reused == alone
    assert alone[3]["program"]["actual"] != alone[2]["program"]["actual"]  # the correction counts



def _invoiced(i: int, date: str, amount: str, invoice: str, refund_of: str | None = None) -> str:
    return (f"  - id: v{i}\n    date: {date}\n    project: payroll\n    category: contractors\n"
            f"    amount: {amount}\n    vendor: acme\n    contract: acme-build\n    invoice: {invoice}\n" + (f"    refund_of: {refund_of}\n" if refund_of else ""))


def test_a_version_with_expenses_appended_takes_its_facts_from_the_version_before(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day's expenses appended to a long file (what a team does): the facts of the new
    version are the last version's plus the new records (``expense_facts.appended``), on
    days that move and with invoices, future dates and refunds among them, the same rows as
    each commit computed alone."""
    from pmkit.engine import tracking

    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))  # splices need entry layouts kept
    entries = [_entry(i, f"{10 + i % 7}.{i % 100:02d}") for i in range(2200)]
    repo.write(BIG, "expenses:\n" + "".join(entries))
    repo.commit("the May expenses", "2026-05-20T12:00:00+00:00")
    def correcting(text: str) -> str:
        return text.replace("    amount: 13.03\n", "    amount: 130.30\n", 1)

    appends = [
        ("an invoice", _invoiced(1, "2026-05-21", "500.00", "MIS-9001"), "2026-05-21"),
        ("two days later, dated ahead", _invoiced(2, "2026-06-15", "700.5", "MIS-9002"), "2026-05-23"),
        ("one corrected in the middle", _invoiced(3, "2026-05-23", "20.00", "MIS-9005"), "2026-05-24"),
        ("an id used twice", _entry(7), "2026-05-25"),
        ("the same invoice again", _invoiced(4, "2026-05-23", "10.000", "mis-9001 "), "2026-05-26"),
        ("a refund", _invoiced(5, "2026-05-24", "-100.00", "MIS-9003", refund_of="v1"), "2026-05-27"),
        ("after the refund", _invoiced(6, "2026-05-25", "42.00", "MIS-9004"), "2026-05-28"),
    ]
    for subject, text, day in appends:
        path = repo.root / BIG
        before = path.read_text(encoding="utf-8")
        path.write_text((correcting(before) if subject.startswith("one corrected") else before) + text,
                        encoding="utf-8")
        repo.commit(subject, f"{day}T12:00:00+00:00")
    given: list[bool] = []
    real = tracking.appended
    monkeypatch.setattr(tracking, "appended", lambda *a: given.append(real(*a) is not None) or real(*a))
    repository = Repository.find(repo.root)
    steps = history.steps(repository)
    reused = [_figures(row) for _, row in history.summaries(repository, "program", steps, use_cache=True)]
    alone = [_figures(history.summary(repository, "program", step, use_cache=False)) for step in steps]
    assert reused == alone
    # from the version before: the invoice, the one dated ahead, the id used twice, the repeated
    # invoice; afresh: the refund and what follows it; not tried: a version that changed an entry
    assert given == [True, True, True, True, False, False], given
    # (the repository's first commit, the long file, then one row per commit)
    assert [(row["valid"], row["errors"]) for row in alone] == [(True, 0)] * 5 + [(False, 1)] + [(False, 2)] * 3


def test_a_person_is_reused_while_the_dates_of_the_projects_it_allocates_hold(tmp_path: Path) -> None:
    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program)
    # an allocation without dates takes its project's: Ben's to identity-sso
    ben = program / "staff" / "ben-achebe.yaml"
    ben.write_text(ben.read_text(encoding="utf-8").replace("    from: 2025-10-01\n    to: 2026-06-30\n", "", 1),
                   encoding="utf-8")
    day = dt.date(2026, 5, 31)
    memory: dict[tuple[str, str], object] = {}
    first = domain.build(start_directory(program, day, memory=memory).index, spent_as_of=day)
    again = domain.build(start_directory(program, day, memory=memory).index, spent_as_of=day)
    assert again.people["ben-achebe"] is first.people["ben-achebe"]
    assert again.people == first.people

    sso = program / "projects" / "identity-sso.yaml"
    sso.write_text(sso.read_text(encoding="utf-8").replace("end: 2026-06-30", "end: 2026-09-30", 1), encoding="utf-8")
    moved = domain.build(start_directory(program, day, memory=memory).index, spent_as_of=day)
    fresh = domain.build(start_directory(program, day).index, spent_as_of=day)
    assert moved.people == fresh.people
    (to_sso,) = [a for a in moved.people["ben-achebe"].allocations if a.project == "identity-sso"]
    assert (to_sso.start, to_sso.end) == (dt.date(2025, 7, 1), dt.date(2026, 9, 30))
    assert moved.people["aisha-bello"] is first.people["aisha-bello"]  # her projects' dates held


def test_a_series_collects_seldom_and_leaves_the_collector_as_it_found_it(long_file_story: Repo) -> None:
    import gc

    before = gc.get_threshold()
    repo = Repository(long_file_story.root)
    seen = []
    for _ in history.summaries(repo, "program", history.steps(repo), use_cache=False):
        seen.append(gc.get_threshold())
    assert seen and all(threshold[0] > before[0] for threshold in seen)
    assert gc.get_threshold() == before


def test_date_findings_reused_per_file_version_follow_the_program_and_the_file(tmp_path: Path) -> None:
    """date-order and outside-project-dates work a file's findings out once per version; a
    changed program period or name, or a changed file, must show as a fresh run shows it."""
    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program)
    day = dt.date(2026, 5, 31)
    memory: dict[tuple[str, str], object] = {}

    def codes(found: list) -> list:
        return sorted((f.file, f.line, f.code, f.message) for f in found
                      if f.code in ("date-order", "outside-project-dates"))

    def both() -> tuple[list, list]:
        return (codes(start_directory(program, day, memory=memory).finish().findings),
                codes(start_directory(program, day).finish().findings))

    kept, fresh = both()
    assert kept == fresh == []
    top = program / "program.yaml"
    top.write_text(top.read_text(encoding="utf-8").replace("start: 2025-07-01", "start: 2025-08-01", 1),
                   encoding="utf-8")
    kept, fresh = both()
    assert kept == fresh and any(code == "outside-project-dates" for _, _, code, _ in kept)
    top.write_text(top.read_text(encoding="utf-8").replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    kept, fresh = both()
    assert kept == fresh and any("Renamed" in message for *_, message in kept)
    sso = program / "projects" / "identity-sso.yaml"
    sso.write_text(sso.read_text(encoding="utf-8").replace("end: 2026-06-30", "end: 2025-06-30", 1), encoding="utf-8")
    kept, fresh = both()
    assert kept == fresh and any(code == "date-order" and file == "projects/identity-sso.yaml"
                                 for file, _, code, _ in kept)


def test_dependency_findings_reused_per_file_version_follow_the_other_projects(tmp_path: Path) -> None:
    """task-before-dependency and dependency-cycle read a project's dependencies once per file
    version; what they find across projects must follow the other project's file."""
    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program)
    day = dt.date(2026, 5, 31)
    memory: dict[tuple[str, str], object] = {}
    wanted = ("task-before-dependency", "dependency-cycle")

    def both() -> tuple[list, list]:
        def codes(found: list) -> list:
            return sorted((f.file, f.line, f.code, f.message) for f in found if f.code in wanted)
        return (codes(start_directory(program, day, memory=memory).finish().findings),
                codes(start_directory(program, day).finish().findings))

    def edit(path: str, old: str, new: str) -> None:
        file = program / "projects" / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    assert both() == ([], [])
    # the pilot the portal's sign-in depends on now ends after the sign-in starts: only sso's file changes
    edit("identity-sso.yaml", "    start: 2026-01-05\n    end: 2026-04-17\n", "    start: 2026-01-05\n    end: 2026-05-08\n")
    kept, fresh = both()
    assert kept == fresh and [(f, c) for f, _, c, _ in kept] == [("projects/citizen-portal.yaml",
                                                                  "task-before-dependency")]
    # a circle through both projects, closed by sso's file alone
    edit("identity-sso.yaml", "    progress: 100\n    depends_on: [idp-build]\n\n  - id: pam",
         "    progress: 100\n    depends_on: [idp-build, citizen-portal/ciam-integration]\n\n  - id: pam")
    kept, fresh = both()
    assert kept == fresh and any(code == "dependency-cycle" for _, _, code, _ in kept)
    # the pilot renamed: the portal's dependency names no task any more, so neither finding
    edit("identity-sso.yaml", "  - id: ciam-pilot\n", "  - id: ciam-trial\n")
    kept, fresh = both()
    assert kept == fresh and not any(code == "dependency-cycle" for _, _, code, _ in kept)


def test_a_run_after_one_new_commit_reparses_only_the_new_entries_of_a_long_file(
        long_file_story: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first commit a run computes takes the files it changed as the commit before had them
    from the cache (``_recall``): a day's expenses appended to a long file are parsed alone,
    as from one commit to the next within a run, and the row is the commit's alone."""
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path / "cache"))
    repo = Repository.find(long_file_story.root)
    path = long_file_story.root / BIG
    path.write_text(path.read_text(encoding="utf-8") + _entry(6000, "77.70"), encoding="utf-8")
    long_file_story.commit("one more", "2026-05-30T12:00:00+00:00")
    steps = history.steps(repo)
    list(history.summaries(repo, "program", steps[:-1], use_cache=True))  # the run before
    spliced: list[bool] = []
    real = splice.reparse
    monkeypatch.setattr(splice, "reparse", lambda *a: spliced.append(real(*a) is not None) or real(*a))
    rows = [_figures(row) for _, row in history.summaries(repo, "program", steps, use_cache=True)]
    assert spliced == [True]  # one commit computed, its long file re-parsed from the version before
    assert rows[-1] == _figures(history.summary(repo, "program", steps[-1], use_cache=False))
    assert rows[-1]["program"]["actual"] != rows[-2]["program"]["actual"]
