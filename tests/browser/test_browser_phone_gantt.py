"""On a phone (390 px) a timeline opens scrolled to its "as of" line, with legible captions.

The timeline is wider than a phone, so it scrolls sideways inside its paragraph
rather than shrink; site.js scrolls it so the as-of line is in view before the
first paint. Checked at DOMContentLoaded (no later scrolling by the test), and
the chart is drawn at its own width, so its 11-unit captions are 11 px.
"""

from __future__ import annotations

from typing import Any

import pytest
from browserhelp import (  # noqa: F401 (fixtures)
    Served,
    browser,
    program_served,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

SEEN = """() => [...document.querySelectorAll('article img[data-asof]')].map((img) => {
  const box = img.parentElement, rect = img.getBoundingClientRect();
  const x = rect.width * parseFloat(img.getAttribute('data-asof'));
  return {src: img.getAttribute('src'), scrollLeft: box.scrollLeft, clientWidth: box.clientWidth,
          scrollWidth: box.scrollWidth, asofX: x, shown: rect.width, drawn: parseFloat(img.getAttribute('width'))};
})"""


@pytest.mark.parametrize("page_path", ["timeline.html", "projects/citizen-portal.html"])
def test_the_gantt_opens_at_the_as_of_line_on_a_phone(browser: Any, program_served: Served,  # noqa: F811
                                                      page_path: str):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(program_served.page_url(page_path), wait_until="domcontentloaded")
        found = page.evaluate(SEEN)
        assert found, "no timeline with an as-of line on the page"
        for chart in found:
            assert chart["scrollWidth"] > chart["clientWidth"], chart  # it does scroll on a phone
            assert chart["scrollLeft"] > 0, chart
            assert chart["scrollLeft"] <= chart["asofX"] <= chart["scrollLeft"] + chart["clientWidth"], chart
            # drawn at its own width: an 11-unit caption is 11 px high (>= 11 px)
            assert chart["shown"] >= chart["drawn"] - 0.5, chart
            assert 11 * chart["shown"] / chart["drawn"] >= 11 - 0.05, chart
    finally:
        ctx.close()
