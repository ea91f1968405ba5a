"""The JSON Schemas in schemas/: well-formed, self-contained, documented, strict.

The schemas are the contract editors and external validators see, so these
tests check them as files (not through pmkit's loader): each one must work on
its own with `check-jsonschema --schemafile`, describe every field, reject
unknown keys, and carry the private-field annotation on exactly the private
fields.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conftest import unavailable
from pmkit.core.kinds import KINDS as PMKIT_KINDS

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
PROGRAM = ROOT / "program"

# kind -> where its files live in a program directory (SPEC §2)
KIND_GLOBS = {kind.name: kind.glob for kind in PMKIT_KINDS}
KINDS = sorted(KIND_GLOBS)

ITEMS = "[]"  # path step for "every item of an array"
EXPECTED_PRIVATE = {
    ("staff", "email"),
    ("staff", "rate"),
    ("vendor", "contact"),
    ("position", "candidates", ITEMS, "name"),
    ("position", "candidates", ITEMS, "resume"),
    ("position", "candidates", ITEMS, "interviews", ITEMS, "notes"),
}


def load(kind: str) -> dict:
    return json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(schema: dict, instance) -> list[str]:
    return [e.message for e in validator(schema).iter_errors(instance)]


def subschemas(node, path=()):
    """Yield (path, schema) for every schema reachable through the keywords we use."""
    if not isinstance(node, dict):
        return
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from subschemas(sub, path + (name,))
    if isinstance(node.get("items"), dict):
        yield from subschemas(node["items"], path + (ITEMS,))
    if isinstance(node.get("additionalProperties"), dict):
        yield from subschemas(node["additionalProperties"], path + ("*",))
    if isinstance(node.get("propertyNames"), dict):
        yield from subschemas(node["propertyNames"], path + ("<key>",))
    for name, sub in node.get("$defs", {}).items():
        yield from subschemas(sub, ("$defs", name))


def with_defs(root: dict, sub: dict) -> dict:
    """A property schema made standalone: its local $refs resolve against root's $defs."""
    return {"$defs": root.get("$defs", {}), **sub}


def test_one_schema_per_kind_and_nothing_else():
    # rollup, diff and history schemas describe command output, not kinds
    found = sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.json"))
    assert [name for name in found if name not in ("rollup", "diff", "history")] == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12_with_metadata(kind):
    schema = load(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:pmkit:schema:{kind}:v1"
    assert schema["title"] and schema["description"]
    assert schema["type"] == "object"
    assert schema["examples"], "a realistic example document is required"


@pytest.mark.parametrize("kind", KINDS)
def test_examples_validate(kind):
    schema = load(kind)
    for example in schema["examples"]:
        assert errors(schema, example) == []


@pytest.mark.parametrize("kind", KINDS)
def test_property_examples_and_defaults_validate(kind):
    """Hover text shows examples and defaults; they must be valid values themselves."""
    schema = load(kind)
    for path, sub in subschemas(schema):
        if path == ():
            continue
        standalone = with_defs(schema, sub)
        for example in sub.get("examples", []):
            assert errors(standalone, example) == [], (path, example)
        if "default" in sub:
            assert errors(standalone, sub["default"]) == [], (path, sub["default"])


@pytest.mark.parametrize("kind", KINDS)
def test_every_object_is_closed_and_every_property_described(kind):
    schema = load(kind)
    for path, sub in subschemas(schema):
        if sub.get("type") == "object" or "properties" in sub:
            extra = sub.get("additionalProperties")
            if isinstance(extra, dict):
                # a mapping (budget: category -> money; checks: code -> severity):
                # open keys are the point, but they are constrained
                assert "propertyNames" in sub, f"{kind}: map at {path} needs propertyNames"
            else:
                assert extra is False, f"{kind}: object at {path} lacks additionalProperties: false"
        for name, prop in sub.get("properties", {}).items():
            assert prop.get("description"), f"{kind}: property {path + (name,)} has no description"


@pytest.mark.parametrize("kind", KINDS)
def test_self_contained_and_shape_only(kind):
    """No external $ref (each file works alone); no business rules as conditionals;
    no multipleOf on money (floating point makes 0.07 fail it)."""
    text = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    for path, sub in subschemas(schema):
        if "$ref" in sub:
            assert sub["$ref"].startswith("#/$defs/"), (path, sub["$ref"])
            assert sub["$ref"].split("/")[-1] in schema["$defs"], (path, sub["$ref"])
        for keyword in ("if", "then", "else", "dependentRequired", "dependentSchemas", "multipleOf"):
            assert keyword not in sub, f"{kind}: {keyword} at {path}"


def test_shared_defs_identical_across_schemas():
    seen: dict[str, tuple[str, dict]] = {}
    for kind in KINDS:
        for name, value in load(kind).get("$defs", {}).items():
            if name in seen:
                assert value == seen[name][1], f"$defs/{name} differs between {seen[name][0]} and {kind}"
            else:
                seen[name] = (kind, value)
    assert {"id", "date", "money", "percent", "text"} <= set(seen)
    assert seen["id"][1]["pattern"] == "^[a-z0-9]+(-[a-z0-9]+)*$"
    assert seen["money"][1]["format"] == "money"
    assert seen["date"][1]["format"] == "date"


def test_private_annotation_on_exactly_the_private_fields():
    found = set()
    for kind in KINDS:
        for path, sub in subschemas(load(kind)):
            if "x-pmkit-private" in sub:
                assert sub["x-pmkit-private"] is True
                found.add((kind,) + path)
    assert found == EXPECTED_PRIVATE


def test_private_fields_say_so_in_their_description():
    for kind, *path in EXPECTED_PRIVATE:
        sub = dict(subschemas(load(kind)))[tuple(path)]
        assert "Private" in sub["description"], (kind, path)


# --------------------------------------------------------------------------- negative cases


def mutated(kind: str, change) -> tuple[dict, dict]:
    schema = load(kind)
    doc = copy.deepcopy(schema["examples"][0])
    change(doc)
    return schema, doc


def _set(*path_and_value):
    *path, value = path_and_value

    def change(doc):
        node = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


# case -> (kind, change to its example document, fragment of the expected error)
BAD = {
    "impossible month": ("project", _set("start", "2026-13-01"), "is not a 'date'"),
    "impossible day": ("project", _set("end", "2026-02-30"), "is not a 'date'"),
    "date not ISO": ("risk", _set("opened", "30/04/2026"), "is not a 'date'"),
    "date with time": ("expenses", _set("expenses", 0, "date", "2026-04-30T10:00:00"), "is not a 'date'"),
    "id with capitals": ("project", _set("owner", "Ana-Silva"), "does not match"),
    "id with space": ("staff", _set("team", "finance it"), "does not match"),
    "id with underscore": ("expenses", _set("expenses", 0, "id", "exp_1"), "does not match"),
    "id too long": ("team", _set("lead", "a" * 65), "is too long"),
    "progress over 100": ("project", _set("tasks", 0, "progress", 101), "greater than the maximum"),
    "percent below 0": ("staff", _set("allocations", 0, "percent", -5), "less than the minimum"),
    "project status not in enum": ("project", _set("status", "late"), "is not one of"),
    "position status not in enum": ("position", _set("status", "paused"), "is not one of"),
    "candidate stage not in enum": ("position", _set("candidates", 0, "stage", "maybe"), "is not one of"),
    "risk severity not in enum": ("risk", _set("severity", "severe"), "is not one of"),
    "rag not in enum": ("report", _set("entries", 0, "rag", "yellow"), "is not one of"),
    "funding status not in enum": ("funding", _set("sources", 0, "status", "pending"), "is not one of"),
    "check severity not in enum": ("program", _set("checks", "acknowledgement-overdue", "fatal"), "is not one of"),
    "unknown top-level property": ("team", _set("colour", "blue"), "Additional properties"),
    "unknown nested property": ("project", _set("tasks", 0, "owner", "li-wei"), "Additional properties"),
    "unknown property in transfer line": ("transfers", _set("transfers", 0, "from", "line", "x"), "Additional properties"),
    "money as string": ("expenses", _set("expenses", 0, "amount", "1.10"), "is not of type 'number'"),
    "YAML 1.1 boolean where text expected": ("team", _set("department", False), "is not of type 'string'"),
    "transfer amount zero": ("transfers", _set("transfers", 0, "amount", 0), "less than or equal to the minimum"),
    "effort zero": ("project", _set("tasks", 0, "effort", 0), "less than or equal to the minimum"),
    "score 6": ("position", _set("candidates", 0, "interviews", 0, "score", 6), "greater than the maximum"),
    "probability fractional": ("risk", _set("probability", 2.5), "is not of type 'integer'"),
    "openings zero": ("position", _set("openings", 0), "less than the minimum"),
    "currency lower-case": ("program", _set("currency", "usd"), "does not match"),
    "fiscal_year_start 13": ("program", _set("fiscal_year_start", 13), "greater than the maximum"),
    "max_depth below 4": ("program", _set("settings", "max_depth", 3), "less than the minimum"),
    "report period month 13": ("report", _set("period", "2026-13"), "does not match"),
    "task depends_on with two slashes": ("project", _set("tasks", 1, "depends_on", ["a/b/c"]), "does not match"),
    "unknown budget category key": ("project", _set("budget", "Hardware", 10), "does not match"),
    "missing required field": ("staff", lambda doc: doc.pop("employment"), "is a required property"),
    "empty text": ("risk", _set("title", ""), "non-empty"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_rejects(case):
    kind, change, expected = BAD[case]
    schema, doc = mutated(kind, change)
    found = errors(schema, doc)
    assert any(expected in message for message in found), f"{case}: expected {expected!r}, got {found}"


def test_money_accepts_values_multipleof_would_reject():
    schema = load("expenses")
    doc = copy.deepcopy(schema["examples"][0])
    for amount in (0.07, 0.1, 19.99, -0.3):
        doc["expenses"][0]["amount"] = amount
        assert errors(schema, doc) == [], amount


def test_task_depends_on_accepts_local_and_cross_project():
    schema = load("project")
    doc = copy.deepcopy(schema["examples"][0])
    doc["tasks"][1]["depends_on"] = ["t1", "data-platform/t3"]
    assert errors(schema, doc) == []


# --------------------------------------------------------------------------- external validator


def _check_jsonschema() -> str:
    exe = Path(sys.executable).parent / "check-jsonschema"
    found = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    if found is None:
        unavailable("check-jsonschema is not installed (run `make install`: it comes with the test extra)")
    return found


def test_check_jsonschema_accepts_the_schemas():
    result = subprocess.run(
        [_check_jsonschema(), "--check-metaschema", *sorted(map(str, SCHEMAS.glob("*.schema.json")))],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_check_jsonschema_accepts_the_example_program(kind):
    """The published schemas work with an external validator on the real example
    program, file by file (unquoted ISO dates load as strings there too)."""
    files = sorted(PROGRAM.glob(KIND_GLOBS[kind]))
    if not files:
        pytest.skip(f"the example program has no {KIND_GLOBS[kind]} yet")
    result = subprocess.run(
        [_check_jsonschema(), "--schemafile", str(SCHEMAS / f"{kind}.schema.json"), *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_checks_dates_in_yaml(tmp_path):
    """Guard the assumption above: check-jsonschema turns unquoted YAML dates into
    strings and applies format: date to them (else dates would slip through)."""
    good = tmp_path / "good.yaml"
    good.write_text("type: issue\ntitle: Late extract\nopened: 2026-04-30\nstatus: open\nseverity: low\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("type: issue\ntitle: Late extract\nopened: 2026-02-30\nstatus: open\nseverity: low\n")
    exe, schema = _check_jsonschema(), str(SCHEMAS / "risk.schema.json")
    ok = subprocess.run([exe, "--schemafile", schema, str(good)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ko = subprocess.run([exe, "--schemafile", schema, str(bad)], capture_output=True, text=True, timeout=120)
    assert ko.returncode == 1 and "2026-02-30" in ko.stdout, ko.stdout + ko.stderr
