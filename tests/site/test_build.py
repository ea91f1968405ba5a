"""Real builds: `mkdocs build --strict` of the repository's mkdocs.yml and `pmkit site build`.

The built site must be self-contained: no web font, script or stylesheet
from another host, so it works offline and from a file server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sitehelp import FIXTURES, PROGRAM, REPO, build_site, files, parse_html, read_bytes
from sitehelp import program_copy, program_site  # noqa: F401 (fixtures)

#: Pieces of pages whose references must stay on the site (an <a> may link out).
LOADING = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src", "video": "src",
           "audio": "src", "embed": "src", "object": "data", "track": "src", "image": "href", "use": "href"}
FORBIDDEN_HOSTS = ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "unpkg.com", "cdnjs.cloudflare")
#: Material's JavaScript bundle holds two loaders it runs only when needed:
#: Mermaid for a page with a ``mermaid`` diagram (pmkit never writes one) and a
#: ResizeObserver polyfill for browsers without it. No other URL may appear.
BUNDLE_LOADERS = {"https://unpkg.com/mermaid", "https://unpkg.com/resize-observer-polyfill"}
SITEMAPS = {"sitemap.xml", "sitemap.xml.gz"}


def mkdocs_build(out: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMKIT_CACHE_DIR": str(tmp / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
                           "-d", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def mkdocs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mkdocs-site")
    result = mkdocs_build(tmp / "public", tmp)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return tmp / "public"


def _remote(value: str | None) -> bool:
    value = (value or "").strip().lower()
    return value.startswith(("http:", "https:", "//"))


def assert_self_contained(root: Path) -> None:
    for path in files(root):
        rel = path.relative_to(root).as_posix()
        data = read_bytes(path).decode("utf-8", errors="replace")
        if rel.endswith(".map"):
            continue
        if not (rel.startswith("assets/javascripts/bundle.") and rel.endswith(".js")):
            for host in FORBIDDEN_HOSTS:
                assert host not in data, (rel, host)
        if rel.endswith(".html"):
            for element in parse_html(data).elements:
                attr = LOADING.get(element.tag)
                if attr:
                    assert not _remote(element.attrs.get(attr)), (rel, element)
                    assert not _remote(element.attrs.get("xlink:href")), (rel, element)
                if element.tag == "link":
                    assert not _remote(element.attrs.get("href")), (rel, element)
                assert "mermaid" not in (element.attrs.get("class") or ""), rel
        elif rel.endswith(".css"):
            assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", data), rel
            assert "@import" not in data, rel
        elif rel.endswith(".js"):
            urls = set(re.findall(r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._-]+)?", data))
            loaders = {u for u in urls if any(host in u for host in FORBIDDEN_HOSTS)}
            assert loaders <= BUNDLE_LOADERS, (rel, loaders - BUNDLE_LOADERS)
        elif rel.endswith(".svg"):
            assert not re.search(r"(href|src)\s*=\s*['\"]\s*(https?:)?//", data), rel


def test_mkdocs_build_strict_of_the_repository(mkdocs_site: Path):
    assert (mkdocs_site / "index.html").is_file()
    for project in sorted((PROGRAM / "projects").glob("*.yaml")):
        assert (mkdocs_site / "projects" / f"{project.stem}.html").is_file()
    assert (mkdocs_site / "about.html").is_file()  # the hand-written page in site/
    assert (mkdocs_site / "assets" / "pmkit" / "site.css").is_file()
    assert not (mkdocs_site / "overrides").exists()
    assert_self_contained(mkdocs_site)


def test_pmkit_site_build_builds_the_same_site(mkdocs_site: Path, program_site: Path):
    ours = {p.relative_to(program_site).as_posix() for p in files(program_site)}
    theirs = {p.relative_to(mkdocs_site).as_posix() for p in files(mkdocs_site)}
    assert ours == theirs
    for rel in sorted(ours - SITEMAPS):
        assert (program_site / rel).read_bytes() == (mkdocs_site / rel).read_bytes(), rel
    assert_self_contained(program_site)


def test_the_build_is_deterministic_except_the_sitemap_date(mkdocs_site: Path, tmp_path: Path):
    again = tmp_path / "again"
    result = mkdocs_build(again, tmp_path)
    assert result.returncode == 0, result.stderr
    first = {p.relative_to(mkdocs_site).as_posix(): p for p in files(mkdocs_site)}
    second = {p.relative_to(again).as_posix(): p for p in files(again)}
    assert first.keys() == second.keys()
    for rel in sorted(first.keys() - SITEMAPS):
        assert first[rel].read_bytes() == second[rel].read_bytes(), rel
    strip = re.compile(rb"<lastmod>[^<]*</lastmod>")
    assert strip.sub(b"", read_bytes(first["sitemap.xml.gz"])) == strip.sub(b"", read_bytes(second["sitemap.xml.gz"]))


def test_the_navigation_lists_index_pages_only(program_site: Path):
    page = parse_html((program_site / "index.html").read_text(encoding="utf-8"))
    links = {e.attrs.get("href") for e in page.elements
             if e.tag == "a" and "md-nav__link" in (e.attrs.get("class") or "")}
    assert {"projects/index.html", "budget.html", "timeline.html", "data-quality.html", "about.html"} <= links
    assert not [link for link in links if link and re.match(r"(projects|teams|reports)/(?!index)", link)]


def test_a_project_page_shows_its_figures(program_site: Path):
    page = parse_html((program_site / "projects" / "erp-replacement.html").read_text(encoding="utf-8"))
    assert "ERP replacement (finance, HR and payroll)" in page.text
    assert "Payroll parallel run 1 reconciled" in page.text
    assert "$6,330,000.00" in page.text  # its current budget
    images = {e.attrs["src"] for e in page.all("img")}
    assert "../charts/projects/erp-replacement-timeline.svg" in images
    assert (program_site / "charts" / "projects" / "erp-replacement-timeline.svg").is_file()


def test_without_mkdocs_yml_the_default_pages_are_used(tmp_path: Path):
    code, output = build_site(FIXTURES / "minimal", tmp_path / "out")
    assert code == 0, output
    assert (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "projects" / "payroll.html").is_file()
    about = (tmp_path / "out" / "about.html").read_text(encoding="utf-8")
    assert "generated by" in about and "Department of Revenue" not in about
    assert_self_contained(tmp_path / "out")


def test_as_of_changes_the_figures(tmp_path: Path):
    code, _ = build_site(FIXTURES / "minimal", tmp_path / "later", "--as-of", "2026-12-31")
    assert code == 0
    assert "Status as of 2026-12-31" in (tmp_path / "later" / "index.html").read_text(encoding="utf-8")


def test_validation_errors_still_build_the_site(program_copy, tmp_path: Path):
    root = program_copy(FIXTURES / "minimal")
    path = root / "projects" / "payroll.yaml"
    path.write_text(path.read_text().replace("owner: ann", "owner: nobody"))
    code, output = build_site(root, tmp_path / "out")
    assert code == 1 and "validation error" in output
    dashboard = parse_html((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    assert "Figures unavailable until the errors are fixed" in dashboard.text
    quality = parse_html((tmp_path / "out" / "data-quality.html").read_text(encoding="utf-8"))
    assert "unknown-reference" in quality.text and "projects/payroll.yaml:" in quality.text


def test_the_plugin_watches_the_program_and_sets_the_nav():
    from mkdocs.config import load_config

    config = load_config(config_file=str(REPO / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    assert str((REPO / "program").resolve()) in config.watch
    assert config.nav[0] == {"Dashboard": "index.md"} and "about.md" in config.nav
    assert config.plugins["pmkit"].on_startup is not None  # kept across `mkdocs serve` rebuilds


def test_make_demo_builds_the_site():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/pmkit site build program --output public" in demo
    assert "/public/" in (REPO / ".gitignore").read_text(encoding="utf-8").split()


def test_the_checker_catches_a_remote_reference(tmp_path: Path):
    (tmp_path / "index.html").write_text('<script src="https://cdn.example.org/x.js"></script>')
    with pytest.raises(AssertionError):
        assert_self_contained(tmp_path)
    (tmp_path / "index.html").write_text('<a href="https://example.org">a plain link is fine</a>')
    (tmp_path / "site.css").write_text("body { background: url(//fonts.example.org/x.png) }")
    with pytest.raises(AssertionError):
        assert_self_contained(tmp_path)


@pytest.mark.slow
def test_the_wheel_ships_the_site_and_registers_the_plugin(tmp_path: Path):
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("pmkit_planning-*.whl")
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for shipped in ("pmkit/app/site/assets/site.css", "pmkit/app/site/default/docs/about.md",
                    "pmkit/app/site/default/docs/stylesheets/pmkit.css", "pmkit/app/site/default/overrides/main.html",
                    "pmkit/app/templates/site/index.md.j2", "pmkit/app/templates/site/projects/project.md.j2"):
        assert shipped in names, shipped
    entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "[mkdocs.plugins]" in entry_points and "pmkit = pmkit.app.site.plugin:PmkitPlugin" in entry_points
    metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Dist: mkdocs-material" in metadata
