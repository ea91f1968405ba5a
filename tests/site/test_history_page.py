"""The History page: in a plain folder, turned off, and by month in a real repository (issue 12)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError
from sitehelp import FIXTURES, build_site, parse_html

from pmkit.app.site.data import HISTORY_OFF
from pmkit.app.site.plugin import _history_step


def _history_text(out: Path) -> str:
    return parse_html((out / "history.html").read_text(encoding="utf-8")).text


def test_in_a_plain_folder_the_history_page_says_why_it_is_empty(tmp_path: Path):
    program = tmp_path / "program"
    shutil.copytree(FIXTURES / "minimal", program)
    code, output = build_site(program, tmp_path / "out")
    assert code == 0, output
    text = _history_text(tmp_path / "out")
    assert ("The program is not in a git repository, so there is no history to draw: commit its files to git "
            "and each commit becomes a point here.") in text
    assert "charts/history-" not in (tmp_path / "out" / "history.html").read_text(encoding="utf-8")


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "Ann",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture
def dated_repo(tmp_path: Path) -> Path:
    """Three commits: two in May (the second moves progress), one in June."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", root / "program")
    (root / "docs").mkdir()
    _git(root, "init", "-q", "-b", "main")
    for i, date in enumerate(("2026-05-04T10:00:00+00:00", "2026-05-20T10:00:00+00:00", "2026-06-10T10:00:00+00:00")):
        if i:
            path = root / "program" / "projects" / "payroll.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(f"progress: {45 + 5 * i}", f"progress: {50 + 5 * i}", 1), encoding="utf-8")
        (root / "docs" / "note.md").write_text(f"# Note {i}\n", encoding="utf-8")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"step {i}", date=date)
    return root


def _config(root: Path, options: str) -> None:
    (root / "mkdocs.yml").write_text(f"site_name: T\ndocs_dir: docs\nuse_directory_urls: false\nplugins:\n  - pmkit:\n      program: program\n"
                                     f"{options}", encoding="utf-8")


def test_history_by_month_by_default_and_off_when_configured(dated_repo: Path, tmp_path: Path):
    assert "progress: 50" in (FIXTURES / "minimal" / "projects" / "payroll.yaml").read_text(encoding="utf-8")
    _config(dated_repo, "")
    code, output = build_site(dated_repo / "program", tmp_path / "monthly")
    assert code == 0, output
    assert "2 points" in _history_text(tmp_path / "monthly")  # the last commit of May and of June
    assert "the last commit of each month" in _history_text(tmp_path / "monthly")
    _config(dated_repo, "      history: commit\n")
    code, output = build_site(dated_repo / "program", tmp_path / "each")
    assert code == 0, output
    assert "3 points" in _history_text(tmp_path / "each") and "HEAD, every commit)" in _history_text(tmp_path / "each")
    _config(dated_repo, "      history: false\n")
    code, output = build_site(dated_repo / "program", tmp_path / "off")
    assert code == 0, output
    assert HISTORY_OFF.replace("`", "") in _history_text(tmp_path / "off").replace("`", "")


def test_the_history_option():
    assert (_history_step(True), _history_step(False), _history_step("week")) == ("month", "off", "week")
    with pytest.raises(PluginError, match="history 'yearly' is not one of"):
        _history_step("yearly")


def test_the_history_note_is_styled_not_shown_as_markup(dated_repo: Path, tmp_path: Path):
    _config(dated_repo, "")
    code, output = build_site(dated_repo / "program", tmp_path / "out")
    assert code == 0, output
    html = (tmp_path / "out" / "history.html").read_text(encoding="utf-8")
    assert "{ .pmkit-note }" not in html
    assert '<p class="pmkit-note">What the program' in html


def test_history_since_after_the_last_commit_says_so_not_that_nothing_is_committed(dated_repo: Path):
    """`history_since:` later than every commit (a typo of the year) is an empty series; the
    page said "The repository has no commit yet", false in a repository with three."""
    from pmkit.app.site.data import load_history
    import datetime as dt

    data = load_history(dated_repo / "program", use_cache=False, since=dt.date(2027, 1, 1))
    assert data.rows == [] and data.reason is not None
    assert "no commit yet" not in data.reason, data.reason
    assert "2027-01-01" in data.reason and "2026-06-10" in data.reason, data.reason


def test_a_commit_before_the_start_is_counted_as_such(tmp_path: Path):
    """A plan committed before its start date is a point without figures: the page says so,
    so the burn-up's points add up with the count it gives."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", root / "program")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "the plan", date="2025-12-15T10:00:00+00:00")
    path = root / "program" / "projects" / "payroll.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("progress: 50", "progress: 55", 1), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "January", date="2026-01-20T10:00:00+00:00")
    (root / "docs").mkdir()
    _config(root, "      history: commit\n")
    code, output = build_site(root / "program", tmp_path / "out")
    assert code == 0, output
    text = _history_text(tmp_path / "out")
    assert "2 points, 1 before the program's start (no figures, findings counted)" in text, text
