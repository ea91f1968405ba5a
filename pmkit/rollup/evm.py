"""Earned value per project and for the program, as of a date D.

Per counted (not cancelled) project:
  BAC = the project's current budget as of D (baseline + transfers in - out,
        transfers dated <= D; 0 for a project without a budget)
  PV  = BAC x planned / 100        EV = BAC x progress / 100
  AC  = actual spend as of D (expenses dated <= D; refunds are negative)
  CV  = EV - AC                    SV = EV - PV
  CPI = EV / AC                    SPI = EV / PV
  EAC = BAC / CPI, computed as BAC x AC / EV (exact: CPI is not rounded first)
  ETC = EAC - AC                   VAC = BAC - EAC
  TCPI = (BAC - EV) / (BAC - AC)
Program: BAC, PV, EV and AC are summed over the counted projects, then the
same formulas are applied to the sums (not an average of project indices).

Decided details:
- A zero divisor gives null (None), never an exception or infinity: CPI when
  AC = 0, SPI when PV = 0, TCPI when BAC = AC. EAC = BAC / CPI is null when
  CPI is null or 0, i.e. when AC = 0 or EV = 0 (BAC x AC / EV would say 0 for
  a project that has earned value without spending yet: not an estimate);
  a null EAC makes ETC and VAC null. A null input makes every figure computed
  from it null.
- A project without tasks has no measurable progress or plan: its PV, EV and
  everything derived from them (CV, SV, CPI, SPI, EAC, ETC, VAC, TCPI) are
  null; its BAC and AC are real. In the program sums it contributes its BAC
  and AC and 0 to PV and EV: its budget is part of the program's, and money
  it spends earns no measurable value (CPI goes down, as it should).
- A project without a budget has BAC = 0: PV = EV = 0, so SPI and EAC are
  null, CPI = 0 once it has spent anything.
- A cancelled project is not measured: every figure of its EVM is null and it
  adds nothing to the program sums (its money still shows in the budget).
- On-hold projects are measured like active ones (their plan keeps moving).
- As of a date before any task starts, PV = 0 (SPI null); after every task
  ends, PV = BAC.
All arithmetic is exact (``fractions.Fraction``); money is rounded only when
written (figures.to_json).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from pmkit.rollup.figures import Ratio
from pmkit.rollup.schedule import to_decimal

MoneyOrNull = Annotated[Decimal | None, "money"]

_HUNDRED = Fraction(100)


@dataclass
class EVM:
    bac: MoneyOrNull = None
    pv: MoneyOrNull = None
    ev: MoneyOrNull = None
    ac: MoneyOrNull = None
    cv: MoneyOrNull = None
    sv: MoneyOrNull = None
    cpi: Ratio = None
    spi: Ratio = None
    eac: MoneyOrNull = None
    etc: MoneyOrNull = None
    vac: MoneyOrNull = None
    tcpi: Ratio = None


@dataclass(frozen=True)
class Basis:
    """The four sums everything else is computed from (PV, EV None when unmeasured)."""

    bac: Fraction
    pv: Fraction | None
    ev: Fraction | None
    ac: Fraction


def project_basis(bac: Decimal, ac: Decimal, progress: Fraction | None, planned: Fraction | None) -> Basis:
    """BAC, PV, EV, AC of one project from its budget, spend and percents (0-100)."""
    bac_f, ac_f = Fraction(bac), Fraction(ac)
    pv = None if planned is None else bac_f * planned / _HUNDRED
    ev = None if progress is None else bac_f * progress / _HUNDRED
    return Basis(bac_f, pv, ev, ac_f)


def program_basis(projects: list[Basis]) -> Basis:
    """Sums over projects; an unmeasured PV or EV adds 0."""
    zero = Fraction(0)
    return Basis(
        sum((b.bac for b in projects), zero),
        sum((b.pv for b in projects if b.pv is not None), zero),
        sum((b.ev for b in projects if b.ev is not None), zero),
        sum((b.ac for b in projects), zero),
    )


def _sub(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    return None if a is None or b is None else a - b


def _div(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    return None if a is None or b is None or b == 0 else a / b


def figures(basis: Basis) -> EVM:
    """Every EVM figure from BAC, PV, EV and AC, exactly."""
    bac, pv, ev, ac = basis.bac, basis.pv, basis.ev, basis.ac
    eac = None if ev is None or ev == 0 or ac == 0 else bac * ac / ev
    return EVM(
        bac=to_decimal(bac), pv=to_decimal(pv), ev=to_decimal(ev), ac=to_decimal(ac),
        cv=to_decimal(_sub(ev, ac)), sv=to_decimal(_sub(ev, pv)),
        cpi=to_decimal(_div(ev, ac)), spi=to_decimal(_div(ev, pv)),
        eac=to_decimal(eac), etc=to_decimal(_sub(eac, ac)), vac=to_decimal(_sub(bac, eac)),
        tcpi=to_decimal(_div(_sub(bac, ev), bac - ac)),
    )


def unmeasured() -> EVM:
    """The EVM of a cancelled project: nothing is measured."""
    return EVM()
