"""No table of the example program's site hides a column on a 1366 px laptop screen.

Every page of the built site is opened at 1366x800 in headless Chromium; for
every table the rendered cells must lie inside the box that shows the table
(Material wraps each table in a scrolling box): a column that would need a
sideways scroll, or is cut off, counts as hidden. A reader at 1366 px then sees
every column without scrolling.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from browserhelp import (  # noqa: F401 (fixtures)
    Served,
    browser,
    html_pages,
    program_served,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 800}

#: For each table: the box showing it (its nearest ancestor that clips or scrolls, else the
#: viewport), and the cells whose right edge lies beyond that box or the viewport.
CLIPPED = """(viewport) => {
  const out = [];
  document.querySelectorAll('article table').forEach((table, n) => {
    let box = table.parentElement;
    while (box && box !== document.body) {
      const style = getComputedStyle(box);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) break;
      box = box.parentElement;
    }
    const right = Math.min(viewport, box && box !== document.body ? box.getBoundingClientRect().right : viewport);
    const hidden = [];
    table.querySelectorAll('tr:first-child > *').forEach((cell) => {
      if (cell.getBoundingClientRect().right > right + 1) hidden.push(cell.textContent.trim().slice(0, 30));
    });
    const wide = box && box !== document.body && box.scrollWidth > box.clientWidth + 1;
    if (hidden.length || wide) {
      out.push({table: n, header: table.querySelector('tr') ? table.querySelector('tr').textContent.trim().replace(/\\s+/g, ' ').slice(0, 80) : '',
                hidden, scrollWidth: box ? box.scrollWidth : null, clientWidth: box ? box.clientWidth : null});
    }
  });
  return out;
}"""


def _clipped(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(CLIPPED, LAPTOP["width"])


def test_no_table_hides_a_column_at_1366px(browser: Any, program_served: Served):  # noqa: F811
    ctx = browser.new_context(viewport=LAPTOP)
    try:
        page = ctx.new_page()
        clipped = {}
        pages = html_pages(program_served.root)
        assert len(pages) > 20  # every page: the index pages and one per project, team and report
        for rel in pages:
            page.goto(program_served.page_url(rel), wait_until="load")
            found = _clipped(page)
            if found:
                clipped[rel] = found
        assert not clipped, json.dumps(clipped, indent=1)
        # and the check sees a table too wide for its box
        page.goto(program_served.page_url("index.html"), wait_until="load")
        page.evaluate("() => { const t = document.querySelector('article table');"
                      " t.querySelector('tr').lastElementChild.style.minWidth = '3000px'; }")
        assert _clipped(page)
    finally:
        ctx.close()
