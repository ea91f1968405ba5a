"""Hostile program files and the site (issue 14, items 2 and 3): a tagged
private value is never published; a pipe or a link to a device named
``*.yaml`` neither hangs the build nor eats memory."""

from __future__ import annotations

import os
import signal
import shutil
from pathlib import Path

import pytest
from sitehelp import PRIVATE, build_site, files, read_bytes

from pmkit.app.site.data import load
from pmkit.app.site.privacy import collect
from pmkit.engine.validate import validate_directory

SECRET = "PRIVATE-SENTINEL-tagged-9c1e@example.org"


def _ann(root: Path) -> Path:
    return root / "staff" / "ann.yaml"


@pytest.mark.parametrize("tagged", [f"email:\n  !!int {SECRET}", f"email: !!float {SECRET}",
                                    f"email: !!bool {SECRET}", f"email: !custom {SECRET}",
                                    f"email: !!int\n  {SECRET}"])
def test_tagged_private_value_is_never_quoted(tmp_path: Path, tagged: str):
    root = tmp_path / "program"
    shutil.copytree(PRIVATE, root)
    ann = _ann(root)
    text = ann.read_text()
    line = next(l for l in text.splitlines() if l.startswith("email:"))
    ann.write_text(text.replace(line, tagged))
    result = validate_directory(root)
    assert result.findings and all(SECRET not in f"{f.message} {f.hint}" for f in result.findings)
    data = load(root, use_cache=False)
    assert all(SECRET not in f"{f.message} {f.hint}" for f in data.findings)
    code, output = build_site(root, tmp_path / "public")
    assert code == 1, output
    for path in files(tmp_path / "public"):  # every page, the search index, the sitemap
        assert SECRET not in read_bytes(path).decode("utf-8", "replace"), path


def test_schema_message_on_a_private_field_quotes_nothing(tmp_path: Path):
    root = tmp_path / "program"
    shutil.copytree(PRIVATE, root)
    ann = _ann(root)
    text = ann.read_text()
    line = next(l for l in text.splitlines() if l.startswith("email:"))
    ann.write_text(text.replace(line, "email: PRIVATE-SENTINEL-not-an-address"))
    result = validate_directory(root)
    [finding] = [f for f in result.findings if f.file == "staff/ann.yaml"]
    assert "PRIVATE-SENTINEL" not in finding.message and finding.line == text.splitlines().index(line) + 1


@pytest.fixture()
def deadline():
    """A hang fails the test instead of the run (SIGALRM interrupts the read)."""
    def expired(*_):
        raise TimeoutError("hung on a special file")
    before = signal.signal(signal.SIGALRM, expired)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


def test_special_files_are_not_read_by_the_site(tmp_path: Path, deadline):
    root = tmp_path / "program"
    shutil.copytree(PRIVATE, root)
    os.mkfifo(root / "staff" / "fifo.yaml")  # opening it for reading would wait for a writer
    os.symlink("/dev/zero", root / "staff" / "zero.yaml")  # reading it would never end
    os.symlink("/dev/urandom", root / "staff" / "random.yaml")
    private = collect(root)  # returns: neither waits nor reads without end
    assert "staff/fifo.yaml" not in private.lines and "staff/zero.yaml" not in private.lines
    codes = {(f.file, f.code) for f in validate_directory(root).findings}
    assert ("staff/fifo.yaml", "not-a-file") in codes and ("staff/zero.yaml", "path-outside-program") in codes
    code, output = build_site(root, tmp_path / "public")
    assert code == 1, output


def test_program_yaml_that_is_a_pipe_is_an_error_not_a_hang(tmp_path: Path, deadline):
    from pmkit.app.pipeline import status_date

    root = tmp_path / "program"
    shutil.copytree(PRIVATE, root)
    (root / "program.yaml").unlink()
    os.mkfifo(root / "program.yaml")
    with pytest.raises(OSError):
        status_date(root)


@pytest.mark.parametrize("where", ["program", "parent"])
@pytest.mark.parametrize("make", ["fifo", "zero", "outside"])
def test_mkdocs_yml_that_cannot_be_read_is_a_clear_error(tmp_path: Path, deadline, where: str, make: str):
    """The site's mkdocs.yml is read through the guarded reader like every
    program file: a pipe, a link to the endless zero device or a link out of
    its folder is one clear error (exit 2), never a hang or a silent default."""
    root = tmp_path / "repo" / "program"
    shutil.copytree(PRIVATE, root)
    config = (root if where == "program" else root.parent) / "mkdocs.yml"
    if make == "fifo":
        os.mkfifo(config)
    elif make == "zero":
        os.symlink("/dev/zero", config)
    else:
        (tmp_path / "elsewhere.yml").write_text("site_name: x\nplugins: [pmkit]\n")
        os.symlink(tmp_path / "elsewhere.yml", config)
    code, output = build_site(root, tmp_path / "public")
    assert code == 2, output
    [line] = [l for l in output.splitlines() if l.strip()]
    assert "cannot build the site" in line and "mkdocs.yml" in line, line
    assert ("not a regular file" in line) if make == "fifo" else ("a link to a file outside" in line), line
    assert not (tmp_path / "public").exists()


def test_mkdocs_yml_in_a_repository_root_that_is_a_pipe(tmp_path: Path, deadline):
    """Finding the program in a repository reads the root's mkdocs.yml: a pipe there is an error too."""
    import subprocess

    from click.testing import CliRunner

    from pmkit.app.cli import main

    repo = tmp_path / "repo"
    shutil.copytree(PRIVATE, repo / "program")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    os.mkfifo(repo / "mkdocs.yml")
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(main, ["validate"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2, result.output
    assert "mkdocs.yml" in result.output and "not a regular file" in result.output, result.output
