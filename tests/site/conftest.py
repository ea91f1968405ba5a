"""Fixtures of the site tests: each fixture program's site, built once per session.

The fixture programs under tests/fixtures/site-hostile and site-private are
meant for the browser tests too: build them with `pmkit site build DIR -o OUT`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sitehelp import HOSTILE, PRIVATE, PROGRAM, build_site


@pytest.fixture(scope="session")
def program_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example program's site, built by `pmkit site build program`."""
    out = tmp_path_factory.mktemp("program-site") / "public"
    code, output = build_site(PROGRAM, out)
    assert code == 0, output
    return out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-site") / "public"
    code, output = build_site(HOSTILE, out)
    assert code == 0, output
    return out


@pytest.fixture(scope="session")
def private_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("private-site") / "public"
    code, output = build_site(PRIVATE, out)
    assert code == 0, output
    return out


@pytest.fixture
def program_copy(tmp_path: Path):
    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target
    return copy
