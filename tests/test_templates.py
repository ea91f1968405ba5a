"""Each user of the shared template loader keeps its own filters."""

from pmkit.app import render
from pmkit.app.site import pages, text
from pmkit.app.templates import environment


def test_site_and_views_do_not_share_escaping_filters():
    # Build them in both orders: whichever came second used to win for both.
    for first, second in ((render.templates, pages.templates), (pages.templates, render.templates)):
        first.cache_clear()
        second.cache_clear()
        first()
        second()
        assert pages.templates().filters["md_text"] is text.FILTERS["md_text"]
        assert render.templates().filters["md_text"] is render.md_text
        assert "md_text" not in environment().filters
