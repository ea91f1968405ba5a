"""A user's own git configuration must not change what pmkit reads from git's output:
a team that signs its commits and sets `log.showSignature` (git then prints each
signature's check among the log's lines)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import Repo, pmkit


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen to sign a commit")
def test_signed_commits_with_log_show_signature(repo: Repo) -> None:
    key = repo.root.parent / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    allowed = repo.root.parent / "allowed"
    allowed.write_text(f"ann@example.org {key.with_suffix('.pub').read_text()}", encoding="utf-8")
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key.with_suffix(".pub"))),
                        ("gpg.ssh.allowedSignersFile", str(allowed)), ("commit.gpgsign", "true")):
        repo.git("config", name, value)
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("signed", "2026-06-10T12:00:00+00:00")
    repo.git("config", "log.showSignature", "true")
    assert "signature" in repo.git("log", "-1")  # git does print it
    done = pmkit(repo.root, "history", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [r["subject"] for r in rows] == ["first", "signed"]
    baselines = pmkit(repo.root, "history", "--baselines", "--since", "HEAD~1")
    assert baselines.returncode == 0, baselines.stderr
    as_of = pmkit(repo.root, "rollup", "--as-of", "2026-06-15")
    assert as_of.returncode == 0, as_of.stderr
    assert json.loads(as_of.stdout)["provenance"]["revision_date"] == "2026-06-10"
    status = pmkit(repo.root, "status", "--rev", "HEAD~1")
    assert status.returncode == 0, status.stderr


def test_a_program_folder_written_dot_slash_in_mkdocs_yml(repo: Repo) -> None:
    """`program: ./program/` in mkdocs.yml is the same folder as `program`: annotation paths
    must be the repository's (GitHub places `file=./program/...` nowhere), and
    --changed-since must know the touched file (it compared `./program/x` with `program/x`
    and hid the finding of the file the change touched)."""
    repo.write("mkdocs.yml", "site_name: T\nplugins:\n  - pmkit:\n      program: ./program/\n")
    repo.edit("program/projects/payroll.yaml", "departments: [Finance]", "departments: [Finance]\nfoo: 1")
    base = repo.commit("an old mistake")
    repo.edit("program/projects/payroll.yaml", "progress: 50", "progress: 55")  # touched: its finding is shown
    done = pmkit(repo.root, "validate", "--format", "github")
    assert "file=program/projects/payroll.yaml," in done.stdout, done.stdout
    changed = pmkit(repo.root, "validate", "--changed-since", base, "--format", "json")
    assert [f["file"] for f in json.loads(changed.stdout)["findings"]] == ["program/projects/payroll.yaml"]
    assert "using the program in program/ (from mkdocs.yml)" in changed.stderr


def test_a_program_folder_that_is_a_committed_link(tmp_path) -> None:
    """`program -> plans/fy27` (a link to this year's plan, committed): the working tree
    reads through it, so must --rev, diff and --as-of (they said "program is a file", or
    read today's files for a past date), with the paths git and GitHub know."""
    import os

    from .conftest import MINIMAL

    repo = Repo(tmp_path / "repo")
    shutil.copytree(MINIMAL, repo.root / "plans" / "fy27")
    os.symlink("plans/fy27", repo.root / "program")
    repo.commit("the plan", "2026-05-01T12:00:00+00:00")
    repo.edit("plans/fy27/projects/payroll.yaml", "progress: 50", "progress: 60")
    repo.commit("June", "2026-06-10T12:00:00+00:00")
    rev = pmkit(repo.root, "validate", "--rev", "HEAD~1", "--format", "json")
    assert rev.returncode == 0, rev.stderr
    diff = pmkit(repo.root, "diff", "HEAD~1", "HEAD", "--format", "json")
    assert diff.returncode == 0, diff.stderr
    assert [r["file"] for r in json.loads(diff.stdout)["records"]] == ["plans/fy27/projects/payroll.yaml"]
    past = pmkit(repo.root, "rollup", "--as-of", "2026-05-15")
    assert past.returncode == 0, past.stderr
    assert json.loads(past.stdout)["provenance"]["revision_date"] == "2026-05-01"
    repo.edit("plans/fy27/projects/payroll.yaml", "departments: [Finance]", "departments: [Finance]\nfoo: 1")
    changed = pmkit(repo.root, "validate", "--changed-since", "HEAD", "--format", "github")
    assert changed.stdout.startswith("::error file=plans/fy27/projects/payroll.yaml,"), changed.stdout
