"""`pmkit rollup --format json`: every figure of tests/fixtures/rollup-small by hand,
the JSON Schema, byte-identical output, and refusal to compute from invalid data.

The fixture, as of its status_date 2026-04-30 (D):

alpha (active, 2026-01-01..2026-08-27; objective o-speed)
  task  assignee   effort  dates                  progress  planned as of D
  a1    pat        10      01-01..01-31           100       100 (ended)
  a2    northwind  20      04-10..05-10 (30 d)     50       100 x 20/30 = 200/3
  a3    core        5      04-30..06-30            10       0 (D == start)
  a4    ria        15      none: project's dates   40       100 x 119/238 = 50
  a5    quinn      10      05-01..05-31             0       0 (not started)
  effort 60; sum effort x progress = 1000 + 1000 + 50 + 600 + 0 = 2650
  progress = 2650/60 = 44.1666 -> 44.17
  sum effort x planned = 1000 + 4000/3 + 0 + 750 + 0 = 9250/3
  planned = 9250/3 / 60 = 9250/180 = 51.3888 -> 51.39
beta (on-hold: counted, 2026-02-01..2026-06-30; objective o-users)
  b1    quinn       8      02-01..03-02           100       100
  b2    field      12      03-01..05-30 (90 d)     25       100 x 60/90 = 200/3
  b3    pat         4      04-30..04-30 (one day)   0       100 (D >= end)
  effort 24; progress = (800 + 300 + 0)/24 = 1100/24 = 45.8333 -> 45.83
  planned = (800 + 800 + 400)/24 = 2000/24 = 83.3333 -> 83.33
gamma (cancelled): g1 pat, effort 6, progress 30, no dates (ended 03-31: planned 100)
delta (proposed, no tasks): progress and planned null
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from pmkit.app.cli import main

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
SMALL = TESTS / "fixtures" / "rollup-small"
SCHEMA = json.loads((REPO / "schemas" / "rollup.schema.json").read_text(encoding="utf-8"))


def rollup(directory: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["rollup", str(directory), "--no-cache", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def small() -> dict:
    code, out, err = rollup(SMALL)
    assert code == 0, err
    return json.loads(out)


def budget(baseline, tin, tout, actual, committed, current, available, spent):
    return {"baseline": baseline, "transfers_in": tin, "transfers_out": tout, "actual": actual,
            "committed": committed, "current": current, "available": available, "spent_pct": spent}


NULL_EVM = dict.fromkeys(("bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi"))


# ------------------------------------------------------------------ money

def test_lines_and_project_budgets(small):
    # transfers as of D: tr-1 alpha/hardware -> alpha/labor 5000; tr-2 beta/software -> alpha/contractors 2000;
    # tr-3 (alpha/labor -> beta/labor 1000) is dated 2026-05-15, after D: not counted.
    # expenses as of D: alpha labor 12000.00 + 9500.50 = 21500.50; alpha contractors 8000.00 (NW-1; NW-2 is
    # dated 05-10, after D); alpha hardware 4200.00 - 700.00 (refund) = 3500.00; beta labor 6000.00;
    # beta software 2500.25; gamma hardware 3000.00.
    # committed: nw-build 20000 - 8000 invoiced as of D = 12000, on alpha/contractors.
    alpha = small["projects"]["alpha"]
    assert alpha["lines"] == {
        # current 30000 + 2000 = 32000; available 32000 - 8000 - 12000 = 12000; spent 8000/32000 = 25 %
        "contractors": budget("30000.00", "2000.00", "0.00", "8000.00", "12000.00", "32000.00", "12000.00", 25),
        # current 10000 - 5000 = 5000; available 5000 - 3500 = 1500; spent 3500/5000 = 70 %
        "hardware": budget("10000.00", "0.00", "5000.00", "3500.00", "0.00", "5000.00", "1500.00", 70),
        # current 50000 + 5000 = 55000; available 55000 - 21500.50 = 33499.50; spent 21500.5/55000 = 39.0918 %
        "labor": budget("50000.00", "5000.00", "0.00", "21500.50", "0.00", "55000.00", "33499.50", 39.09),
    }
    # alpha: baseline 90000, in 7000, out 5000, current 92000, actual 33000.50, committed 12000,
    # available 92000 - 33000.50 - 12000 = 46999.50, spent 33000.5/92000 = 35.8701 %
    assert alpha["budget"] == budget("90000.00", "7000.00", "5000.00", "33000.50", "12000.00", "92000.00",
                                     "46999.50", 35.87)
    # beta: labor 20000 (6000 spent), software 5000 - 2000 = 3000 (2500.25 spent)
    # current 23000, actual 8500.25, available 14499.75, spent 8500.25/23000 = 36.9576 %
    assert small["projects"]["beta"]["budget"] == budget("25000.00", "0.00", "2000.00", "8500.25", "0.00",
                                                         "23000.00", "14499.75", 36.96)
    # gamma (cancelled): its money stays: 8000 budget, 3000 spent, 37.5 %
    assert small["projects"]["gamma"]["budget"] == budget("8000.00", "0.00", "0.00", "3000.00", "0.00", "8000.00",
                                                          "5000.00", 37.5)
    # delta: 2000 other, nothing spent
    assert small["projects"]["delta"]["budget"] == budget("2000.00", "0.00", "0.00", "0.00", "0.00", "2000.00",
                                                          "2000.00", 0)


def test_program_budget_funding_and_spend_by_month(small):
    program = small["program"]
    # every line, gamma included: baseline 90000 + 25000 + 8000 + 2000 = 125000; in 7000 and out 7000
    # (sums over lines, not netted); actual 33000.50 + 8500.25 + 3000 = 44500.75; committed 12000;
    # available 125000 - 44500.75 - 12000 = 68499.25; spent 44500.75/125000 = 35.6006 %
    assert program["budget"] == budget("125000.00", "7000.00", "7000.00", "44500.75", "12000.00", "125000.00",
                                       "68499.25", 35.6)
    # funded = approved 30000 + received 100000 = 130000; gap = 125000 - 130000 = -5000 (a surplus)
    assert (program["funded"], program["funding_gap"]) == ("130000.00", "-5000.00")
    assert small["funding"] == {
        "requested": "20000.00", "approved": "30000.00", "received": "100000.00", "funded": "130000.00",
        "total_current_budget": "125000.00", "funding_gap": "-5000.00",
        "sources": [
            {"id": "general", "name": "General fund", "amount": "100000.00", "status": "received",
             "date": "2025-12-15", "fiscal_year": 2026},
            {"id": "grant", "name": "Modernization grant", "amount": "30000.00", "status": "approved",
             "date": "2026-01-10", "fiscal_year": 2026},
            {"id": "supplement", "name": "Supplemental request", "amount": "20000.00", "status": "requested",
             "date": None, "fiscal_year": None},
        ],
    }
    # January 12000.00; February 9500.50 + 6000.00 + 3000.00 = 18500.50;
    # March 8000.00 + 4200.00 + 2500.25 = 14700.25; April: the refund, -700.00; May (NW-2) is after D
    assert program["spend_by_month"] == {"2026-01": "12000.00", "2026-02": "18500.50", "2026-03": "14700.25",
                                         "2026-04": "-700.00"}


def test_categories(small):
    assert small["categories"] == {
        # alpha 50000 + beta 20000; in 5000; actual 21500.50 + 6000 = 27500.50; 27500.5/75000 = 36.6673 %
        "labor": budget("70000.00", "5000.00", "0.00", "27500.50", "0.00", "75000.00", "47499.50", 36.67),
        "contractors": budget("30000.00", "2000.00", "0.00", "8000.00", "12000.00", "32000.00", "12000.00", 25),
        # alpha 10000 + gamma 8000 (cancelled, still counted); out 5000; actual 3500 + 3000 = 6500; 50 %
        "hardware": budget("18000.00", "0.00", "5000.00", "6500.00", "0.00", "13000.00", "6500.00", 50),
        # 5000 - 2000 = 3000; 2500.25 spent: available 499.75, 83.3417 %
        "software": budget("5000.00", "0.00", "2000.00", "2500.25", "0.00", "3000.00", "499.75", 83.34),
        "other": budget("2000.00", "0.00", "0.00", "0.00", "0.00", "2000.00", "2000.00", 0),
    }


def test_vendor(small):
    # northwind: a2 only (ria's a4 counts for ria and core, not for the vendor): progress 50, planned 200/3
    # contract 20000; invoiced as of D 8000 (NW-2 is after D); committed 12000
    assert small["vendors"] == {"northwind": {
        "name": "Northwind Consulting", "progress": 50, "planned": 66.67, "tasks": 1, "effort": 20,
        "contracts_value": "20000.00", "invoiced": "8000.00", "committed": "12000.00"}}


# ------------------------------------------------------------------ progress and EVM

def test_program_progress_and_schedule(small):
    program = small["program"]
    # counted tasks: alpha + beta (gamma cancelled, delta has none): effort 84
    # progress = (2650 + 1100)/84 = 3750/84 = 44.6428 -> 44.64
    # planned = (9250/3 + 2000)/84 = (15250/3)/84 = 15250/252 = 60.5158 -> 60.52
    # gap = 11250/252 - 15250/252 = -4000/252 = -15.873 -> -15.87
    assert (program["progress"], program["planned"], program["schedule_gap"]) == (44.64, 60.52, -15.87)
    # late: alpha m-pilot, beta m-review (done 05-05, after D); upcoming: alpha m-beta (05-20),
    # beta m-close (05-30 = D + 30); gamma's m-order is left out (cancelled)
    assert (program["milestones_late"], program["milestones_upcoming"]) == (2, 2)
    assert program["open_problems"] == 1  # vendor-slip; kiosk-refund is resolved


def test_project_progress_and_evm(small):
    alpha, beta = small["projects"]["alpha"], small["projects"]["beta"]
    assert (alpha["progress"], alpha["planned"], alpha["tasks"], alpha["effort"]) == (44.17, 51.39, 5, 60)
    assert (beta["progress"], beta["planned"], beta["tasks"], beta["effort"]) == (45.83, 83.33, 3, 24)
    # alpha: BAC 92000; PV = 92000 x 9250/18000 = 47277.777 -> 47277.78;
    # EV = 92000 x 2650/6000 = 40633.333 -> 40633.33; AC 33000.50
    # CV = 40633.333 - 33000.50 = 7632.833 -> 7632.83; SV = 40633.333 - 47277.777 = -6644.444 -> -6644.44
    # CPI = 40633.333/33000.5 = 1.23129 -> 1.2313; SPI = 2650/60 / (9250/180) = 4770/5550 = 0.85946 -> 0.8595
    # EAC = BAC x AC / EV = 33000.5 x 6000/2650 = 74718.113 -> 74718.11; ETC = 74718.113 - 33000.5 = 41717.61
    # VAC = 92000 - 74718.113 = 17281.887 -> 17281.89; TCPI = (92000 - 40633.333)/(92000 - 33000.5)
    #   = 51366.667/58999.5 = 0.87063 -> 0.8706
    assert alpha["evm"] == {"bac": "92000.00", "pv": "47277.78", "ev": "40633.33", "ac": "33000.50",
                            "cv": "7632.83", "sv": "-6644.44", "cpi": 1.2313, "spi": 0.8595, "eac": "74718.11",
                            "etc": "41717.61", "vac": "17281.89", "tcpi": 0.8706}
    # beta (on hold, still measured): BAC 23000; PV = 23000 x 2000/2400 = 19166.667; EV = 23000 x 1100/2400
    #   = 10541.667; AC 8500.25; CV = 2041.417 -> 2041.42; SV = -8625.00
    # CPI = 10541.667/8500.25 = 1.24016 -> 1.2402; SPI = 1100/2000 = 0.55
    # EAC = 8500.25 x 2400/1100 = 18546.00 exactly; ETC = 10045.75; VAC = 4454.00
    # TCPI = (23000 - 10541.667)/(23000 - 8500.25) = 12458.333/14499.75 = 0.85921 -> 0.8592
    assert beta["evm"] == {"bac": "23000.00", "pv": "19166.67", "ev": "10541.67", "ac": "8500.25",
                           "cv": "2041.42", "sv": "-8625.00", "cpi": 1.2402, "spi": 0.55, "eac": "18546.00",
                           "etc": "10045.75", "vac": "4454.00", "tcpi": 0.8592}


def test_cancelled_and_taskless_projects(small):
    gamma, delta = small["projects"]["gamma"], small["projects"]["delta"]
    # gamma: its own row shows where it stopped (30 %, planned 100 %), but nothing is measured
    assert (gamma["counted"], gamma["progress"], gamma["planned"], gamma["tasks"]) == (False, 30, 100, 1)
    assert gamma["evm"] == NULL_EVM
    assert gamma["milestones_late"] == 0
    assert gamma["milestones"] == {"total": 1, "done": 0, "late": 0, "upcoming": 0}
    # delta: no tasks -> progress/planned null; BAC 2000 and AC 0 are real, everything else null
    assert (delta["counted"], delta["progress"], delta["planned"], delta["tasks"], delta["effort"]) == (
        True, None, None, 0, 0)
    assert delta["evm"] == {**NULL_EVM, "bac": "2000.00", "ac": "0.00"}


def test_program_evm(small):
    # sums over alpha, beta, delta (gamma left out):
    # BAC = 92000 + 23000 + 2000 = 117000
    # PV = 47277.777... + 19166.666... + 0 = 425500/9 + 172500/9 = 598000/9 = 66444.444 -> 66444.44
    # EV = 24380000/600 + 6325000/600 + 0 = 30705000/600 = 51175.00 exactly
    # AC = 33000.50 + 8500.25 + 0 = 41500.75
    # CV = 51175 - 41500.75 = 9674.25; SV = 51175 - 66444.444 = -15269.444 -> -15269.44
    # CPI = 51175/41500.75 = 1.23311 -> 1.2331; SPI = 51175 x 9/598000 = 0.77019 -> 0.7702
    # EAC = 117000 x 41500.75/51175 = 94882.032 -> 94882.03; ETC = 94882.032 - 41500.75 = 53381.28
    # VAC = 117000 - 94882.032 = 22117.97; TCPI = (117000 - 51175)/(117000 - 41500.75) = 65825/75499.25
    #   = 0.87186 -> 0.8719
    assert small["program"]["evm"] == {"bac": "117000.00", "pv": "66444.44", "ev": "51175.00", "ac": "41500.75",
                                       "cv": "9674.25", "sv": "-15269.44", "cpi": 1.2331, "spi": 0.7702,
                                       "eac": "94882.03", "etc": "53381.28", "vac": "22117.97", "tcpi": 0.8719}


def test_milestones(small):
    def row(project, ident, title, due, done, status, slipped):
        return {"project": project, "id": ident, "title": title, "due": due, "done": done, "status": status,
                "slipped_days": slipped}

    assert small["milestones"] == [
        row("alpha", "m-design", "Design signed off", "2026-01-31", "2026-02-03", "done", 3),
        row("beta", "m-spec", "Specification approved", "2026-03-01", "2026-02-27", "done", -2),
        row("alpha", "m-pilot", "Pilot running", "2026-04-15", None, "late", 15),        # 04-30 - 04-15
        row("beta", "m-review", "Security review passed", "2026-04-20", None, "late", 10),  # done after D
        row("alpha", "m-beta", "Beta", "2026-05-20", None, "upcoming", None),
        row("beta", "m-close", "Close-out", "2026-05-30", None, "upcoming", None),          # D + 30
        row("alpha", "m-launch", "Launch", "2026-08-20", None, "planned", None),
    ]
    assert small["projects"]["alpha"]["milestones"] == {"total": 4, "done": 1, "late": 1, "upcoming": 1}
    assert small["projects"]["beta"]["milestones"] == {"total": 3, "done": 1, "late": 1, "upcoming": 1}
    assert (small["projects"]["alpha"]["milestones_late"], small["projects"]["beta"]["milestones_late"]) == (1, 1)


def test_teams_and_staff(small):
    # core = team core + its members pat and ria (counted projects):
    #   a1 pat (10, 100, planned 100), a3 core (5, 10, 0), a4 ria (15, 40, 50), b3 pat (4, 0, 100)
    #   effort 34; progress (1000 + 50 + 600 + 0)/34 = 1650/34 = 48.529 -> 48.53
    #   planned (1000 + 0 + 750 + 400)/34 = 2150/34 = 63.235 -> 63.24  (gamma's g1 is left out)
    # field = team field + quinn: a5 (10, 0, 0), b1 (8, 100, 100), b2 field (12, 25, 200/3)
    #   effort 30; progress (0 + 800 + 300)/30 = 36.667 -> 36.67; planned (0 + 800 + 800)/30 = 53.333 -> 53.33
    # FTE as of D: pat 60 % alpha + 40 % beta = 1.0, ria 100 % alpha = 1.0 -> core 2.0; quinn 50 % beta -> 0.5
    assert small["teams"] == {
        "core": {"name": "Core platform", "department": "IT", "lead": "pat", "progress": 48.53, "planned": 63.24,
                 "tasks": 4, "effort": 34, "members": 2, "fte": 2},
        "field": {"name": "Field services", "department": "Operations", "lead": "quinn", "progress": 36.67,
                  "planned": 53.33, "tasks": 3, "effort": 30, "members": 1, "fte": 0.5},
    }
    # pat: a1 and b3: (1000 + 0)/14 = 71.43; quinn: a5 and b1: 800/18 = 44.44; ria: a4: 40
    staff = small["staff"]
    assert staff["pat"] == {"name": "Pat Morgan", "team": "core", "employment": "employee", "vendor": None,
                            "fte": 1, "allocations": {"alpha": 60, "beta": 40}, "over_allocated": False,
                            "progress": 71.43, "planned": 100, "tasks": 2}
    assert (staff["quinn"]["progress"], staff["quinn"]["tasks"], staff["quinn"]["fte"]) == (44.44, 2, 0.5)
    # planned by person (issue 15): pat a1 100 x 10 + b3 100 x 4 -> 1400/14 = 100 (gamma's g1 is
    # cancelled, left out); quinn a5 0 x 10 + b1 100 x 8 -> 800/18 = 44.44; ria a4 50 x 15 -> 50
    assert {pid: staff[pid]["planned"] for pid in ("pat", "quinn", "ria")} == {"pat": 100, "quinn": 44.44, "ria": 50}
    assert (staff["ria"]["progress"], staff["ria"]["vendor"], staff["ria"]["employment"]) == (40, "northwind",
                                                                                               "contractor")
    # projects' FTE: alpha 0.6 + 1.0 = 1.6; beta 0.4 + 0.5 = 0.9
    assert (small["projects"]["alpha"]["fte"], small["projects"]["beta"]["fte"]) == (1.6, 0.9)
    # program: headcount 3, FTE 2.5 = employees 1.5 + contractor 1.0; share 1.0/2.5 = 40 %
    assert small["program"]["staffing"] == {"headcount": 3, "fte": 2.5, "employee_fte": 1.5, "contractor_fte": 1,
                                            "contractor_share": 40, "over_allocated": []}


def test_objectives(small):
    objectives = small["objectives"]
    # o-speed: (6 - 10)/(2 - 10) = 50 %; served by alpha (gamma is cancelled): alpha's figures
    assert objectives["o-speed"] == {
        "title": "Faster month-end close", "metric": "Working days to close the month", "unit": "days",
        "baseline": 10, "target": 2, "current": 6, "progress_to_target": 50, "projects": ["alpha"],
        "progress": 44.17, "planned": 51.39}
    # o-users: 250/200 = 125 % -> clamped to 100; beta and delta (no tasks): beta's figures
    assert (objectives["o-users"]["progress_to_target"], objectives["o-users"]["projects"],
            objectives["o-users"]["progress"], objectives["o-users"]["planned"]) == (100, ["beta", "delta"], 45.83,
                                                                                    83.33)
    # o-flat: target == baseline and no current -> null; delta has no tasks -> null
    assert (objectives["o-flat"]["progress_to_target"], objectives["o-flat"]["current"],
            objectives["o-flat"]["progress"]) == (None, None, None)


def test_people_sections_are_present(small):
    assert small["compliance"]["total"] == {"applicable": 3, "acknowledged": 3, "pending": 0, "overdue": 0,
                                            "expired": 0}
    assert small["hiring"]["positions"] == {}
    assert (small["risks"]["open"], small["risks"]["by_project"]["alpha"]) == (1, 1)
    assert small["projects"]["alpha"]["open_problems"] == 1


def test_top_level_keys_in_contract_order(small):
    assert list(small) == ["as_of", "currency", "provenance", "program", "projects", "teams", "vendors", "staff", "objectives",
                           "categories", "funding", "milestones", "compliance", "hiring", "risks"]
    assert (small["as_of"], small["currency"]) == ("2026-04-30", "USD")


# ------------------------------------------------------------------ as-of dates

def test_as_of_option_overrides_status_date():
    code, out, _ = rollup(SMALL, "--as-of", "2026-05-31")
    assert code == 0
    document = json.loads(out)
    assert document["as_of"] == "2026-05-31"
    # tr-3 (05-15) now moves 1000 from alpha/labor to beta/labor; NW-2 (05-10) is invoiced: committed 9000
    assert document["projects"]["alpha"]["lines"]["labor"]["current"] == "54000.00"
    assert document["projects"]["alpha"]["lines"]["contractors"]["committed"] == "9000.00"
    # beta's m-review (done 05-05) is done now, 15 days late
    review = next(r for r in document["milestones"] if r["id"] == "m-review")
    assert (review["status"], review["done"], review["slipped_days"]) == ("done", "2026-05-05", 15)


def test_as_of_before_the_program_and_after_it():
    # a date before the program starts has no figures: refused, saying from when there are (issue 12)
    code, out, err = rollup(SMALL, "--as-of", "2025-06-01")
    assert (code, out) == (2, "") and "before the program starts (2026-01-01)" in err
    code, out, _ = rollup(SMALL, "--as-of", "2027-06-01")
    after = json.loads(out)["program"]
    # every task planned 100 %: PV = BAC of the projects with tasks, 92000 + 23000 = 115000 (tr-3 now
    # moves 1000 from alpha to beta: same sum); delta has no tasks, so its 2000 is in BAC (117000) only
    assert after["planned"] == 100
    assert (after["evm"]["pv"], after["evm"]["bac"]) == ("115000.00", "117000.00")


# ------------------------------------------------------------------ schema, determinism, refusal

def validate_against_schema(document: dict) -> list[str]:
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "urn:pmkit:schema:rollup:v1"


@pytest.mark.parametrize("directory", [REPO / "program", SMALL, TESTS / "fixtures" / "minimal",
                                       TESTS / "fixtures" / "people-small"], ids=lambda p: p.name)
def test_rollup_validates_against_the_schema(directory):
    if not directory.is_dir():
        pytest.skip(f"{directory} is not there")
    code, out, err = rollup(directory)
    assert code == 0, err
    assert validate_against_schema(json.loads(out)) == []


def test_schema_rejects_a_float_for_money_and_unknown_keys(small):
    broken = json.loads(json.dumps(small))
    broken["program"]["budget"]["actual"] = 44500.75
    broken["projects"]["alpha"]["surprise"] = 1
    problems = validate_against_schema(broken)
    assert any("actual" in p for p in problems) and any("surprise" in p for p in problems)


def test_schema_describes_every_property():
    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert sub.get("description"), path + (name,)
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, path
            for key, sub in node.items():
                walk(sub, path + (key,))
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, path + (i,))

    walk(SCHEMA, ())


def test_two_runs_are_byte_identical_even_across_hash_seeds():
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "pmkit", "rollup", str(REPO / "program"), "--no-cache"],
                              capture_output=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].endswith(b"}\n")


def test_invalid_program_is_refused_with_findings(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(SMALL, broken)
    path = broken / "budget" / "expenses" / "2026.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("project: beta", "project: betaa", 1), encoding="utf-8")
    code, out, err = rollup(broken)
    assert code == 1
    assert out == ""
    assert "budget/expenses/2026.yaml" in err and "error" in err and "betaa" in err
