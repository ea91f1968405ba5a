"""The example program's status site in a real browser (headless Chromium).

Every page loads cleanly and from 127.0.0.1 only, the dashboard shows the
figures of `pmkit rollup program --format json`, and it fits a phone.
Screenshots of the dashboard are written to the test's tmp dir (paths printed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from browserhelp import (  # noqa: F401 (fixtures)
    PROGRAM,
    Served,
    Watcher,
    browser,
    html_pages,
    program_served,
    serve,
)
from click.testing import CliRunner

from pmkit.app.cli import main

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 2000}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:  # noqa: F811
    """One desktop browser context for the module, watched by a :class:`Watcher`."""
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def watcher(context: Any) -> Watcher:
    return Watcher(context)


@pytest.fixture(scope="module")
def page(context: Any, watcher: Watcher) -> Any:
    return context.new_page()


@pytest.fixture(scope="module")
def rollup() -> dict[str, Any]:
    """`pmkit rollup program --format json`, numbers as Decimal."""
    result = CliRunner().invoke(main, ["rollup", str(PROGRAM), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout, parse_float=Decimal)


# ------------------------------------------------ the site's formats, written out again from the templates


def pct(value: Any) -> str:
    """``{{ x|percent }}``: one decimal, half up, ``69.4%``."""
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(value: str, currency: str) -> str:
    """``{{ x|money }}``: all the minor digits, thousands separators: ``$11,680,428.30``."""
    amount = Decimal(value)
    places = max(0, -amount.as_tuple().exponent)
    text = SYMBOLS[currency] + f"{abs(amount):,.{places}f}"
    return "-" + text if amount < 0 else text


def money_short(value: str, currency: str) -> str:
    """``{{ x|money_short }}``: ``$11.7M``, ``$940.0K``, ``$512``."""
    amount = Decimal(value)
    size, text = abs(amount), None
    for bound, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if size >= bound:
            text = f"{(size / bound).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}{suffix}"
            break
    if text is None:
        text = f"{size.quantize(Decimal(1), rounding=ROUND_HALF_UP)}"
    text = SYMBOLS[currency] + text
    return "-" + text if amount < 0 else text


def two(value: Any) -> str:
    """``{{ x|index }}``: CPI and SPI, two decimals."""
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def squash(text: str) -> str:
    return " ".join(text.split())


#: The dashboard read back from the browser: cards by label, tables by the heading above them.
READ_DASHBOARD = """() => {
  const text = e => e.textContent.replace(/\\s+/g, ' ').trim();
  const cards = {};
  for (const card of document.querySelectorAll('.pmkit-card')) {
    cards[text(card.querySelector('.pmkit-card-label'))] = {
      value: text(card.querySelector('.pmkit-card-value')), note: text(card.querySelector('.pmkit-card-note'))};
  }
  const headings = [...document.querySelectorAll('article h1, article h2, article h3')];
  const tables = {};
  for (const table of document.querySelectorAll('article table')) {
    const above = headings.filter(h => h.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    const rows = [...table.rows].map(r => [...r.cells].map(text));
    tables[above ? text(above).replace(/¶$/, '').trim() : ''] = rows;
  }
  return {cards, tables, text: document.body.innerText};
}"""


# ------------------------------------------------ tests


def test_every_page_loads_cleanly_and_only_from_the_site(program_served: Served, watcher: Watcher, page: Any):  # noqa: F811
    pages = html_pages(program_served.root)
    for kind in ("projects/", "teams/", "reports/"):  # the per-item pages are there to be opened
        assert len([p for p in pages if p.startswith(kind) and not p.endswith("index.html")]) >= 2, kind
    bad, requests = {}, 0
    for rel in pages:
        problems = watcher.open(page, program_served.page_url(rel))
        requests += len(problems.requests)
        assert problems.requests and problems.requests[0] == program_served.page_url(rel)
        if problems.bad():
            bad[rel] = problems.bad()
    assert not bad, json.dumps(bad, indent=1)
    # each page pulled its stylesheets, scripts, charts, and Material's search index
    assert requests >= 8 * len(pages)


def test_the_watcher_sees_what_goes_wrong(browser: Any, tmp_path: Path):  # noqa: F811
    """The load checks are not vacuous: a broken page trips every one of them."""
    (tmp_path / "bad.html").write_text(
        '<!doctype html><link rel="stylesheet" href="missing.css"><img src="http://example.invalid/x.png">'
        '<script>console.error("boom"); throw new Error("bang")</script>', encoding="utf-8")
    ctx = browser.new_context()
    try:
        watcher = Watcher(ctx)
        for served in serve(tmp_path):
            problems = watcher.open(ctx.new_page(), served.page_url("bad.html"))
    finally:
        ctx.close()
    assert problems.foreign == ["http://example.invalid/x.png"]
    assert any("missing.css: HTTP 404" in f for f in problems.failed), problems.failed
    assert any("example.invalid" in f for f in problems.failed), problems.failed
    assert any("boom" in c for c in problems.console_errors), problems.console_errors
    assert any("bang" in e for e in problems.page_errors), problems.page_errors


def test_the_dashboard_shows_the_rollup_figures(program_served: Served, watcher: Watcher, page: Any,  # noqa: F811
                                                rollup: dict[str, Any]):
    problems = watcher.open(page, program_served.page_url("index.html"))
    assert not problems.bad(), problems.bad()
    shown = page.evaluate(READ_DASHBOARD)
    cards, tables, text = shown["cards"], shown["tables"], squash(shown["text"])
    cur, program = rollup["currency"], rollup["program"]
    budget, evm = program["budget"], program["evm"]

    assert f"Status as of {rollup['as_of']}" in text
    assert program["name"] in text
    # the headline cards
    assert cards["Progress"]["value"] == pct(program["progress"])
    assert cards["Progress"]["note"].startswith(f"{pct(program['planned'])} planned")
    assert cards["Spent"]["value"] == money_short(budget["actual"], cur)
    assert cards["Spent"]["note"] == f"{pct(budget['spent_pct'])} of the {money_short(budget['current'], cur)} budget"
    assert cards["Forecast at completion"]["value"] == money_short(evm["eac"], cur)
    assert cards["Forecast at completion"]["note"] == f"CPI {two(evm['cpi'])} · SPI {two(evm['spi'])}"
    assert cards["Open problems"]["value"] == str(program["open_problems"])
    assert cards["Funding"]["value"] == money_short(program["funded"], cur)
    # the exact figures under the burn chart and in the earned-value table
    assert (f"{money(budget['actual'], cur)} spent of the {money(budget['current'], cur)} current budget "
            f"({pct(budget['spent_pct'])})") in text
    evm_cells = {row[i]: row[i + 1] for row in tables["Earned value"][1:] for i in (0, 2)}
    for label, key in (("Budget at completion (BAC)", "bac"), ("Planned value (PV)", "pv"),
                       ("Earned value (EV)", "ev"), ("Actual cost (AC)", "ac"),
                       ("Estimate at completion (EAC)", "eac"), ("Variance at completion (VAC)", "vac")):
        assert evm_cells[label] == money(evm[key], cur), label
    # earned schedule beside the cost forecast (issue 12)
    es = program["earned_schedule"]
    es_cells = {row[i]: row[i + 1] for row in tables["Forecast finish (earned schedule)"][1:] for i in (0, 2)}
    assert es_cells["Forecast finish"] == es["forecast_finish"]
    assert es_cells["Planned end"] == program["end"]
    assert es_cells["Schedule performance in time (SPI(t))"] == two(es["spi_t"])
    assert es_cells["Estimate at completion (EAC, CPI-based)"] == money(evm["eac"], cur)
    # every project's row in the projects table
    header, *rows = tables["Projects"]
    assert header[:5] == ["Project", "RAG", "Progress", "Planned", "Gap"]
    by_name = {row[0]: row for row in rows}
    assert len(rows) == len(rollup["projects"])
    for pid, project in rollup["projects"].items():
        row = by_name[project["name"]]
        if project["counted"]:
            assert row[2] == pct(project["progress"]), pid
            assert row[3] == pct(project["planned"]), pid
        else:  # a cancelled project is left out of progress
            assert row[2:5] == ["—", "—", "—"], pid
        assert row[6] == str(project["milestones_late"]), pid


def test_dashboard_screenshots(browser: Any, program_served: Served, tmp_path: Path):  # noqa: F811
    shots = []
    for name, options in (("desktop", {"viewport": DESKTOP}),
                          ("phone", {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True,
                                     "has_touch": True})):
        ctx = browser.new_context(**options)
        try:
            page = ctx.new_page()
            page.goto(program_served.page_url("index.html"), wait_until="load")
            for full in (False, True):
                path = tmp_path / f"dashboard-{name}{'-full' if full else ''}.png"
                page.screenshot(path=str(path), full_page=full)
                shots.append(path)
        finally:
            ctx.close()
    for path in shots:
        assert path.stat().st_size > 20_000, path  # a rendered page, not a blank one
        print(f"screenshot: {path}")


#: Page width against the phone's, and what sticks out of the page outside a scrolling box.
OVERFLOW = """width => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    let p = e.parentElement, scrolls = false;
    for (; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') { scrolls = true; break; }
    }
    if (!scrolls) out.push(`${e.tagName.toLowerCase()}.${e.className} right=${Math.round(r.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          outside: out.slice(0, 10)};
}"""


def test_no_page_is_wider_than_a_phone(browser: Any, program_served: Served):  # noqa: F811
    """At 390 px no page scrolls sideways; wide tables scroll inside their own box.

    With is_mobile the layout viewport grows to fit wide content, so innerWidth
    must stay at 390 as well as scrollWidth."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        wide = {}
        for rel in html_pages(program_served.root):
            page.goto(program_served.page_url(rel), wait_until="load")
            found = page.evaluate(OVERFLOW, PHONE["width"])
            if found["scrollWidth"] > PHONE["width"] + 1 or found["innerWidth"] != PHONE["width"] or found["outside"]:
                wide[rel] = found
        assert not wide, json.dumps(wide, indent=1)
        # and the check sees a page that is too wide
        page.goto(program_served.page_url("index.html"), wait_until="load")
        page.evaluate("() => { const d = document.createElement('div'); d.style.width = '1000px';"
                      " d.textContent = 'wide'; document.querySelector('article').append(d); }")
        found = page.evaluate(OVERFLOW, PHONE["width"])
        assert found["scrollWidth"] > PHONE["width"] + 1 or found["innerWidth"] != PHONE["width"]
        assert found["outside"]
    finally:
        ctx.close()
