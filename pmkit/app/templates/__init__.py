"""Jinja2 templates for every report and page pmkit writes."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pmkit.app", "templates"),
        autoescape=jinja2.select_autoescape(["xml", "html", "svg", "xml.j2", "html.j2", "svg.j2"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def derived(filters: Mapping[str, object], **options: Any) -> jinja2.Environment:
    """An environment with filters of its own, sharing the template loader.

    Jinja2's ``overlay`` shares its parent's filters dict: two overlays that
    each add an ``md_text`` filter would overwrite each other, and the site
    could render with the terminal views' (weaker) escaping.
    """
    env = environment().overlay(**options)
    env.filters = {**environment().filters, **filters}
    return env
