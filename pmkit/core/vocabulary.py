"""The program's vocabulary: the words of the data that several layers read,
and the one rounding and formatting of money.

Every list here mirrors an ``enum`` of a schema in ``schemas/`` (or a
default written in it); ``tests/test_vocabulary.py`` checks they agree, so a
new status or stage is added to the schema and here, nowhere else.

Money rounds **half up** (``0.005`` -> ``0.01``), everywhere: in the rollup
JSON, in tables, on the site and in finding messages. Why half up and not
half even (banker's rounding): a program manager checks our figures against a
spreadsheet or a finance report, and both round half up; half even only
pays off when many rounded values are summed again, and pmkit never does
that (it sums exact ``Decimal`` values and rounds once, for display). Input
amounts carry at most the currency's minor digits (``money-precision``), so
sums of them never need rounding at all; only derived figures (earned value,
ratios) do.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ---------------------------------------------------------------- words

#: Risk and issue statuses of an open problem (risk.schema.json ``status``):
#: counted as open, may be overdue, need an owner when serious.
OPEN_STATUSES: tuple[str, ...] = ("open", "mitigating", "escalated")
#: Statuses of a problem that is over: it should say how (``resolution``).
CLOSED_STATUSES: tuple[str, ...] = ("resolved", "closed")
#: Risk severities, lowest first (risk.schema.json ``severity``).
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

#: Candidate stages in hiring order (position.schema.json ``stage``); the
#: last two end a candidacy without a hire.
STAGES: tuple[str, ...] = ("applied", "screening", "interview", "shortlisted", "offer", "hired", "rejected",
                           "withdrawn")
#: The stages of the hiring funnel, up to the hire.
FUNNEL_STAGES: tuple[str, ...] = STAGES[: STAGES.index("hired") + 1]
#: Stages of a candidate still in process (before a hire or a rejection).
IN_PROCESS_STAGES: tuple[str, ...] = STAGES[: STAGES.index("hired")]

#: Project statuses of a project in flight (project.schema.json ``status``):
#: rated green, amber or red; the others (proposed, done, cancelled) are not.
IN_FLIGHT_STATUSES: tuple[str, ...] = ("active", "on-hold")
#: Budget categories when program.yaml names none (program.schema.json).
DEFAULT_CATEGORIES: tuple[str, ...] = ("labor", "contractors", "hardware", "software", "cloud", "training",
                                       "travel", "other")

# ---------------------------------------------------------------- money

#: ISO 4217 currencies whose minor unit is not 2 digits.
MINOR_DIGITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def minor_digits(currency: str | None) -> int:
    """Digits after the point of the currency's minor unit (2 unless listed)."""
    return MINOR_DIGITS.get(currency or "", 2)


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(8))


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` with ``places`` decimals, ties away from zero: pmkit's one
    rounding, for money and for every shown percent or index."""
    quantum = _QUANTA[places] if 0 <= places < len(_QUANTA) else Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def shown(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half up for display, never ``-0.0``."""
    fixed = round_half_up(value, places)
    return abs(fixed) if fixed == 0 else fixed


def money_text(value: Decimal, digits: int) -> str:
    """Money as the rollup JSON writes it: ``1234.50`` (rounded, no separators)."""
    return f"{round_half_up(value, digits):f}"


def money_grouped(value: Decimal, digits: int) -> str:
    """Money as people read it: ``11,680,428.30``, rounded, never ``-0.00``."""
    return f"{shown(value, digits):,.{digits}f}"
