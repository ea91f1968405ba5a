"""The Compliance page lists its rules one per block, as a reader sees them.

Issue 15: the rules once ran together into one paragraph (whitespace control in
the template). In Chromium, every rule title under "Rules" must start its own
block (a paragraph of its own, each below the one before), and there must be as
many blocks as the program has rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from browserhelp import (  # noqa: F401 (fixtures)
    Served,
    browser,
    program_served,
)

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "program"

#: Under the "Rules" heading, up to the next h2: each paragraph's first bold text and its top edge.
RULE_BLOCKS = """() => {
  const heading = [...document.querySelectorAll('article h2')].find((h) => h.textContent.trim().startsWith('Rules'));
  if (!heading) return null;
  const out = [];
  for (let node = heading.nextElementSibling; node && node.tagName !== 'H2'; node = node.nextElementSibling) {
    if (node.tagName !== 'P') continue;
    const titles = [...node.querySelectorAll('strong')].map((s) => s.textContent.trim());
    out.push({titles, top: node.getBoundingClientRect().top});
  }
  return out;
}"""


def _rule_titles() -> list[str]:
    return sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["title"] for p in (EXAMPLE / "rules").glob("*.yaml"))


def test_each_rule_is_a_block_of_its_own(browser: Any, program_served: Served):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1366, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(program_served.page_url("compliance.html"), wait_until="load")
        blocks = page.evaluate(RULE_BLOCKS)
        assert blocks, "no Rules section on the Compliance page"
        titles = _rule_titles()
        assert len(titles) > 3
        assert [len(b["titles"]) for b in blocks] == [1] * len(titles)  # one rule per paragraph
        assert sorted(b["titles"][0] for b in blocks) == titles
        tops = [b["top"] for b in blocks]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)  # each below the one before
    finally:
        ctx.close()
