"""Property tests: whatever a file holds, validation reports findings, never crashes.

Each example takes one file of tests/fixtures/minimal, damages it at random
(bytes deleted, inserted or replaced, lines swapped, duplicated or dropped,
indentation changed, YAML special characters, random Unicode and control
bytes, truncation, a value swapped for another plausible one so that the
rules see odd but valid data), writes it into a fresh copy of the program and
runs the whole pipeline. Whatever comes out must be well-formed findings: a
registered code, an existing file, a position inside that file, and no
``internal-error`` (a rule that crashed).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmkit.engine.catalog import all_codes
from pmkit.app.formats import FORMATS, Report
from pmkit.core.kinds import kind_of
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.schema import fast_validator, validator
from pmkit.engine.validate import validate_directory

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
FILES = sorted(p.relative_to(MINIMAL).as_posix() for p in MINIMAL.rglob("*.yaml"))
CODES = {code.id for code in all_codes()}
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # as libyaml counts lines

SPECIAL = [c.encode() for c in "&*!|>%@`{}[]:#-?'\",\t\n "] + [b"---", b"...", b": ", b"- ", b"\r\n", b"\xef\xbb\xbf"]
CONTROL = [bytes([b]) for b in (*range(0, 32), 127)] + [b"\xc2\x85", b"\xe2\x80\xa8", b"\xef\xbf\xbe"]
TEXT = st.text(min_size=1, max_size=8).map(lambda s: s.encode("utf-8", "surrogatepass"))
# Values that keep a file valid YAML and often schema-valid, so that the
# reference and business rules, not only the parser, see odd data: bounds,
# far dates, empty lists, ids of other records, other enum values.
VALUES = [
    "0", "-1", "1", "5", "100", "101", "0.5", "0.01", "-0.01", "999999999999.99", "-999999999999.99",
    "0001-01-01", "9999-12-31", "2024-02-29", "2026-01-01", "2026-06-30", "2026-12-31", "2027-01-01",
    "[]", "{}", "''", "null", "true", "2026-06", "9999-12", "30.0", "4.0", "1e2", "1e-2", '"ann\\n"', "|\n  ann",
    "ann", "bob", "cy", "payroll", "infra", "apps", "ops", "acme", "acme-build", "e1", "e3", "e4",
    "conduct", "design", "build", "train", "network", "infra/network", "payroll/build", "faster-payroll",
    "labor", "hardware", "software", "contractors", "travel",
    "done", "cancelled", "on-hold", "proposed", "active", "open", "filled", "closed",
    "applied", "shortlisted", "offer", "hired", "rejected", "withdrawn", "manager", "committee",
    "risk", "issue", "resolved", "escalated", "mitigating", "low", "critical",
    "employee", "contractor", "workplace", "regulation", "red", "amber", "received", "requested",
    "[payroll, infra]", "[build]", "[train]", "[design, infra/network]", "[faster-payroll]",
    "{project: payroll, category: labor}", "{project: infra, category: travel}",
]
VALUE_LINE = re.compile(rb"^(\s*(?:- )?[A-Za-z_]+: ).*$")
JUNK = st.one_of(st.sampled_from(SPECIAL), st.sampled_from(CONTROL), TEXT, st.binary(min_size=1, max_size=6))


def _mutate(data: st.DataObject, raw: bytes) -> bytes:
    """Apply one to five random edits to a file's bytes."""
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        op = data.draw(st.sampled_from(
            ["delete", "insert", "replace", "swap", "duplicate", "indent", "truncate",
             "value", "value", "value", "drop-line"]), label="op")
        size = len(raw)
        at = data.draw(st.integers(0, size), label="at")
        lines = raw.split(b"\n")
        if op == "delete":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 8), label="n"):]
        elif op == "insert":
            raw = raw[:at] + data.draw(JUNK, label="junk") + raw[at:]
        elif op == "replace":
            raw = raw[:at] + data.draw(JUNK, label="junk") + raw[at + 1:]
        elif op == "swap" and len(lines) > 1:
            i, j = (data.draw(st.integers(0, len(lines) - 1), label="line") for _ in range(2))
            lines[i], lines[j] = lines[j], lines[i]
            raw = b"\n".join(lines)
        elif op == "duplicate":
            i = data.draw(st.integers(0, len(lines) - 1), label="line")
            lines.insert(i, lines[i])
            raw = b"\n".join(lines)
        elif op == "indent":
            i = data.draw(st.integers(0, len(lines) - 1), label="line")
            delta = data.draw(st.integers(-4, 4), label="delta")
            line = lines[i]
            lines[i] = b" " * delta + line if delta >= 0 else line[min(-delta, len(line) - len(line.lstrip(b" "))):]
            raw = b"\n".join(lines)
        elif op == "truncate":
            raw = raw[:at]
        elif op == "value":  # another value for a `key: value` line
            candidates = [i for i, line in enumerate(lines) if VALUE_LINE.match(line)]
            if candidates:
                i = data.draw(st.sampled_from(candidates), label="line")
                value = data.draw(st.sampled_from(VALUES), label="value").encode()
                lines[i] = VALUE_LINE.match(lines[i]).group(1) + value
                raw = b"\n".join(lines)
        elif op == "drop-line":
            del lines[data.draw(st.integers(0, len(lines) - 1), label="line")]
            raw = b"\n".join(lines)
    return raw


def _lines(path: Path) -> int:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return len(LINE_BREAK.findall(text)) + 1


def _check(root: Path, result) -> None:
    for f in result.findings:
        assert f.code in CODES, f
        assert f.code != "internal-error", f
        assert (root / f.file).exists() or (root / f.file).is_symlink(), f
        assert f.line >= 1 and f.column >= 1, f
        if (root / f.file).is_file():
            assert f.line <= _lines(root / f.file), f
        assert f.severity in ("error", "warning"), f
    # Every format renders it; JUnit stays well-formed XML whatever the messages hold.
    report = Report(result.findings, result.files, ".")
    for render in FORMATS.values():
        render(report)
    ET.fromstring(FORMATS["junit"](report).encode("utf-8"))


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_damaged_file_gives_findings_never_a_crash(data):
    name = data.draw(st.sampled_from(FILES), label="file")
    damaged = _mutate(data, (MINIMAL / name).read_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "program"
        shutil.copytree(MINIMAL, root)
        (root / name).write_bytes(damaged)
        _check(root, validate_directory(root))
    careful = parse(name, damaged)
    _same_on_both_paths(damaged, careful)
    if careful.value is not None:
        _same_schema_verdict(kind_of(name).name, careful.value)


def _same_schema_verdict(kind: str, data: dict) -> None:
    """The compiled pre-check (valid or not) agrees with jsonschema, the reference."""
    for digits in (0, 2):
        fast = fast_validator(kind, digits)
        if fast is not None:
            errors = [e.message for e in validator(kind, digits).iter_errors(data)]
            assert fast.is_valid(data) == (not errors), (kind, digits, errors, data)


def _same_on_both_paths(raw: bytes, careful) -> None:
    """The loader's fast path (no positions) agrees with the careful builder."""
    fast = parse("x.yaml", raw, want_positions=False)
    assert fast.value == careful.value
    assert [(f.line, f.column, f.code, f.message) for f in fast.findings] == [
        (f.line, f.column, f.code, f.message) for f in careful.findings]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_parser_takes_any_bytes(raw):
    parsed = parse("x.yaml", raw)
    _same_on_both_paths(raw, parsed)
    # A record (a mapping) and no findings, or no record and a finding saying why.
    assert (parsed.value is None) == bool(parsed.findings)
    assert parsed.value is None or isinstance(parsed.value, dict)
    for f in parsed.findings:
        assert f.code in CODES and f.line >= 1 and f.column >= 1, f
