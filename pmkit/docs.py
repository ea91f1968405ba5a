"""The list of finding codes, generated from the registry for CLI and README."""

from __future__ import annotations

import json

from pmkit.codes import Code, all_codes
from pmkit.templates import environment

LAYER_TITLES = {
    "yaml": "Files and YAML",
    "schema": "Schema",
    "reference": "References",
    "business": "Business rules",
    "config": "Configuration",
}


def _context() -> dict[str, object]:
    groups: dict[str, list[Code]] = {}
    for code in all_codes():
        groups.setdefault(code.layer, []).append(code)
    return {"groups": [(LAYER_TITLES[layer], items) for layer, items in groups.items()]}


def codes_markdown() -> str:
    return environment().get_template("codes.md.j2").render(**_context())


def codes_text() -> str:
    return environment().get_template("codes.txt.j2").render(**_context())


def codes_json() -> str:
    rows = [{"code": c.id, "layer": c.layer, "severity": c.severity.value,
             "configurable": c.configurable, "doc": " ".join(c.doc.split())} for c in all_codes()]
    return json.dumps(rows, indent=2) + "\n"
