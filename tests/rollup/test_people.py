"""Staffing, compliance, hiring and problem rollups, against figures worked out by hand.

tests/fixtures/people-small, as of its status date D = 2026-06-30 unless a
test says otherwise. Its people:

  ann  apps employee    2025-01-01..      web 50 (2026), infra 30 (no dates), later 20 (no dates; later starts 2026-09-01)
  bob  ops  employee    2025-06-01..      infra 80 (no dates), web 40 (06-01..07-31), legacy 50 (cancelled project)
  cy   apps contractor  2026-02-01..12-31 web 100 (no dates)
  dee  ops  employee    2025-01-01..2026-05-31 (left before D)  infra 100
  eve  ops  employee    2026-06-15..      no allocations
  fay  apps employee    2026-08-01..      (not started on D)    web 100
  gus  apps contractor  2026-01-05..      web 25 (..06-29), infra 40 (06-30..)
  team qa has no members.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pmkit.domain.model import Model, build
from pmkit.rollup import people
from pmkit.rollup.figures import to_json
from pmkit.engine.validate import validate_directory
from conftest import FIXTURES, REPO, only

D = dt.date
AS_OF = D(2026, 6, 30)
SMALL = FIXTURES / "people-small"


def _model(root: Path, as_of: dt.date) -> Model:
    result = validate_directory(root, as_of)
    assert result.errors == 0, [f.message for f in result.findings if f.severity == "error"]
    assert result.index is not None
    return build(result.index)


@pytest.fixture(scope="module")
def small() -> Model:
    return _model(SMALL, AS_OF)


@pytest.fixture(scope="module")
def example() -> Model:
    return _model(REPO / "program", D(2026, 10, 31))


def dec(text: str) -> Decimal:
    return Decimal(text)


# --------------------------------------------------------------- staffing

def test_person_fte(small):
    assert people.person_fte(small, AS_OF) == {
        "ann": dec("0.8"),  # web 50 + infra 30 (undated: the project's 2026) = 80; later not started until 09-01
        "bob": dec("1.7"),  # infra 80 + web 40 + legacy 50 (cancelled, still allocated) = 170
        "cy": dec("1"),  # web 100
        "dee": 0,  # left 2026-05-31
        "eve": 0,  # employed, no allocation
        "fay": 0,  # starts 2026-08-01
        "gus": dec("0.4"),  # web 25 ended 06-29; infra 40 from 06-30 (inclusive)
    }


def test_project_and_team_fte(small):
    assert people.project_fte(small, AS_OF) == {
        "infra": dec("1.5"),  # ann 30 + bob 80 + gus 40 (dee has left)
        "later": 0,  # starts 2026-09-01
        "legacy": dec("0.5"),  # bob 50: cancelled projects still count in staffing
        "web": dec("1.9"),  # ann 50 + bob 40 + cy 100 (fay not started, gus ended 06-29)
    }
    assert people.team_fte(small, AS_OF) == {
        "apps": dec("2.2"),  # ann 0.8 + cy 1 + gus 0.4 (+ fay 0)
        "ops": dec("1.7"),  # bob 1.7 + eve 0 (+ dee 0)
        "qa": 0,  # no members
    }


def test_staffing(small):
    s = people.staffing(small, AS_OF)
    assert s.headcount == 5  # ann, bob, cy, eve (no allocation), gus; not dee (left) nor fay (not started)
    assert s.fte == dec("3.9")  # 0.8 + 1.7 + 1 + 0 + 0.4
    assert s.employee_fte == dec("2.5")  # ann 0.8 + bob 1.7 + eve 0
    assert s.contractor_fte == dec("1.4")  # cy 1 + gus 0.4
    assert s.over_allocated == ["bob"]  # 170 % > 100 %
    # 1.4 / 3.9 × 100 = 35.897… → 35.90
    assert to_json(s, 2) == {"headcount": 5, "fte": 3.9, "employee_fte": 2.5, "contractor_fte": 1.4,
                             "contractor_share": 35.9, "over_allocated": ["bob"]}


def test_fte_totals_agree(small):
    s = people.staffing(small, AS_OF)
    for by in (people.person_fte, people.project_fte, people.team_fte):
        assert sum(by(small, AS_OF).values()) == s.fte


def test_over_allocation_agrees_with_validate(small):
    # 2026-03-15: bob = infra 80 + legacy 50 = 130 % (web 40 only from 06-01): the
    # cancelled project alone tips him over, and the validation rule says so too.
    assert people.person_fte(small, D(2026, 3, 15))["bob"] == dec("1.3")
    assert people.over_allocated(small, D(2026, 3, 15)) == ["bob"]
    [finding] = only(validate_directory(SMALL, D(2026, 3, 15)), "over-allocated")
    assert finding.file == "staff/bob.yaml"


def test_staffing_before_anyone_started():
    model = _model(SMALL, AS_OF)
    s = people.staffing(model, D(2024, 12, 31))
    assert (s.headcount, s.fte, s.contractor_share, s.over_allocated) == (0, 0, None, [])


def test_open_ended_allocation_after_project_end(small):
    # 2027-01-04: projects ended 2026-12-31, cy left 2026-12-31; ann, bob, eve, fay, gus employed
    s = people.staffing(small, D(2027, 1, 4))
    assert (s.headcount, s.fte) == (5, 0)


# ------------------------------------------------------------- compliance

def test_compliance_per_rule(small):
    c = people.compliance(small, AS_OF)
    rules = to_json(c.rules, 2)
    # conduct (everyone, effective 2025-01-01, 30 days, renew 365), employed on D: ann bob cy eve gus
    #   ann: latest ack 2026-01-10 + 365 = 2027-01-10 ≥ D                 acknowledged
    #   bob: ack 2025-06-10 + 365 = 2026-06-10 < D                         expired
    #   cy : due 2026-02-01 + 30 = 03-03, acked 03-20 (late, still counts) acknowledged
    #   eve: due 2026-06-15 + 30 = 07-15 ≥ D                               pending
    #   gus: due 2026-01-05 + 30 = 02-04 < D; his 2026-07-02 ack is after D overdue
    assert rules["conduct"] == {"title": "Code of conduct", "category": "workplace", "applicable": 5,
                                "acknowledged": 2, "pending": 1, "overdue": 1, "expired": 1}
    # security (teams [ops], effective 2026-06-01, 14 days): bob, eve
    #   bob: due max(2025-06-01, 2026-06-01) + 14 = 06-15 < D              overdue
    #   eve: due max(2026-06-15, 2026-06-01) + 14 = 06-29 < D              overdue
    assert rules["security"] == {"title": "Operations security", "category": "governance", "applicable": 2,
                                 "acknowledged": 0, "pending": 0, "overdue": 2, "expired": 0}
    # contractor-nda (contractor + role DEVELOPER, any case): only cy (gus is a Tester); acked 02-05
    assert rules["contractor-nda"]["applicable"] == 1 and rules["contractor-nda"]["acknowledged"] == 1
    # genai is effective 2026-07-01 > D: applies to nobody
    assert rules["genai"] == {"title": "Generative AI use", "category": "governance", "applicable": 0,
                              "acknowledged": 0, "pending": 0, "overdue": 0, "expired": 0}
    assert list(rules) == ["conduct", "contractor-nda", "genai", "security"]


def test_compliance_totals_and_teams(small):
    c = to_json(people.compliance(small, AS_OF), 2)
    # 5 + 2 + 1 + 0 = 8 pairs; acknowledged 2 + 0 + 1, pending 1, overdue 1 + 2, expired 1
    assert c["total"] == {"applicable": 8, "acknowledged": 3, "pending": 1, "overdue": 3, "expired": 1}
    assert c["teams"] == {
        # ann conduct ack, cy conduct ack + nda ack, gus conduct overdue
        "apps": {"applicable": 4, "acknowledged": 3, "pending": 0, "overdue": 1, "expired": 0},
        # bob conduct expired + security overdue, eve conduct pending + security overdue
        "ops": {"applicable": 4, "acknowledged": 0, "pending": 1, "overdue": 2, "expired": 1},
        "qa": {"applicable": 0, "acknowledged": 0, "pending": 0, "overdue": 0, "expired": 0},
    }


def test_each_pair_in_exactly_one_state(small):
    for as_of in (D(2025, 6, 1), AS_OF, D(2026, 7, 16), D(2027, 3, 1)):
        c = people.compliance(small, as_of)
        for counts in [c.total, *c.rules.values(), *c.teams.values()]:
            assert counts.applicable == counts.acknowledged + counts.pending + counts.overdue + counts.expired


def test_compliance_agrees_with_validate(small):
    result = validate_directory(SMALL, AS_OF)
    total = people.compliance(small, AS_OF).total
    assert len(only(result, "acknowledgement-overdue")) == total.overdue == 3
    assert len(only(result, "acknowledgement-expired")) == total.expired == 1


def test_compliance_later(small):
    # 2026-07-16: eve's conduct due 07-15 has passed (pending -> overdue); gus acked 07-02 (now counts);
    # genai (effective 07-01, 30 days): due max(start, 07-01) + 30 = 07-31 for all 5, pending.
    c = people.compliance(small, D(2026, 7, 16))
    assert (c.rules["conduct"].acknowledged, c.rules["conduct"].overdue, c.rules["conduct"].pending) == (3, 1, 0)
    assert (c.rules["genai"].applicable, c.rules["genai"].pending) == (5, 5)


# ----------------------------------------------------------------- hiring

def test_hiring_funnel(small):
    h = people.hiring(small, AS_OF)
    # web-dev: hired, offer, rejected, applied, withdrawn, screening; old-role: interview, shortlisted,
    # rejected; ops-lead: none
    assert h.funnel == {"applied": 1, "screening": 1, "interview": 1, "shortlisted": 1, "offer": 1,
                        "hired": 1, "rejected": 2, "withdrawn": 1}
    assert list(h.funnel) == list(people.STAGES)
    assert list(h.positions) == ["old-role", "ops-lead", "web-dev"]


def test_hiring_position(small):
    web = to_json(people.hiring(small, AS_OF).positions["web-dev"], 2)
    assert web == {
        "title": "Web developer", "team": "apps", "project": "web", "status": "open", "decision": "manager",
        "openings": 2, "filled": 1,
        "candidates": {"applied": 1, "screening": 1, "interview": 0, "shortlisted": 0, "offer": 1, "hired": 1,
                       "rejected": 1, "withdrawn": 1},
        # interviews dated ≤ D: c1 03-10 (4), c1 03-12 (5), c2 03-15 (2), c3 03-20 (unscored) = 4;
        # c2's 07-05 interview is after D
        "interviews": 4,
        "mean_score": 3.67,  # (4 + 5 + 2) / 3 = 3.666…
        "days_open": 121,  # 2026-03-01 -> 06-30: 31 + 30 + 31 + 29
    }


def test_position_without_candidates_and_opened_after_as_of(small):
    lead = to_json(people.hiring(small, AS_OF).positions["ops-lead"], 2)
    assert lead["candidates"] == dict.fromkeys(people.STAGES, 0)
    assert (lead["filled"], lead["interviews"], lead["mean_score"]) == (0, 0, None)
    assert lead["project"] is None
    assert lead["days_open"] == 0  # opened 2026-07-15, after D: never negative


def test_closed_position_stops_counting_days(small):
    # old-role opened 2026-01-10, closed 2026-02-19: 21 + 19 = 40 days
    assert people.hiring(small, AS_OF).positions["old-role"].days_open == 40
    # as of 2026-02-01 it was not closed yet: 01-10 -> 02-01 = 22 days
    early = people.hiring(small, D(2026, 2, 1)).positions["old-role"]
    assert early.days_open == 22
    assert early.mean_score == 3 and early.interviews == 1  # the 02-01 interview is dated ≤ D


# ----------------------------------------------------------------- risks

def test_risk_counts(small):
    r = people.risks(small, AS_OF)
    # open: r-critical, r-high-a (mitigating), r-high-b (escalated), r-high-c, i-high, r-legacy, r-low;
    # not r-resolved, i-closed
    assert r.open == 7
    # r-critical due 06-01 and r-legacy due 06-29 are < D; r-high-b is due on D; r-resolved is not open
    assert r.overdue == 2
    assert r.by_severity == {"low": 1, "medium": 1, "high": 4, "critical": 1}
    assert r.by_project == {"infra": 3, "later": 0, "legacy": 1, "web": 2, "program": 1}
    assert people.open_problems_by_project(small, AS_OF) == {"infra": 3, "later": 0, "legacy": 1, "web": 2}


def test_risk_items_order_and_fields(small):
    items = people.risks(small, AS_OF).items
    # open first; then critical -> low; then score desc (r-high-b 5×3=15, r-high-c 4×3=12 due 08-01,
    # r-high-a 3×4=12 due 09-30, i-high none); closed ones last by the same keys
    assert [i.id for i in items] == ["r-critical", "r-high-b", "r-high-c", "r-high-a", "i-high", "r-legacy",
                                     "r-low", "r-resolved", "i-closed"]
    first = to_json(items[0], 2)
    assert first == {"id": "r-critical", "type": "risk", "title": "Payment provider may not certify in time",
                     "project": "web", "owner": "ann", "severity": "critical", "status": "open",
                     "opened": "2026-02-01", "due": "2026-06-01", "overdue": True, "score": 20}
    by_id = {i.id: i for i in items}
    assert by_id["i-high"].score is None and by_id["i-high"].project is None
    assert by_id["r-low"].due is None and by_id["r-low"].overdue is False and by_id["r-low"].score == 2
    assert by_id["r-resolved"].overdue is False  # due 03-01 but resolved
    assert by_id["r-high-b"].overdue is False  # due on D is not overdue


def test_risk_status_is_taken_as_it_stands_but_not_before_it_was_opened(small):
    # a risk opened after D does not exist on D: as of 2026-01-01 (before every risk's opened date)
    # nothing is open and nothing is listed
    r = people.risks(small, D(2026, 1, 1))
    assert r.open == 0 and r.overdue == 0 and r.items == []
    assert people.open_problems_by_project(small, D(2026, 1, 1)) == {"infra": 0, "later": 0, "legacy": 0, "web": 0}
    # undated status: as of each risk's opened day its status is taken as it stands in the files
    opened = {r.id: r.opened for r in small.risks.values()}
    last = max(opened.values())
    r = people.risks(small, last)
    assert r.open == 7 and len(r.items) == 9


def test_risk_opened_after_d_is_not_open_on_d(small):
    # r-critical opened 2026-02-01: as of 2026-01-31 it is not there, as of 02-01 it is
    before = people.risks(small, D(2026, 1, 31))
    on = people.risks(small, D(2026, 2, 1))
    assert "r-critical" not in [i.id for i in before.items]
    assert "r-critical" in [i.id for i in on.items]


# ------------------------------------------------- the example program/

def test_example_program(example):
    as_of = D(2026, 10, 31)
    s = people.staffing(example, as_of)
    # 37 staff files; sophie-laurent (contractor) left 2026-06-30
    assert s.headcount == 36
    # contractors employed on D, each 100 % on one active project: ethan-reyes, irene-castillo,
    # leah-sorensen, natalie-fischer, nathan-brooks, owen-gallagher
    assert s.contractor_fte == 6
    # kyle-harrington: citizen-portal 60 % 2026-08-03..2027-06-30; identity-sso ended 2026-04-30
    assert people.person_fte(example, as_of)["kyle-harrington"] == dec("0.6")
    c = people.compliance(example, as_of)
    # genai-acceptable-use: everyone, effective 2026-08-01, 45 days; 36 employed; 34 acknowledged in
    # Aug 2026; kyle-harrington never: due max(2021-08-09, 2026-08-01) + 45 = 2026-09-15 < D -> overdue;
    # marcus-oyelaran started 2026-10-19: due 2026-12-03 -> pending
    genai = c.rules["genai-acceptable-use"]
    assert (genai.applicable, genai.acknowledged, genai.pending, genai.overdue, genai.expired) == (36, 34, 1, 1, 0)
    h = people.hiring(example, as_of).positions["data-engineer"]
    # interviews 2 + 2 + 1 + 1 = 6, scores 5 4 4 4 3 2 = 22 / 6 = 3.67; opened 07-20: 11 + 31 + 30 + 31 = 103
    assert (h.filled, h.interviews, round(h.mean_score, 2), h.days_open) == (1, 6, dec("3.67"), 103)
    r = people.risks(example, as_of)
    # of the 13 risk files: 5 open, 3 mitigating (dba, dw, fti), 1 escalated (payroll-parallel)
    assert r.open == 9 and r.overdue == 1  # iss-cloud-invoice-dispute due 2026-10-16
    assert r.by_severity == {"low": 1, "medium": 4, "high": 3, "critical": 1}
