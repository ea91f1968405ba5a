"""THE RAG rule: one place decides green, amber or red, for every page and report.

A project in flight (active or on hold) is rated from its figures:

- **red** when progress trails plan by more than 10 points (gap < -10) or
  CPI is below 0.90;
- **amber** when it trails by more than 5 points (gap < -5), CPI is below
  0.95 or a milestone is late;
- **green** otherwise.

Exactly -5 or -10 points is not "more than": -5.0 is green, -5.01 amber.
A missing figure (no plan yet, no spend) counts as on plan for that figure.
A team's rating is the worst of its projects in flight; a team with none is
not rated.

The RAG a team *reports* in its status report is its judgement, shown beside
this one where they differ (never instead of it): colours, counts and the
timeline follow the computed rating, so every page says the same.

``gap_rag`` is the same thresholds for a schedule gap alone (the colour of a
"Gap" cell), so a -5.8 gap is amber wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pmkit.core.vocabulary import IN_FLIGHT_STATUSES
from pmkit.core.wording import count

#: Schedule gap (progress - planned, percentage points) below which a project is red / amber.
RED_GAP, AMBER_GAP = Decimal(-10), Decimal(-5)
#: CPI below which a project is red / amber.
RED_CPI, AMBER_CPI = Decimal("0.90"), Decimal("0.95")

ORDER = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Rating:
    """A computed RAG and why, in words a program manager reads on the page."""

    value: str  # green | amber | red
    reason: str


def _points(value: Decimal) -> str:
    return f"{abs(value):.1f}"


def gap_rag(gap: Decimal | None) -> str | None:
    """The colour of a schedule gap alone: red below -10 points, amber below -5, else green."""
    if gap is None:
        return None
    if gap < RED_GAP:
        return "red"
    if gap < AMBER_GAP:
        return "amber"
    return "green"


def rate(gap: Decimal | None, cpi: Decimal | None, milestones_late: int) -> Rating:
    """The RAG of a project in flight from its schedule gap, CPI and late milestones."""
    red, amber = [], []
    by_gap = gap_rag(gap)
    if gap is not None and by_gap == "red":
        red.append(f"{_points(gap)} points behind plan (more than 10)")
    elif gap is not None and by_gap == "amber":
        amber.append(f"{_points(gap)} points behind plan (more than 5)")
    if cpi is not None and cpi < RED_CPI:
        red.append(f"CPI {cpi:.2f} below 0.90")
    elif cpi is not None and cpi < AMBER_CPI:
        amber.append(f"CPI {cpi:.2f} below 0.95")
    if milestones_late:
        amber.append(f"{count(milestones_late, 'milestone')} late")
    if red:
        return Rating("red", "; ".join(red + amber))
    if amber:
        return Rating("amber", "; ".join(amber))
    return Rating("green", "on plan: within 5 points, CPI 0.95 or more, no milestone late")


def worst(ratings: Iterable[Rating]) -> Rating | None:
    """The worst of several ratings (a team's, from its projects); None for none."""
    found = sorted(ratings, key=lambda r: ORDER[r.value])
    return found[0] if found else None


def _d(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rate_row(row: dict[str, object]) -> Rating:
    """``rate`` of a project row of the rollup JSON document (progress, planned, evm.cpi, milestones_late)."""
    progress, planned = _d(row.get("progress")), _d(row.get("planned"))
    gap = None if progress is None or planned is None else progress - planned
    evm = row.get("evm")
    cpi = _d(evm.get("cpi")) if isinstance(evm, dict) else None
    late = row.get("milestones_late")
    return rate(gap, cpi, late if isinstance(late, int) else 0)


IN_FLIGHT = IN_FLIGHT_STATUSES


def team_ratings(projects: dict[str, dict[str, object]]) -> dict[str, Rating]:
    """team id -> the worst rating of its projects in flight, from the rollup's project rows."""
    by_team: dict[str, list[Rating]] = {}
    for row in projects.values():
        if row.get("status") in IN_FLIGHT and isinstance(row.get("team"), str):
            by_team.setdefault(str(row["team"]), []).append(rate_row(row))
    return {tid: r for tid, ratings in by_team.items() if (r := worst(ratings)) is not None}


__all__ = ["AMBER_CPI", "AMBER_GAP", "IN_FLIGHT", "RED_CPI", "RED_GAP", "Rating", "gap_rag", "rate", "rate_row",
           "team_ratings", "worst"]
