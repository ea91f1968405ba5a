"""A partial (blobless) clone reads old file versions from its promisor remote on demand.
When that remote cannot be reached (offline, no credentials in CI), git cannot read the
revision: that is this run's failure, not the commit's. It must say why, and must not be
kept in the cache as the commit's row (the next run, online, must read it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .conftest import Repo, pmkit


def _partial_clone(repo: Repo, tmp_path: Path) -> tuple[Path, Path]:
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("June", "2026-06-10T12:00:00+00:00")
    repo.edit("program/projects/payroll.yaml", "progress: 60", "progress: 70")
    repo.commit("July", "2026-07-10T12:00:00+00:00")
    server = tmp_path / "server.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(server)], check=True)
    subprocess.run(["git", "-C", str(server), "config", "uploadpack.allowFilter", "true"], check=True)
    clone = tmp_path / "work" / "clone"
    clone.parent.mkdir()
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-local", f"file://{server}", str(clone)],
                   check=True)
    return server, clone


def test_an_unreachable_promisor_remote_is_said_and_not_kept(repo: Repo, tmp_path: Path) -> None:
    server, clone = _partial_clone(repo, tmp_path)
    away = tmp_path / "away.git"
    shutil.move(str(server), str(away))  # offline
    done = pmkit(clone, "history", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert rows[-1]["valid"] is True  # HEAD's files were checked out, so git has them
    old = rows[0]
    assert old["valid"] is False and old["note"].startswith("could not be read"), old
    assert "promisor remote" in old["note"], old
    table = pmkit(clone, "history").stdout
    assert "git could not read" in table and "where the program does not validate" not in table, table
    refused = pmkit(clone, "validate", "--rev", "HEAD~2")
    assert refused.returncode == 2 and "promisor remote" in refused.stderr, refused.stderr
    shutil.move(str(away), str(server))  # online again: the rows are read, not taken from the cache
    rows = json.loads(pmkit(clone, "history", "--format", "json").stdout)["rows"]
    assert all(r["valid"] for r in rows), rows


def test_the_history_page_counts_unread_commits_apart(repo: Repo, tmp_path: Path) -> None:
    from pmkit.app.site.data import load_history

    server, clone = _partial_clone(repo, tmp_path)
    shutil.move(str(server), str(tmp_path / "away.git"))
    data = load_history(clone / "program", use_cache=False, by="commit")
    assert data.unread == 2 and data.invalid == 0, [r["note"] for r in data.rows]
