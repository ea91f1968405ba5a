"""Findings as text for people, JSON for scripts, and CI formats."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import replace

import click

from pmkit.core.findings import Finding, Severity
from pmkit.core.wording import count

Formatter = Callable[["Report"], str]


class Report:
    """What a formatter needs: the findings, the file count, where DIR is."""

    def __init__(self, findings: list[Finding], files: int, root: str, color: bool = False,
                 hidden: int | None = None, verbose: bool = False, errors_only: bool = False,
                 closing: bool = True) -> None:
        self.findings = findings
        self.files = files
        self.root = root
        self.color = color
        #: With --changed-since: how many findings were left out (None without it).
        self.hidden = hidden
        #: Text lists every finding; without it a code found more than GROUP_AT
        #: times shows its first SHOWN_OF_GROUP and a count.
        self.verbose = verbose
        #: A command that refuses to run: the errors, and the warnings only as a count.
        self.errors_only = errors_only
        #: Text ends with the tally line (an edit says its own summary instead).
        self.closing = closing

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    def shown_path(self, finding: Finding) -> str:
        """The file as reachable from where the command ran (clickable in CI)."""
        return posixpath.normpath(posixpath.join(self.root, finding.file)) if self.root not in ("", ".") else finding.file

    def summary(self) -> dict[str, int]:
        counts = {"files": self.files, "errors": self.errors, "warnings": self.warnings}
        if self.hidden is not None:
            counts["hidden"] = self.hidden
        return counts


# Characters a YAML value may carry (as "\x1b" escapes) that must not reach a
# terminal, a CI log or an XML report raw: control characters (an ANSI escape
# would recolour or rewrite the screen; a newline would forge a finding line;
# XML 1.0 forbids most of them even escaped), line separators, bidirectional
# overrides, surrogates and non-characters.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff\ufffe\uffff]")


def printable(value: str, keep: str = "") -> str:
    """``value`` with unprintable characters shown as ``\\n``, ``\\xNN`` or ``\\uNNNN``."""

    def show(match: re.Match[str]) -> str:
        char = match[0]
        if char in keep:
            return char
        if char in "\n\r":
            return "\\n" if char == "\n" else "\\r"
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNPRINTABLE.sub(show, value)


def _printable_report(report: Report, keep: str = "") -> Report:
    findings = [
        replace(f, file=printable(f.file), code=printable(f.code), message=printable(f.message, keep),
                hint=printable(f.hint, keep) if f.hint else f.hint)
        for f in report.findings
    ]
    return Report(findings, report.files, printable(report.root), report.color, report.hidden,
                  report.verbose, report.errors_only, report.closing)


#: In text, a code found more than GROUP_AT times is shown by its first
#: SHOWN_OF_GROUP findings and one summary line (``--verbose`` lists all).
GROUP_AT = 5
SHOWN_OF_GROUP = 3


def text(report: Report) -> str:
    report = _printable_report(report)
    findings = report.findings
    if report.errors_only:
        findings = [f for f in findings if f.severity is Severity.ERROR]
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    grouped = {} if report.verbose else {code: found for code, found in by_code.items() if len(found) > GROUP_AT}
    shown = {id(f) for found in grouped.values() for f in found[:SHOWN_OF_GROUP]}
    lines = []
    for f in findings:
        if f.code in grouped and id(f) not in shown:
            continue
        colour = "red" if f.severity is Severity.ERROR else "yellow"
        where = click.style(f"{report.shown_path(f)}:{f.line}:{f.column}:", bold=True) if report.color else f"{report.shown_path(f)}:{f.line}:{f.column}:"
        level = click.style(str(f.severity), fg=colour, bold=True) if report.color else str(f.severity)
        lines.append(f"{where} {level} {f.code} {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    for code, found in sorted(grouped.items()):
        severities = sorted({str(f.severity) for f in found})
        files = len({f.file for f in found})
        lines.append(f"{code}: {count(len(found), ' or '.join(severities))} in {count(files, 'file')}, "
                     f"{SHOWN_OF_GROUP} shown above (--verbose lists all)")
    if report.errors_only and report.warnings:
        lines.append(f"and {count(report.warnings, 'warning')}, not shown here (`pmkit validate` lists them)")
    if report.closing:
        lines.append(tally(report))
    return "\n".join(lines) + "\n"


def tally(report: Report) -> str:
    """The closing line: how many errors and warnings in how many files."""
    line = f"{count(report.errors, 'error')}, {count(report.warnings, 'warning')} in {count(report.files, 'file')}"
    if report.hidden is not None:
        line += f" ({report.hidden} more not shown: in files the change did not touch, and there before it)"
    if report.color:
        line = click.style(line, fg="red" if report.errors else ("yellow" if report.warnings else "green"))
    return line


def as_json(report: Report) -> str:
    document = {"findings": [f.to_dict() for f in report.findings], "summary": report.summary()}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """GitHub Actions workflow commands: one inline annotation per finding."""
    report = _printable_report(report, keep="\r\n")  # a multi-line annotation is fine, escaped below
    lines = []
    for f in report.findings:
        message = f.message + (f"\n\nHint: {f.hint}" if f.hint else "")
        props = ",".join([
            f"file={_escape_property(report.shown_path(f))}",
            f"line={f.line}",
            f"col={f.column}",
            f"title={_escape_property(f'pmkit {f.code}')}",
        ])
        lines.append(f"::{f.severity.value} {props}::{_escape_data(message)}")
    lines.append(tally(report))
    return "\n".join(lines) + "\n"


def junit(report: Report) -> str:
    """JUnit XML: one test case per finding; errors fail, warnings pass with output."""
    from pmkit.app.templates import environment  # jinja2 costs 30 ms to import: only for this format

    return environment().get_template("junit.xml.j2").render(report=_printable_report(report))


def sarif(report: Report) -> str:
    """SARIF 2.1.0 for code scanning (pmkit.app.formats.sarif)."""
    from pmkit.app.formats.sarif import sarif as render

    return render(report)


FORMATS: dict[str, Formatter] = {"text": text, "json": as_json, "github": github, "junit": junit, "sarif": sarif}
