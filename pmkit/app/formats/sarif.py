"""SARIF 2.1.0 for code scanning: one run, every code as a rule, one result per finding.

GitHub code scanning (and other SARIF viewers) place a result by
``artifactLocation.uri``, a URI reference relative to the repository root
(``uriBaseId`` ``%SRCROOT%``), so the report's paths must be repository-rooted
(the CLI makes them so whenever the program is inside a git repository).
Output is deterministic: rules in catalog order, results in finding order,
no timestamps, no absolute paths.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pmkit
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

if TYPE_CHECKING:
    from pmkit.app.formats import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: Where a reader learns what pmkit is (the distribution's page on the index).
INFORMATION_URI = "https://pypi.org/project/pmkit-planning/"
SRCROOT = "%SRCROOT%"


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def _rule(code: Code) -> dict[str, Any]:
    doc = " ".join(code.doc.split())
    return {
        "id": code.id,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": doc},
        "help": {"text": f"{doc}\n\nSee `pmkit rules` for every code.",
                 "markdown": f"**{code.id}** ({code.layer}): {doc}\n\nSee `pmkit rules` for every code."},
        "defaultConfiguration": {"level": _level(code.severity)},
        "properties": {"layer": code.layer, "configurable": code.configurable},
    }


def _uri(path: str) -> str:
    """A relative URI reference for a POSIX path (spaces, non-ASCII and undecodable bytes escaped)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/-._~")


def _result(report: Report, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    text = finding.message + (f"\nHint: {finding.hint}" if finding.hint else "")
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(report.shown_path(finding)), "uriBaseId": SRCROOT}}
    if finding.line >= 1:
        physical["region"] = {"startLine": finding.line, "startColumn": max(finding.column, 1)}
    result: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    result.update({
        "level": _level(finding.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    })
    if finding.hint:
        result["properties"] = {"hint": finding.hint}
    return result


def sarif(report: Report) -> str:
    from pmkit.engine.catalog import all_codes  # every declaring module: only for this format

    codes = all_codes()
    index = {code.id: i for i, code in enumerate(codes)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "pmkit",
            "version": pmkit.__version__,
            "semanticVersion": pmkit.__version__,
            "informationUri": INFORMATION_URI,
            "rules": [_rule(code) for code in codes],
        }},
        "columnKind": "unicodeCodePoints",
        "results": [_result(report, f, index) for f in report.findings],
        "properties": report.summary(),
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
