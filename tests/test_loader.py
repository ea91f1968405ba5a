"""Stage 1, the loader: every hostile or broken file is a finding with a place.

Each bad input goes through the whole pipeline (``program.validate()``) and
through the CLI, which must exit 1 (0 for a warning) and never show a
traceback. Expected lines and columns are counted by hand from the text
written; the comments say how.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.core.kinds import PROJECT
from pmkit.ingest.loader import load_one
from pmkit.ingest.loader.yaml12 import parse, resolve_plain
from pmkit.ingest.source import DirectorySource, SourceFile

sys.path.insert(0, str(Path(__file__).parent))
from conftest import ProgramDir, only  # noqa: E402

TEAM = "teams/apps.yaml"  # name: Applications / department: Finance IT / lead: ann


#: Not a timing: a guard against a hang. Expanding the aliases, or reading
#: 50 MB through the parser, would take minutes or exhaust memory; what pmkit
#: does takes well under a second. Generous, so a loaded CI machine never trips it.
HANG_SECONDS = 60


def cli(program: ProgramDir, *args: str) -> int:
    """Exit status of `pmkit validate` on the program; fails on a traceback."""
    result = CliRunner().invoke(main, ["validate", str(program.root), "--no-cache", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code


def where(finding) -> tuple[str, int, int]:
    return (finding.file, finding.line, finding.column)


def the(program: ProgramDir, code: str):
    """The one finding of ``code`` (and the CLI fails on it)."""
    result = program.validate()
    found = only(result, code)
    assert len(found) == 1, result.findings
    return found[0]


# --- syntax, duplicates, tags, aliases ---------------------------------------


def test_syntax_error_has_its_position_and_a_hint(program):
    program.replace("projects/infra.yaml", "name: Infrastructure", "name: Infrastructure: core")
    f = the(program, "yaml-syntax")
    # "name: Infrastructure" is 20 characters; the second ':' is column 21.
    assert where(f) == ("projects/infra.yaml", 1, 21)
    assert "mapping values are not allowed" in f.message
    assert f.hint == "a value that contains ': ' must be put in quotes"
    assert cli(program) == 1


def test_unclosed_flow_list_is_a_syntax_error(program):
    program.replace("projects/infra.yaml", "objectives: [faster-payroll]", "objectives: [faster-payroll")
    f = the(program, "yaml-syntax")
    # Inside the open list, "faster-payroll" runs on into line 3 as one plain
    # value ("faster-payroll owner"); the ':' of "owner: bob" (column 6) is
    # where a ',' or ']' was due.
    assert where(f) == ("projects/infra.yaml", 3, 6)
    assert f.message == "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"
    assert cli(program) == 1


def test_syntax_error_at_the_end_of_a_file_without_final_newline(program):
    program.write_bytes(TEAM, b"name: Applications\ndepartment: Finance IT\nlead")
    f = the(program, "yaml-syntax")
    # libyaml reports it on a fourth line of its own; the file has three, and
    # the last, "lead", ends at column 4.
    assert where(f) == (TEAM, 3, 5)
    assert f.hint == "each line of a mapping needs `key: value`; check the indentation"


def test_duplicate_key_is_reported_at_the_second_key(program):
    program.replace("projects/infra.yaml", "team: ops\n", "team: ops\nowner: ann\n")
    f = the(program, "duplicate-key")
    assert where(f) == ("projects/infra.yaml", 5, 1)  # owner: bob is line 3, the copy line 5
    assert f.message == "key `owner` appears twice in this mapping"
    assert f.hint == "it is first defined on line 3; keep one of them"
    assert cli(program) == 1


def test_duplicate_key_inside_a_list_item(program):
    program.replace("projects/infra.yaml", "    progress: 80\n", "    progress: 80\n    progress: 90\n")
    f = the(program, "duplicate-key")
    assert where(f) == ("projects/infra.yaml", 19, 5)
    assert f.hint == "it is first defined on line 18; keep one of them"


def test_quoted_and_plain_spelling_of_a_key_are_the_same_key(program):
    program.replace(TEAM, "lead: ann", 'lead: ann\n"name": Apps')
    assert where(the(program, "duplicate-key")) == (TEAM, 4, 1)


@pytest.mark.parametrize("value", [
    "!!python/object:os.system Applications",
    "!!python/object/apply:os.system [ls]",
    "!!python/name:os.system {}",
    "!custom Applications",
])
def test_python_and_custom_tags_are_refused(program, value):
    program.replace(TEAM, "name: Applications", f"name: {value}")
    f = the(program, "yaml-tag")
    assert where(f) == (TEAM, 1, 7)  # the tag starts the value, after "name: "
    assert f.message.startswith("tag `!")
    assert cli(program) == 1


def test_core_tags_are_allowed(program):
    program.replace(TEAM, "name: Applications", "name: !!str Applications")
    program.replace("projects/infra.yaml", "effort: 8", "effort: !!int 8")
    assert program.validate().findings == []


def test_a_core_tag_on_a_value_it_does_not_fit(program):
    program.replace("projects/infra.yaml", "effort: 8", "effort: !!int eight")
    assert where(the(program, "yaml-tag")) == ("projects/infra.yaml", 15, 13)


def test_anchor_and_alias_are_refused(program):
    program.write(TEAM, "name: &n Applications\ndepartment: *n\nlead: ann\n")
    found = only(program.validate(), "yaml-alias")
    assert [(f.line, f.column, f.message) for f in found] == [
        (1, 7, "anchor `&n` is not allowed"),
        (2, 13, "alias `*n` is not allowed"),  # "department: " is 12 characters
    ]
    assert cli(program) == 1


def test_billion_laughs_is_refused_instantly_without_expansion(program):
    # Nine levels of nine aliases: 9**9 (387 million) strings if expanded.
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    program.write("teams/lol.yaml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    result = program.validate()
    assert time.perf_counter() - started < HANG_SECONDS
    found = [f for f in only(result, "yaml-alias") if f.file == "teams/lol.yaml"]
    assert len(found) == 9 + 8 * 9  # every anchor and every alias, none expanded
    assert (found[0].line, found[0].column) == (1, 4)
    assert (found[1].line, found[1].column) == (2, 4)  # anchor &b
    assert (found[2].line, found[2].column) == (2, 8)  # first *a: "b: &b [" is 7 characters
    assert "lol" not in result.index.teams
    assert cli(program) == 1


def test_a_flood_of_aliases_stops_at_100_findings(program):
    # 20 MB (just under the size bound) of `- *a`: four million aliases.
    program.write_bytes("teams/flood.yaml", b"name: &a x\nlead:\n" + b"- *a\n" * 4_000_000)
    started = time.perf_counter()
    found = [f for f in program.validate().findings if f.file == "teams/flood.yaml"]
    assert time.perf_counter() - started < HANG_SECONDS
    assert len(found) == 101
    assert [(f.line, f.column) for f in found[:2]] == [(1, 7), (3, 3)]
    # The anchor and 99 aliases (lines 3 to 101), then where pmkit gave up.
    assert (found[-1].line, found[-1].column, found[-1].code) == (101, 3, "yaml-alias")
    assert found[-1].message == "pmkit stopped reading the file here, after 100 problems"
    assert cli(program) == 1


# --- size and depth -----------------------------------------------------------


def _fifty_megabytes(program: ProgramDir) -> None:
    """A valid expense file padded with comments to 50 MB."""
    line = b"# " + b"x" * 97 + b"\n"
    with open(program.root / "budget/expenses/big.yaml", "wb") as fh:
        fh.write(b"expenses: []\n")
        for _ in range(50 * 1024 * 1024 // len(line) // 1024):
            fh.write(line * 1024)


def test_file_over_the_size_bound(program):
    _fifty_megabytes(program)
    started = time.perf_counter()
    f = the(program, "file-too-large")
    assert time.perf_counter() - started < HANG_SECONDS  # not read, let alone parsed
    assert where(f) == ("budget/expenses/big.yaml", 1, 1)
    assert f.message == "the file is 50.0 MB, over the bound of 20 MB"
    assert cli(program) == 1


def test_size_bound_is_configurable_in_program_yaml(program):
    _fifty_megabytes(program)
    program.append("program.yaml", "settings:\n  max_file_size_mb: 64\n")
    result = program.validate()
    assert result.findings == []
    program.replace("program.yaml", "max_file_size_mb: 64", "max_file_size_mb: 0.0005")  # 524 bytes
    found = only(program.validate(), "file-too-large")
    # Of the fixture, only payroll.yaml (865 bytes) and payroll-lead.yaml (564) are larger.
    assert [f.file for f in found] == ["budget/expenses/big.yaml", "hiring/payroll-lead.yaml", "projects/payroll.yaml"]
    assert found[2].message == "the file is 0.0 MB, over the bound of 0.0005 MB"


def test_absurd_size_setting_is_no_crash(program):
    program.append("program.yaml", "settings:\n  max_file_size_mb: 1e999999999\n")
    # no crash: the schema bounds the setting (issue 14), so it is one finding at its line
    assert [(f.code, f.file) for f in program.validate().findings] == [("out-of-range", "program.yaml")]


def test_ten_thousand_levels_of_flow_nesting(program):
    program.write(TEAM, "name: " + "[" * 10_000 + "]" * 10_000 + "\ndepartment: x\nlead: ann\n")
    started = time.perf_counter()
    f = the(program, "too-deep")
    assert time.perf_counter() - started < HANG_SECONDS
    # libyaml scans a run of '[' ahead (each could open a flow key) and stops
    # at its own bound of 1000 levels, the top mapping being the first: the
    # 1000th '[' is at column 6 + 1000 ("name: " is 6 characters).
    assert where(f) == (TEAM, 1, 1006)
    assert f.message == "nesting deeper than 32 levels"
    assert cli(program) == 1


def test_ten_thousand_levels_of_block_nesting(program):
    program.write(TEAM, "name:\n" + "- " * 10_000 + "x\ndepartment: x\nlead: ann\n")
    started = time.perf_counter()
    f = the(program, "too-deep")
    assert time.perf_counter() - started < HANG_SECONDS
    # The top mapping and 31 lists make 32 levels; the 32nd '-', at column
    # 2 * 32 - 1 = 63, would open the 33rd.
    assert where(f) == (TEAM, 2, 63)


def test_deep_flow_mappings_stop_at_our_bound(program):
    program.write(TEAM, "name: " + "{a: " * 10_000 + "}" * 10_000 + "\n")
    # Each "{a: " is 4 characters from column 7; the 32nd '{' opens level 33.
    assert where(the(program, "too-deep")) == (TEAM, 1, 7 + 31 * 4)


def test_depth_bound_is_configurable_in_program_yaml(program):
    program.append("program.yaml", "settings:\n  max_depth: 4\n")
    # hiring: mapping > candidates > candidate > interviews > interview (5th level)
    f = the(program, "too-deep")
    assert where(f) == ("hiring/payroll-lead.yaml", 17, 9)  # "      - date:" → `date` at 9
    assert f.message == "nesting deeper than 4 levels"


# --- encodings and line endings -----------------------------------------------


def test_invalid_utf8_is_reported_at_the_bad_byte(program):
    program.write_bytes(TEAM, b"name: Applications\ndepartment: Fin\xc3\xa9nce \xff\nlead: ann\n")
    f = the(program, "not-utf8")
    # "department: Finénce " is 20 characters (22 bytes): the bad byte is column 21.
    assert where(f) == (TEAM, 2, 21)
    assert f.message == "byte 0xff is not valid UTF-8"
    assert cli(program) == 1


def test_latin1_file(program):
    program.write_bytes(TEAM, "name: Applications\ndepartment: Finance IT é\nlead: ann\n".encode("latin-1"))
    assert where(the(program, "not-utf8")) == (TEAM, 2, 24)


def test_utf16_file_with_byte_order_mark(program):
    program.write_bytes(TEAM, program.read(TEAM).encode("utf-16"))
    f = the(program, "not-utf8")
    assert where(f) == (TEAM, 1, 1)
    assert f.hint == "the file looks like UTF-16; save it as UTF-8"
    assert cli(program) == 1


def test_utf16_file_without_byte_order_mark(program):
    program.write_bytes(TEAM, program.read(TEAM).encode("utf-16-le"))
    f = the(program, "not-utf8")
    assert where(f) == (TEAM, 1, 2)  # "n\0a\0..." decodes as UTF-8; the first NUL is character 2
    assert "UTF-16" in f.hint


def test_utf8_byte_order_mark_is_accepted(program):
    program.write_bytes(TEAM, b"\xef\xbb\xbf" + program.read(TEAM).encode())
    assert program.validate().findings == []
    assert cli(program) == 0
    program.write_bytes(TEAM, b"\xef\xbb\xbfname: 1.10\ndepartment: Finance IT\nlead: ann\n")
    assert where(the(program, "wrong-type")) == (TEAM, 1, 7)  # the mark is not a column


def test_crlf_line_endings_are_accepted_with_right_positions(program):
    path = "projects/infra.yaml"
    program.write_bytes(path, program.read(path).replace("\n", "\r\n").encode())
    assert program.validate().findings == []
    crlf = program.read(path).replace("progress: 80", "progress: 101")
    program.write_bytes(path, crlf.encode())
    assert where(the(program, "out-of-range")) == (path, 18, 15)


def test_control_character_is_a_syntax_error_with_position(program):
    program.write_bytes(TEAM, "name: Appé\x01\ndepartment: x\nlead: ann\n".encode())
    f = the(program, "yaml-syntax")
    assert where(f) == (TEAM, 1, 11)  # counted in characters, not bytes
    assert "U+0001" in f.message


@pytest.mark.parametrize("text, line", [
    ("name: Applications\n\tdepartment: Finance IT\nlead: ann\n", 2),
    ("name: Applications\nlead:\n\t- ann\n", 3),
    ("\tname: Applications\n", 1),
])
def test_tab_indentation_gets_the_tab_hint(program, text, line):
    program.write_bytes(TEAM, text.encode())  # (write() would dedent the tab away)
    f = the(program, "yaml-syntax")
    assert where(f) == (TEAM, line, 1)
    assert f.hint == "YAML does not allow tabs for indentation; indent with spaces"
    assert cli(program) == 1


def test_tab_inside_a_value_is_fine(program):
    program.write(TEAM, "name: Appli\tcations\ndepartment: Finance IT\nlead: ann\n")
    assert program.validate().findings == []


# --- file shapes --------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "\n\n"])
def test_empty_file(program, text):
    program.write("teams/empty.yaml", text)
    f = the(program, "empty-file")
    assert where(f) == ("teams/empty.yaml", 1, 1)
    assert cli(program) == 1


def test_list_instead_of_mapping(program):
    program.write(TEAM, "- name: Applications\n- department: Finance IT\n")
    f = the(program, "not-a-mapping")
    assert where(f) == (TEAM, 1, 1)
    assert "a list" in f.message
    assert cli(program) == 1


def test_single_value_instead_of_mapping(program):
    program.write(TEAM, "Applications\n")
    assert "a single value" in the(program, "not-a-mapping").message


def test_second_document(program):
    program.append(TEAM, "---\nname: Other\n")
    f = the(program, "multiple-documents")
    assert where(f) == (TEAM, 4, 1)  # the `---` after the three lines of the team
    assert cli(program) == 1


def test_explicit_start_of_a_single_document_is_fine(program):
    program.write(TEAM, "---\n" + program.read(TEAM) + "...\n")
    assert program.validate().findings == []


def test_directory_named_like_a_record(program):
    (program.root / "projects/x.yaml").mkdir()
    f = the(program, "not-a-file")
    assert where(f) == ("projects/x.yaml", 1, 1)
    assert cli(program) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipe_is_not_read(program):
    os.mkfifo(program.root / "teams/pipe.yaml")  # reading it would block forever
    f = the(program, "not-a-file")
    assert where(f) == ("teams/pipe.yaml", 1, 1)
    assert "not a regular file" in f.message


def test_file_name_that_is_not_utf8(program):
    try:
        with open(os.path.join(os.fsencode(program.root), b"teams", b"o\xffps.yaml"), "wb") as fh:
            fh.write(program.read("teams/ops.yaml").encode())
    except OSError:
        pytest.skip("the file system refuses names that are not UTF-8")
    f = the(program, "unreadable-file")
    assert where(f) == ("teams/o\ufffdps.yaml", 1, 1)
    assert f.message == "the file name is not valid UTF-8 text"
    assert cli(program) == 1
    assert cli(program, "--format", "json") == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlink_pointing_outside_the_program(program, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: Secret\ndepartment: Elsewhere\nlead: ann\n")
    (program.root / "teams/secret.yaml").symlink_to(outside)
    f = the(program, "path-outside-program")
    assert where(f) == ("teams/secret.yaml", 1, 1)
    assert "secret" not in program.validate().index.teams
    assert cli(program) == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlink_pointing_inside_the_program_is_read(program):
    program.write("shared/ops-copy.txt", program.read("teams/ops.yaml"))
    (program.root / "teams/ops2.yaml").symlink_to(Path("../shared/ops-copy.txt"))
    result = program.validate()
    assert [f for f in result.findings if f.file == "teams/ops2.yaml"] == []
    assert result.index.teams["ops2"].data["name"] == "Operations"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_folder_that_became_a_link_outside_is_not_read_through(program, tmp_path):
    """A re-run reads the paths it saw last time: one whose folder is now a link
    out of the program must not be read through it (the quick path checks folders too)."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text("name: Secret\n")
    (program.root / "linked").symlink_to(outside, target_is_directory=True)
    source = DirectorySource(program.root)
    assert source.read("linked/secret.yaml") is None
    assert [(f.code, f.file) for f in source.findings] == [("path-outside-program", "linked/secret.yaml")]
    assert source.read("teams/../linked/secret.yaml") is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_broken_symlink(program):
    (program.root / "teams/gone.yaml").symlink_to(program.root / "nowhere.yaml")
    assert where(the(program, "unreadable-file")) == ("teams/gone.yaml", 1, 1)


def test_yml_extension_is_an_unknown_file_warning(program):
    program.write("projects/extra.yml", program.read("projects/infra.yaml"))
    f = the(program, "unknown-file")
    assert where(f) == ("projects/extra.yml", 1, 1)
    assert f.severity == "warning"
    assert f.hint == "rename it to end in `.yaml`"
    assert cli(program) == 0
    assert cli(program, "--strict") == 1


def test_yaml_file_in_an_unknown_folder(program):
    program.write("project/extra.yaml", program.read("projects/infra.yaml"))
    f = the(program, "unknown-file")
    assert where(f) == ("project/extra.yaml", 1, 1)
    assert "projects/" in f.hint
    assert cli(program) == 0


def test_hidden_folders_are_not_read(program):
    program.write(".github/workflows/ci.yaml", "on: push\n")
    assert program.validate().findings == []


@pytest.mark.parametrize("name, suggestion", [
    ("My Project", "my-project"),
    ("Infra_2", "infra-2"),
    ("ERP", "erp"),
])
def test_file_name_that_is_not_an_id(program, name, suggestion):
    program.write(f"projects/{name}.yaml", program.read("projects/infra.yaml"))
    f = the(program, "invalid-file-name")
    assert where(f) == (f"projects/{name}.yaml", 1, 1)
    assert f.hint == f"rename the file to `{suggestion}.yaml`"
    assert cli(program) == 1


def test_report_file_must_be_named_by_period(program):
    program.write("reports/june.yaml", program.read("reports/2026-06.yaml"))
    f = the(program, "invalid-file-name")
    assert f.file == "reports/june.yaml"
    assert "2026-10.yaml" in f.hint


# --- YAML 1.2 core semantics ----------------------------------------------------


@pytest.mark.parametrize("text, value", [
    ("NO", "NO"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"),
    ("yes", "yes"), ("Yes", "Yes"),
    ("true", True), ("False", False), ("TRUE", True),
    ("~", None), ("null", None), ("", None),
    ("2026-01-05", "2026-01-05"),
    ("12:30", "12:30"),  # YAML 1.1 read it as 750 (base 60)
    ("017", 17),  # YAML 1.1 read it as octal 15
    ("0o17", 15), ("0x1F", 31), ("-5", -5), ("+5", 5),
    ("1.10", Decimal("1.10")), ("0.1", Decimal("0.1")), ("1e3", Decimal("1e3")), (".5", Decimal(".5")),
    (".inf", ".inf"), ("-.inf", "-.inf"), (".nan", ".nan"), (".NaN", ".NaN"),
    ("1_000", "1_000"), ("0b101", "0b101"), ("1,000", "1,000"),
])
def test_plain_scalars_resolve_by_the_yaml_12_core_schema(text, value):
    resolved = resolve_plain(text)
    assert resolved == value and type(resolved) is type(value)
    parsed = parse("x.yaml", f"a: {text}\n".encode()).value
    assert parsed["a"] == value and type(parsed["a"]) is type(value)


def test_quoted_scalars_are_always_text():
    parsed = parse("x.yaml", b"a: \"1.10\"\nb: 'NO'\nc: \"017\"\nd: !!str 5\n").value
    assert parsed == {"a": "1.10", "b": "NO", "c": "017", "d": "5"}


def test_money_is_exact_decimal():
    parsed = parse("x.yaml", b"a: 0.1\nb: 0.2\nc: 0.3\n").value
    assert parsed["a"] + parsed["b"] == parsed["c"] == Decimal("0.3")
    assert not any(isinstance(v, float) for v in parsed.values())


def test_loaded_amounts_are_decimals_in_the_index(program):
    program.replace("budget/expenses/2026-h1.yaml", "amount: 10000.00", "amount: 0.1")
    program.replace("budget/expenses/2026-h1.yaml", "amount: 12000.00", "amount: 0.2")
    result = program.validate()
    amounts = [e.data["amount"] for e in result.index.expenses]
    assert amounts[0] + amounts[1] == Decimal("0.3")


def test_a_very_long_integer_loads_without_crashing():
    parsed = parse("x.yaml", b"a: " + b"9" * 5000 + b"\nb: 0x" + b"f" * 5000 + b"\n").value
    assert parsed["a"] == Decimal("9" * 5000)
    assert parsed["b"] == int("f" * 5000, 16)


def test_norway_and_friends_stay_text_in_the_pipeline(program):
    program.replace(TEAM, "name: Applications", "name: NO")
    program.replace(TEAM, "department: Finance IT", "department: on")
    assert program.validate().findings == []


def test_number_where_text_is_expected(program):
    program.replace(TEAM, "name: Applications", "name: 1.10")
    f = the(program, "wrong-type")
    assert where(f) == (TEAM, 1, 7)
    assert f.message == "name must be text, not `1.10`"  # not 1.1: the text is kept
    assert f.hint == 'put the value in quotes to keep it as text: "1.10"'
    program.replace(TEAM, "name: 1.10", 'name: "1.10"')
    assert program.validate().findings == []


def test_date_is_text_and_checked_as_a_date(program):
    result = program.validate()
    assert result.index.projects["infra"].data["start"] == "2026-01-01"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_infinity_is_not_an_amount(program, value):
    program.replace("budget/expenses/2026-h1.yaml", "amount: 12000.00", f"amount: {value}")
    f = the(program, "wrong-type")
    assert where(f) == ("budget/expenses/2026-h1.yaml", 14, 13)
    assert f.message == f"expenses[e2].amount must be a number, not text `{value}`"


def test_time_of_day_is_text(program):
    program.replace("projects/infra.yaml", "effort: 8", "effort: 12:30")
    f = the(program, "wrong-type")
    assert where(f) == ("projects/infra.yaml", 15, 13)
    assert "text `12:30`" in f.message


# --- positions ----------------------------------------------------------------

POSITIONS_SOURCE = """\
name: Demo
budget:
  labor: 100
  cloud: 5
tags: [a, b]
flow: {x: 1, y: [2, 3]}
tasks:
  - id: t1
    depends_on:
      - t0
      - [n1, n2]
  - id: t2
    note: "quoted"
"""

# path, at, (line, column) — counted on POSITIONS_SOURCE above.
POSITIONS = [
    (("name",), "key", (1, 1)),
    (("name",), "value", (1, 7)),
    (("budget",), "key", (2, 1)),
    (("budget",), "value", (3, 3)),  # a block mapping starts at its first key
    (("budget", "labor"), "key", (3, 3)),
    (("budget", "labor"), "value", (3, 10)),
    (("budget", "cloud"), "value", (4, 10)),
    (("tags",), "value", (5, 7)),  # the '['
    (("tags", 0), "value", (5, 8)),
    (("tags", 1), "value", (5, 11)),
    (("tags", 1), "key", (5, 11)),  # a list item's "key" is the item
    (("flow",), "value", (6, 7)),
    (("flow", "x"), "key", (6, 8)),
    (("flow", "x"), "value", (6, 11)),
    (("flow", "y"), "key", (6, 14)),
    (("flow", "y"), "value", (6, 17)),
    (("flow", "y", 1), "value", (6, 21)),
    (("tasks",), "key", (7, 1)),
    (("tasks",), "value", (8, 3)),  # a block list starts at its first '-'
    (("tasks", 0), "value", (8, 5)),  # an item mapping starts at its first key
    (("tasks", 0, "id"), "key", (8, 5)),
    (("tasks", 0, "id"), "value", (8, 9)),
    (("tasks", 0, "depends_on"), "key", (9, 5)),
    (("tasks", 0, "depends_on"), "value", (10, 7)),
    (("tasks", 0, "depends_on", 0), "value", (10, 9)),
    (("tasks", 0, "depends_on", 1), "value", (11, 9)),
    (("tasks", 0, "depends_on", 1, 1), "value", (11, 14)),
    (("tasks", 1, "note"), "key", (13, 5)),
    (("tasks", 1, "note"), "value", (13, 11)),  # a quoted value starts at its quote
    # A path that does not exist is placed at the key of its nearest parent.
    (("tasks", 1, "title"), "value", (12, 5)),
    (("budget", "travel"), "key", (2, 1)),
    (("nope",), "key", (1, 1)),
    ((), "value", (1, 1)),
]


@pytest.mark.parametrize("newline, prefix", [("\n", ""), ("\r\n", ""), ("\n", "\ufeff")],
                         ids=["lf", "crlf", "bom"])
@pytest.mark.parametrize("path, at, expected", POSITIONS)
def test_document_locate(path, at, expected, newline, prefix):
    data = (prefix + POSITIONS_SOURCE.replace("\n", newline)).encode()
    document, findings = load_one(SourceFile("projects/demo.yaml", data), PROJECT)
    assert findings == [] and document is not None
    assert document.locate(path, at) == expected
