"""`pmkit site export DIR`: the site as plain Markdown and SVG, built by a real MkDocs 1.x
(and by Zensical when it is installed), with no pmkit plugin in the configuration."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pmkit.app.cli import main
from pmkit.app.site.data import load
from pmkit.app.site.pages import site_paths
from sitehelp import PROGRAM

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "status"
    result = CliRunner().invoke(main, ["site", "export", str(out), str(PROGRAM), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "Exported the status site" in result.output
    return out


def _html(site: Path, page: str) -> str:
    return (site / page.replace(".md", ".html")).read_text(encoding="utf-8")


def test_the_export_holds_every_page_and_chart_and_no_plugin(exported: Path):
    config = yaml.safe_load((exported / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["plugins"] == ["search"]  # no pmkit plugin: any engine reading mkdocs.yml builds it
    data = load(PROGRAM)
    assert data.model is not None
    for path in site_paths(data.model):
        assert (exported / "docs" / path).is_file(), path
    assert (exported / "docs" / "charts" / "timeline.svg").read_text().startswith("<svg")


def test_mkdocs_1_builds_the_export_strictly(exported: Path, tmp_path: Path):
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(exported / "mkdocs.yml"),
                           "-d", str(site)], capture_output=True, text=True, env=ENV, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = load(PROGRAM)
    assert data.model is not None and data.document is not None
    for path in site_paths(data.model):
        target = site / (path.replace(".md", ".html") if path.endswith(".md") else path)
        assert target.is_file(), path
    # what a reader sees: the dashboard's figures, its charts and the project rows
    index = _html(site, "index.md")
    assert "Projects red or amber" in index and 'src="charts/progress.svg"' in index
    assert "MyRevenue citizen portal" in index and "pmkit-rag-red" in index
    assert "stylesheets/pmkit-site.css" in index
    assert "Figures as of 2026-09-30" in _html(site, "reports/2026-09.md")


def test_an_export_never_overwrites_a_folder_of_other_files(tmp_path: Path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.md").write_text("mine\n")
    result = CliRunner().invoke(main, ["site", "export", str(mine), str(PROGRAM)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert sorted(p.name for p in mine.iterdir()) == ["keep.md"]


def test_a_second_export_replaces_the_first(exported: Path, tmp_path: Path):
    again = tmp_path / "again"
    shutil.copytree(exported, again)
    (again / "docs" / "stale.md").write_text("old\n")
    result = CliRunner().invoke(main, ["site", "export", str(again), str(PROGRAM)])
    assert result.exit_code == 0, result.output
    assert not (again / "docs" / "stale.md").exists()
    assert (again / "docs" / "index.md").read_text() == (exported / "docs" / "index.md").read_text()


def test_zensical_builds_the_export(exported: Path, tmp_path: Path):
    """Zensical reads mkdocs.yml as it is; skipped where it is not installed (pip install zensical)."""
    zensical = shutil.which("zensical") or str(Path(sys.executable).parent / "zensical")
    if not Path(zensical).exists():
        pytest.skip("Zensical is not installed: pip install zensical")
    work = tmp_path / "z"
    shutil.copytree(exported, work)
    done = subprocess.run([zensical, "build", "-f", str(work / "mkdocs.yml")], capture_output=True, text=True,
                          cwd=work, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    site = work / "site"
    index = _html(site, "index.md")
    assert "Projects red or amber" in index and re.search(r'src="(\./)?charts/progress\.svg"', index)
    assert (site / "charts" / "timeline.svg").is_file()
    assert "MyRevenue citizen portal" in _html(site, "projects/citizen-portal.md")
