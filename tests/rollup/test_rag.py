"""The one RAG rule (pmkit.rollup.rag), by hand-worked cases at and around each threshold."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pmkit.rollup import rag


@pytest.mark.parametrize(("gap", "cpi", "late", "value"), [
    (D(0), D(1), 0, "green"),
    (D(-5), D("0.95"), 0, "green"),  # exactly at both amber thresholds: not "more than" / "below"
    (D("-5.01"), None, 0, "amber"),
    (D("-5.8"), D("1.09"), 0, "amber"),  # the cloud-migration: amber, not green
    (D(-10), None, 0, "amber"),  # exactly 10 behind: still amber
    (D("-10.01"), None, 0, "red"),
    (D(3), D("0.9499"), 0, "amber"),
    (D(3), D("0.90"), 0, "amber"),
    (D(3), D("0.8999"), 0, "red"),
    (D(2), D("1.2"), 1, "amber"),  # a late milestone alone
    (None, None, 0, "green"),  # nothing measured yet: nothing says otherwise
    (D(-12), D("0.80"), 2, "red"),
])
def test_rate(gap, cpi, late, value):
    assert rag.rate(gap, cpi, late).value == value


def test_the_reason_names_every_cause_red_first():
    rating = rag.rate(D("-11.28"), D("0.93"), 1)
    assert rating.value == "red"
    assert rating.reason == "11.3 points behind plan (more than 10); CPI 0.93 below 0.95; 1 milestone late"
    assert rag.rate(D(0), D(1), 2).reason == "2 milestones late"


@pytest.mark.parametrize(("gap", "colour"), [
    (None, None), (D(4), "green"), (D(-5), "green"), (D("-5.8"), "amber"), (D(-10), "amber"), (D("-10.5"), "red"),
])
def test_gap_colour_uses_the_same_thresholds(gap, colour):
    assert rag.gap_rag(gap) == colour


def test_rate_row_reads_a_rollup_project_row():
    row = {"progress": 50.15, "planned": 61.43, "evm": {"cpi": 1.1614}, "milestones_late": 0}
    assert rag.rate_row(row) == rag.Rating("red", "11.3 points behind plan (more than 10)")
    assert rag.rate_row({"progress": None, "planned": 10, "evm": {"cpi": None}, "milestones_late": 0}).value == "green"


def test_a_team_takes_the_worst_of_its_projects_in_flight():
    on_plan = {"progress": 50, "planned": 50, "evm": {"cpi": 1}, "milestones_late": 0}
    behind = {"progress": 40, "planned": 47, "evm": {"cpi": 1}, "milestones_late": 0}  # -7: amber
    far_behind = {"progress": 10, "planned": 47, "evm": {"cpi": 1}, "milestones_late": 0}  # -37 but done/cancelled
    projects = {
        "a": {**on_plan, "status": "active", "team": "t1"},
        "b": {**behind, "status": "on-hold", "team": "t1"},
        "c": {**far_behind, "status": "cancelled", "team": "t1"},
        "d": {**far_behind, "status": "done", "team": "t2"},
        "e": {**on_plan, "status": "active", "team": "t3"},
    }
    ratings = rag.team_ratings(projects)
    assert {tid: r.value for tid, r in ratings.items()} == {"t1": "amber", "t3": "green"}
