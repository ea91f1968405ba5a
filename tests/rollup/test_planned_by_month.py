"""The program's planned value month by month to the end of the plan, worked by hand.

One project, one task of 100 days from 2026-01-01 (to 2026-04-11), BAC 1000:
PV(d) = 10 per day from the start (d = days after 2026-01-01). At month ends:
  Jan 31 (d 30) 300    Feb 28 (d 58) 580    Mar 31 (d 89) 890    Apr 30 (past the end) 1000
and 1000 through the program's end month (June 2026 here). As of 2026-02-20, 30 %
done and 400 spent: EV 300, AC 400, CPI 0.75, EAC = BAC x AC / EV = 1333.33.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pmkit.app.site.charts import burn_chart
from pmkit.rollup import as_json, compute

from .builders import D, expense, model, project, task


def _doc():
    m = model(project("p", (task("t", "2026-01-01", "2026-04-11", progress=30),), budget={"labor": 1000}),
              expenses=(expense("e", "2026-02-01", 400),), end="2026-06-30")
    return as_json(compute(m, D("2026-02-20")))


def test_planned_value_by_month_to_the_program_end():
    program = _doc()["program"]
    assert program["planned_value_by_month"] == {
        "2026-01": "300.00", "2026-02": "580.00", "2026-03": "890.00", "2026-04": "1000.00",
        "2026-05": "1000.00", "2026-06": "1000.00"}
    assert program["evm"]["pv"] == "500.00"  # day 50, the same curve
    assert program["evm"]["eac"] == "1333.33"


def test_two_projects_add_their_plans_and_run_past_the_program_end():
    # a: 1000 over 2026-01-01..2026-04-11 (10/day); b: 310 over 2026-03-01..2026-03-32 -> 2026-04-01 (10/day).
    # The program ends in February, but the plan runs to April: the months follow the plan.
    a = project("a", (task("ta", "2026-01-01", "2026-04-11", project="a"),), budget={"labor": 1000})
    b = project("b", (task("tb", "2026-03-01", "2026-04-01", project="b"),), budget={"labor": 310}, start="2026-03-01")
    doc = as_json(compute(model(a, b, end="2026-02-28"), D("2026-01-15")))
    assert doc["program"]["planned_value_by_month"] == {
        "2026-01": "300.00", "2026-02": "580.00", "2026-03": "1190.00", "2026-04": "1310.00"}


def test_no_plan_no_months():
    doc = as_json(compute(model(project("p", budget={"labor": 1000})), D("2026-03-01")))
    assert doc["program"]["planned_value_by_month"] == {}


def _polyline(svg: str, cls: str) -> list[tuple[float, float]]:
    found = re.search(rf'<polyline class="{cls}" points="([^"]+)"', svg)
    assert found, cls
    return [tuple(float(v) for v in p.split(",")) for p in found.group(1).split()]  # type: ignore[misc]


def test_burn_chart_runs_to_the_program_end_with_plan_and_forecast():
    program = _doc()["program"]
    svg = burn_chart([(m, Decimal(v)) for m, v in program["spend_by_month"].items()],
                     Decimal(program["budget"]["current"]), "Burn",
                     planned=[(m, Decimal(v)) for m, v in program["planned_value_by_month"].items()],
                     as_of=D("2026-02-20"), end=D("2026-06-30"), eac=Decimal(program["evm"]["eac"]),
                     currency="USD", chart_id="burn")
    # six months Jan..Jun on 556 px: band 92.67, centres 106.3, 199, ..., 569.7; the last label is the end.
    labels = re.findall(r'<text x="[^"]+" y="280">([^<]+)</text>', svg)
    assert labels[-1] == "Jun 2026"
    assert labels == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026"]
    # y: 0..1400 (nice ticks of 200... ) maps to 262..64; the plan has one point per month.
    plan = _polyline(svg, "planned")
    assert [x for x, _ in plan] == [106.3, 199.0, 291.7, 384.3, 477.0, 569.7]
    forecast = _polyline(svg, "forecast")
    assert forecast[0][0] == 199.0 and forecast[-1][0] == 569.7  # from the as-of month to the end month
    ys = {v: y for v, y in zip((300, 580, 890, 1000), (p[1] for p in plan))}
    # a linear scale: equal money steps are equal pixel steps, and EAC sits above BAC (1333 > 1000)
    assert forecast[-1][1] < ys[1000]
    per_unit = (ys[300] - ys[1000]) / 700
    assert abs((ys[1000] - forecast[-1][1]) - per_unit * 333.33) < 0.2
    assert abs((ys[300] - forecast[0][1]) - per_unit * 100) < 0.2  # the forecast starts at AC 400
    desc = re.search(r"<desc[^>]*>([^<]+)</desc>", svg).group(1)  # type: ignore[union-attr]
    assert "Planned value reaches 1,000.00 USD by Apr 2026." in desc  # the task ends on 2026-04-11
    assert "Forecast at completion (EAC): 1,333.33 USD by Jun 2026." in desc


def test_burn_chart_without_a_plan_is_as_before():
    svg = burn_chart([("2026-01", Decimal(100)), ("2026-03", Decimal(50))], Decimal(300), "Burn", chart_id="b")
    assert re.findall(r'<text x="[^"]+" y="280">([^<]+)</text>', svg) == ["Jan 2026", "Mar 2026"]
    assert 'class="planned"' not in svg and 'class="forecast"' not in svg


def test_without_forecasts_only_the_forecasts_are_left_out():
    """``pmkit diff`` computes the rollup with ``forecasts=False``: every other
    figure must be the one the full rollup gives (the example program, whole)."""
    from pathlib import Path

    from pmkit.app.pipeline import Extent, figures

    example = Path(__file__).resolve().parents[2] / "program"
    full = figures(example, use_cache=False).document
    lean = figures(example, use_cache=False, extent=Extent(forecasts=False)).document
    assert full is not None and lean is not None
    assert full["program"]["earned_schedule"]["es"] is not None and full["program"]["planned_value_by_month"]
    assert lean["program"]["planned_value_by_month"] == {}
    assert set(lean["program"]["earned_schedule"].values()) == {None}

    def without_forecasts(doc: dict) -> dict:
        out = {k: v for k, v in doc.items() if k not in ("program", "projects")}
        out["program"] = {k: v for k, v in doc["program"].items()
                          if k not in ("earned_schedule", "planned_value_by_month")}
        out["projects"] = {pid: {k: v for k, v in row.items() if k != "earned_schedule"}
                           for pid, row in doc["projects"].items()}
        return out

    assert without_forecasts(lean) == without_forecasts(full)


def test_the_lean_rollups_of_diff_and_history_hold_the_full_rollups_figures():
    """``pmkit diff`` and ``pmkit history`` compute fewer sections (and fewer
    forecasts): each section they keep equals the full rollup's, figure by figure."""
    from dataclasses import replace
    from pathlib import Path

    from pmkit.app.diff_command import DIFF_EXTENT
    from pmkit.app.history import EXTENT as HISTORY_EXTENT
    from pmkit.app.pipeline import figures

    example = Path(__file__).resolve().parents[2] / "program"
    full = figures(example, use_cache=False).document
    diff = figures(example, use_cache=False, extent=DIFF_EXTENT).document
    lean = figures(example, use_cache=False, extent=HISTORY_EXTENT)
    assert lean.document is None and lean.rollup is not None  # history reads the rollup itself
    history = figures(example, use_cache=False, extent=replace(HISTORY_EXTENT, document=True)).document
    assert full is not None and diff is not None and history is not None
    assert set(diff) == {"as_of", "currency", "provenance", "program", "projects"}
    assert set(history) == {"as_of", "currency", "provenance", "program", "projects", "milestones"}
    assert history["milestones"] == full["milestones"] and history["projects"] == full["projects"]
    assert {k: v for k, v in history["program"].items() if k != "planned_value_by_month"} == \
        {k: v for k, v in full["program"].items() if k != "planned_value_by_month"}
    assert history["program"]["planned_value_by_month"] == {}
    forecasts = ("earned_schedule", "planned_value_by_month")
    assert {k: v for k, v in diff["program"].items() if k not in forecasts} == \
        {k: v for k, v in full["program"].items() if k not in forecasts}
    assert {pid: {k: v for k, v in row.items() if k != "earned_schedule"} for pid, row in diff["projects"].items()} \
        == {pid: {k: v for k, v in row.items() if k != "earned_schedule"} for pid, row in full["projects"].items()}
