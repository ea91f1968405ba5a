"""The benchmark generator: deterministic, scaled, schema-valid and consistent.

The benchmarks measure the happy path, so the generated program must be valid;
these tests check it at a tiny scale without pmkit itself (the schemas with
jsonschema, and the main cross-file rules directly), so a generator bug is not
mistaken for a pmkit one.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
SCALE = 0.002

_spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = generate  # dataclasses look their module up there
_spec.loader.exec_module(generate)

KIND_OF_FOLDER = {
    "projects": "project", "teams": "team", "staff": "staff", "vendors": "vendor", "hiring": "position",
    "rules": "rule", "risks": "risk", "reports": "report", "budget/expenses": "expenses",
}
KIND_OF_FILE = {"program.yaml": "program", "budget/funding.yaml": "funding", "budget/transfers.yaml": "transfers"}


class TextDates(yaml.SafeLoader):
    """SafeLoader that keeps dates as text (as pmkit's YAML 1.2 loader does),
    so `format: date` string schemas see strings, and money as Decimal."""


TextDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
TextDates.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node)))


def kind_of(rel: str) -> str | None:
    return KIND_OF_FILE.get(rel) or KIND_OF_FOLDER.get(rel.rpartition("/")[0])


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "a"
    generate.generate(out, SCALE, seed=1, hledger=out.parent / "a.journal")
    return out


@pytest.fixture(scope="module")
def docs(program: Path) -> dict[str, object]:
    return {p.relative_to(program).as_posix(): yaml.load(p.read_text(encoding="utf-8"), Loader=TextDates)
            for p in sorted(program.rglob("*.yaml"))}


def test_same_arguments_give_identical_bytes(program: Path, tmp_path: Path) -> None:
    again = tmp_path / "b"
    generate.generate(again, SCALE, seed=1, hledger=tmp_path / "b.journal")
    first = {p.relative_to(program): p.read_bytes() for p in program.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert all(first[k] == second[k] for k in first)
    assert (program.parent / "a.journal").read_bytes() == (tmp_path / "b.journal").read_bytes()


def test_counts_scale() -> None:
    full = generate.Counts.at(1.0)
    assert (full.projects, full.tasks, full.staff, full.expenses) == (2000, 100_000, 3000, 500_000)
    assert generate.Counts.at(0.01).tasks == 1000
    tiny = generate.Counts.at(0.0001)
    assert min(vars(tiny).values()) == 1


def test_generated_counts_match(docs: dict) -> None:
    n = generate.Counts.at(SCALE)
    projects = [d for k, d in docs.items() if k.startswith("projects/")]
    assert len(projects) == n.projects
    assert sum(len(p.get("tasks", [])) for p in projects) == n.tasks
    assert sum(k.startswith("staff/") for k in docs) == n.staff
    assert sum(len(d["expenses"]) for k, d in docs.items() if k.startswith("budget/expenses/")) == n.expenses
    assert sum(k.startswith("budget/expenses/") for k in docs) == 24


def test_every_file_matches_its_schema(docs: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validators = {}
    for rel, doc in docs.items():
        kind = kind_of(rel)
        assert kind, rel
        schema_file = SCHEMAS / f"{kind}.schema.json"
        if not schema_file.exists():
            continue
        if kind not in validators:
            validators[kind] = jsonschema.Draft202012Validator(
                json.loads(schema_file.read_text()), format_checker=jsonschema.FormatChecker())
        errors = [f"{rel}: {list(e.absolute_path)}: {e.message}" for e in validators[kind].iter_errors(doc)]
        assert not errors, errors[:5]


def test_cross_file_rules_hold(docs: dict) -> None:
    """The main SPEC §3 rules the generator promises, checked directly."""
    ids = defaultdict(set)
    for rel in docs:
        folder, _, name = rel.rpartition("/")
        ids[folder].add(name[:-5])
    people, teams, vendors = ids["staff"], ids["teams"], ids["vendors"]
    program = docs["program.yaml"]
    objectives = {o["id"] for o in program["objectives"]}
    projects = {k[9:-5]: d for k, d in docs.items() if k.startswith("projects/")}
    assert program["manager"] in people
    served = set()
    for pid, p in projects.items():
        assert p["owner"] in people and p["team"] in teams
        assert p["start"] <= p["end"] and p["objectives"]
        served.update(p["objectives"])
        assert set(p["objectives"]) <= objectives
        assert set(p["budget"]) <= set(program["categories"])
        for dep in p.get("depends_on", []):
            assert projects[dep]["end"] < p["start"]
        for m in p["milestones"]:
            assert p["start"] <= m["due"] <= p["end"]
        ends = {}
        for t in p.get("tasks", []):
            assert p["start"] <= t["start"] <= t["end"] <= p["end"]
            assert t["assignee"] in people | teams | vendors
            if t["assignee"] in people and p.get("status") not in ("proposed", "cancelled"):  # assignee-not-allocated
                staff = docs[f"staff/{t['assignee']}.yaml"]
                assert pid in {a["project"] for a in staff.get("allocations", [])}, (pid, t["id"])
            for dep in t.get("depends_on", []):
                if "/" in dep:
                    other, _, tid = dep.partition("/")
                    dep_end = next(x["end"] for x in projects[other]["tasks"] if x["id"] == tid)
                else:
                    dep_end = ends[dep]  # earlier tasks only: no cycles
                assert dep_end <= t["start"]
            ends[t["id"]] = t["end"]
    assert served == objectives

    for k, s in docs.items():
        if k.startswith("staff/"):
            assert s["team"] in teams
            assert sum(a["percent"] for a in s.get("allocations", [])) <= 100
            assert (s["employment"] == "contractor") == ("vendor" in s)
            for a in s.get("allocations", []):
                p = projects[a["project"]]
                assert max(p["start"], s["start"]) <= a["from"] <= a["to"] <= min(p["end"], s.get("end", "9999"))

    staff = {k[6:-5]: d for k, d in docs.items() if k.startswith("staff/")}

    def employed(person: str, first: str, last: str) -> bool:
        s = staff[person]
        return s["start"] <= first and last <= s.get("end", "9999")

    for pid, p in projects.items():
        assert employed(p["owner"], p["start"], p["end"])
        for t in p.get("tasks", []):
            if t["assignee"] in people:
                assert employed(t["assignee"], t["start"], t["end"])
    for k, pos in docs.items():
        if k.startswith("hiring/"):
            hired = [c for c in pos["candidates"] if c["stage"] == "hired"]
            assert len(hired) <= pos["openings"] and all(c["hired_as"] in people for c in hired)
            for c in pos["candidates"]:
                for i in c.get("interviews", []):
                    assert employed(i["interviewer"], i["date"], i["date"])

    contracts = {c["id"]: (v, c) for k, d in docs.items() if k.startswith("vendors/")
                 for v in [k[8:-5]] for c in d.get("contracts", [])}
    current = {(pid, cat): Decimal(amount) for pid, p in projects.items() for cat, amount in p["budget"].items()}
    for t in docs["budget/transfers.yaml"]["transfers"]:
        current[(t["from"]["project"], t["from"]["category"])] -= t["amount"]
        current[(t["to"]["project"], t["to"]["category"])] += t["amount"]
    spent, invoiced, invoices, by_id = defaultdict(Decimal), defaultdict(Decimal), set(), {}
    for k, d in docs.items():
        if not k.startswith("budget/expenses/"):
            continue
        for e in d["expenses"]:
            assert e["id"] not in by_id
            by_id[e["id"]] = e
            assert k.endswith(e["date"][:7] + ".yaml")
            p = projects[e["project"]]
            assert p["start"] <= e["date"] <= p["end"]
            spent[(e["project"], e["category"])] += e["amount"]
            if "invoice" in e:
                assert (e["vendor"], e["invoice"]) not in invoices
                invoices.add((e["vendor"], e["invoice"]))
            if "contract" in e:
                vendor, c = contracts[e["contract"]]
                assert (vendor, c["project"], c.get("category", "contractors")) == (
                    e["vendor"], e["project"], e["category"])
                invoiced[e["contract"]] += e["amount"]
            if "refund_of" in e:
                assert -e["amount"] <= by_id[e["refund_of"]]["amount"]
    assert all(amount <= current[line] for line, amount in spent.items())
    assert all(amount <= contracts[cid][1]["value"] for cid, amount in invoiced.items())
    funded = sum(s["amount"] for s in docs["budget/funding.yaml"]["sources"] if s["status"] != "requested")
    assert sum(current.values()) <= funded


def test_hledger_journal_has_the_same_postings(program: Path, docs: dict) -> None:
    journal = (program.parent / "a.journal").read_text()
    expenses = [e for k, d in docs.items() if k.startswith("budget/expenses/") for e in d["expenses"]]
    lines = [line.split() for line in journal.splitlines() if line.startswith("    expenses:")]
    # Every expense posting appears with the same account and exact amount.
    postings = defaultdict(Decimal)
    for account, amount, _currency in lines:
        postings[account] += Decimal(amount)
    budget = sum(Decimal(a) for p in (d for k, d in docs.items() if k.startswith("projects/"))
                 for a in p["budget"].values())
    assert sum(postings.values()) == budget + sum(e["amount"] for e in expenses)
    assert journal.count(" | ") == len(expenses)


def test_pmkit_finds_nothing_in_a_generated_program(tmp_path: Path) -> None:
    """The benchmarks time the happy path: at a scale with a few dozen projects
    every rule of pmkit's own (not only those checked above) must pass it, or
    each new rule could quietly make the benchmark rows time warnings."""
    from pmkit.engine.validate import validate_directory

    out = tmp_path / "g"
    generate.generate(out, 0.01, seed=1)
    result = validate_directory(out)
    assert [(f.code, f.file, f.line) for f in result.findings][:5] == []
