"""pmkit init / add / set progress / done against the example program and a
fresh init folder, in real git repositories: only the lines carrying new data
change, refusals leave every byte, writes are atomic."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.app.edit import write as write_module

EXAMPLE = Path(__file__).resolve().parents[2] / "program"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def in_git(folder: Path) -> Path:
    git(folder, "init", "-q")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "start")
    return folder


@pytest.fixture
def program(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "program")
    return in_git(tmp_path / "program")


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "plan"), "--name", "Test program"])
    assert result.exit_code == 0, result.output
    in_git(tmp_path / "plan")
    return tmp_path / "plan" / "program"


def pmkit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def changed_lines(repo: Path) -> tuple[list[str], list[str]]:
    """Added and removed lines of `git diff` (new files included)."""
    git(repo, "add", "-A")
    diff = git(repo, "diff", "--cached", "--unified=0")
    added = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    removed = [l[1:] for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
    return added, removed


def validates(root: Path) -> None:
    code, out = pmkit("validate", root, "--no-cache")
    assert code == 0, out
    assert " 0 errors" in out or out.startswith("0 errors") or "\n0 errors" in out, out


def actual(root: Path, project: str, category: str) -> Decimal:
    code, out = pmkit("rollup", root, "--no-cache")
    assert code == 0, out
    return Decimal(json.loads(out)["projects"][project]["lines"][category]["actual"])


# --- init -----------------------------------------------------------------

def test_init_is_clean_and_its_site_builds(tmp_path: Path) -> None:
    code, out = pmkit("init", tmp_path / "plan", "--name", "no", "--currency", "EUR", "--start", "2026-01-01")
    assert code == 0, out
    code, out = pmkit("validate", tmp_path / "plan" / "program", "--no-cache")
    assert code == 0 and out.strip().endswith("0 errors, 0 warnings in 8 files"), out
    assert 'name: "no"' in (tmp_path / "plan/program/program.yaml").read_text()
    for rel in (".pre-commit-config.yaml", ".github/workflows/pmkit.yml", ".gitignore", "README.md",
                ".vscode/settings.json", "schemas/project.schema.json", "mkdocs.yml"):
        assert (tmp_path / "plan" / rel).is_file(), rel
    settings = json.loads((tmp_path / "plan/.vscode/settings.json").read_text())
    assert settings["yaml.schemas"]["schemas/project.schema.json"] == ["program/projects/*.yaml"]
    code, out = pmkit("site", "build", tmp_path / "plan" / "program", "--output", tmp_path / "public")
    assert code == 0, out
    assert (tmp_path / "public" / "index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty_and_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "README.md").write_text("mine\n")
    code, out = pmkit("init", tmp_path / "plan")
    assert code == 2 and "not empty" in out
    assert hashes(tmp_path / "plan") == {"README.md": hashlib.sha256(b"mine\n").hexdigest()}
    code, out = pmkit("init", tmp_path / "plan", "--force")
    assert code == 0, out
    assert (tmp_path / "plan" / "README.md").read_text() == "mine\n"


# --- add expense: the done-when -----------------------------------------

def test_add_expense_adds_lines_only_and_the_line_actual_rises_by_the_amount(program: Path) -> None:
    before = actual(program, "data-warehouse", "labor")
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "1234.56", "--date", "2026-10-29", "--description", "Cut-over overtime")
    assert code == 0, out
    added, removed = changed_lines(program)
    assert removed == []
    assert added == ["", "  - id: exp-2026-10-030", "    date: 2026-10-29", "    project: data-warehouse",
                     "    category: labor", "    amount: 1234.56", "    description: Cut-over overtime"]
    validates(program)
    assert actual(program, "data-warehouse", "labor") - before == Decimal("1234.56")


def test_add_expense_creates_the_month_file(program: Path) -> None:
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "10", "--date", "2026-11-02", "--description", "1.10")
    assert code == 0, out
    text = (program / "budget/expenses/2026-11.yaml").read_text()
    assert text == ("expenses:\n  - id: exp-2026-11-001\n    date: 2026-11-02\n    project: data-warehouse\n"
                    "    category: labor\n    amount: 10\n    description: \"1.10\"\n")
    validates(program)


def test_a_fifo_in_place_of_the_month_file_is_refused_not_read(program: Path) -> None:
    """Issue 14: every read goes through the guarded source; an edit must not
    block forever on a FIFO named like the month's expense file."""
    month = program / "budget/expenses/2026-10.yaml"
    month.unlink()
    os.mkfifo(month)
    run = subprocess.run([sys.executable, "-m", "pmkit", "add", "expense", str(program), "--project",
                          "data-warehouse", "--category", "labor", "--amount", "10", "--date", "2026-10-29",
                          "--description", "x"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "CI": "true"})
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "2026-10.yaml" in run.stderr and "not a regular file" in run.stderr, run.stderr


def test_a_month_file_that_is_not_utf8_is_refused_plainly(program: Path) -> None:
    month = program / "budget/expenses/2026-10.yaml"
    month.write_bytes(month.read_bytes() + b"# caf\xe9\n")
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "10", "--date", "2026-10-29", "--description", "x")
    assert code == 1 and "budget/expenses/2026-10.yaml is not UTF-8 text" in out, out
    assert hashes(program) == before


def test_an_edit_that_adds_an_error_writes_nothing(program: Path) -> None:
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "no-such-project", "--category", "labor",
                      "--amount", "5", "--date", "2026-10-29", "--description", "x")
    assert code == 1
    assert "no-such-project" in out and "nothing was written" in out
    assert hashes(program) == before


@pytest.mark.parametrize("args", [
    ["--amount", "12,50"], ["--amount", "1e3"], ["--date", "2026-13-01"], ["--project", "Bad_Id"],
])
def test_bad_options_are_refused_and_write_nothing(program: Path, args: list[str]) -> None:
    base = {"--project": "data-warehouse", "--category": "labor", "--amount": "5", "--date": "2026-10-29"}
    base.update(dict(zip(args[::2], args[1::2])))
    before = hashes(program)
    code, _ = pmkit("add", "expense", program, *[x for kv in base.items() for x in kv])
    assert code == 2
    assert hashes(program) == before


def test_dry_run_prints_the_diff_and_writes_nothing(program: Path) -> None:
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "7", "--date", "2026-10-29", "--dry-run")
    assert code == 0, out
    assert "+++ b/budget/expenses/2026-10.yaml" in out and "+    amount: 7" in out
    assert hashes(program) == before


# --- every add entry: only added lines, still valid ---------------------

EXAMPLE_EDITS = [
    (["add", "refund", "--of", "exp-2026-10-003", "--amount", "100.50", "--date", "2026-10-30"],
     "budget/expenses/2026-10.yaml", "    amount: -100.50"),
    (["add", "transfer", "--from", "data-warehouse/travel", "--to", "data-warehouse/training", "--amount", "500",
      "--date", "2026-10-15", "--reason", "no"], "budget/transfers.yaml", '    reason: "no"'),
    (["add", "acknowledgement", "--person", "dana-whitfield", "--rule", "anti-harassment", "--date", "2026-10-01"],
     "staff/dana-whitfield.yaml", "  - rule: anti-harassment"),
    (["add", "allocation", "--person", "dana-whitfield", "--project", "data-warehouse", "--percent", "5",
      "--from", "2026-10-01"], "staff/dana-whitfield.yaml", "  - project: data-warehouse"),
    (["add", "candidate", "--position", "data-engineer", "--id", "c-099", "--applied", "2026-10-01"],
     "hiring/data-engineer.yaml", "  - id: c-099"),
    (["add", "interview", "--candidate", "data-engineer/c-2026-201", "--interviewer", "dana-whitfield",
      "--date", "2026-10-10"], "hiring/data-engineer.yaml", "        interviewer: dana-whitfield"),
    (["add", "milestone", "--project", "data-warehouse", "--id", "m-new", "--title", "2026-01", "--due", "2027-02-01"],
     "projects/data-warehouse.yaml", '    title: "2026-01"'),
    (["add", "task", "--project", "data-warehouse", "--id", "t-new", "--title", "New task", "--effort", "3"],
     "projects/data-warehouse.yaml", "  - id: t-new"),
    (["set", "progress", "data-warehouse/revenue-report", "35"], "projects/data-warehouse.yaml", "    progress: 35"),
    (["done", "data-warehouse/first-auto-report", "--date", "2026-10-30"], "projects/data-warehouse.yaml",
     "    done: 2026-10-30"),
]


@pytest.mark.parametrize("args,rel,line", EXAMPLE_EDITS, ids=[" ".join(e[0][:2]) for e in EXAMPLE_EDITS])
def test_each_edit_on_the_example_changes_only_its_data_lines(program: Path, args: list[str], rel: str,
                                                              line: str) -> None:
    if args[0] in ("set", "done"):
        full = [*args[:-1], args[-1], program] if args[0] == "set" else [*args[:2], program, *args[2:]]
    else:
        full = [*args[:2], program, *args[2:]]
    old = (program / rel).read_text().splitlines()
    code, out = pmkit(*full)
    assert code == 0, out
    added, removed = changed_lines(program)
    assert line in added
    new = (program / rel).read_text().splitlines()
    # every old line is still there, in order, except a replaced value line
    kept = [l for l in old if l in new]
    assert len(old) - len(kept) == len(removed) <= 1
    assert git(program, "diff", "--cached", "--name-only").split() == [rel]
    validates(program)


def test_edits_on_a_fresh_init_folder(fresh: Path) -> None:
    edits = [
        ["add", "expense", fresh, "--project", "first-project", "--category", "labor", "--amount", "99.95",
         "--date", _this_month_day(), "--description", "Licences"],
        ["add", "task", fresh, "--project", "first-project", "--id", "test", "--title", "Testing"],
        ["add", "milestone", fresh, "--project", "first-project", "--id", "go-live", "--title", "Go live",
         "--due", _this_month_day()],
        ["set", "progress", "first-project/charter", "50", fresh],
        ["add", "allocation", fresh, "--person", "alex-analyst", "--project", "first-project", "--percent", "0"],
    ]
    for edit in edits:
        code, out = pmkit(*edit)
        assert code == 0, (edit, out)
    added, removed = changed_lines(fresh.parent)
    # the empty expense list `expenses: []` becomes `expenses:`, progress 0 -> 50
    assert sorted(removed) == ["    progress: 0", "expenses: []"]
    assert "    amount: 99.95" in added
    code, out = pmkit("validate", fresh, "--no-cache")
    assert code == 0, out


def _this_month_day() -> str:
    import datetime as dt
    return dt.date.today().replace(day=1).isoformat()


# --- refusals and failures leave the original -----------------------------

def test_a_file_changed_since_it_was_read_is_refused(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = program / "budget/expenses/2026-10.yaml"
    real_judge = write_module.judge

    def judge_then_someone_saves(root, changes):  # type: ignore[no-untyped-def]
        outcome = real_judge(root, changes)
        target.write_bytes(target.read_bytes() + b"# saved by someone else\n")
        return outcome

    monkeypatch.setattr("pmkit.app.edit.run.judge", judge_then_someone_saves)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "5", "--date", "2026-10-29")
    assert code == 1 and "changed on disk" in out
    assert target.read_bytes().endswith(b"# saved by someone else\n")
    assert b"exp-2026-10-030" not in target.read_bytes()


def test_a_read_only_file_is_left_alone(program: Path) -> None:
    target = program / "budget/transfers.yaml"
    target.chmod(0o444)
    before = hashes(program)
    code, out = pmkit("add", "transfer", program, "--from", "data-warehouse/travel", "--to",
                      "data-warehouse/training", "--amount", "5", "--date", "2026-10-15", "--reason", "r")
    assert code == 1 and "read-only" in out
    assert hashes(program) == before
    assert not list(target.parent.glob(".*pmkit-tmp"))


def test_a_full_disk_leaves_the_original(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(write_module.os, "fsync", full)
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "5", "--date", "2026-10-29")
    assert code == 1 and "No space left" in out
    assert hashes(program) == before


def test_the_mode_is_kept(program: Path) -> None:
    target = program / "budget/transfers.yaml"
    target.chmod(0o640)
    code, out = pmkit("add", "transfer", program, "--from", "data-warehouse/travel", "--to",
                      "data-warehouse/training", "--amount", "5", "--date", "2026-10-15", "--reason", "r")
    assert code == 0, out
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_link_out_of_the_program_is_not_written(program: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    shutil.copy(program / "budget/transfers.yaml", outside)
    (program / "budget/transfers.yaml").unlink()
    (program / "budget/transfers.yaml").symlink_to(outside)
    before = outside.read_bytes()
    code, out = pmkit("add", "transfer", program, "--from", "data-warehouse/travel", "--to",
                      "data-warehouse/training", "--amount", "5", "--date", "2026-10-15", "--reason", "r")
    assert code != 0
    assert outside.read_bytes() == before


def test_a_write_killed_before_the_rename_leaves_the_original(program: Path) -> None:
    target = program / "budget/expenses/2026-10.yaml"
    before = target.read_bytes()
    env = {**os.environ, write_module.PAUSE_ENV: "30"}
    child = subprocess.Popen(
        [sys.executable, "-m", "pmkit", "add", "expense", str(program), "--project", "data-warehouse",
         "--category", "labor", "--amount", "5", "--date", "2026-10-29"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert "paused before rename" in line
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert target.read_bytes() == before
    # the temporary file is not a .yaml file: the program still validates
    validates(program)


# --- new ------------------------------------------------------------------

NEW_KINDS = [("project", "projects"), ("person", "staff"), ("team", "teams"), ("vendor", "vendors"),
             ("position", "hiring"), ("rule", "rules"), ("risk", "risks")]


@pytest.mark.parametrize("kind,folder", NEW_KINDS)
def test_new_makes_a_valid_record_and_touches_nothing_else(program: Path, kind: str, folder: str) -> None:
    field = "title" if kind in ("position", "rule", "risk") else "name"
    code, out = pmkit("new", kind, "brand-new", program, "--set", f"{field}=1.10")
    assert code == 0, out
    added, removed = changed_lines(program)
    assert removed == []
    assert git(program, "diff", "--cached", "--name-only").split() == [f"{folder}/brand-new.yaml"]
    text = (program / folder / "brand-new.yaml").read_text()
    assert f'{field}: "1.10"' in text
    validates(program)
    before = hashes(program)
    code, out = pmkit("new", kind, "brand-new", program)
    assert code == 2 and "already exists" in out
    assert hashes(program) == before


def test_new_report_copies_last_months_teams(program: Path) -> None:
    code, out = pmkit("new", "report", "2026-11", program)
    assert code == 0, out
    text = (program / "reports/2026-11.yaml").read_text()
    assert text.count("  - team: ") == (program / "reports/2026-10.yaml").read_text().count("  - team: ")
    validates(program)


@pytest.mark.parametrize("args", [["widget", "x"], ["project", "Bad_Id"], ["report", "2026-13"]])
def test_new_refuses_unknown_kinds_and_bad_ids(program: Path, args: list[str]) -> None:
    before = hashes(program)
    code, _ = pmkit("new", *args, program)
    assert code == 2
    assert hashes(program) == before


def test_new_and_add_help_list_the_kinds() -> None:
    _, out = pmkit("new", "--help")
    assert all(kind in out for kind in ("project", "person", "team", "vendor", "position", "rule", "risk", "report"))
    _, out = pmkit("add", "--help")
    assert all(kind in out for kind in ("expense", "refund", "transfer", "acknowledgement", "allocation",
                                        "candidate", "interview", "milestone", "task"))


# --- finding the format -----------------------------------------------------

def test_rules_explains_one_code_and_refuses_an_unknown_one() -> None:
    code, out = pmkit("rules", "line-overspent")
    assert code == 0 and out.startswith("line-overspent\n") and "transfer" in out
    code, out = pmkit("rules", "line-overspend")
    assert code == 2 and "did you mean `line-overspent`" in out


def test_schema_rollup_prints_the_rollup_contract() -> None:
    code, out = pmkit("schema", "rollup")
    assert code == 0 and json.loads(out)["$id"] == "urn:pmkit:schema:rollup:v1"


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_options_are_not_prompted_for_in_ci(program: Path, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse")
    assert code == 2
    assert "missing options --category, --amount, --date (not prompted: CI is set)" in out
    assert hashes(program) == before


def test_missing_options_without_a_terminal_are_named_all_at_once(program: Path) -> None:
    """A real process whose stdin is not a terminal (a pipe), CI not set."""
    before = hashes(program)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    child = subprocess.run([sys.executable, "-m", "pmkit", "add", "transfer", str(program), "--amount", "5"],
                           input="", capture_output=True, text=True, env=env, timeout=120)
    assert child.returncode == 2
    assert "missing options --from, --to, --date, --reason (not prompted: input is not a terminal)" in child.stderr
    assert hashes(program) == before


def run_in_terminal(args: list[str], answers: list[tuple[str, str]], env: dict[str, str]) -> tuple[int, str]:
    """Run pmkit with a pseudo-terminal as stdin/stdout/stderr; answer each prompt
    (wait for its text, then type the answer and Enter). Returns exit code and all output."""
    import pty
    import select

    main_fd, child_fd = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "pmkit", *args], stdin=child_fd, stdout=child_fd,
                             stderr=child_fd, env=env, close_fds=True)
    os.close(child_fd)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main_fd, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and seen.rstrip().endswith(pending[0][0].encode()):
                os.write(main_fd, pending.pop(0)[1].encode() + b"\r")
            elif not ready and child.poll() is not None:
                break
        code = child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
        os.close(main_fd)
    assert not pending, (pending, seen.decode(errors="replace"))
    return code, seen.decode(errors="replace")


def test_a_person_at_a_terminal_is_prompted_for_what_is_missing(program: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    code, out = run_in_terminal(
        ["add", "expense", str(program), "--project", "data-warehouse", "--description", "Typed at a terminal"],
        [("Category:", "labor"), ("Amount:", "12,50"), ("Amount:", "250.10"), ("Date:", "29/10/2026"),
         ("Date:", "2026-10-30")], env)
    assert code == 0, out
    assert "Project:" not in out  # given as an option: not asked
    # a wrong answer is explained and asked again
    assert "Error: '12,50' is not an amount" in out and "Error: '29/10/2026' is not a date" in out
    added, removed = changed_lines(program)
    assert removed == []
    assert added == ["", "  - id: exp-2026-10-030", "    date: 2026-10-30", "    project: data-warehouse",
                     "    category: labor", "    amount: 250.10", "    description: Typed at a terminal"]
    validates(program)


def test_a_terminal_in_ci_is_not_prompted(program: Path) -> None:
    before = hashes(program)
    code, out = run_in_terminal(["add", "task", str(program), "--project", "data-warehouse"], [],
                                {**os.environ, "CI": "true"})
    assert code == 2 and "missing options --id, --title (not prompted: CI is set)" in out
    assert hashes(program) == before


# --- the configured expense period ------------------------------------------

@pytest.mark.parametrize("period,file,ident", [
    ("quarterly", "2026-q4.yaml", "exp-2026-q4-"), ("yearly", "2026.yaml", "exp-2026-"),
    ("monthly", "2026-11.yaml", "exp-2026-11-"),
])
def test_expenses_go_to_the_configured_periods_file(program: Path, period: str, file: str, ident: str) -> None:
    program_yaml = program / "program.yaml"
    program_yaml.write_text(program_yaml.read_text() + f"\nsettings:\n  expense_files: {period}\n")
    git(program, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "period")
    validates(program)
    for day, number in (("2026-11-03", "001"), ("2026-11-04", "002")):
        code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                          "--amount", "10.00", "--date", day)
        assert code == 0, out
    text = (program / "budget/expenses" / file).read_text()
    assert f"  - id: {ident}001\n    date: 2026-11-03\n" in text
    assert f"  - id: {ident}002\n    date: 2026-11-04\n" in text
    # a refund goes to its own date's period file, with that file's next id
    code, out = pmkit("add", "refund", program, "--of", f"{ident}001", "--amount", "2.50", "--date", "2026-11-20")
    assert code == 0, out
    assert f"  - id: {ident}003\n    date: 2026-11-20\n" in (program / "budget/expenses" / file).read_text()
    added, removed = changed_lines(program)
    assert removed == [] and git(program, "diff", "--cached", "--name-only").split() == [f"budget/expenses/{file}"]
    validates(program)


def test_an_unknown_expense_period_is_refused_by_the_schema_and_by_add(program: Path) -> None:
    program_yaml = program / "program.yaml"
    program_yaml.write_text(program_yaml.read_text() + "\nsettings:\n  expense_files: weekly\n")
    code, out = pmkit("validate", program, "--no-cache")
    assert code == 1 and "program.yaml:" in out and "expense_files" in out
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "1", "--date", "2026-11-03")
    assert code == 2 and "settings.expense_files is 'weekly'; use one of monthly, quarterly, yearly" in out
    assert hashes(program) == before


# --- init: a planning repository --------------------------------------------

def test_init_dir_is_a_planning_repository_mkdocs_builds_and_validate_finds_it(tmp_path: Path) -> None:
    """DIR holds mkdocs.yml and program/; `mkdocs build` (the real one) builds the site, and
    `pmkit validate` / `pmkit add` run in DIR without arguments find program/, in git or not."""
    code, out = pmkit("init", tmp_path / "plan")
    assert code == 0, out
    plan = tmp_path / "plan"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=plan, capture_output=True,
                         text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    index = (plan / "public" / "index.html").read_text(encoding="utf-8")
    assert "New IT program" in index and "First project" in (plan / "public" / "projects" / "first-project.html").read_text()
    shutil.rmtree(plan / "public")
    for in_git_repo in (False, True):
        if in_git_repo:
            in_git(plan)
        run = subprocess.run([sys.executable, "-m", "pmkit", "validate", "--no-cache"], cwd=plan,
                             capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "0 errors, 0 warnings in 8 files"
        assert "using the program in program/ (from mkdocs.yml)" in run.stderr
    run = subprocess.run([sys.executable, "-m", "pmkit", "add", "task", "--project", "first-project", "--id", "qa",
                          "--title", "Quality assurance"], cwd=plan, capture_output=True, text=True, env=env,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    added, removed = changed_lines(plan)
    assert removed == [] and added[-3:] == ["  - id: qa", "    title: Quality assurance", "    progress: 0"]


def _today(days: int = 0) -> str:
    import datetime as dt
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


#: every `new` kind and `add` entry on a fresh init folder, in an order that
#: gives each its prerequisites: (command, file changed, lines the edit may remove)
FRESH_STEPS: list[tuple[list[str], str, list[str]]] = [
    (["new", "rule", "code-of-conduct", "{p}", "--set", "title=Code of conduct"], "rules/code-of-conduct.yaml", []),
    (["add", "acknowledgement", "{p}", "--person", "alex-analyst", "--rule", "code-of-conduct", "--date", _today()],
     "staff/alex-analyst.yaml", []),
    (["new", "position", "analyst", "{p}", "--set", "requirements[]=SQL", "--set", "requirements[]=no"],
     "hiring/analyst.yaml", []),
    (["add", "candidate", "{p}", "--position", "analyst", "--id", "c-001", "--name", "A. Candidate",
      "--applied", _today()], "hiring/analyst.yaml", []),
    (["add", "interview", "{p}", "--candidate", "analyst/c-001", "--interviewer", "pat-manager", "--date", _today(),
      "--score", "4"], "hiring/analyst.yaml", []),
    (["add", "expense", "{p}", "--project", "first-project", "--category", "software", "--amount", "1999.90",
      "--date", _today(), "--description", "Licences"], "budget/expenses/" + _today()[:7] + ".yaml",
     ["expenses: []"]),
    (["add", "refund", "{p}", "--of", "exp-" + _today()[:7] + "-001", "--amount", "99.90", "--date", _today()],
     "budget/expenses/" + _today()[:7] + ".yaml", []),
    (["add", "transfer", "{p}", "--from", "first-project/labor", "--to", "first-project/software", "--amount", "500",
      "--date", _today(), "--reason", "Licences cost more", "--approved-by", "pat-manager"],
     "budget/transfers.yaml", []),
    (["add", "allocation", "{p}", "--person", "pat-manager", "--project", "first-project", "--percent", "25",
      "--from", _today(), "--to", _today(90)], "staff/pat-manager.yaml", []),
    (["add", "milestone", "{p}", "--project", "first-project", "--id", "go-live", "--title", "Go live",
      "--due", _today(300)], "projects/first-project.yaml", []),
    (["add", "task", "{p}", "--project", "first-project", "--id", "test", "--title", "Testing", "--assignee",
      "alex-analyst", "--effort", "5", "--start", _today(30), "--end", _today(60)], "projects/first-project.yaml", []),
    (["set", "progress", "first-project/charter", "50", "{p}"], "projects/first-project.yaml", ["    progress: 0"]),
    (["done", "first-project/charter-signed", "{p}", "--date", _today()], "projects/first-project.yaml", []),
    (["new", "project", "data-lake", "{p}", "--set", "name=Data lake", "--set", "start=" + _today(),
      "--set", "budget.other=0", "--set", "objectives[]=obj-first", "--set", "summary=A lake"],
     "projects/data-lake.yaml", []),
    (["new", "person", "sam-engineer", "{p}", "--set", "name=Sam Engineer"], "staff/sam-engineer.yaml", []),
    (["new", "team", "platform", "{p}", "--set", "name=Platform", "--set", "lead=sam-engineer"],
     "teams/platform.yaml", []),
    (["new", "vendor", "acme", "{p}", "--set", "name=Acme Ltd"], "vendors/acme.yaml", []),
    (["new", "risk", "vendor-delay", "{p}", "--set", "title=Vendor may deliver late", "--set", "probability=3",
      "--set", "impact=4"], "risks/vendor-delay.yaml", []),
]


def test_every_new_kind_and_add_entry_on_a_fresh_init_folder(fresh: Path) -> None:
    repo = fresh.parent
    for step, rel, may_remove in FRESH_STEPS:
        args = [str(fresh) if a == "{p}" else a for a in step]
        before = hashes(fresh)
        code, out = pmkit(*args)
        assert code == 0, (step, out)
        added, removed = changed_lines(repo)
        assert git(repo, "diff", "--cached", "--name-only").split() == [f"program/{rel}"], step
        assert removed == may_remove, (step, removed)
        assert added, step
        after = hashes(fresh)
        assert {k for k in after if after[k] != before.get(k)} == {rel}, step
        validates(fresh)
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", " ".join(step[:2]))
    code, out = pmkit("new", "report", _next_month(), fresh)
    assert code == 0, out
    validates(fresh)
    # the transfer moved exactly 500 and the refund took back exactly 99.90
    code, out = pmkit("rollup", fresh, "--no-cache", "--as-of", _today())
    line = json.loads(out)["projects"]["first-project"]["lines"]["software"]
    assert Decimal(line["actual"]) == Decimal("1900.00")
    assert Decimal(line["current"]) == Decimal("20500")


def _next_month() -> str:
    import datetime as dt
    day = dt.date.today().replace(day=28) + dt.timedelta(days=5)
    return day.strftime("%Y-%m")


#: an edit of each kind that would add an error: refused, every file byte-identical
REFUSALS = [
    ["add", "expense", "{p}", "--project", "first-project", "--category", "catering", "--amount", "5",
     "--date", _today()],
    ["add", "expense", "{p}", "--project", "first-project", "--category", "labor", "--amount", "5.001",
     "--date", _today()],
    ["add", "transfer", "{p}", "--from", "first-project/labor", "--to", "nowhere/labor", "--amount", "5",
     "--date", _today(), "--reason", "r"],
    ["add", "acknowledgement", "{p}", "--person", "alex-analyst", "--rule", "no-such-rule", "--date", _today()],
    ["add", "allocation", "{p}", "--person", "alex-analyst", "--project", "no-such-project", "--percent", "10"],
    ["add", "milestone", "{p}", "--project", "first-project", "--id", "charter-signed", "--title", "Twice",
     "--due", _today(10)],
    ["add", "task", "{p}", "--project", "first-project", "--id", "charter", "--title", "Twice"],
    ["add", "task", "{p}", "--project", "first-project", "--id", "x", "--title", "X", "--assignee", "nobody"],
    ["new", "project", "p2", "{p}", "--set", "team=no-such-team"],
    ["new", "person", "p2", "{p}", "--set", "employment=contractor"],
    ["new", "team", "t2", "{p}", "--set", "lead=nobody"],
    ["new", "risk", "r2", "{p}", "--set", "severity=enormous"],
    ["new", "rule", "r2", "{p}", "--set", "category=etiquette"],
    ["new", "vendor", "v2", "{p}", "--set", "contracts[0].id=c1"],
    ["new", "position", "p2", "{p}", "--set", "openings=0"],
]


@pytest.mark.parametrize("step", REFUSALS, ids=[" ".join(r[:2]) + f"-{i}" for i, r in enumerate(REFUSALS)])
def test_an_edit_that_adds_an_error_leaves_every_file_identical(fresh: Path, step: list[str]) -> None:
    before = hashes(fresh.parent)
    code, out = pmkit(*[str(fresh) if a == "{p}" else a for a in step])
    assert code == 1, out
    assert "nothing was written" in out
    assert hashes(fresh.parent) == before


# --- what is written: money, dates, text ------------------------------------

@pytest.mark.parametrize("amount", ["1234.50", "0.10", "1000", "1000.00", "0.01", "98765.40"])
def test_money_is_written_exactly_as_given(program: Path, amount: str) -> None:
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", amount, "--date", "2026-10-29")
    assert code == 0, out
    added, _ = changed_lines(program)
    assert f"    amount: {amount}" in added


@pytest.mark.parametrize("amount", ["007", "1,000", "1e3", "12.", "+5", "$5", "0x10", "1_000"])
def test_money_that_could_be_misread_is_refused(program: Path, amount: str) -> None:
    before = hashes(program)
    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", amount, "--date", "2026-10-29")
    assert code == 2 and "is not an amount" in out
    assert hashes(program) == before


@pytest.mark.parametrize("given", ["2026-10-29", "20261029"])
def test_dates_are_written_as_yyyy_mm_dd(program: Path, given: str) -> None:
    code, out = pmkit("add", "milestone", program, "--project", "data-warehouse", "--id", "m-date", "--title", "T",
                      "--due", given)
    assert code == 0, out
    added, _ = changed_lines(program)
    assert "    due: 2027-02-01" not in added and "    due: 2026-10-29" in added


@pytest.mark.parametrize("given", ["29/10/2026", "2026-10-32", "2026-10", "yesterday"])
def test_a_date_that_is_not_a_day_is_refused(program: Path, given: str) -> None:
    before = hashes(program)
    code, out = pmkit("add", "milestone", program, "--project", "data-warehouse", "--id", "m-date", "--title", "T",
                      "--due", given)
    assert code == 2 and "YYYY-MM-DD" in out
    assert hashes(program) == before


@pytest.mark.parametrize("text", ["no", "1.10", "2026-01", "2026-01-01", "yes", "On", "null", "~", "true", "007",
                                  "1e3", "0x1F", "a: b", "x #y", "#tag", "- item", "[x]", "{x}", "*star", "&anchor",
                                  "!tag", "'quoted'", '"dq"', "trailing ", " leading", "Ünïcødé – ok", "@home", "%pct",
                                  "back\\slash", "line\nbreak"])
def test_text_is_read_back_exactly_by_yaml_1_2_and_1_1_readers(program: Path, text: str) -> None:
    import yaml  # PyYAML: a YAML 1.1 reader, as many editors and scripts use

    from pmkit.ingest.loader.yaml12 import parse

    code, out = pmkit("add", "expense", program, "--project", "data-warehouse", "--category", "labor",
                      "--amount", "1", "--date", "2026-10-29", "--description", text, "--invoice", text)
    assert code in (0, 1), out  # 1: an invoice the rules do not like is refused, never mangled
    if code == 1:
        pytest.skip("refused by a rule")
    raw = (program / "budget/expenses/2026-10.yaml").read_bytes()
    for data in (parse("x", raw).value, yaml.safe_load(raw)):
        entry = data["expenses"][-1]
        assert entry["description"] == text and entry["invoice"] == text, (text, raw[-200:])


def test_new_quotes_text_and_keeps_money_and_numbers(program: Path) -> None:
    code, out = pmkit("new", "project", "lake", program, "--set", "name=no", "--set", "summary=2026-01",
                      "--set", "budget.labor=1000.10", "--set", "budget.cloud=250", "--set", "departments[]=1.10")
    assert code == 0, out
    text = (program / "projects/lake.yaml").read_text()
    assert 'name: "no"\n' in text and 'summary: "2026-01"\n' in text
    assert "budget:\n  labor: 1000.10\n  cloud: 250\n" in text
    assert 'departments:\n  - "1.10"\n' in text
    validates(program)


# --- new --set: nested fields and unknown ones -------------------------------

def test_new_set_fills_nested_fields_and_list_items(program: Path) -> None:
    code, out = pmkit("new", "vendor", "acme", program, "--set", "name=Acme",
                      "--set", "contracts[0].id=acme-2026", "--set", "contracts[0].project=data-warehouse",
                      "--set", "contracts[0].value=12000.50", "--set", "contracts[0].start=2026-10-01",
                      "--set", "contracts[0].end=2027-03-31", "--set", "contracts[1].id=acme-2027",
                      "--set", "contracts[1].project=data-warehouse", "--set", "contracts[1].value=1",
                      "--set", "contracts[1].start=2027-04-01", "--set", "contracts[1].end=2027-06-30")
    assert code == 0, out
    text = (program / "vendors/acme.yaml").read_text()
    assert ("contracts:\n  - id: acme-2026\n    project: data-warehouse\n    value: 12000.50\n"
            "    start: 2026-10-01\n    end: 2027-03-31\n  - id: acme-2027\n") in text
    validates(program)


@pytest.mark.parametrize("field,message", [
    ("budgt.labor=1", "project has no field 'budgt'; did you mean `budget`?"),
    ("nmae=x", "did you mean `name`?"),
    ("milestones[0].titel=x", "has no field 'titel'; did you mean `title`?"),
    ("colour=red", "project has no field 'colour'; see `pmkit schema project`"),
    ("budget=5", "holds several values"),
    ("name.first=x", "name is not a mapping"),
    ("milestones[3].id=x", "milestones has 0 items; the next is [0]"),
    ("budget.labor=1,000", "is not an amount"),
    ("Bad Field=x", "is not a field name"),
    ("name", "is not FIELD=VALUE"),
])
def test_new_set_refuses_unknown_or_misshaped_fields(program: Path, field: str, message: str) -> None:
    before = hashes(program)
    code, out = pmkit("new", "project", "lake", program, "--set", field)
    assert code == 2, out
    assert message in " ".join(out.split()), out
    assert hashes(program) == before


def test_a_suggestion_is_only_a_close_name(program: Path) -> None:
    code, out = pmkit("new", "project", "lake", program, "--set", "xyz=1")
    assert code == 2 and "did you mean" not in out


# --- help lists the kinds, one line each ---------------------------------------

def test_new_and_add_help_list_each_kind_on_one_full_line() -> None:
    from pmkit.app.edit.add import KINDS_HELP
    from pmkit.app.edit.new import KINDS

    result = CliRunner().invoke(main, ["new", "--help"], terminal_width=80)
    for kind, (_, line) in KINDS.items():
        assert f"  {kind:<9} {line}\n" in result.output, kind
    result = CliRunner().invoke(main, ["add", "--help"], terminal_width=80)
    for kind, line in KINDS_HELP.items():
        assert f"  {kind:<16} {line}\n" in result.output, kind
    assert len(KINDS) == 8 and len(KINDS_HELP) == 9


#: the same on the example program: each entry and kind, refused, every byte kept
EXAMPLE_REFUSALS = [
    ["add", "expense", "{p}", "--project", "data-warehouse", "--category", "catering", "--amount", "5",
     "--date", "2026-10-29"],
    ["add", "refund", "{p}", "--of", "exp-2026-10-003", "--amount", "5.001", "--date", "2026-10-30"],
    ["add", "transfer", "{p}", "--from", "data-warehouse/travel", "--to", "nowhere/labor", "--amount", "5",
     "--date", "2026-10-15", "--reason", "r"],
    ["add", "acknowledgement", "{p}", "--person", "dana-whitfield", "--rule", "no-such-rule", "--date", "2026-10-01"],
    ["add", "allocation", "{p}", "--person", "dana-whitfield", "--project", "no-such-project", "--percent", "5"],
    ["add", "candidate", "{p}", "--position", "data-engineer", "--id", "c-2026-201", "--applied", "2026-10-01"],
    ["add", "interview", "{p}", "--candidate", "data-engineer/c-2026-201", "--interviewer", "nobody",
     "--date", "2026-10-10"],
    ["add", "milestone", "{p}", "--project", "data-warehouse", "--id", "first-auto-report", "--title", "Twice",
     "--due", "2027-01-01"],
    ["add", "task", "{p}", "--project", "data-warehouse", "--id", "revenue-report", "--title", "Twice"],
    ["new", "project", "p2", "{p}", "--set", "team=no-such-team"],
    ["new", "person", "p2", "{p}", "--set", "employment=contractor"],
    ["new", "team", "t2", "{p}", "--set", "lead=nobody"],
    ["new", "vendor", "v2", "{p}", "--set", "contracts[0].id=c1"],
    ["new", "position", "p2", "{p}", "--set", "openings=0"],
    ["new", "rule", "r2", "{p}", "--set", "category=etiquette"],
    ["new", "risk", "r2", "{p}", "--set", "severity=enormous"],
]


@pytest.mark.parametrize("step", EXAMPLE_REFUSALS, ids=[" ".join(r[:2]) for r in EXAMPLE_REFUSALS])
def test_an_edit_of_the_example_that_adds_an_error_leaves_every_file_identical(program: Path,
                                                                              step: list[str]) -> None:
    before = hashes(program)
    code, out = pmkit(*[str(program) if a == "{p}" else a for a in step])
    assert code == 1, out
    assert "nothing was written" in out
    assert hashes(program) == before


def test_new_explains_optional_fields_as_comments(program: Path) -> None:
    code, out = pmkit("new", "risk", "late-vendor", program, "--set", "title=Vendor late")
    assert code == 0, out
    text = (program / "risks/late-vendor.yaml").read_text()
    assert "\n# Optional fields:\n" in text
    for field in ("project", "due", "probability", "impact", "resolution"):
        assert f"\n# {field}:\n" in text, field
    # every optional field's comment is preceded by its explanation from the schema
    assert "#   " in text.split("# Optional fields:")[1]


@pytest.mark.parametrize("args", [
    ["set", "progress", "data-warehouse/no-such-task", "50", "{p}"],
    ["set", "progress", "data-warehouse/revenue-report", "101", "{p}"],
    ["set", "progress", "revenue-report", "50", "{p}"],
    ["done", "data-warehouse/no-such-milestone", "{p}", "--date", "2026-10-30"],
    ["done", "data-warehouse/first-auto-report", "{p}", "--date", "30.10.2026"],
    ["done", "no-such-project/first-auto-report", "{p}"],
    ["done", "data-warehouse/first-auto-report", "{p}", "--date", "{tomorrow}"],
])
def test_set_progress_and_done_refuse_what_is_not_there(program: Path, args: list[str]) -> None:
    before = hashes(program)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    code, out = pmkit(*[str(program) if a == "{p}" else tomorrow if a == "{tomorrow}" else a for a in args])
    assert code == 2, out
    assert hashes(program) == before
    if "{tomorrow}" in args:
        assert "has not come yet" in out


def test_warnings_an_edit_adds_are_shown_and_the_edit_written(program: Path) -> None:
    code, out = pmkit("new", "rule", "badge-policy", program, "--set", "title=Badge policy",
                      "--set", "effective=2026-01-01", "--set", "acknowledge_within_days=10")
    assert code == 0, out
    assert (program / "rules/badge-policy.yaml").is_file()
    shown = [line for line in out.splitlines() if " warning acknowledgement-overdue " in line]
    assert shown and all("rule `badge-policy`" in line for line in shown)
    # one per person: the text output groups them (a few shown, then a count), the total is said
    total = int(re.search(r"pmkit: written; the edit adds (\d+) warnings \(above\)", out).group(1))
    assert total > len(shown) and f"acknowledgement-overdue: {total} warnings" in out
    assert " in 0 files" not in out  # no tally of its own: the edit's line says it
    assert re.search(r"^\d+ other warnings? in the program \(run `pmkit validate` to see them\)$", out, re.M)
