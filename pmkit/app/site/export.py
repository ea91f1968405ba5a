"""`pmkit site export DIR`: the status site as plain files any mkdocs.yml engine builds.

The pmkit plugin hands its pages to MkDocs 1.x while it builds. The export
writes the same pages instead (``render_site``: Markdown and SVG, nothing
rendered later) into ``DIR/docs``, with pmkit's stylesheets, the theme
overrides and a ``DIR/mkdocs.yml`` that names no pmkit plugin: MkDocs 1.x
(``mkdocs build -f DIR/mkdocs.yml``) and engines that read mkdocs.yml as it
is (Zensical) build it without pmkit installed.

Nothing is overwritten silently: DIR must be empty, missing, or a previous
export (it holds :data:`MARKER`); a previous export's ``docs`` folder is
replaced as a whole, so a page that is gone is gone.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pmkit.app.site.build import DEFAULT, base_config

if TYPE_CHECKING:
    from pmkit.app.site.data import Origin

MARKER = ".pmkit-export"
SITE_CSS = "stylesheets/pmkit-site.css"
SITE_JS = "javascripts/pmkit-site.js"
#: Per-item pages: linked from their index pages, left out of the navigation.
NOT_IN_NAV = ("/projects/*.md", "/teams/*.md", "/reports/*.md")


class ExportRefused(Exception):
    """DIR holds files that are not a previous export."""


@dataclass
class Exported:
    folder: Path
    config: Path
    pages: int  # Markdown pages written (generated and hand-written)
    charts: int  # SVG charts written
    errors: int  # validation errors (the pages then show no figures)
    warnings: int


def config(program_dir: Path) -> dict[str, object]:
    """The export's mkdocs.yml: the default site's settings (no pmkit plugin), its
    stylesheet and script as files, and the navigation the plugin would make."""
    from pmkit.app.site.pages import NAV

    settings = base_config(program_dir, "docs", "site", "overrides")
    settings["extra_css"] = [SITE_CSS, "stylesheets/pmkit.css"]
    settings["extra_javascript"] = [SITE_JS]
    settings["nav"] = [{title: path} for title, path in NAV] + [{"About": "about.md"}]
    settings["not_in_nav"] = "\n".join(NOT_IN_NAV) + "\n"
    return settings


def _check_target(folder: Path) -> None:
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ExportRefused(f"{folder} is a file, not a folder")
    if any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise ExportRefused(f"{folder} is not empty and holds no earlier pmkit export ({MARKER}): "
                            "give an empty or new folder")


def export(program_dir: Path, folder: Path, as_of: dt.date | None = None, use_cache: bool = True,
           origin: Origin | None = None) -> Exported:
    """Write the site of ``program_dir`` as a docs folder and mkdocs.yml into ``folder``.
    The History page is the plugin's by default (the last commit of each month);
    ``origin``: the commit ``program_dir``'s files were exported from (``data.Origin``)."""
    from pmkit.app.site.data import load
    from pmkit.app.site.pages import render_site

    _check_target(folder)
    data = load(program_dir, as_of, use_cache, history="month", origin=origin)
    pages = render_site(data.model, data.document, data.findings, data.as_of, data.history,
                        by_date=origin is None or origin.by_date)
    docs = folder / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Written by `pmkit site export`: the next export replaces docs/ and mkdocs.yml.\n",
                                 encoding="utf-8")
    for old in (docs, folder / "overrides"):
        if old.exists():
            shutil.rmtree(old)
    shutil.copytree(DEFAULT / "docs", docs)
    shutil.copytree(DEFAULT / "overrides", folder / "overrides")
    css = (Path(__file__).parent / "assets" / "site.css").read_text(encoding="utf-8")
    (docs / SITE_CSS).write_text(css, encoding="utf-8")
    (docs / SITE_JS).parent.mkdir(parents=True, exist_ok=True)
    (docs / SITE_JS).write_text((Path(__file__).parent / "assets" / "site.js").read_text(encoding="utf-8"),
                                encoding="utf-8")
    for path, text in pages.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    config_file = folder / "mkdocs.yml"
    config_file.write_text("# Written by `pmkit site export`: build with `mkdocs build -f mkdocs.yml` (MkDocs 1.x)\n"
                    "# or any engine that reads mkdocs.yml; no pmkit plugin is needed.\n"
                    + yaml.safe_dump(config(program_dir), sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    markdown = sum(p.endswith(".md") for p in pages) + 1  # + about.md
    return Exported(folder, config_file, markdown, sum(p.endswith(".svg") for p in pages), data.errors,
                    sum(f.severity == "warning" for f in data.findings))


__all__ = ["MARKER", "ExportRefused", "Exported", "config", "export"]
