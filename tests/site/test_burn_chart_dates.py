"""The budget burn's description names the month the plan reaches its total and the
program's end for the forecast, not the axis' last month (a later as-of date or expense)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from pmkit.app.site.charts import burn_chart


def desc(svg: str) -> str:
    found = re.search(r"<desc[^>]*>([^<]+)</desc>", svg)
    assert found is not None
    return found.group(1)


PLAN = [("2026-01", Decimal(300)), ("2026-02", Decimal(600)), ("2026-03", Decimal(1000))]


def test_an_as_of_date_after_the_end_does_not_move_when_the_plan_was_reached() -> None:
    svg = burn_chart([("2026-01", Decimal(200)), ("2026-02", Decimal(200))], Decimal(1000), "Burn", planned=PLAN,
                     as_of=dt.date(2026, 6, 15), end=dt.date(2026, 3, 31), eac=Decimal(1200), currency="USD",
                     chart_id="b")
    assert "Planned value reaches 1,000.00 USD by Mar 2026." in desc(svg)  # not "by Jun 2026", the as-of month


def test_an_expense_after_the_end_does_not_move_the_forecast_month() -> None:
    # a late invoice in May, after a March end, seen as of February: the axis runs to May
    svg = burn_chart([("2026-01", Decimal(200)), ("2026-05", Decimal(50))], Decimal(1000), "Burn", planned=PLAN,
                     as_of=dt.date(2026, 2, 10), end=dt.date(2026, 3, 31), eac=Decimal(1200), currency="USD",
                     chart_id="b")
    text = desc(svg)
    assert "Forecast at completion (EAC): 1,200.00 USD by Mar 2026." in text
    assert "Planned value reaches 1,000.00 USD by Mar 2026." in text


def test_the_forecast_adds_what_cancelled_projects_spent_to_the_eac() -> None:
    """The EAC is of the counted projects; the spend drawn is of every project. A forecast from
    the spend to the EAC alone would fall by what cancelled projects spent (it would start
    on one set of projects and end on another)."""
    months = [("2026-01", Decimal(200)), ("2026-02", Decimal(200))]
    kwargs = dict(planned=PLAN, as_of=dt.date(2026, 2, 10), end=dt.date(2026, 3, 31), eac=Decimal(1200),
                  currency="USD", chart_id="b")
    plain = burn_chart(months, Decimal(1500), "Burn", **kwargs)  # type: ignore[arg-type]
    with_sunk = burn_chart(months, Decimal(1500), "Burn", sunk=Decimal("150.50"), **kwargs)  # type: ignore[arg-type]
    assert "Forecast at completion (EAC): 1,200.00 USD by Mar 2026." in desc(plain)
    assert ("Forecast at completion: 1,350.50 USD by Mar 2026 (EAC of the counted projects 1,200.00 USD, "
            "plus 150.50 USD spent on cancelled projects).") in desc(with_sunk)

    def forecast_end(svg: str) -> float:
        found = re.search(r'class="forecast" points="[^"]* [\d.]+,([\d.]+)"', svg)
        assert found is not None
        return float(found.group(1))

    assert forecast_end(with_sunk) < forecast_end(plain)  # higher on the page: more money
    assert re.findall(r'fill="#6d28d9">([^<]*)<', with_sunk) == ["Forecast 1.35K"]
    assert re.findall(r'fill="#6d28d9">([^<]*)<', plain) == ["EAC 1.2K"]
