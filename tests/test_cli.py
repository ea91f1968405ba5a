"""The `pmkit` command: exit statuses, usage errors, help, rules and schemas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pmkit import __version__
from pmkit.app.cli import main
from pmkit.engine.catalog import all_codes
from pmkit.core.kinds import KINDS

REPO = Path(__file__).parent.parent


def invoke(*args: str, **kwargs):
    result = CliRunner().invoke(main, list(args), **kwargs)
    # Never a traceback: either a clean exit or a Click usage error.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


# --- exit statuses ----------------------------------------------------------------


def test_clean_program_exits_0(program):
    result = invoke("validate", str(program.root))
    assert result.exit_code == 0
    assert result.output == "0 errors, 0 warnings in 16 files\n"


def test_an_error_exits_1(program):
    program.replace("projects/infra.yaml", "status: active", "status: activ")
    result = invoke("validate", str(program.root))
    assert result.exit_code == 1
    assert result.output.endswith("1 error, 0 warnings in 16 files\n")


def test_only_a_warning_exits_0_and_1_under_strict(program):
    program.write("notes/todo.yaml", "a: 1\n")  # unknown-file: a warning
    result = invoke("validate", str(program.root))
    assert result.exit_code == 0
    assert result.output.endswith("0 errors, 1 warning in 17 files\n")
    assert invoke("validate", str(program.root), "--strict").exit_code == 1


def test_a_warning_switched_off_in_program_yaml(program):
    program.replace("staff/bob.yaml", "  - rule: conduct\n    date: 2026-01-12\n", "")
    program.replace("staff/bob.yaml", "acknowledgements:\n", "acknowledgements: []\n")
    result = invoke("validate", str(program.root), "--strict", "--format", "json")
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    if not codes:
        pytest.skip("no acknowledgement rule is registered yet")
    [code] = codes
    program.append("program.yaml", f"checks:\n  {code}: off\n")
    assert invoke("validate", str(program.root), "--strict").exit_code == 0


def test_missing_directory_exits_2_with_usage(tmp_path):
    result = invoke("validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "Usage: " in result.output
    assert "does not exist" in result.output


def test_directory_without_program_yaml_exits_2(tmp_path):
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "Usage: " in result.output
    assert "holds no program.yaml" in result.output


def test_a_file_instead_of_a_directory_exits_2(program):
    result = invoke("validate", str(program.root / "program.yaml"))
    assert result.exit_code == 2
    assert "is a file" in result.output


@pytest.mark.parametrize("value", ["2026-02-30", "30/06/2026", "tomorrow"])
def test_bad_as_of_date_exits_2(program, value):
    result = invoke("validate", str(program.root), "--as-of", value)
    assert result.exit_code == 2
    assert f"'{value}' is not a date in the form YYYY-MM-DD" in result.output


def test_unknown_format_exits_2(program):
    result = invoke("validate", str(program.root), "--format", "xml")
    assert result.exit_code == 2


def test_output_file(program, tmp_path):
    target = tmp_path / "report.json"
    result = invoke("validate", str(program.root), "--format", "json", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(target.read_text())["summary"] == {"files": 16, "errors": 0, "warnings": 0}


def test_output_into_a_missing_folder_exits_2_without_traceback(program, tmp_path):
    result = invoke("validate", str(program.root), "-o", str(tmp_path / "no" / "such" / "report.txt"))
    assert result.exit_code == 2
    assert "cannot write" in result.output and "No such file or directory" in result.output


def test_the_same_verdict_from_the_cache(program):
    program.replace("projects/infra.yaml", "progress: 80", "progress: 101")
    first = invoke("validate", str(program.root))
    second = invoke("validate", str(program.root))
    assert first.exit_code == second.exit_code == 1
    assert first.output == second.output
    assert invoke("validate", str(program.root), "--no-cache").output == first.output


def test_real_subprocess(program):
    run = [sys.executable, "-m", "pmkit", "validate", str(program.root)]
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(run, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "0 errors, 0 warnings in 16 files\n", "")
    program.replace("teams/ops.yaml", "lead: bob", "lead: bobb")
    done = subprocess.run([*run, "--format", "json"], capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert done.returncode == 1 and done.stderr == ""
    [finding] = json.loads(done.stdout)["findings"]
    assert (finding["code"], finding["file"], finding["line"], finding["column"]) == (
        "unknown-reference", "teams/ops.yaml", 3, 7)
    done = subprocess.run([sys.executable, "-m", "pmkit", "validate", str(program.root / "nowhere")],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "does not exist" in done.stderr


# --- version, help ----------------------------------------------------------------


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"pmkit, version {__version__}\n"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    """Every command and group, the ones imported on first use included (``cli.Commands``)."""
    yield prefix
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("command", list(_commands(main)), ids=lambda c: " ".join(c) or "pmkit")
def test_every_help_shows_examples(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    examples = result.output.split("Examples:", 1)[1]
    assert "pmkit " + " ".join(command) in examples  # an example of this very command


def test_short_help_option():
    assert invoke("validate", "-h").output == invoke("validate", "--help").output


# --- rules --------------------------------------------------------------------------


def test_rules_lists_every_registered_code():
    result = invoke("rules")
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.splitlines() if line.startswith("  ")}
    assert listed == {code.id for code in all_codes()}
    assert {"yaml-syntax", "missing-field", "unknown-reference", "internal-error"} <= listed


def test_rules_as_json_matches_the_registry():
    rows = json.loads(invoke("rules", "--format", "json").output)
    assert [row["code"] for row in rows] == [code.id for code in all_codes()]
    assert all(row["severity"] in ("error", "warning") and row["doc"] for row in rows)


def test_rules_as_markdown_names_every_code():
    text = invoke("rules", "--format", "markdown").output
    assert all(f"`{code.id}`" in text or code.id in text for code in all_codes())


# --- schema ---------------------------------------------------------------------------


def test_schema_of_a_kind_is_json_with_an_id():
    result = invoke("schema", "project")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$id"] == "urn:pmkit:schema:project:v1"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_without_kind_lists_the_kinds():
    assert invoke("schema").output.split() == sorted([*(k.name for k in KINDS), "rollup"])


def test_unknown_kind_exits_2():
    result = invoke("schema", "projet")
    assert result.exit_code == 2
    assert "unknown kind 'projet'" in result.output


def test_schema_output_writes_every_kind_and_the_rollup(tmp_path):
    target = tmp_path / "out" / "schemas"
    result = invoke("schema", "--output", str(target))
    assert result.exit_code == 0
    files = sorted(p.name for p in target.iterdir())
    assert len(files) == 13
    assert files == sorted(f"{name}.schema.json" for name in [*(k.name for k in KINDS), "rollup"])
    for path in target.iterdir():
        assert json.loads(path.read_text())["$id"] == f"urn:pmkit:schema:{path.name.split('.')[0]}:v1"


def test_schema_output_onto_a_file_exits_2(tmp_path):
    (tmp_path / "taken").write_text("")
    result = invoke("schema", "--output", str(tmp_path / "taken" / "sub"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_the_editing_commands_load_only_when_used() -> None:
    """`pmkit add/set/done/init/new` import ruamel.yaml and Jinja: a validate
    does not pay for them, yet `pmkit --help` lists them and they run."""
    import subprocess
    import sys

    probe = ("import sys\n"
             "from pmkit.app.cli import main\n"
             "try:\n"
             "    main(sys.argv[1:], standalone_mode=False)\n"
             "except SystemExit:\n"
             "    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('pmkit.app.edit') or m == 'ruamel.yaml'))\n")
    example = str(Path(__file__).resolve().parent.parent / "program")
    validated = subprocess.run([sys.executable, "-c", probe, "validate", example, "--no-cache"],
                               capture_output=True, text=True, check=True)
    assert validated.stdout.strip().splitlines()[-1] == "[]"
    listed = subprocess.run([sys.executable, "-m", "pmkit", "--help"], capture_output=True, text=True, check=True)
    for name in ("add", "set", "done", "init", "new"):
        assert f"\n  {name} " in listed.stdout
    helped = subprocess.run([sys.executable, "-m", "pmkit", "set", "--help"], capture_output=True, text=True,
                            check=True)
    assert "Set one value of the plan" in helped.stdout


@pytest.mark.parametrize("after", [0.02, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.3])
def test_ctrl_c_while_pmkit_starts_prints_no_traceback(after: float) -> None:
    """A Ctrl-C while the CLI is still being imported (a tenth of a second) raised
    KeyboardInterrupt out of the import. Whenever it comes, the command stops
    without a traceback through pmkit: 130 once Python handles the signal (a
    shell's Ctrl-C code), or killed by it before Python does. (Before pmkit's
    first line, while the interpreter itself finds the package for ``-m``,
    Python reports the interrupt its own way: frames of runpy only.)"""
    import re
    import signal
    import time

    example = str(Path(__file__).resolve().parent.parent / "program")
    started = subprocess.Popen([sys.executable, "-m", "pmkit", "validate", example, "--no-cache"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    started.send_signal(signal.SIGINT)
    _, err = started.communicate(timeout=60)
    assert not re.search(r'File "[^"]*pmkit', err), err
    assert "Traceback" in err or started.returncode in (130, -signal.SIGINT, 0), (started.returncode, err)
