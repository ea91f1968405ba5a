"""What each expense file tells the budget rules, worked out from that file alone.

At SPEC §9 scale the expense files hold 500,000 of the program's records, and
a rule that walks all of them after every change cannot make a re-validate
cheap. So the rules that read expenses work in two steps:

1. *Facts* (map): one pass over one file's valid expenses gathers what any
   rule needs to know about them: the ids, what was spent on each budget line
   and contract, the first and last date per project, the categories,
   vendors, invoice numbers and refunds named. Facts depend on nothing but
   the file and the as-of date, so they are cached with the file and an edit
   elsewhere (a project, a transfer) does not invalidate them.
2. *Reduce*: each rule merges the facts (a few thousand lines and ids per
   file) and finds the few keys that may hold a finding: a line over budget,
   a contract over its value, an id seen twice. Only the files holding those
   keys are then read record by record (``Index.expenses_in``) to place and
   word the findings exactly as before.

A valid program has no such keys, so no expense record is touched at all.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pmkit.domain.index import Index, Record

Line = tuple[str, str]  # (project id, category)
P = TypeVar("P")

ZERO = Decimal(0)

#: separates the ids (and the amounts) of one file in one string: a single
#: string unpickles far faster than 30,000, and ids never hold a newline.
SEP = "\n"


@dataclass
class FileFacts:
    """The facts of one expense file's schema-valid expenses (see the module doc)."""

    path: str
    as_of: dt.date
    #: the valid expenses' ids and amounts (``str`` of the Decimal), in file order, joined by SEP
    ids_text: str = ""
    amounts_text: str = ""
    #: ids of entries that broke their schema: not checked, but still known to references
    broken_ids: list[str] = field(default_factory=list)
    #: every budget line charged (whatever the date) -> the amount dated on or before as_of
    lines: dict[Line, Decimal] = field(default_factory=dict)
    #: the positive amounts dated on or before as_of (an upper bound of any running total),
    #: for the lines where it differs from ``lines``: those with a refund (``spent_up``)
    refunded_lines: dict[Line, Decimal] = field(default_factory=dict)
    #: every contract named -> the amount dated on or before as_of
    contracts: dict[str, Decimal] = field(default_factory=dict)
    #: (contract, vendor or None, project, category) as the expenses name them
    contract_uses: set[tuple[str, str | None, str, str]] = field(default_factory=set)
    #: project -> (first, last) date of its expenses with an amount that is not negative (ISO text)
    spans: dict[str, tuple[str, str]] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)
    vendors: set[str] = field(default_factory=set)
    #: "vendor\0invoice" (normalised) of the expenses with an invoice that are not refunds
    invoices: set[str] = field(default_factory=set)
    #: those of ``invoices`` that occur twice within this file
    invoice_repeats: set[str] = field(default_factory=set)
    #: every ``refund_of`` value
    refund_targets: set[str] = field(default_factory=set)
    #: (refund_of, date, amount) of every negative expense naming one
    refunds: list[tuple[str, str, Decimal]] = field(default_factory=list)
    #: ids of the negative expenses
    negatives: set[str] = field(default_factory=set)
    #: a negative amount without ``refund_of``, or ``refund_of`` on an amount that is not negative
    unpaired: bool = False
    #: the earliest and latest date of the valid expenses (ISO text; "" without any)
    earliest: str = ""
    latest: str = ""
    #: what is worked out from the ids once per file version (``ids``, ``id_set``, ``first_at``):
    #: shared by the copies ``on`` makes for other days, never pickled
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        return {name: value for name, value in self.__dict__.items() if name != "_derived"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._derived = {}

    def holds_on(self, day: dt.date) -> bool:
        """Whether these facts (as of ``as_of``) are also the facts as of ``day``.

        Only the amounts depend on the date, through which expenses are dated
        on or before it; for two dates on the same side of every expense date
        (both on or after the latest, or both before the earliest) the same
        expenses count. So a month's file keeps its facts from day to day
        once the month is over: a new day re-works the current month only.
        """
        if day == self.as_of or not self.latest:
            return True
        then, now = self.as_of.isoformat(), day.isoformat()
        return (then >= self.latest and now >= self.latest) or (then < self.earliest and now < self.earliest)

    def on(self, day: dt.date) -> FileFacts:
        """These facts, dated ``day`` (``holds_on(day)`` must be true)."""
        if day == self.as_of:
            return self
        moved = replace(self, as_of=day)
        moved._derived = self._derived  # the ids do not depend on the day
        return moved

    def _kept(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self._derived:
            self._derived[name] = compute()
        return self._derived[name]

    @property
    def ids(self) -> list[str]:
        """The valid expenses' ids, in file order (a history's next day reads the
        same strings, whose hashes Python keeps: a set of them is cheap)."""
        return self._kept("ids", lambda: self.ids_text.split(SEP) if self.ids_text else [])

    @property
    def id_set(self) -> frozenset[str]:
        return self._kept("id_set", lambda: frozenset(self.ids))

    def first_at(self, ident: str) -> int:
        """The position of the first expense with id ``ident`` (one of ``id_set``)."""
        positions: dict[str, int] = self._kept("first_at", self._first_positions)
        return positions[ident]

    def _first_positions(self) -> dict[str, int]:
        positions: dict[str, int] = {}
        for i, ident in enumerate(self.ids):
            positions.setdefault(ident, i)
        return positions

    def spent_up(self, line: Line) -> Decimal:
        """The positive amounts charged to ``line`` on or before as_of."""
        return self.refunded_lines[line] if line in self.refunded_lines else self.lines.get(line, ZERO)

    @property
    def amounts(self) -> list[str]:
        return self._kept("amounts", lambda: self.amounts_text.split(SEP) if self.amounts_text else [])

    def named(self, key: str) -> set[str]:
        """The ids the expenses name in field ``key`` (one of ``REFERENCE_FIELDS``)."""
        if key == "project":
            return {project for project, _ in self.lines}
        if key == "vendor":
            return self.vendors
        if key == "contract":
            return set(self.contracts)
        return self.refund_targets


#: the fields with which an expense names another record
REFERENCE_FIELDS = ("project", "vendor", "contract", "refund_of")


def invoice_key(vendor: str, invoice: str) -> str:
    """Invoice numbers compare ignoring case and surrounding or repeated spaces."""
    return f"{vendor}\0{' '.join(invoice.split()).casefold()}"


def file_facts(path: str, records: Iterable[Record], broken_ids: list[str], as_of: dt.date) -> FileFacts:
    """The facts of one file, from its valid expense records (one pass)."""
    facts = FileFacts(path, as_of, broken_ids=broken_ids)
    building = _Building(facts, [], [], "", "", {}, set())
    building.add(records)
    return building.finish()


def appended(before: FileFacts, records: Iterable[Record]) -> FileFacts | None:
    """``file_facts`` of the records ``before`` was worked out from followed by
    ``records``, on ``before``'s day, from ``before``: the next version of a
    file that gained a day's expenses at its end (``pmkit history``: a team
    appends; the version before was worked out at the commit before).

    None when the file has a line with a refund counted, before or among the
    new records: its positive amounts alone (``refunded_lines``) are then
    worked out afresh. Equal to ``file_facts``, exponents too: every sum is 0
    plus the same exact amounts in the same order."""
    if before.refunded_lines:
        return None
    facts = replace(before, broken_ids=list(before.broken_ids), lines=dict(before.lines), refunded_lines={},
                    contracts=dict(before.contracts), contract_uses=set(before.contract_uses),
                    spans=dict(before.spans), categories=set(before.categories), vendors=set(before.vendors),
                    invoices=set(before.invoices), invoice_repeats=set(before.invoice_repeats),
                    refund_targets=set(before.refund_targets), refunds=list(before.refunds),
                    negatives=set(before.negatives))
    building = _Building(facts, [], [], before.earliest, before.latest, {}, set())
    building.add(records)
    if building.refund_lines:
        return None
    more = building.finish()
    more.ids_text = SEP.join(filter(None, (before.ids_text, more.ids_text)))
    more.amounts_text = SEP.join(filter(None, (before.amounts_text, more.amounts_text)))
    return more


@dataclass
class _Building:
    """``file_facts`` under way: its one pass, record by record (``add``), then ``finish``."""

    facts: FileFacts
    ids: list[str]
    amounts: list[str]
    earliest: str
    latest: str
    #: the positive amounts counted, by line (only those of ``refund_lines`` are kept)
    spent_up: dict[Line, Decimal]
    #: the lines with a negative amount counted
    refund_lines: set[Line]

    def add(self, records: Iterable[Record]) -> None:
        facts = self.facts
        cutoff = facts.as_of.isoformat()  # schema-checked ISO dates order like the dates they name
        ids, amounts, spent_up, refund_lines = self.ids, self.amounts, self.spent_up, self.refund_lines
        earliest, latest = self.earliest, self.latest
        lines, contracts, spans = facts.lines, facts.contracts, facts.spans
        for record in records:
            data = record.data
            ident, amount, when = data["id"], data["amount"], data["date"]
            project, category = data["project"], data["category"]
            ids.append(ident)
            amounts.append(str(amount))
            line = (project, category)
            if not earliest or when < earliest:
                earliest = when
            if when > latest:
                latest = when
            counted = when <= cutoff
            if counted:
                lines[line] = lines.get(line, ZERO) + amount
                if amount > 0:
                    spent_up[line] = spent_up.get(line, ZERO) + amount
                elif amount < 0:
                    refund_lines.add(line)
            else:
                lines.setdefault(line, ZERO)
            facts.categories.add(category)
            if amount >= 0:
                first, last = spans.get(project, (when, when))
                spans[project] = (min(first, when), max(last, when))
            vendor = data.get("vendor")
            if vendor is not None:
                facts.vendors.add(vendor)
            contract = data.get("contract")
            if contract is not None:
                contracts[contract] = contracts.get(contract, ZERO) + (amount if counted else ZERO)
                facts.contract_uses.add((contract, vendor, project, category))
            target = data.get("refund_of")
            if target is not None:
                facts.refund_targets.add(target)
            if amount < 0:
                facts.negatives.add(ident)
                if target is None:
                    facts.unpaired = True
                else:
                    facts.refunds.append((target, when, amount))
            elif target is not None:
                facts.unpaired = True
            invoice = data.get("invoice")
            if vendor is not None and invoice is not None and target is None:
                key = invoice_key(vendor, invoice)
                if key in facts.invoices:
                    facts.invoice_repeats.add(key)
                facts.invoices.add(key)
        self.earliest, self.latest = earliest, latest

    def finish(self) -> FileFacts:
        facts = self.facts
        if self.earliest:
            facts.earliest, facts.latest = self.earliest, self.latest
        facts.refunded_lines = {line: self.spent_up.get(line, ZERO) for line in self.refund_lines}
        facts.ids_text = SEP.join(self.ids)
        facts.amounts_text = SEP.join(self.amounts)
        return facts


def advanced(facts: FileFacts, records: list[Record], day: dt.date) -> FileFacts | None:
    """``file_facts(facts.path, records, facts.broken_ids, day)``, from the facts of the
    same records as of an earlier day: only the amounts depend on the day, so the
    expenses dated after that day and on or before ``day`` are added to its sums (the
    next commit of ``pmkit history``: a day's expenses). None for an earlier ``day``,
    or when a refund is among them (which lines had one is then worked out afresh).

    The sums equal the fresh ones, exponents too: each is 0 plus the same exact amounts."""
    if day <= facts.as_of or not records:
        return None
    dated: tuple[list[str], list[tuple[Line, Decimal, str | None]]] = facts._kept("by_date", lambda: _by_date(records))
    days, entries = dated
    added = entries[bisect.bisect_right(days, facts.as_of.isoformat()):bisect.bisect_right(days, day.isoformat())]
    if any(amount < 0 for _, amount, _ in added):
        return None
    lines, contracts, refunded = dict(facts.lines), dict(facts.contracts), dict(facts.refunded_lines)
    for line, amount, contract in added:
        lines[line] += amount
        if line in refunded and amount > 0:
            refunded[line] += amount
        if contract is not None:
            contracts[contract] += amount
    moved = replace(facts, as_of=day, lines=lines, contracts=contracts, refunded_lines=refunded)
    moved._derived = facts._derived  # (the same file version)
    return moved


def _by_date(records: list[Record]) -> tuple[list[str], list[tuple[Line, Decimal, str | None]]]:
    """The valid expenses' dates, in order, and each one's line, amount and contract."""
    rows = sorted(((r.data["date"], i) for i, r in enumerate(records)))
    entries = []
    for _, i in rows:
        data = records[i].data
        entries.append(((data["project"], data["category"]), data["amount"], data.get("contract")))
    return [when for when, _ in rows], entries


# ------------------------------------------------------------ the reduce side


#: Whether ``files_where`` narrows the files a rule reads (the fast path). Off,
#: every rule reads every expense file record by record: the reference path
#: the fast one is compared with (tests/rules/test_prefilters.py).
PREFILTERS: ContextVar[bool] = ContextVar("pmkit_expense_prefilters", default=True)


@contextmanager
def prefilters_off() -> Iterator[None]:
    """Within this block, ``files_where`` names every expense file."""
    token = PREFILTERS.set(False)
    try:
        yield
    finally:
        PREFILTERS.reset(token)


def files_where(ix: Index, test: Callable[[FileFacts], bool]) -> set[str]:
    """The paths of the files whose facts pass ``test`` (every file with the
    pre-filters off)."""
    if not PREFILTERS.get():
        return {f.path for f in ix.expense_facts()}
    return {f.path for f in ix.expense_facts() if test(f)}


def spent(ix: Index) -> dict[Line, Decimal]:
    """Every line charged -> the amount dated on or before the as-of date (computed once)."""
    return ix.shared(_spent)


def _spent(ix: Index) -> dict[Line, Decimal]:
    return _line_sums([facts.lines for facts in ix.expense_facts()])


@dataclass
class _Sums:
    """Lines summed over files' ``lines`` (kept alive here, so that their ids stay theirs)."""

    parts: list[dict[Line, Decimal]]
    total: dict[Line, Decimal]
    #: how many of the parts name each line (a line stays while one does)
    holders: dict[Line, int]


#: the last sums worked out in this process: the next version of the program
#: (the next commit of ``pmkit history``, a diff's other side) shares most of
#: its files' facts with one of them, the very same dicts
_RECENT: list[_Sums] = []
#: how many sums to keep, and at most how many parts may differ from one for an update
RECENT_SUMS, MAX_PARTS_UPDATED = 2, 4


def _line_sums(parts: list[dict[Line, Decimal]]) -> dict[Line, Decimal]:
    """Every line any part names -> its amounts added up: the sums kept for a
    version whose parts were mostly these, updated with the few parts that
    differ, else added up afresh. Equal either way (and so in value, not
    necessarily in exponent): the amounts are exact decimals of at most 16
    digits (the money schema), far within the 28 digits of exact arithmetic."""
    for sums in _RECENT:
        changed = _changed(sums.parts, parts)
        if changed is not None:
            gone, new = changed
            total, holders = dict(sums.total), dict(sums.holders)
            for part in gone:
                _take(total, holders, part)
            for part in new:
                _add(total, holders, part)
            return _kept(_Sums(parts, total, holders), sums)
    total, holders = {}, {}
    for part in parts:
        _add(total, holders, part)
    return _kept(_Sums(parts, total, holders), None)


def _changed(before: list[P], parts: list[P]) -> tuple[list[P], list[P]] | None:
    """The parts of ``before`` that ``parts`` no longer holds and those it holds anew, by
    identity (two files of the same content may share their facts: counted, not set),
    when they are few enough for an update to pay; else None."""
    here, there = Counter(id(part) for part in parts), Counter(id(part) for part in before)
    gone, new = _extra(before, there - here), _extra(parts, here - there)
    return (gone, new) if len(gone) + len(new) <= min(MAX_PARTS_UPDATED, len(parts) // 2) else None


def _extra(parts: list[P], times: Counter[int]) -> list[P]:
    """The parts ``times`` counts by id, each as many times."""
    by_id = {id(part): part for part in parts}
    return [by_id[ident] for ident, n in times.items() for _ in range(n)]


def _add(total: dict[Line, Decimal], holders: dict[Line, int], part: dict[Line, Decimal]) -> None:
    for line, amount in part.items():
        if line in total:
            total[line] += amount
            holders[line] += 1
        else:
            total[line], holders[line] = amount, 1


def _take(total: dict[Line, Decimal], holders: dict[Line, int], part: dict[Line, Decimal]) -> None:
    for line, amount in part.items():
        if holders[line] == 1:
            del total[line], holders[line]
        else:
            total[line] -= amount
            holders[line] -= 1


def _kept(sums: _Sums, replacing: _Sums | None) -> dict[Line, Decimal]:
    if replacing is not None:
        _RECENT.remove(replacing)
    _RECENT.insert(0, sums)
    del _RECENT[RECENT_SUMS:]
    return sums.total


def expense_ids(ix: Index) -> list[str]:
    """The ids of every valid expense, in file order (only the duplicate check
    needs them as one list, and only when an id repeats)."""
    return [ident for _, ids in id_lists(ix) for ident in ids]


def id_lists(ix: Index) -> list[tuple[FileFacts, list[str]]]:
    """Each expense file's facts with its valid expenses' ids (split once, computed once)."""
    return ix.shared(_id_lists)


def _id_lists(ix: Index) -> list[tuple[FileFacts, list[str]]]:
    return [(facts, facts.ids) for facts in ix.expense_facts()]


def id_set(ix: Index) -> tuple[set[str], bool]:
    """The ids of every valid expense, and whether one of them repeats (computed once).

    One set of 500,000 strings serves the duplicate check, the known ids
    and the refund lookups, which then find each string's hash cached.
    """
    return ix.shared(_id_set)


def _id_set(ix: Index) -> tuple[set[str], bool]:
    files = ix.expense_facts()
    return _id_union([facts.id_set for facts in files], sum(len(facts.ids) for facts in files))


#: the last union worked out in this process, of these parts, when no id repeated in them
_LAST_UNION: list[tuple[list[frozenset[str]], set[str]]] = []


def _id_union(parts: list[frozenset[str]], count: int) -> tuple[set[str], bool]:
    """The union of the files' id sets and whether an id repeats (``count``: every id,
    repeats included). When no id repeated in the last union's parts, they are
    disjoint: the union of parts that differ in a few is that union less the
    parts gone plus the new ones (a history's next commit: one file's ids changed)."""
    changed = _changed(_LAST_UNION[0][0], parts) if _LAST_UNION else None
    if changed is None:
        ids: set[str] = set().union(*parts)
    else:
        gone, new = changed
        ids = set(_LAST_UNION[0][1])
        for part in gone:
            ids.difference_update(part)
        ids.update(*new)
    repeats = len(ids) != count
    _LAST_UNION[:] = [] if repeats else [(parts, ids)]
    return ids, repeats


def known_expense_ids(ix: Index) -> set[str]:
    """Every expense id, valid or not: what a ``refund_of`` may name (computed once)."""
    return ix.shared(_known_expense_ids)


def _known_expense_ids(ix: Index) -> set[str]:
    valid = id_set(ix)[0]
    broken = [ident for facts in ix.expense_facts() for ident in facts.broken_ids]
    return valid | set(broken) if broken else valid


def refunded(ix: Index) -> dict[str, tuple[str, Decimal]]:
    """id -> (file, amount) of the first valid expense with that id, for every id
    a ``refund_of`` names (computed once; the refund rules share it)."""
    return ix.shared(_refunded)


def _refunded(ix: Index) -> dict[str, tuple[str, Decimal]]:
    wanted = {target for facts in ix.expense_facts() for target in facts.refund_targets}
    out: dict[str, tuple[str, Decimal]] = {}
    if wanted.isdisjoint(id_set(ix)[0]):
        return out
    for facts in ix.expense_facts():
        hits = (wanted & facts.id_set) - out.keys()
        if not hits:
            continue
        amounts = facts.amounts
        for ident in sorted(hits, key=facts.first_at):
            out[ident] = (facts.path, Decimal(amounts[facts.first_at(ident)]))
    return out
