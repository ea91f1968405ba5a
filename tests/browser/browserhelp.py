"""Helpers and fixtures of the browser tests: build a site, serve it, drive Chromium.

The site is opened in Debian's Chromium (``apt-get install chromium``) through
the ``playwright`` package from PyPI, without ``playwright install``: the
browser is started from its path. Without Chromium or playwright the tests are
skipped, except under CI=true, where they fail (.ci/run installs Chromium).

The fixtures are imported by the test modules that use them: a conftest.py
here would shadow tests/conftest.py, which other tests import as `conftest`.
Session fixtures imported into two modules run once per module (the
browser fixture shares one Chromium between them).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from conftest import unavailable as skip_or_fail
from pmkit.app.cli import main

REPO = Path(__file__).resolve().parents[2]
PROGRAM = REPO / "program"
FIXTURES = REPO / "tests" / "fixtures"
HOSTILE = FIXTURES / "site-hostile"

MISSING = "Chromium not installed: apt-get install chromium"
CHROMIUM_DEFAULT = "/usr/bin/chromium"
#: Headless, as root in a container, and nothing that calls out: without the
#: background-networking flags Chromium tries Google's hosts at every start and
#: the closed network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
HOST = "127.0.0.1"


def chromium_path() -> str | None:
    """The Chromium executable: ``chromium`` on PATH, else /usr/bin/chromium, else None."""
    found = shutil.which("chromium")
    if found:
        return found
    return CHROMIUM_DEFAULT if os.access(CHROMIUM_DEFAULT, os.X_OK) else None


def unavailable(reason: str = MISSING) -> None:
    """Skip the test; under CI=true fail it instead, so a CI run never passes without a browser."""
    skip_or_fail(reason)


def require_chromium() -> str:
    """The Chromium path and the playwright package, or skip / fail (see :func:`unavailable`)."""
    path = chromium_path()
    if path is None:
        unavailable()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable(f"{MISSING} (and pip install the `test` extra for playwright)")
    return path  # type: ignore[return-value]


# ---------------------------------------------------------------- building and serving


def build_site(program: Path, out: Path) -> Path:
    """``pmkit site build PROGRAM --output OUT``."""
    result = CliRunner().invoke(main, ["site", "build", str(program), "--output", str(out), "--no-cache"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return out


def html_pages(root: Path) -> list[str]:
    """Every .html file of a built site, as a path relative to its root."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Served:
    root: Path
    url: str  # http://127.0.0.1:PORT/

    def page_url(self, rel: str) -> str:
        return self.url + rel


@functools.cache
def _handler(root: str) -> Callable[..., http.server.SimpleHTTPRequestHandler]:
    return functools.partial(_Quiet, directory=root)


def serve(root: Path) -> Iterator[Served]:
    """Serve a folder on 127.0.0.1 (a free port) from a background thread while iterating."""
    server = http.server.ThreadingHTTPServer((HOST, 0), _handler(str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root}", daemon=True)
    thread.start()
    try:
        yield Served(root, f"http://{HOST}:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ---------------------------------------------------------------- watching a page load


def local(url: str) -> bool:
    """True for a URL on the test server's host (or one that loads nothing from a host)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == HOST


@dataclass
class Problems:
    """What went wrong while a page loaded; every list empty means a clean load."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # requestfailed, or a response >= 400
    foreign: list[str] = field(default_factory=list)  # requests to another host (aborted)
    requests: list[str] = field(default_factory=list)

    def bad(self) -> dict[str, list[str]]:
        found = {"console errors": self.console_errors, "page errors": self.page_errors,
                 "failed requests": self.failed, "requests to other hosts": self.foreign}
        return {k: v for k, v in found.items() if v}


class Watcher:
    """Records, for one browser context, what each page load did wrong.

    Every request URL is recorded; any request not to 127.0.0.1 is aborted by a
    route on ``**/*`` and counted. Listeners sit on the context, so requests of
    workers (Material's search) are seen too.
    """

    def __init__(self, context: Any) -> None:
        self.context = context
        self.current = Problems()
        self.in_flight = 0
        context.route("**/*", self._route)
        context.on("request", self._request)
        context.on("requestfinished", self._finished)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda e: self.current.page_errors.append(str(e.error)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if local(url):
            route.continue_()
        else:
            self.current.foreign.append(url)
            route.abort("blockedbyclient")

    def _request(self, request: Any) -> None:
        self.in_flight += 1
        self.current.requests.append(request.url)

    def _finished(self, request: Any) -> None:
        self.in_flight -= 1

    def _failed(self, request: Any) -> None:
        self.in_flight -= 1
        self.current.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.current.failed.append(f"{response.url}: HTTP {response.status}")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location or {}
            self.current.console_errors.append(f"{message.text} ({where.get('url', '')})")

    def open(self, page: Any, url: str, quiet_ms: int = 150) -> Problems:
        """Load ``url`` in ``page``, then wait until no request has been in flight
        for ``quiet_ms`` (Playwright's networkidle waits 500 ms: too slow for every
        page); what went wrong meanwhile."""
        self.current = Problems()
        page.goto(url, wait_until="load")
        quiet = 0
        for _ in range(200):  # 10 s at most
            quiet = quiet + 25 if self.in_flight <= 0 else 0
            if quiet >= quiet_ms:
                break
            page.wait_for_timeout(25)
        else:
            self.current.failed.append(f"{url}: requests still in flight after 10 s")
        return self.current


# ---------------------------------------------------------------- fixtures


#: One Chromium for the whole run: Playwright's sync API cannot run twice at
#: once, and a session fixture imported into two modules is set up once per module.
_shared: dict[str, Any] = {"users": 0}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium, headless, started from the system's executable (one per run)."""
    path = require_chromium()
    if not _shared["users"]:
        from playwright.sync_api import sync_playwright

        driver = sync_playwright().start()
        try:
            _shared["browser"] = driver.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            driver.stop()
            raise
        _shared["driver"] = driver
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if not _shared["users"]:
            _shared.pop("browser").close()
            _shared.pop("driver").stop()


@pytest.fixture(scope="session")
def program_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The example program's site, built once and served on 127.0.0.1."""
    require_chromium()  # no build when the tests will not run
    out = build_site(PROGRAM, tmp_path_factory.mktemp("browser-program") / "public")
    yield from serve(out)


@pytest.fixture(scope="session")
def hostile_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """tests/fixtures/site-hostile's site, built once and served on 127.0.0.1."""
    require_chromium()
    out = build_site(HOSTILE, tmp_path_factory.mktemp("browser-hostile") / "public")
    yield from serve(out)
