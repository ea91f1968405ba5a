"""`pmkit history --since/--until` given the wrong way round: a refusal that says so, not an
empty table (dates) or a false "not on the current branch" (revisions)."""

from __future__ import annotations

from .conftest import Repo, pmkit


def _three_commits(repo: Repo) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("June", "2026-06-10T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 60", "progress: 70")
    repo.commit("July", "2026-07-10T12:00:00+00:00")


def test_since_a_day_after_until_is_refused(repo: Repo) -> None:
    _three_commits(repo)
    done = pmkit(repo.root, "history", "--since", "2026-07-01", "--until", "2026-06-01")
    assert done.returncode == 2, done.stdout
    assert "--since 2026-07-01 is after --until 2026-06-01" in done.stderr, done.stderr
    # the same day on both sides is a range of that day
    same = pmkit(repo.root, "history", "--since", "2026-06-10", "--until", "2026-06-10", "--format", "csv")
    assert same.returncode == 0 and same.stdout.count("\n") == 2, same.stdout


def test_since_a_revision_after_until_is_said_to_be_after_it(repo: Repo) -> None:
    _three_commits(repo)
    done = pmkit(repo.root, "history", "--since", "HEAD", "--until", "HEAD~2")
    assert done.returncode == 2, done.stdout
    assert "not on the current branch" not in done.stderr, done.stderr
    assert "--since HEAD comes after --until HEAD~2" in done.stderr, done.stderr


def test_a_revision_off_the_branch_is_still_said_to_be_off_it(repo: Repo) -> None:
    _three_commits(repo)
    repo.git("checkout", "-q", "-b", "side", "HEAD~1")
    repo.edit("program/projects/payroll.yaml", "progress: 60", "progress: 65")
    repo.commit("side", "2026-07-05T12:00:00+00:00")
    repo.git("checkout", "-q", "main")
    done = pmkit(repo.root, "history", "--since", "side")
    assert done.returncode == 2
    assert "side is not on the current branch's first-parent line" in done.stderr, done.stderr


def test_a_commit_before_the_program_starts_has_no_figures_as_rollup_refuses_them(tmp_path) -> None:
    """A plan committed before its start date (the planning phase): `pmkit rollup --rev C
    --as-of DAY` refuses the day ("before the program starts"); the history row must not
    show figures for it either (it showed 0% planned beside today's progress)."""
    import json
    import shutil

    import jsonschema

    from .conftest import MINIMAL
    from .test_history_attack import SCHEMA

    repo = Repo(tmp_path / "repo")
    shutil.copytree(MINIMAL, repo.root / "program")
    early = repo.commit("the plan, before the start", "2025-12-15T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("January", "2026-01-20T12:00:00+00:00")
    refused = pmkit(repo.root, "rollup", "--rev", early, "--as-of", "2025-12-15")
    assert refused.returncode == 2 and "before the program starts" in refused.stderr
    document = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    first, second = document["rows"]
    assert first["progress"] is None and first["planned"] is None and first["actual"] is None, first
    assert "before the program starts (2026-01-01)" in first["note"]
    assert second["progress"] is not None and second["note"] is None
    table = pmkit(repo.root, "history")
    assert "1 commit before the program starts" in table.stdout, table.stdout
    projects = json.loads(pmkit(repo.root, "history", "--all-projects", "--format", "json").stdout)["rows"]
    assert [r["project"] for r in projects if r["commit"] == early] == [None]
    one = json.loads(pmkit(repo.root, "history", "--project", "payroll", "--format", "json").stdout)["rows"]
    assert "before the program starts" in one[0]["note"] and one[0]["progress"] is None


def test_a_subject_with_terminal_escapes_is_written_escaped_in_the_csv(repo: Repo) -> None:
    """A commit subject is anyone's text: an OSC sequence (a hyperlink, a clipboard write,
    a window title) or a CSI one printed raw to a terminal acts on it. The csv shows them
    as `\\x1b`, as every table does; json keeps the subject as it is."""
    import json

    subject = "fix \x1b]52;c;ZWNobyBwd25lZA==\x07 and \x1b]8;;http://evil.example\x07here\x1b]8;;\x07 \x1b[2J"
    repo.edit("program/projects/payroll.yaml", "software: 20000.00", "software: 21000.00")
    repo.commit(subject, "2026-06-01T12:00:00+00:00")
    for args in (("--format", "csv"), ("--baselines", "--format", "csv")):
        done = pmkit(repo.root, "history", *args)
        assert done.returncode == 0, done.stderr
        assert "and \\x1b]8;;http://evil.example" in done.stdout, (args, done.stdout)
        assert "\x1b" not in done.stdout and "\x07" not in done.stdout, (args, done.stdout)
    csv_out = pmkit(repo.root, "history", "--format", "csv").stdout
    assert "fix \\x1b]52;c;ZWNobyBwd25lZA==\\x07 and" in csv_out
    document = json.loads(pmkit(repo.root, "history", "--format", "json").stdout)
    assert document["rows"][-1]["subject"] == subject


def test_baselines_of_one_project(repo: Repo) -> None:
    """`--baselines --project ID` listed every project's changes (the option was ignored);
    a mistyped ID is refused as for the series."""
    import json

    repo.edit("program/projects/payroll.yaml", "software: 20000.00", "software: 21000.00")
    repo.commit("payroll software", "2026-06-01T12:00:00+00:00")
    every = json.loads(pmkit(repo.root, "history", "--baselines", "--format", "json").stdout)["changes"]
    assert {c["project"] for c in every} == {"payroll"}
    one = json.loads(pmkit(repo.root, "history", "--baselines", "--project", "infra", "--format", "json").stdout)
    assert one["changes"] == []
    mine = json.loads(pmkit(repo.root, "history", "--baselines", "--project", "payroll", "--format", "json").stdout)
    assert [c["item"] for c in mine["changes"]] == ["software"]
    wrong = pmkit(repo.root, "history", "--baselines", "--project", "payrol")
    assert wrong.returncode == 2 and "no project 'payrol'" in wrong.stderr, wrong.stderr
