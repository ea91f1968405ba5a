"""Shared test helpers: copy the minimal program, change a file, validate it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from pmkit.core.findings import Finding
from pmkit.engine.validate import Result, validate_directory

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
REPO = Path(__file__).parent.parent


class ProgramDir:
    """A throwaway copy of a fixture program that a test edits."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, path: str, text: str) -> ProgramDir:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self

    def write_bytes(self, path: str, data: bytes) -> ProgramDir:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return self

    def read(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def replace(self, path: str, old: str, new: str, count: int = 1) -> ProgramDir:
        """Edit a fixture file in place; fails loudly if ``old`` is not there."""
        text = self.read(path)
        assert old in text, f"{old!r} not in {path}"
        (self.root / path).write_text(text.replace(old, new, count), encoding="utf-8")
        return self

    def append(self, path: str, text: str) -> ProgramDir:
        with (self.root / path).open("a", encoding="utf-8") as fh:
            fh.write(textwrap.dedent(text).lstrip("\n"))
        return self

    def remove(self, path: str) -> ProgramDir:
        (self.root / path).unlink()
        return self

    def validate(self, as_of: dt.date | None = None) -> Result:
        return validate_directory(self.root, as_of)

    def line_of(self, path: str, needle: str, occurrence: int = 1) -> int:
        """1-based line number of the n-th line containing ``needle``."""
        seen = 0
        for number, line in enumerate(self.read(path).splitlines(), start=1):
            if needle in line:
                seen += 1
                if seen == occurrence:
                    return number
        raise AssertionError(f"{needle!r} not found in {path}")


@pytest.fixture
def program(tmp_path: Path) -> ProgramDir:
    """A fresh copy of tests/fixtures/minimal (valid under every rule)."""
    root = tmp_path / "program"
    shutil.copytree(MINIMAL, root)
    return ProgramDir(root)


def only(result: Result, code: str) -> list[Finding]:
    """The findings of one code."""
    return [f for f in result.findings if f.code == code]


def codes(result: Result) -> set[str]:
    return {f.code for f in result.findings}


def unavailable(reason: str) -> None:
    """A tool a test needs is missing: skip it, but under CI=true fail it, so
    that a CI run never passes without the browser, hledger or check-jsonschema."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI runs in tests must not read or fill the user's real cache."""
    monkeypatch.setenv("PMKIT_CACHE_DIR", str(tmp_path_factory.mktemp("pmkit-cache")))
    # ... nor the user's cache key (the secret that signs entries)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
