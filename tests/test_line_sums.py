"""The lines' sums over the expense files' facts, updated from the last version's
sums (``expense_facts._line_sums``), against adding them all up afresh."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from pmkit.domain import expense_facts

Part = dict[tuple[str, str], Decimal]


def _plain(parts: list[Part]) -> Part:
    total: Part = {}
    for part in parts:
        for line, amount in part.items():
            total[line] = total[line] + amount if line in total else amount
    return total


def _part(rnd: random.Random) -> Part:
    lines = [(f"p{rnd.randrange(6)}", f"c{rnd.randrange(4)}") for _ in range(rnd.randrange(0, 12))]
    return {line: Decimal(rnd.randrange(-10**14, 10**14)).scaleb(-rnd.choice((0, 2))) for line in lines}


@pytest.mark.parametrize("seed", range(40))
def test_sums_updated_version_after_version_equal_sums_added_up_afresh(seed: int) -> None:
    rnd = random.Random(seed)
    expense_facts._RECENT.clear()
    parts = [_part(rnd) for _ in range(rnd.randrange(2, 12))]
    updated = 0
    for _ in range(60):
        kept = list(expense_facts._RECENT)
        got = expense_facts._line_sums(parts)
        assert got == _plain(parts)  # the same lines, equal amounts
        updated += bool(kept) and expense_facts._RECENT[0].parts is parts and got is not kept[0].total
        parts = list(parts)
        for _ in range(rnd.randrange(0, 3)):  # a day or an edit changes a file or two, or adds or drops one
            move = rnd.random()
            if move < 0.6 and parts:
                parts[rnd.randrange(len(parts))] = _part(rnd)
            elif move < 0.75:
                parts.insert(rnd.randrange(len(parts) + 1), _part(rnd))
            elif move < 0.9 and len(parts) > 1:
                del parts[rnd.randrange(len(parts))]
            elif parts:  # two files of the same content sharing their facts
                parts.append(parts[rnd.randrange(len(parts))])
    assert updated > 20


def test_sums_handed_out_are_never_changed_by_a_later_update() -> None:
    expense_facts._RECENT.clear()
    a, b, c = {("p", "x"): Decimal("1.50")}, {("p", "x"): Decimal(2), ("q", "y"): Decimal(3)}, {("r", "z"): Decimal(4)}
    first = expense_facts._line_sums([a, b, c, a])
    snapshot = dict(first)
    second = expense_facts._line_sums([a, {("p", "x"): Decimal(7)}, c, a])
    assert first == snapshot == {("p", "x"): Decimal("5.00"), ("q", "y"): Decimal(3), ("r", "z"): Decimal(4)}
    assert second == {("p", "x"): Decimal("10.00"), ("r", "z"): Decimal(4)}


@pytest.mark.parametrize("seed", range(40))
def test_id_unions_updated_version_after_version_equal_unions_made_afresh(seed: int) -> None:
    """``_id_union`` (the expense ids of every file, and whether one repeats) against a fresh
    union, while files change, come and go, and ids repeat within a file or across files."""
    rnd = random.Random(seed)
    expense_facts._LAST_UNION.clear()

    def ids() -> tuple[frozenset[str], int]:
        chosen = [f"e{rnd.randrange(3000 if rnd.random() < 0.1 else 10**9)}" for _ in range(rnd.randrange(0, 20))]
        if chosen and rnd.random() < 0.05:
            chosen.append(chosen[0])  # an id twice in one file
        return frozenset(chosen), len(chosen)

    files = [ids() for _ in range(rnd.randrange(2, 12))]
    updated = 0
    for _ in range(60):
        parts, count = [part for part, _ in files], sum(n for _, n in files)
        known = bool(expense_facts._LAST_UNION)
        union, repeats = expense_facts._id_union(parts, count)
        assert union == set().union(*parts) and repeats == (len(union) != count)
        updated += known
        files = list(files)
        for _ in range(rnd.randrange(0, 3)):
            move = rnd.random()
            if move < 0.6 and files:
                files[rnd.randrange(len(files))] = ids()
            elif move < 0.8:
                files.insert(rnd.randrange(len(files) + 1), ids())
            elif len(files) > 1:
                del files[rnd.randrange(len(files))]
    assert updated >= 10
