"""Hostile text from YAML in a real browser: shown as text, never run.

tests/fixtures/site-hostile puts `<script>alert(1)</script>`, `onerror=`,
javascript: links and more into every text field. Every page of its site is
opened in Chromium with alert/confirm/prompt replaced before any script runs:
a call to any of them (or a real dialog) means injected script ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from browserhelp import Served, Watcher, browser, hostile_served, html_pages  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

#: Runs in every frame before the page's own scripts.
TRAP = """(() => {
  window.__pmkitCalls = [];
  window.__pmkitInjected = false;
  for (const name of ['alert', 'confirm', 'prompt']) {
    const trap = function (...args) {
      window.__pmkitInjected = true;
      window.__pmkitCalls.push(name + '(' + args.map(String).join(', ') + ')');
      return name === 'confirm' ? false : null;
    };
    Object.defineProperty(window, name, {value: trap, writable: false, configurable: false});
  }
})();"""

INSPECT = """() => ({
  injected: window.__pmkitInjected === true,
  calls: window.__pmkitCalls || ['the trap is missing'],
  javascriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
  dataLinks: document.querySelectorAll('[href^="data:" i], [src^="data:" i]').length,
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on'))
                                                        .map(a => `${e.tagName.toLowerCase()} ${a.name}`)),
  text: document.body.innerText,
  title: document.title,
  h1: (document.querySelector('article h1') || {innerText: ''}).innerText,
})"""

#: Typed into the fixture's fields; each must be on the pages as text.
VISIBLE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
           '<a href="javascript:alert(1)">link</a>', "**bold**", "{{ 7*7 }}"]


@pytest.fixture(scope="module")
def trapped(browser: Any) -> Iterator[tuple[Any, Watcher, list[str]]]:  # noqa: F811
    """(page, watcher, dialogs): one context with the trap in every frame and a dialog log."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    ctx.set_default_timeout(15_000)
    ctx.add_init_script(TRAP)
    watcher = Watcher(ctx)
    page = ctx.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page, watcher, dialogs
    ctx.close()


def test_no_hostile_text_runs_in_the_browser(hostile_served: Served, trapped):  # noqa: F811
    page, watcher, dialogs = trapped
    pages = html_pages(hostile_served.root)
    assert len(pages) > 15
    bad = {}
    for rel in pages:
        problems = watcher.open(page, hostile_served.page_url(rel))
        found = page.evaluate(INSPECT)
        wrong = dict(problems.bad())  # an <img src=x> that became markup would show as a failed request
        if found["injected"] or found["calls"]:
            wrong["script ran"] = found["calls"]
        for key in ("javascriptLinks", "dataLinks", "handlers"):
            if found[key]:
                wrong[key] = found[key]
        missing = [v for v in VISIBLE if v not in found["text"]]
        if missing:
            wrong["hostile text not shown"] = missing
        if "<script>alert(1)</script>" not in found["title"]:
            wrong["hostile text not in the title"] = found["title"]
        per_item = rel.startswith(("projects/", "teams/")) and not rel.endswith("/index.html")
        if per_item and not found["title"].startswith(found["h1"] + " - "):  # titled by its project or team
            wrong["title differs from the heading"] = [found["title"], found["h1"]]
        if "&lt;" in found["text"] + found["title"] or "&#" in found["text"] + found["title"]:
            wrong["escaped twice: a character reference is shown"] = True
        if wrong:
            bad[rel] = wrong
    assert not dialogs, dialogs
    assert not bad, json.dumps(bad, indent=1)


def test_the_trap_catches_a_script(trapped, hostile_served: Served):  # noqa: F811
    """The checks above are not vacuous: a script that does run is caught."""
    page, watcher, dialogs = trapped
    watcher.open(page, hostile_served.page_url("index.html"))
    page.evaluate("() => { const s = document.createElement('img'); s.setAttribute('onerror', 'alert(7)');"
                  " s.src = 'x'; document.body.append(s); }")
    page.wait_for_function("window.__pmkitInjected === true")
    found = page.evaluate(INSPECT)
    assert found["calls"] == ["alert(7)"] and found["handlers"] == ["img onerror"]
    assert not dialogs  # the trap answered: no real dialog was opened
