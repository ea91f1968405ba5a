"""`pmkit site build` for a past date, attacked: in git the site reads the revision in force
on the day and says so, as every view does; in a plain folder it says undated values are
the files' of today; a date before the program starts is refused, as the views refuse it;
a site built from a revision still draws the repository's history."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from .conftest import MINIMAL, Repo, broken_in_june, pmkit


def text_of(page: Path) -> str:
    """What a reader sees of a page's article: tags dropped, entities decoded, spaces squeezed."""
    source = page.read_text(encoding="utf-8")
    found = re.search(r"<article.*?</article>", source, re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(0) if found else source)))


def test_a_past_date_in_git_reads_the_revision_in_force_and_names_it(repo: Repo, tmp_path: Path) -> None:
    first = repo.git("rev-parse", "HEAD").strip()  # 2026-05-01: payroll build at 50 %
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 90")
    repo.commit("June progress", "2026-06-20T12:00:00+00:00")
    out = tmp_path / "site"
    done = pmkit(repo.root, "site", "build", "--as-of", "2026-05-15", "-o", str(out))
    assert done.returncode == 0, done.stderr
    dashboard = text_of(out / "index.html")
    assert f"Figures from revision {first[:12]} of 2026-05-01, the last commit on or before 2026-05-15" in dashboard
    # the May files: (design 10 x 100 + build 30 x 50 + train 5 x 0 + network 8 x 80) / 53 = 59.25 %;
    # the June files would give (1000 + 2700 + 0 + 640) / 53 = 81.9 %
    assert "Progress 59.3%" in dashboard and "81.9%" not in dashboard
    history = text_of(out / "history.html")
    assert "not in a git repository" not in history and "1 point" in history
    # on the status date the working tree is read, with no revision named
    now = tmp_path / "now"
    assert pmkit(repo.root, "site", "build", "-o", str(now)).returncode == 0
    assert "Figures from revision" not in text_of(now / "index.html")
    assert "Progress 81.9%" in text_of(now / "index.html")


def test_a_site_built_from_a_revision_draws_the_history_up_to_it(repo: Repo, tmp_path: Path) -> None:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("June progress", "2026-06-20T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 60", "progress: 70")
    repo.commit("July progress", "2026-07-20T12:00:00+00:00")
    out = tmp_path / "site"
    done = pmkit(repo.root, "site", "build", "--rev", "HEAD~1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    history = text_of(out / "history.html")
    assert "not in a git repository" not in history
    assert "2 points" in history  # May and June: July is after the revision


def test_a_plain_folder_says_undated_values_are_the_files_of_today(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "p")
    out = tmp_path / "site"
    done = pmkit(tmp_path, "site", "build", "p", "--as-of", "2026-03-31", "-o", str(out))
    assert done.returncode == 0, done.stderr
    dashboard = text_of(out / "index.html")
    assert "Undated values" in dashboard and "later than 2026-03-31" in dashboard
    history = text_of(out / "history.html")
    assert "not in a git repository" in history


def test_a_date_before_the_program_starts_is_refused_by_the_site_too(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "p")
    for command in (["site", "build", "p", "-o", str(tmp_path / "site")], ["site", "export", str(tmp_path / "x"), "p"]):
        done = pmkit(tmp_path, *command, "--as-of", "2025-06-01")
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "2025-06-01 is before the program starts (2026-01-01)" in done.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_the_exported_site_draws_the_history_and_reads_the_revision_in_force(repo: Repo, tmp_path: Path) -> None:
    """`pmkit site export` writes the same pages as the build: its History page was "not
    loaded for this build" in a repository, and a past --as-of read today's files."""
    first = repo.git("rev-parse", "HEAD").strip()
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 90")
    repo.commit("June progress", "2026-06-20T12:00:00+00:00")
    out = tmp_path / "export"
    done = pmkit(repo.root, "site", "export", str(out))
    assert done.returncode == 0, done.stderr
    history = " ".join((out / "docs" / "history.md").read_text(encoding="utf-8").split())
    assert "not loaded" not in history and "2 points" in history
    past = tmp_path / "past"
    done = pmkit(repo.root, "site", "export", str(past), "--as-of", "2026-05-15")
    assert done.returncode == 0, done.stderr
    dashboard = (past / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"Figures from revision {first[:12]} of 2026-05-01" in dashboard
    assert "59.3%" in dashboard and "81.9%" not in dashboard
    assert "1 point." in " ".join((past / "docs" / "history.md").read_text(encoding="utf-8").split())


def test_a_site_for_a_day_whose_revision_does_not_validate_points_at_that_revision(repo: Repo,
                                                                                   tmp_path: Path) -> None:
    broken = broken_in_june(repo)
    done = pmkit(repo.root, "site", "build", "--as-of", "2026-06-20", "-o", str(tmp_path / "site"))
    assert done.returncode == 1
    assert f"`pmkit validate --rev {broken[:12]}`" in done.stderr, done.stderr
