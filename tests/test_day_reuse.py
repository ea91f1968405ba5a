"""A new as-of date reuses what does not depend on it, and gives what a fresh run gives.

Two things are kept across days: an expense file's facts (``FileFacts.holds_on``:
the same expenses count on both days), and a rule part's findings when the
part never read the date (``tracking.AS_OF``). Both are compared here with the
plain computation on the example program, over days chosen around its
expense dates, month ends and milestone due dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
import random
import shutil
from pathlib import Path

import pytest

from pmkit.domain.expense_facts import file_facts
from pmkit.engine.validate import start_directory, validate_directory

EXAMPLE = Path(__file__).resolve().parent.parent / "program"

DAYS = [dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2025, 7, 31), dt.date(2025, 8, 1),
        dt.date(2026, 3, 14), dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 10, 31),
        dt.date(2026, 11, 1), dt.date(2027, 7, 1)]


def _expense_files(index):
    by_file: dict[str, list] = {}
    for record in index.expenses:
        by_file.setdefault(record.doc.path, []).append(record)
    return by_file


def test_facts_that_hold_on_another_day_are_that_days_facts():
    index = validate_directory(EXAMPLE, use_cache=False).index
    files = _expense_files(index)
    assert len(files) > 10
    probes = sorted({*DAYS, *(dt.date.fromisoformat(r.data["date"]) + dt.timedelta(days=d)
                              for records in files.values() for r in records[:3] for d in (-1, 0, 1))})
    held = not_held = 0
    for path, records in files.items():
        by_day = {day: file_facts(path, records, [], day) for day in probes}
        for first in probes:
            for second in probes:
                if by_day[first].holds_on(second):
                    held += 1
                    assert by_day[first].on(second) == by_day[second], (path, first, second)
                else:
                    not_held += 1
    assert held and not_held  # both sides were tried


def test_what_the_ids_give_is_worked_out_once_for_every_day_and_never_kept_in_the_cache():
    import pickle

    index = validate_directory(EXAMPLE, use_cache=False).index
    path, records = max(_expense_files(index).items(), key=lambda item: len(item[1]))
    facts = file_facts(path, records + records[:1], [], dt.date(2026, 10, 31))  # the first id twice
    later = facts.on(dt.date(2026, 11, 30))
    assert later.ids is facts.ids and later.id_set is facts.id_set  # shared by the copy for another day
    assert later.ids == [r.data["id"] for r in records] + [records[0].data["id"]]
    assert facts.id_set == {r.data["id"] for r in records}
    first = records[0].data["id"]
    assert facts.first_at(first) == 0 and facts.amounts[facts.first_at(first)] == str(records[0].data["amount"])
    assert facts.first_at(records[-1].data["id"]) == len(records) - 1
    kept = pickle.loads(pickle.dumps(facts))
    assert kept == facts and kept._derived == {} and "ids" in facts._derived  # worked out again, not read
    assert kept.ids == facts.ids and kept.id_set == facts.id_set


def test_a_past_month_holds_from_day_to_day_and_the_current_month_does_not():
    index = validate_directory(EXAMPLE, use_cache=False).index
    records = _expense_files(index)["budget/expenses/2026-03.yaml"]
    march = file_facts("budget/expenses/2026-03.yaml", records, [], dt.date(2026, 4, 30))
    assert march.holds_on(dt.date(2026, 10, 31)) and march.holds_on(dt.date(2026, 3, 31))
    assert not march.holds_on(dt.date(2026, 3, 14))
    before = file_facts("budget/expenses/2026-03.yaml", records, [], dt.date(2026, 2, 1))
    assert before.holds_on(dt.date(2025, 12, 31)) and not before.holds_on(dt.date(2026, 3, 31))


@pytest.mark.parametrize("seed", [1, 2])
def test_validate_day_after_day_with_a_cache_equals_a_fresh_run(tmp_path: Path, seed: int):
    """The incremental validate and the whole-index pipeline (the one ``rollup``,
    ``diff`` and ``history`` use), each with one cache over a walk of days, find
    what a run without a cache finds on each day."""
    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program)
    rng = random.Random(seed)
    days = DAYS + [dt.date(2025, 7, 1) + dt.timedelta(days=rng.randrange(800)) for _ in range(6)]
    rng.shuffle(days)
    incremental, whole = tmp_path / "incremental", tmp_path / "whole"
    for day in days:
        fresh = validate_directory(program, as_of=day, use_cache=False).findings
        assert validate_directory(program, as_of=day, use_cache=True, cache_dir=incremental,
                                  need_index=False).findings == fresh, day
        assert start_directory(program, as_of=day, use_cache=True, cache_dir=whole).finish().findings == fresh, day
    assert any(validate_directory(program, as_of=day, use_cache=False).findings for day in days)


def test_facts_carried_from_day_to_day_find_a_line_overspent_on_the_day_it_is(tmp_path: Path):
    """Day after day through a month, with one cache: an expense file's facts are carried
    from the day before (``expense_facts.advanced``). A budget line set to tip over in the
    middle of the month must be found overspent from that very day, as a fresh run finds."""
    from pmkit.domain.ledger import ledger

    program = tmp_path / "program"
    shutil.copytree(EXAMPLE, program)
    may = program / "budget" / "expenses" / "2026-05.yaml"
    may.write_text(may.read_text(encoding="utf-8") + "".join(
        f"\n  - id: exp-2026-05-t{day}\n    date: 2026-05-{day:02d}\n    project: citizen-portal\n"
        f"    category: travel\n    amount: 10.00\n" for day in (8, 15, 22)), encoding="utf-8")
    books = ledger(start_directory(program, as_of=dt.date(2026, 5, 14), use_cache=False).index)
    line = books.get(("citizen-portal", "travel"))
    # the budget that the expense of the 15th, and every one after it, goes over
    budget = line.actual + line.committed - line.transfers_in + line.transfers_out + Decimal("5.00")
    project = program / "projects" / "citizen-portal.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("  travel: 5000\n", f"  travel: {budget}\n", 1),
                       encoding="utf-8")

    def overspent(found: list) -> bool:
        return any(f.code == "line-overspent" and "`travel`" in f.message and "citizen-portal" in f.message
                   for f in found)

    days = [dt.date(2026, 5, 1) + dt.timedelta(days=n) for n in range(31)]
    cache, seen = tmp_path / "cache", []
    for day in days:
        fresh = start_directory(program, as_of=day, use_cache=False).finish().findings
        assert start_directory(program, as_of=day, use_cache=True, cache_dir=cache).finish().findings == fresh, day
        seen.append(overspent(fresh))
    assert seen == [day >= dt.date(2026, 5, 15) for day in days]
