"""The site for a past date where no pmkit command picks the revision: `pmkit site serve
--as-of D` and a plain `mkdocs build` whose mkdocs.yml sets the plugin's `as_of`. In git
both read the revision in force on D (the last commit on or before it), as `pmkit site
build --as-of` does, and say which; a date before the start of that revision's program is
refused; outside git the working tree is read and the site says undated values are today's."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import Repo
from .test_site_asof_attack import text_of

MKDOCS_YML = """site_name: Past status
docs_dir: docs
use_directory_urls: false
theme:
  name: material
  font: false
plugins:
  - pmkit:
      program: program
      as_of: {as_of}
"""


def text_of_html(source: str) -> str:
    """What a reader sees of a served page's article (as ``text_of`` for a built one)."""
    found = re.search(r"<article.*?</article>", source, re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(0) if found else source)))


@pytest.fixture
def june(repo: Repo) -> tuple[Repo, str]:
    """The May revision (payroll build at 50 %: 59.3 % overall) and a June commit (90 %: 81.9 %)."""
    first = repo.git("rev-parse", "HEAD").strip()
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 90")
    repo.commit("June progress", "2026-06-20T12:00:00+00:00")
    return repo, first


@pytest.fixture
def start_moved(repo: Repo) -> Repo:
    """In May the program was to start on June 1; in July its start was moved back to January 1
    (the working tree's): May 15 is before the start of the revision in force on it."""
    repo.edit("program/program.yaml", "start: 2026-01-01", "start: 2026-06-01")
    repo.commit("start in June", "2026-05-10T12:00:00+00:00")
    repo.edit("program/program.yaml", "start: 2026-06-01", "start: 2026-01-01")
    repo.commit("start moved to January", "2026-07-01T12:00:00+00:00")
    return repo


def mkdocs_build(folder: Path, out: Path, as_of: str) -> subprocess.CompletedProcess[str]:
    """The real `mkdocs build` (no pmkit command) of a site whose mkdocs.yml sets `as_of`."""
    (folder / "mkdocs.yml").write_text(MKDOCS_YML.format(as_of=as_of), encoding="utf-8")
    (folder / "docs").mkdir(exist_ok=True)
    (folder / "docs" / "about.md").write_text("# About\n\nHand-written.\n", encoding="utf-8")
    temp = folder.parent / f"tmp-{folder.name}"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "PMKIT_CACHE_DIR": str(folder.parent / "cache"), "NO_MKDOCS_2_WARNING": "1",
           "TMPDIR": str(temp)}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml"), "-d", str(out)],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr
    assert not list(temp.glob("pmkit-rev-*")), "the exported revision is removed after the build"
    return done


def test_a_plain_mkdocs_build_with_a_past_as_of_reads_the_revision_in_force(june: tuple[Repo, str],
                                                                           tmp_path: Path) -> None:
    repo, first = june
    done = mkdocs_build(repo.root, tmp_path / "site", "2026-05-15")
    assert done.returncode == 0, done.stderr
    said = f"revision {first[:12]} of 2026-05-01, the last commit on or before 2026-05-15"
    assert said in done.stderr  # mkdocs' log names the revision too
    dashboard = text_of(tmp_path / "site" / "index.html")
    assert f"Figures from {said}" in dashboard
    # the May files: (design 10 x 100 + build 30 x 50 + train 5 x 0 + network 8 x 80) / 53 = 59.25 %;
    # the June files (the working tree) would give (1000 + 2700 + 0 + 640) / 53 = 81.9 %
    assert "Progress 59.3%" in dashboard and "81.9%" not in dashboard
    assert "Undated values" not in dashboard
    history = text_of(tmp_path / "site" / "history.html")
    assert "not in a git repository" not in history and "1 point" in history  # the history up to May
    # the same folder outside git: the working tree, and the site says its undated values are today's
    plain = tmp_path / "plain"
    shutil.copytree(repo.root, plain, ignore=shutil.ignore_patterns(".git"))
    done = mkdocs_build(plain, tmp_path / "plain-site", "2026-05-15")
    assert done.returncode == 0, done.stderr
    dashboard = text_of(tmp_path / "plain-site" / "index.html")
    assert "Figures from revision" not in dashboard and "Progress 81.9%" in dashboard
    assert "Undated values" in dashboard and "later than 2026-05-15" in dashboard


def test_a_plain_mkdocs_build_refuses_a_date_before_the_start_of_the_revision_in_force(start_moved: Repo,
                                                                                      tmp_path: Path) -> None:
    done = mkdocs_build(start_moved.root, tmp_path / "site", "2026-05-15")
    assert done.returncode == 1
    assert "2026-05-15 is before the program starts (2026-06-01)" in done.stderr, done.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served_page(cwd: Path, url_path: str, *args: str) -> tuple[str, str]:
    """`pmkit site serve ARGS` for real: the page at ``url_path`` once it is served, and stderr
    after the server is stopped (Ctrl-C)."""
    port = free_port()
    log = cwd.parent / f"serve-{cwd.name}.log"
    env = {**os.environ, "PMKIT_CACHE_DIR": str(cwd.parent / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w", encoding="utf-8") as err:
        server = subprocess.Popen([sys.executable, "-m", "pmkit", "site", "serve", *args, "-a", f"127.0.0.1:{port}"],
                                  cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err, text=True)
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{url_path}", timeout=10) as response:
                        page = response.read().decode("utf-8")
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert server.poll() is None, log.read_text(encoding="utf-8")
                    assert time.monotonic() < deadline, "the site was not served in time"
                    time.sleep(0.5)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return page, log.read_text(encoding="utf-8")


def test_site_serve_with_a_past_date_serves_the_revision_in_force_and_says_so(june: tuple[Repo, str],
                                                                             tmp_path: Path) -> None:
    repo, first = june
    page, stderr = served_page(repo.root, "index.html", "program", "--as-of", "2026-05-15")
    said = f"revision {first[:12]} of 2026-05-01, the last commit on or before 2026-05-15"
    assert f"pmkit site serve: figures from {said}; edits to the program's files in the working tree are " \
           "not shown" in stderr, stderr
    served = text_of_html(page)
    assert f"Figures from {said}" in served
    assert "Progress 59.3%" in served and "81.9%" not in served
    # the same files outside git: the working tree, live, and the site says undated values are today's
    plain = tmp_path / "plain"
    shutil.copytree(repo.root / "program", plain / "program")
    page, stderr = served_page(plain, "index.html", "program", "--as-of", "2026-05-15")
    assert "figures from revision" not in stderr
    served = text_of_html(page)
    assert "Figures from revision" not in served and "Progress 81.9%" in served
    assert "Undated values" in served and "later than 2026-05-15" in served


def test_site_serve_refuses_a_date_before_the_start_of_the_revision_in_force(start_moved: Repo) -> None:
    env = {**os.environ, "PMKIT_CACHE_DIR": str(start_moved.root.parent / "cache")}
    done = subprocess.run([sys.executable, "-m", "pmkit", "site", "serve", "program", "--as-of", "2026-05-15",
                           "-a", f"127.0.0.1:{free_port()}"], cwd=start_moved.root, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "2026-05-15 is before the program starts (2026-06-01)" in done.stderr
    assert "Traceback" not in done.stderr
