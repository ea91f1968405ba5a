"""The four output formats of `pmkit validate`: text, json, github, junit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.core.findings import Finding, Severity
from pmkit.app.formats import Report, github, junit, text

REPO = Path(__file__).parent.parent
INFRA = "projects/infra.yaml"
PROGRESS = "tasks[network].progress is 101, but must be at most 100"  # infra.yaml 18:15


def run(*args: str, env: dict[str, str] | None = None, color: bool = False):
    result = CliRunner().invoke(main, ["validate", *args], env=env, color=color)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def broken(program, monkeypatch):
    """The minimal program with one error (progress 101) and one warning (a stray file)."""
    program.replace(INFRA, "progress: 80", "progress: 101")
    program.write("notes/todo.yaml", "a: 1\n")
    monkeypatch.chdir(program.root)
    return program


# --- text ---------------------------------------------------------------------------


def test_text_lines_hints_and_tally(broken):
    result = run(".", "--format", "text")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "notes/todo.yaml:1:1: warning unknown-file pmkit does not read this file"
    assert lines[1].startswith("    hint: record files live in projects/")
    assert lines[2] == f"projects/infra.yaml:18:15: error out-of-range {PROGRESS}"
    assert lines[3].startswith("    hint: ")
    assert lines[4:] == ["1 error, 1 warning in 17 files"]


def test_text_paths_are_relative_to_where_the_command_ran(broken, monkeypatch):
    monkeypatch.chdir(broken.root.parent)
    lines = run(broken.root.name).output.splitlines()
    assert lines[2] == f"{broken.root.name}/projects/infra.yaml:18:15: error out-of-range {PROGRESS}"


def test_text_is_the_default(broken):
    assert run(".").output == run(".", "--format", "text").output


def test_no_colour_when_piped(broken):
    assert "\x1b" not in run(".").output  # CliRunner's stdout is not a terminal


def test_colour_on_a_terminal(broken):
    output = run(".", color=True).output
    assert "\x1b[31m" in output  # the error in red
    assert "\x1b[33m" in output  # the warning in yellow
    assert "\x1b[1m" in output  # file:line:col in bold
    plain = run(".").output
    assert output != plain
    # With the styles taken out, it is the same report.
    import click

    assert click.unstyle(output) == plain


def test_no_colour_with_no_color(broken):
    assert "\x1b" not in run(".", env={"NO_COLOR": "1"}, color=True).output
    assert "\x1b" in run(".", env={"NO_COLOR": ""}, color=True).output  # empty means unset


def test_no_colour_in_an_output_file(broken, tmp_path):
    run(".", "-o", str(tmp_path / "report.txt"), color=True)
    report = (tmp_path / "report.txt").read_text()
    assert "\x1b" not in report and PROGRESS in report


def test_no_colour_from_a_real_pipe(broken):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    done = subprocess.run([sys.executable, "-m", "pmkit", "validate", str(broken.root)],
                          capture_output=True, text=True, env={**env, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and PROGRESS in done.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_real_terminal(broken):
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "pmkit", "validate", str(broken.root)],
                              stdout=follower, stderr=subprocess.PIPE, env={**env, "PYTHONPATH": str(REPO)},
                              timeout=120)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    output = b"".join(chunks).decode()
    assert done.returncode == 1
    assert "\x1b[31m" in output and PROGRESS in output


def test_control_characters_from_yaml_are_shown_escaped(broken):
    broken.replace("projects/payroll.yaml", "status: active", 'status: "\\e[2J\\x01"')
    output = run(".").output
    assert "\x1b" not in output and "\x01" not in output
    assert "payroll.yaml:7:9: error invalid-value status cannot be text `\\x1b[2J\\x01`" in output


def test_text_of_a_constructed_report():
    report = Report([Finding("a.yaml", 2, 3, "x-code", "first\nsecond", Severity.ERROR, "do this")], 1, ".")
    assert text(report) == "a.yaml:2:3: error x-code first\\nsecond\n    hint: do this\n1 error, 0 warnings in 1 file\n"


# --- json ---------------------------------------------------------------------------


def test_json_shape_and_summary(broken):
    result = run(".", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert list(document) == ["findings", "summary"]
    assert document["summary"] == {"files": 17, "errors": 1, "warnings": 1}
    warning, error = document["findings"]
    assert list(error) == ["severity", "code", "message", "file", "line", "column", "hint"]
    assert error == {
        "severity": "error", "code": "out-of-range", "message": PROGRESS,
        "file": "projects/infra.yaml", "line": 18, "column": 15, "hint": error["hint"],
    }
    assert isinstance(error["hint"], str) and error["hint"]
    assert (warning["severity"], warning["code"], warning["file"], warning["line"], warning["column"]) == (
        "warning", "unknown-file", "notes/todo.yaml", 1, 1)


def test_json_of_a_clean_program(program):
    document = json.loads(run(str(program.root), "--format", "json").output)
    assert document == {"findings": [], "summary": {"files": 16, "errors": 0, "warnings": 0}}


def test_json_file_paths_stay_relative_to_the_program(broken, monkeypatch):
    monkeypatch.chdir(broken.root.parent)
    document = json.loads(run(broken.root.name, "--format", "json").output)
    assert [f["file"] for f in document["findings"]] == ["notes/todo.yaml", "projects/infra.yaml"]


def test_json_keeps_text_exactly(broken):
    broken.replace("projects/payroll.yaml", "status: active", 'status: "<ünï> \\x01 \\"q\\""')
    document = json.loads(run(".", "--format", "json").output)
    [f] = [f for f in document["findings"] if f["code"] == "invalid-value"]
    assert f["message"] == 'status cannot be text `<ünï> \x01 "q"`'


def test_json_never_shows_colour(broken):
    assert "\x1b" not in run(".", "--format", "json", color=True).output


# --- github -------------------------------------------------------------------------


def test_github_annotations(broken):
    lines = run(".", "--format", "github").output.splitlines()
    assert lines[0].startswith("::warning file=notes/todo.yaml,line=1,col=1,title=pmkit unknown-file::"
                               "pmkit does not read this file%0A%0AHint: record files live in projects/")
    assert lines[1].startswith(f"::error file=projects/infra.yaml,line=18,col=15,title=pmkit out-of-range::{PROGRESS}"
                               "%0A%0AHint: ")
    assert lines[2] == "1 error, 1 warning in 17 files"


def test_github_is_chosen_under_github_actions(broken):
    output = run(".", env={"GITHUB_ACTIONS": "true"}).output
    assert output == run(".", "--format", "github").output
    assert run(".", "--format", "text", env={"GITHUB_ACTIONS": "true"}).output.startswith("notes/todo.yaml:1:1:")
    assert run(".", env={"GITHUB_ACTIONS": "false"}).output.startswith("notes/todo.yaml:1:1:")


def test_github_escapes_data_and_properties():
    finding = Finding("dir:x/a,b.yaml", 2, 3, "x-code", "100% done\r\nnext", Severity.ERROR, "a: 1, b")
    assert github(Report([finding], 1, ".")).splitlines()[0] == (
        "::error file=dir%3Ax/a%2Cb.yaml,line=2,col=3,title=pmkit x-code::"
        "100%25 done%0D%0Anext%0A%0AHint: a: 1, b"
    )


def test_github_escapes_what_comes_from_the_files(broken):
    broken.write("projects/a,b.yaml", broken.read(INFRA).replace("progress: 101", "progress: 80"))
    broken.replace("projects/payroll.yaml", "status: active", 'status: "50%"')
    lines = run(".", "--format", "github").output.splitlines()
    assert "::error file=projects/a%2Cb.yaml,line=1,col=1,title=pmkit invalid-file-name::" \
           "`a,b` is not a valid id: use lower-case letters, digits and dashes" in [line.split("%0A")[0] for line in lines]
    [status] = [line for line in lines if "payroll.yaml" in line and "invalid-value" in line]
    assert status.startswith("::error file=projects/payroll.yaml,line=7,col=9,title=pmkit invalid-value::"
                             "status cannot be text `50%25`")


# --- junit --------------------------------------------------------------------------


def _junit(*args: str) -> ET.Element:
    result = run(*args, "--format", "junit")
    return ET.fromstring(result.output.encode("utf-8"))


def test_junit_parses_and_counts_failures(broken):
    root = _junit(".")
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 2 == int(suite.get("tests"))
    assert int(root.get("failures")) == int(suite.get("failures")) == 1  # the error; the warning passes
    [failure] = suite.iter("failure")
    assert failure.get("type") == "out-of-range"
    assert failure.get("message") == PROGRESS
    assert failure.text.startswith(f"projects/infra.yaml:18:15: error out-of-range {PROGRESS}")
    warning_case = cases[0]
    assert warning_case.get("file") == "notes/todo.yaml" and warning_case.find("failure") is None
    assert warning_case.find("system-out").text.startswith("notes/todo.yaml:1:1: warning unknown-file")


def test_junit_of_a_clean_program(program):
    root = _junit(str(program.root))
    assert root.get("failures") == "0"
    [case] = root.iter("testcase")
    assert case.get("name") == "no findings in 16 files"


def test_junit_escapes_markup_from_the_files(broken):
    broken.replace("projects/payroll.yaml", "status: active", 'status: "<b>&amp; \\"x\\" \'y\'</b>"')
    root = _junit(".")
    messages = [f.get("message") for f in root.iter("failure")]
    assert 'status cannot be text `<b>&amp; "x" \'y\'</b>`' in messages
    assert int(root.get("failures")) == 2


def test_junit_stays_well_formed_with_control_characters(broken):
    broken.replace("projects/payroll.yaml", "status: active", 'status: "\\x01\\e\\uFFFE"')
    root = _junit(".")
    assert "status cannot be text `\\x01\\x1b\\ufffe`" in [f.get("message") for f in root.iter("failure")]


def test_junit_of_a_constructed_report():
    findings = [
        Finding("p/a.yaml", 1, 2, "c-one", 'x < y & "z"', Severity.ERROR, "h > i"),
        Finding("p/b.yaml", 3, 4, "c-two", "it's", Severity.WARNING, None),
        Finding("p/c.yaml", 5, 6, "c-three", "third", Severity.ERROR, None),
    ]
    root = ET.fromstring(junit(Report(findings, 3, ".")).encode())
    assert root.get("failures") == "2" and root.get("tests") == "3"
    failures = list(root.iter("failure"))
    assert [f.get("message") for f in failures] == ['x < y & "z"', "third"]
    assert failures[0].text == 'p/a.yaml:1:2: error c-one x < y & "z"\nhint: h > i'


# --- repeated findings grouped in text (issue 15) -------------------------------------

NEW_RULE = """title: New policy
category: workplace
authority: DOR Policy X
summary: Everyone reads it.
url: https://hr.example.gov/policies/x
effective: 2026-01-01
acknowledge_within_days: 30
"""


@pytest.fixture
def past_rule(tmp_path, monkeypatch):
    """The example program plus one rule effective in the past: one warning per person."""
    import shutil

    root = tmp_path / "program"
    shutil.copytree(REPO / "program", root)
    (root / "rules" / "new-policy.yaml").write_text(NEW_RULE)
    monkeypatch.chdir(root)
    return root


def test_text_groups_a_code_found_many_times(past_rule):
    result = run(".", "--no-cache")
    lines = result.output.splitlines()
    overdue = [line for line in lines if " warning acknowledgement-overdue " in line]
    assert len(overdue) == 3  # the first three, in file order
    assert overdue[0].startswith("staff/aisha-bello.yaml:")
    assert "acknowledgement-overdue: 36 warnings in 35 files, 3 shown above (--verbose lists all)" in lines
    assert lines[-1] == "0 errors, 38 warnings in 108 files"
    # the codes found only a few times are listed in full, without a summary line
    assert sum(" warning milestone-late " in line for line in lines) == 1
    assert not any(line.startswith("milestone-late:") for line in lines)


def test_verbose_and_machine_formats_keep_every_finding(past_rule):
    verbose = run(".", "--no-cache", "--verbose").output.splitlines()
    assert sum(" warning acknowledgement-overdue " in line for line in verbose) == 36
    assert not any(line.startswith("acknowledgement-overdue:") for line in verbose)
    document = json.loads(run(".", "--format", "json").output)
    assert sum(f["code"] == "acknowledgement-overdue" for f in document["findings"]) == 36
    annotations = run(".", "--format", "github").output
    assert annotations.count("pmkit acknowledgement-overdue") == 36
    cases = [c for c in ET.fromstring(run(".", "--format", "junit").output).iter("testcase")
             if "acknowledgement-overdue" in (c.get("name", "") + c.get("classname", ""))]
    assert len(cases) == 36
    sarif = json.loads(run(".", "--format", "sarif").output)
    assert sum(r["ruleId"] == "acknowledgement-overdue" for r in sarif["runs"][0]["results"]) == 36


def test_a_refusing_command_shows_the_errors_and_counts_the_warnings(broken):
    result = CliRunner().invoke(main, ["status", "."])
    assert result.exit_code == 1
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert PROGRESS in err
    assert "unknown-file" not in err  # the warning is counted, not listed
    assert "and 1 warning, not shown here (`pmkit validate` lists them)" in err
    assert err.rstrip().endswith("pmkit status: 1 error; fix them first (`pmkit validate`).")
