"""The site's one page table (pages.PAGES): each row's render function writes
exactly the page, charts and per-item pages the row declares, so the
navigation, the render units and the paths announced to MkDocs (all read
from the table) cannot drift apart."""

from __future__ import annotations

from pmkit.app.site import pages
from pmkit.app.site.data import load
from sitehelp import PROGRAM  # noqa: F401 (fixtures)


def test_each_page_writes_what_its_row_declares() -> None:
    data = load(PROGRAM, use_cache=False)
    assert data.errors == 0 and data.model is not None and data.document is not None
    site = pages.Site(data.model, data.document, data.findings, data.as_of)
    others, projects, _ = pages._units(site)
    assert [key for key, _ in others] == [pages._unit_key(page) for page in pages.PAGES]
    for page, unit in zip(pages.PAGES, others):
        written = site.render(unit)
        declared = {page.path, *page.charts, *(page.items(data.model) if page.items else ())}
        assert set(written) == declared, page.title
        assert min(path for path in written if path.endswith(".md")) >= unit[0]  # the key sorts first
    assert pages.NAV == [(page.title, page.path) for page in pages.PAGES]
    assert len({page.path for page in pages.PAGES}) == len(pages.PAGES)
    assert data.model.teams and data.model.reports  # the per-item rows are exercised
