"""Earned value: the textbook exercise, zero divisors, edge cases and exact sums.

Expected numbers are worked out by hand in the comments, never taken from the
code's own output.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pmkit.domain.model import Expense
from pmkit.rollup import as_json, compute
from pmkit.rollup.assemble import sections
from pmkit.rollup.evm import Basis, figures

from .builders import D, expense, model, project, task, transfer

EVM_KEYS = ("bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi")


def evm_json(m, as_of: str, project_id: str | None = None) -> dict:
    document = as_json(compute(m, D(as_of)))
    return document["program"]["evm"] if project_id is None else document["projects"][project_id]["evm"]


def basis(bac, pv, ev, ac) -> Basis:
    f = lambda v: None if v is None else Fraction(Decimal(v))  # noqa: E731
    return Basis(f(bac), f(pv), f(ev), f(ac))


# ------------------------------------------------------------ the fence


def fence():
    """PMP exam prep: a fence of four sides, 1,000 USD and one day each.

    At the end of day 3, sides 1 and 2 are done (cost 1,000 and 1,200) and
    side 3 is half done (cost 600); side 4 has not started.
    """
    sides = (task("s1", "2026-06-01", "2026-06-01", progress=100),
             task("s2", "2026-06-02", "2026-06-02", progress=100),
             task("s3", "2026-06-03", "2026-06-03", progress=50),
             task("s4", "2026-06-04", "2026-06-04", progress=0))
    return model(project("fence", sides, start="2026-06-01", end="2026-06-04", budget={"labor": "4000"}),
                 expenses=(expense("e1", "2026-06-01", "1000", project="fence"),
                           expense("e2", "2026-06-02", "1200", project="fence"),
                           expense("e3", "2026-06-03", "600", project="fence")),
                 start="2026-06-01", end="2026-06-04")


def test_fence_exercise():
    # BAC = 4 x 1000 = 4000
    # planned: sides 1-3 are one-day tasks ending on or before day 3 -> 100, side 4 -> 0: 75 %
    # PV = 4000 x 0.75 = 3000;  progress (100 + 100 + 50 + 0) / 4 = 62.5 %: EV = 2500
    # AC = 1000 + 1200 + 600 = 2800
    # CV = 2500 - 2800 = -300;  SV = 2500 - 3000 = -500
    # CPI = 2500 / 2800 = 25/28 = 0.892857... -> 0.8929;  SPI = 2500 / 3000 = 0.8333...
    # EAC = BAC / CPI = 4000 x 28/25 = 4480;  ETC = 4480 - 2800 = 1680;  VAC = 4000 - 4480 = -480
    # TCPI = (4000 - 2500) / (4000 - 2800) = 1500 / 1200 = 1.25
    expected = {"bac": "4000.00", "pv": "3000.00", "ev": "2500.00", "ac": "2800.00", "cv": "-300.00",
                "sv": "-500.00", "cpi": 0.8929, "spi": 0.8333, "eac": "4480.00", "etc": "1680.00",
                "vac": "-480.00", "tcpi": 1.25}
    m = fence()
    assert evm_json(m, "2026-06-03", "fence") == expected
    assert evm_json(m, "2026-06-03") == expected  # the program is this one project


def test_fence_eac_is_exact_not_computed_from_a_rounded_cpi():
    # BAC / round(CPI, 4) would be 4000 / 0.8929 = 4479.79...; the exact EAC is 4480
    project_evm = sections(fence(), D("2026-06-03"))["projects"]["fence"].evm
    assert project_evm.eac == Decimal(4480)
    assert abs(project_evm.cpi - Decimal(25) / Decimal(28)) < Decimal("1e-27")  # unrounded as well


# ------------------------------------------------------------ zero divisors


def test_no_spend_yet_gives_null_cpi_and_eac():
    # AC = 0: CPI = EV / 0 -> null; EAC = BAC / CPI -> null, so ETC and VAC are null
    # TCPI = (1000 - 400) / (1000 - 0) = 0.6
    e = figures(basis(1000, 500, 400, 0))
    assert (e.cpi, e.eac, e.etc, e.vac) == (None, None, None, None)
    assert (e.cv, e.sv, e.spi, e.tcpi) == (400, -100, Decimal("0.8"), Decimal("0.6"))


def test_nothing_planned_yet_gives_null_spi():
    # PV = 0 (as of before any task starts): SPI = EV / 0 -> null; SV = EV - 0
    e = figures(basis(1000, 0, 0, 50))
    assert e.spi is None and e.sv == 0
    # EV = 0: CPI = 0 / 50 = 0, and EAC = BAC / 0 -> null
    assert e.cpi == 0 and (e.eac, e.etc, e.vac) == (None, None, None)


def test_nothing_earned_gives_null_eac():
    e = figures(basis(1000, 300, 0, 200))
    assert (e.cpi, e.spi, e.eac, e.etc, e.vac) == (0, 0, None, None, None)
    assert e.tcpi == Decimal(1000) / Decimal(800)


def test_budget_fully_spent_gives_null_tcpi():
    # BAC = AC: TCPI = (BAC - EV) / 0 -> null; everything else is defined
    e = figures(basis(1000, 1000, 800, 1000))
    assert e.tcpi is None
    assert (e.cpi, e.eac, e.vac) == (Decimal("0.8"), 1250, -250)  # 1000 x 1000 / 800 = 1250


def test_all_zero_never_raises():
    e = figures(basis(0, 0, 0, 0))
    assert (e.cpi, e.spi, e.eac, e.etc, e.vac, e.tcpi) == (None,) * 6


# ------------------------------------------------------------ edge cases


AS_OF = "2026-06-30"
HALF = (task("t", "2026-01-01", "2026-12-31", progress=50),)  # 180 of 364 days planned by 2026-06-30


def test_project_without_tasks_has_null_pv_ev_and_adds_only_bac_and_ac():
    # p: BAC 1000, 50 % done, PV = 1000 x 180/364; q: no tasks, BAC 500, AC 100
    m = model(project("p", HALF, budget={"labor": 1000}), project("q", budget={"labor": 500}),
              expenses=(expense("e1", "2026-03-01", 100, project="q"),))
    q = evm_json(m, AS_OF, "q")
    assert q == {"bac": "500.00", "pv": None, "ev": None, "ac": "100.00", "cv": None, "sv": None, "cpi": None,
                 "spi": None, "eac": None, "etc": None, "vac": None, "tcpi": None}
    program = evm_json(m, AS_OF)
    # program: BAC 1500, EV 500 (+0), AC 100 (+0 from p): CPI = 500 / 100 = 5
    # PV = 1000 x 180/364 = 494.505... -> 494.51
    assert (program["bac"], program["ev"], program["ac"], program["cpi"]) == ("1500.00", "500.00", "100.00", 5)
    assert program["pv"] == "494.51"


def test_project_without_budget_has_zero_bac():
    # BAC 0: PV = EV = 0; AC 200 -> CPI = 0 / 200 = 0, SPI 0/0 null, EAC null, TCPI = 0 / -200 = 0
    m = model(project("p", HALF), expenses=(expense("e1", "2026-03-01", 200),))
    assert evm_json(m, AS_OF, "p") == {"bac": "0.00", "pv": "0.00", "ev": "0.00", "ac": "200.00", "cv": "-200.00",
                                       "sv": "0.00", "cpi": 0, "spi": None, "eac": None, "etc": None, "vac": None,
                                       "tcpi": 0}


def test_cancelled_project_is_not_measured_and_not_summed():
    m = model(project("p", HALF, budget={"labor": 1000}),
              project("c", HALF, status="cancelled", budget={"labor": 9000}),
              expenses=(expense("e1", "2026-03-01", 100), expense("e2", "2026-03-01", 700, project="c")))
    assert set(evm_json(m, AS_OF, "c").values()) == {None}
    program = evm_json(m, AS_OF)
    assert (program["bac"], program["ev"], program["ac"]) == ("1000.00", "500.00", "100.00")
    # ...but its money stays in the budget: current 10000, actual 800
    budget = as_json(compute(m, D(AS_OF)))["program"]["budget"]
    assert (budget["current"], budget["actual"]) == ("10000.00", "800.00")


def test_on_hold_project_is_measured():
    m = model(project("p", HALF, status="on-hold", budget={"labor": 1000}))
    assert evm_json(m, AS_OF, "p")["ev"] == "500.00"


def test_refunds_lower_ac_and_later_records_are_not_counted():
    # AC = 300 - 50 (refund) = 250; the 1000 expense dated after D does not count
    # BAC = 1000: the 400 transfer from q into p is dated after D; EV = 1000 x 50 % = 500
    m = model(project("p", HALF, budget={"labor": 1000}), project("q", budget={"labor": 400}),
              expenses=(expense("e1", "2026-03-01", 300), expense("e2", "2026-03-05", -50, refund_of="e1"),
                        expense("e3", "2026-07-01", 1000)),
              transfers=(transfer("t1", "2026-07-01", 400, ("q", "labor"), ("p", "labor")),))
    e = evm_json(m, AS_OF, "p")
    assert (e["bac"], e["ac"], e["ev"]) == ("1000.00", "250.00", "500.00")
    # from the transfer's date on: BAC = 1400, AC = 1250, EV = 700
    e = evm_json(m, "2026-07-01", "p")
    assert (e["bac"], e["ac"], e["ev"]) == ("1400.00", "1250.00", "700.00")


def test_as_of_before_the_program_and_after_it():
    m = model(project("p", HALF, budget={"labor": 1000}), expenses=(expense("e1", "2026-03-01", 300),))
    before = evm_json(m, "2025-06-01", "p")
    # nothing planned, nothing spent: PV 0, AC 0 -> SPI and CPI null; progress is as it stands: EV 500
    assert (before["pv"], before["ac"], before["spi"], before["cpi"], before["ev"]) == ("0.00", "0.00", None, None,
                                                                                         "500.00")
    after = evm_json(m, "2027-06-01", "p")
    # everything planned: PV = BAC; SPI = 500 / 1000 = 0.5
    assert (after["pv"], after["spi"]) == ("1000.00", 0.5)


def test_third_of_a_cent_is_not_rounded_twice():
    # BAC 3000.01, progress 100/3 % (efforts 1, 1, 1 at 100, 0, 0): EV = 1000.003333... -> "1000.00"
    # BAC 3000.03: EV = 1000.01 exactly
    tasks = (task("a", progress=100), task("b"), task("c"))
    assert evm_json(model(project("p", tasks, budget={"labor": "3000.01"})), AS_OF, "p")["ev"] == "1000.00"
    assert evm_json(model(project("p", tasks, budget={"labor": "3000.03"})), AS_OF, "p")["ev"] == "1000.01"
    # 3000.015 is not a valid USD amount, but the half-cent case must round up, not down:
    # 3000.015 / 3 = 1000.005 -> "1000.01" (a 28-digit 1/3 first would give 1000.00499... -> "1000.00")
    assert evm_json(model(project("p", tasks, budget={"labor": "3000.015"})), AS_OF, "p")["ev"] == "1000.01"


# ------------------------------------------------------------ exact sums at scale


def test_half_a_million_expense_lines_sum_exactly():
    # amounts cycle through 0.01, 0.02, ..., 999.99 (k cents, k = 1..99,999);
    # one cycle sums to 99,999 x 100,000 / 2 = 4,999,950,000 cents = 49,999,500.00;
    # 500,000 lines = 5 full cycles (499,995 lines) + k = 1..5 (15 cents):
    # 5 x 49,999,500.00 + 0.15 = 249,997,500.15
    cents = [Decimal(k).scaleb(-2) for k in range(1, 100_000)]
    months = [f"2026-{m:02d}-15" for m in range(1, 13)]
    lines = tuple(Expense(f"e{i}", D(months[i % 12]), "p", "labor", cents[i % 99_999], None, None, None,
                                 None, None) for i in range(500_000))
    assert sum(e.amount for e in lines) == Decimal("249997500.15")  # the formula above, checked once
    m = model(project("p", HALF, budget={"labor": 300_000_000}), expenses=lines)
    document = as_json(compute(m, D("2026-12-31")))
    assert document["program"]["budget"]["actual"] == "249997500.15"
    assert document["program"]["evm"]["ac"] == "249997500.15"
    assert document["categories"]["labor"]["actual"] == "249997500.15"
    # and by month: twelve months add up to the same total
    assert sum(Decimal(v) for v in document["program"]["spend_by_month"].values()) == Decimal("249997500.15")
