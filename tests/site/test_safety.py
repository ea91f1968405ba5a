"""Hostile text from YAML is shown, never run.

tests/fixtures/site-hostile is a valid program with script tags, event
handlers, javascript:/data: links, Markdown links, raw HTML, table pipes,
emphasis, attribute lists and Jinja syntax in every text field, and hostile
URLs in the rules. The built site must run none of it and show all of it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from sitehelp import HOSTILE, files, hostile_site, parse_html  # noqa: F401 (fixtures)

from pmkit.app.site.data import load

BAD_SCHEMES = re.compile(r"^(javascript|data|vbscript|file):", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "xlink:href", "background", "srcset", "data")
PAYLOAD = ('<script>alert(1)</script><img src=x onerror=alert(1)> [click](javascript:alert(1)) '
           '<a href="javascript:alert(1)">link</a> | pipes | **bold** _em_ `code` {{ 7*7 }} '
           '{% if true %}JINJA{% endif %} {: onclick="alert(1)" } ![img](x.png) <!-- c --> &amp; # not a heading')
#: Every field the site publishes, by the tag its text starts with in the fixture.
PUBLISHED = [
    "H-program-name", "H-goal line one", "H-goal-end", "H-sponsor", "H-objective-title", "H-objective-metric",
    "H-unit", "H-project-name", "H-project-summary", "H-department", "H-milestone-title", "H-task-title",
    "H-team-name", "H-team-department", "H-team-purpose", "H-person-name", "H-person-role", "H-vendor-name",
    "H-contract-scope", "H-position-title", "H-rule-title", "H-rule-authority", "H-rule-summary", "H-risk-title",
    "H-escalated-to", "H-issue-title", "H-resolution", "H-report-summary", "H-report-done", "H-report-next",
    "H-report-blocker", "H-funding-name", "H-transfer-reason", "1. H-ordered", "- H-dash-start", "# H-hash-team",
    "+ H-plus-role",
]


def _clean(value: str | None) -> str:
    return re.sub(r"[\x00-\x20]", "", value or "")


def _script_shape(page) -> list[tuple[str, str, str]]:
    shape = []
    for script in page.all("script"):
        src = re.sub(r"^(\.\./)+|^/", "", script.attrs.get("src") or "")
        shape.append((script.attrs.get("type") or "", script.attrs.get("id") or "", src))
    return shape


def test_the_fixture_program_is_valid():
    data = load(HOSTILE, use_cache=False)
    assert data.errors == 0 and data.model is not None, data.findings


def test_no_markup_from_yaml_in_any_page(hostile_site: Path):
    reference = _script_shape(parse_html((hostile_site / "about.html").read_text(encoding="utf-8")))
    assert reference and any(src.startswith("assets/javascripts/bundle.") for _, _, src in reference)
    pages = list(files(hostile_site, ".html"))
    assert len(pages) > 15
    for path in pages:
        rel = path.relative_to(hostile_site).as_posix()
        page = parse_html(path.read_text(encoding="utf-8"))
        # only Material's own scripts: the same ones as on the hand-written page
        assert _script_shape(page) == reference, rel
        for script in page.all("script"):
            assert "alert" not in script.text and "H-" not in script.text, rel
        for element in page.elements:
            events = [name for name in element.attrs if name.startswith("on")]
            assert not events, (rel, element)
            for name in URL_ATTRIBUTES:
                assert not BAD_SCHEMES.match(_clean(element.attrs.get(name))), (rel, element)
            assert element.tag not in ("iframe", "object", "embed", "base", "frame"), (rel, element)
            if element.tag == "img":
                assert element.attrs.get("src") != "x", (rel, element)
        # text from YAML never became markup
        for tag, text in (("strong", "bold"), ("em", "em"), ("a", "click"), ("a", "link"), ("code", "code")):
            assert not [e for e in page.all(tag) if e.text.strip() == text], (rel, tag)
        # Jinja syntax from YAML is not evaluated (the payload also holds {{ 7*7 }})
        assert "JINJA" not in page.text.replace("{% if true %}JINJA{% endif %}", ""), rel


def test_the_text_is_shown_as_typed(hostile_site: Path):
    text = " ".join(parse_html(p.read_text(encoding="utf-8")).text for p in files(hostile_site, ".html"))
    for tag in PUBLISHED:
        assert tag in text, tag
    project = parse_html((hostile_site / "projects" / "payroll.html").read_text(encoding="utf-8"))
    assert f"H-project-name {PAYLOAD}" in project.text
    assert f"H-task-title {PAYLOAD}" in project.text
    headings = [e.text.strip() for e in project.elements if e.tag == "h1"]
    assert headings == [f"H-project-name {PAYLOAD}"]
    title = project.all("title")[0].text
    assert title.startswith("H-project-name <script>alert(1)</script>")  # as text: <title> holds no markup


def test_newlines_and_block_syntax_in_text_are_folded(hostile_site: Path):
    page = parse_html((hostile_site / "index.html").read_text(encoding="utf-8"))
    assert 'H-goal line one <script>alert("goal")</script> - not a list # not a heading not code' in page.text
    assert not [e for e in page.elements if e.tag in ("ul", "ol") and "not a list" in e.text]
    assert not [e for e in page.elements if e.tag == "pre" and "not code" in e.text]
    team = parse_html((hostile_site / "teams" / "ops.html").read_text(encoding="utf-8"))
    assert [e.text.strip() for e in team.all("h1")] == ["# H-hash-team"]
    infra = parse_html((hostile_site / "projects" / "infra.html").read_text(encoding="utf-8"))
    assert not [e for e in infra.elements if e.tag == "ol" and "H-ordered" in e.text]
    assert "1. H-ordered <script>alert(2)</script>" in infra.text


def test_only_http_urls_are_links(hostile_site: Path):
    page = parse_html((hostile_site / "compliance.html").read_text(encoding="utf-8"))
    hrefs = [e.attrs.get("href") or "" for e in page.all("a")]
    outside = [h for h in hrefs if h.startswith(("http:", "https:"))]
    assert outside == ["https://example.org/a?x=%22%3E%3Cscript%3Ealert%281%29%3C/script%3E"] * 2
    for shown in ("javascript:alert(1)", "JaVaScRiPt:alert(document.domain)", "vbscript:msgbox(1)",
                  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="):
        assert shown in page.text  # shown as text, not linked


def test_charts_hold_no_script_or_handler(hostile_site: Path):
    charts = list(files(hostile_site, ".svg"))
    assert len(charts) > 5
    for path in charts:
        root = ET.fromstring(path.read_text(encoding="utf-8"))
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject", "iframe"), path.name
            for name, value in element.attrib.items():
                local = name.rsplit("}", 1)[-1]
                assert not local.lower().startswith("on"), (path.name, name)
                if local in ("href", "src"):
                    assert not BAD_SCHEMES.match(_clean(value)) and not value.startswith(("http", "//")), path.name


def test_the_search_index_holds_no_markup_from_yaml(hostile_site: Path):
    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for field in ("title", "text"):
            page = parse_html(doc.get(field) or "")
            assert not page.all("script") and not page.all("img") and not page.all("iframe"), doc["location"]
            assert not [e for e in page.elements if any(a.startswith("on") for a in e.attrs)], doc["location"]
            assert not [e for e in page.all("a") if BAD_SCHEMES.match(_clean(e.attrs.get("href")))]
