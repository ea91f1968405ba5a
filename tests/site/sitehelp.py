"""Helpers and fixtures of the site tests: build a program's site, read it back, parse its HTML.

The fixtures are imported by the test modules that use them (a conftest.py
here would shadow tests/conftest.py, which other tests import as `conftest`).
The fixture programs under tests/fixtures/site-hostile and site-private are
meant for the browser tests too: build them with `pmkit site build DIR -o OUT`.
"""

from __future__ import annotations

import gzip
import html.parser
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmkit.app.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
PROGRAM = REPO / "program"
HOSTILE = FIXTURES / "site-hostile"
PRIVATE = FIXTURES / "site-private"


def build_site(program: Path, out: Path, *args: str) -> tuple[int, str]:
    """``pmkit site build PROGRAM --output OUT``; (exit code, output)."""
    result = CliRunner().invoke(main, ["site", "build", str(program), "--output", str(out), "--no-cache", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def files(root: Path, *suffixes: str) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and (not suffixes or path.name.endswith(suffixes)):
            yield path


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


@dataclass
class Parsed:
    elements: list[Element] = field(default_factory=list)
    text: str = ""  # the visible text, character references decoded

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


class _Parser(html.parser.HTMLParser):
    RAW = {"script", "style", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Parsed()
        self.stack: list[Element] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k.lower(): v for k, v in attrs})
        self.out.elements.append(element)
        if tag not in ("br", "img", "meta", "link", "input", "hr", "source", "path", "rect", "line", "circle"):
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.elements.append(Element(tag, {k.lower(): v for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data
        if not any(e.tag in self.RAW for e in self.stack):
            self.chunks.append(data)


def parse_html(text: str) -> Parsed:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    parser.out.text = " ".join("".join(parser.chunks).split())
    return parser.out


def _built(factory: pytest.TempPathFactory, name: str, program: Path) -> Path:
    out = factory.mktemp(name) / "public"
    code, output = build_site(program, out)
    assert code == 0, output
    return out


@pytest.fixture(scope="session")
def program_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example program's site, built by `pmkit site build program`."""
    return _built(tmp_path_factory, "program-site", PROGRAM)


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory, "hostile-site", HOSTILE)


@pytest.fixture(scope="session")
def private_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory, "private-site", PRIVATE)


@pytest.fixture
def program_copy(tmp_path: Path):
    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target
    return copy
