"""The browser tests skip without Chromium, except under CI=true, where they fail."""

from __future__ import annotations

import builtins
import os

import browserhelp
import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browserhelp.shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setattr(browserhelp, "CHROMIUM_DEFAULT", "/nonexistent/chromium")


@pytest.fixture
def no_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "playwright" or name.startswith("playwright."):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_chromium_is_found_on_path_or_at_its_debian_place(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(browserhelp.shutil, "which", lambda name, *a, **k: f"/somewhere/{name}")
    assert browserhelp.chromium_path() == "/somewhere/chromium"
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(browserhelp.shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setattr(browserhelp, "CHROMIUM_DEFAULT", str(exe))
    assert browserhelp.chromium_path() == str(exe)
    exe.chmod(0o644)  # there but not executable
    assert browserhelp.chromium_path() is None


@pytest.mark.usefixtures("no_chromium")
def test_without_chromium_the_tests_skip(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not installed: apt-get install chromium"):
        browserhelp.require_chromium()


@pytest.mark.usefixtures("no_chromium")
def test_without_chromium_the_tests_fail_under_ci(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium not installed: apt-get install chromium"):
        browserhelp.require_chromium()


@pytest.mark.usefixtures("no_playwright")
@pytest.mark.parametrize("ci", [None, "true"])
def test_without_playwright_the_same(monkeypatch: pytest.MonkeyPatch, ci: str | None):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(browserhelp, "chromium_path", lambda: "/usr/bin/chromium")
    expected = pytest.fail.Exception if ci == "true" else pytest.skip.Exception
    with pytest.raises(expected, match="Chromium not installed"):
        browserhelp.require_chromium()
    assert os.environ.get("CI") == ci
