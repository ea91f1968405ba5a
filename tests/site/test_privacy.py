"""Private fields never reach the built site.

tests/fixtures/site-private holds a sentinel in every field the schemas mark
``x-pmkit-private`` (found here through :func:`pmkit.ingest.schema.private_paths`,
so a field marked later is covered as soon as the fixture fills it in; the
coverage test fails until it does). The whole site is built and every file
searched: HTML, the search index, the sitemap, SVG charts, CSS and JS.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sitehelp import PRIVATE, build_site, files, private_site, read_bytes  # noqa: F401 (fixtures)

from pmkit.core.kinds import KINDS, kind_of
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.schema import private_paths
from pmkit.app.site.data import load
from pmkit.app.site.pages import render_site

TOKEN = "PRIVATE-SENTINEL"


def _values(node: Any, path: tuple[str, ...]) -> list[Any]:
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    if head == "*":
        return [v for item in (node if isinstance(node, list) else []) for v in _values(item, rest)]
    return _values(node[head], rest) if isinstance(node, dict) and head in node else []


def planted(root: Path) -> dict[tuple[str, tuple[str, ...]], list[Any]]:
    """(kind, private path) -> the values the fixture holds there."""
    found: dict[tuple[str, tuple[str, ...]], list[Any]] = {
        (kind.name, path): [] for kind in KINDS for path in private_paths(kind)}
    for file in sorted(root.rglob("*.yaml")):
        rel = file.relative_to(root).as_posix()
        kind = kind_of(rel)
        if kind is None:
            continue
        data = parse(rel, file.read_bytes()).value
        for path in private_paths(kind):
            found[(kind.name, path)].extend(_values(data, path))
    return found


def forms(value: Any) -> set[str]:
    """The ways a private value could be written on a page."""
    text = str(value)
    shown = {text}
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        amount = Decimal(value)
        shown |= {f"{amount:,}", f"{amount:,.2f}", f"{amount:.2f}", f"{amount:f}"}
    return {s for s in shown if len(s) >= 5}


def test_the_schemas_mark_private_fields():
    marked = {(k.name, p) for k in KINDS for p in private_paths(k)}
    assert ("staff", ("email",)) in marked and ("staff", ("rate",)) in marked
    assert ("vendor", ("contact",)) in marked
    assert {("position", ("candidates", "*", f)) for f in ("name", "resume")} <= marked
    assert ("position", ("candidates", "*", "interviews", "*", "notes")) in marked


def test_the_fixture_plants_a_sentinel_in_every_private_field():
    for (kind, path), values in planted(PRIVATE).items():
        assert values, f"tests/fixtures/site-private has no value for private {kind} field {'.'.join(path)}"
        for value in values:
            assert TOKEN in str(value) or (isinstance(value, Decimal) and value >= 700000), (kind, path, value)


def test_the_fixture_program_is_valid():
    data = load(PRIVATE, use_cache=False)
    assert data.errors == 0 and data.model is not None


def _assert_absent(root: Path, sentinels: set[str]) -> int:
    searched = 0
    for path in files(root):
        data = read_bytes(path).decode("utf-8", errors="replace")
        searched += 1
        for sentinel in sentinels:
            assert sentinel not in data, (path.relative_to(root).as_posix(), sentinel)
    return searched


def _sentinels(root: Path) -> set[str]:
    shown = {TOKEN}
    for values in planted(root).values():
        for value in values:
            shown |= forms(value)
    return shown


def test_no_private_value_in_the_built_site(private_site: Path):
    sentinels = _sentinels(PRIVATE)
    assert "987654.32" in sentinels and "987,654.32" in sentinels
    searched = _assert_absent(private_site, sentinels)
    suffixes = {p.suffix for p in files(private_site)}
    assert {".html", ".json", ".svg", ".xml", ".gz", ".css", ".js"} <= suffixes and searched > 20


def test_no_private_value_in_the_rendered_pages():
    data = load(PRIVATE, use_cache=False)
    pages = render_site(data.model, data.document, data.findings, data.as_of)
    everything = "\n".join(pages.values())
    for sentinel in _sentinels(PRIVATE):
        assert sentinel not in everything


def test_findings_about_private_fields_are_not_published(tmp_path: Path):
    """A finding may quote the value it is about; the data-quality page must not."""
    root = tmp_path / "program"
    shutil.copytree(PRIVATE, root)
    ann = root / "staff" / "ann.yaml"
    ann.write_text(ann.read_text()
                   .replace("email: PRIVATE-SENTINEL-email-7f3a@example.org", "email: PRIVATE-SENTINEL-not-an-email")
                   .replace("rate: 987654.32", "rate: 987654.325"))
    vendor = root / "vendors" / "acme.yaml"
    vendor.write_text(vendor.read_text().replace("contact: PRIVATE-SENTINEL-contact-7f3a, +1 555 0199",
                                                 "contact: [PRIVATE-SENTINEL-contact-list]"))
    data = load(root, use_cache=False)
    assert data.errors >= 3
    code, output = build_site(root, tmp_path / "public")
    assert code == 1, output
    _assert_absent(tmp_path / "public", _sentinels(root) | {"987654.325", TOKEN})
    quality = (tmp_path / "public" / "data-quality.html").read_text(encoding="utf-8")
    assert "staff/ann.yaml" in quality and "vendors/acme.yaml" in quality


@pytest.mark.parametrize("text", ["a bad value PRIVATE-SENTINEL-x", "rate 987654.325 has more digits"])
def test_redaction_of_a_quoted_private_value(tmp_path: Path, text: str):
    from pmkit.core.findings import Finding
    from pmkit.app.site.privacy import collect, redact

    root = tmp_path / "p"
    (root / "staff").mkdir(parents=True)
    (root / "staff" / "x.yaml").write_text("name: X\nemail: PRIVATE-SENTINEL-x\nrate: 987654.325\n")
    finding = Finding("other.yaml", 9, 1, "some-code", text, hint=f"hint: {text}")
    [out] = redact([finding], collect(root))
    assert "PRIVATE-SENTINEL" not in out.message and "987654.325" not in out.message
    assert "PRIVATE-SENTINEL" not in (out.hint or "") and "[private]" in out.message
    on_the_line = Finding("staff/x.yaml", 2, 8, "invalid-value", "short")
    [withheld] = redact([on_the_line], collect(root))
    assert withheld.message != "short" and withheld.hint is None


@pytest.mark.parametrize("seed", range(5))
def test_scrubbing_with_the_values_found_equals_scrubbing_with_every_value(seed: int, monkeypatch):
    """``redact`` compiles a pattern of only the private values its texts hold
    (an alternation of thousands took most of a second); above SCAN_BOUND it
    compiles them all. Both give what one pattern of every value gives,
    overlapping values included."""
    import random
    import re

    from pmkit.app.site import privacy
    from pmkit.core.findings import Finding

    rnd = random.Random(seed)
    alphabet = "ab1.-"
    values = {"".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 6))) for _ in range(300)}
    texts = ["".join(rnd.choice(alphabet + " x") for _ in range(rnd.randint(0, 40))) for _ in range(60)]
    found = [Finding(f"f{i}.yaml", i + 1, 1, "some-code", text, hint=text[::-1] or None)
             for i, text in enumerate(texts)]
    private = privacy.PrivateData(values, {})
    every = sorted((v for v in values if len(v) >= privacy.MIN_LENGTH), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, every)))
    expected = [(pattern.sub(privacy.REDACTED, f.message), f.hint and pattern.sub(privacy.REDACTED, f.hint))
                for f in found]
    assert any(message != f.message for (message, _), f in zip(expected, found))  # something is scrubbed
    assert [(f.message, f.hint) for f in privacy.redact(found, private)] == expected
    monkeypatch.setattr(privacy, "SCAN_BOUND", 0)  # every value compiled, none looked for first
    assert [(f.message, f.hint) for f in privacy.redact(found, private)] == expected
