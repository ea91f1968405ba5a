"""A program loaded for one build is freed after it: ``mkdocs serve`` rebuilds for hours.

The loaded program is frozen for the garbage collector (it is large and has
no cycles), so anything frozen that sits in a reference cycle is never freed.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from pmkit.app.site import data, pages

EXAMPLE = Path(__file__).resolve().parent.parent / "program"


def test_nothing_frozen_is_left_in_a_cycle_after_a_site_build():
    gc.collect()
    gc.unfreeze()
    gc.collect()
    loaded = data.load(EXAMPLE, dt.date(2026, 10, 31), use_cache=False)
    pages.render_site(loaded.model, loaded.document, loaded.findings, loaded.as_of)
    del loaded
    gc.collect()  # what is collectable goes now
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    leaked = gc.collect()  # frozen objects in cycles: never freed but for this
    assert frozen > 1000 and leaked < 50
