"""``pmkit site build`` and ``pmkit site serve``: MkDocs through its Python API.

For a program directory DIR the MkDocs configuration is, in order:

1. ``DIR/mkdocs.yml``, then ``DIR/../mkdocs.yml``, when it lists the pmkit
   plugin: the project's own site (hand-written pages, theme overrides). Its
   pmkit plugin options are pointed at DIR (and ``--as-of``), whatever
   mkdocs.yml says, by overriding its ``plugins`` at load time.
2. Otherwise a configuration generated in a temporary directory, with a copy
   of the default hand-written pages and overrides shipped in the package
   (``pmkit/site/default/``).

Both run the same plugin as ``mkdocs build``, so the output is the same.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from markupsafe import escape

if TYPE_CHECKING:
    from pmkit.app.site.data import Origin

DEFAULT = Path(__file__).parent / "default"
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def config_bytes(path: Path) -> bytes | None:
    """An mkdocs.yml's bytes, read under the guards of every program file
    (``read_guarded``: never a pipe, a device, a link out of its folder or a
    file over the size bound); None when there is none. OSError, with the
    reason in words, when there is one that cannot be read."""
    from pmkit.ingest.source import read_guarded

    if not os.path.lexists(path):
        return None
    try:
        return read_guarded(path.parent, path.name)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _read_config(path: Path) -> dict[str, Any] | None:
    """The configuration in ``path``; None when there is none or it is not a
    mapping of valid YAML (mkdocs reports that if it is used); OSError when
    it cannot be read (``config_bytes``)."""
    from mkdocs.utils.yaml import yaml_load

    data = config_bytes(path)
    if data is None:
        return None
    try:
        loaded = yaml_load(io.BytesIO(data))
    except Exception:  # noqa: BLE001  (not ours to diagnose: mkdocs reports it if it is used)
        return None
    return loaded if isinstance(loaded, dict) else None


def _plugin_names(plugins: Any) -> list[str]:
    if isinstance(plugins, dict):
        return [str(k) for k in plugins]
    if isinstance(plugins, list):
        return [str(next(iter(p))) if isinstance(p, dict) and p else str(p) for p in plugins]
    return []


def find_config(program_dir: Path) -> Path | None:
    """The mkdocs.yml of DIR or of its parent that uses the pmkit plugin, if any."""
    for folder in (program_dir, program_dir.resolve().parent):
        for name in CONFIG_NAMES:
            path = folder / name
            if os.path.lexists(path):
                data = _read_config(path)
                if data is not None and "pmkit" in _plugin_names(data.get("plugins")):
                    return path
    return None


def _pmkit_options(program_dir: Path, as_of: dt.date | None, old: Any, use_cache: bool = True,
                   origin: Origin | None = None) -> dict[str, Any]:
    options = dict(old) if isinstance(old, dict) else {}
    options["program"] = str(program_dir.resolve())
    if as_of is not None:
        options["as_of"] = as_of.isoformat()
    if not use_cache:
        options["cache"] = False
    if origin is not None:
        options["origin"] = origin.as_option()
    return options


def patched_plugins(config_file: Path, program_dir: Path, as_of: dt.date | None, use_cache: bool = True,
                    origin: Origin | None = None) -> Any:
    """The plugins of a configuration with pmkit's options pointed at ``program_dir``."""
    data = _read_config(config_file) or {}
    plugins = data.get("plugins")
    if isinstance(plugins, dict):
        return {name: (_pmkit_options(program_dir, as_of, opts, use_cache, origin) if name == "pmkit" else opts)
                for name, opts in plugins.items()}
    patched = []
    for entry in plugins or []:
        if entry == "pmkit":
            patched.append({"pmkit": _pmkit_options(program_dir, as_of, None, use_cache, origin)})
        elif isinstance(entry, dict) and "pmkit" in entry:
            patched.append({"pmkit": _pmkit_options(program_dir, as_of, entry["pmkit"], use_cache, origin)})
        else:
            patched.append(entry)
    return patched


def _program_name(program_dir: Path) -> str:
    from pmkit.ingest.loader.yaml12 import parse
    from pmkit.ingest.source import read_guarded

    try:
        data = parse("program.yaml", read_guarded(program_dir, "program.yaml")).value
    except OSError:
        data = None
    name = data.get("name") if isinstance(data, dict) else None
    return " ".join(name.split()) if isinstance(name, str) and name.strip() else "Program status"


#: Markdown extensions the generated pages use (the plugin adds any a site's mkdocs.yml lacks).
MARKDOWN_EXTENSIONS = ("tables", "attr_list", "md_in_html", "admonition", "toc")


def base_config(program_dir: Path, docs_dir: str, site_dir: str, custom_dir: str) -> dict[str, Any]:
    """The settings of a site pmkit writes itself (the plugin's default site and
    ``pmkit site export``): Material, self-contained, no plugin but search."""
    return {
        # MkDocs themes insert site_name into the page unescaped: escape it here.
        "site_name": str(escape(_program_name(program_dir))),
        "site_description": "Program status generated by pmkit from the planning files.",
        "docs_dir": docs_dir,
        "site_dir": site_dir,
        "use_directory_urls": False,
        "theme": {
            "name": "material",
            "custom_dir": custom_dir,
            "font": False,
            "language": "en",
            "icon": {"logo": "material/chart-timeline-variant"},
            "palette": {"scheme": "default", "primary": "custom", "accent": "custom"},
            "features": ["navigation.top", "navigation.footer", "search.highlight", "toc.follow"],
        },
        "plugins": ["search"],
        "markdown_extensions": list(MARKDOWN_EXTENSIONS),
        "extra_css": ["stylesheets/pmkit.css"],
        "extra": {"generator": False},
    }


def default_config(folder: Path, program_dir: Path, as_of: dt.date | None, use_cache: bool = True,
                   origin: Origin | None = None) -> Path:
    """Write a self-contained MkDocs configuration into ``folder``."""
    docs, overrides = folder / "docs", folder / "overrides"
    shutil.copytree(DEFAULT / "docs", docs)
    shutil.copytree(DEFAULT / "overrides", overrides)
    config = base_config(program_dir, str(docs), str(folder / "public"), str(overrides))
    config["plugins"] = ["search", {"pmkit": _pmkit_options(program_dir, as_of, None, use_cache, origin)}]
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def site_config(program_dir: Path, as_of: dt.date | None, use_cache: bool = True,
                config_dir: Path | None = None, origin: Origin | None = None) -> Iterator[tuple[Path, Any]]:
    """(config file, plugins override) for a program; a temporary one if needed.
    ``config_dir``: where to look for mkdocs.yml, if not beside ``program_dir``;
    ``origin``: the commit ``program_dir``'s files were exported from."""
    found = find_config(config_dir or program_dir)
    if found is not None:
        yield found, patched_plugins(found, program_dir, as_of, use_cache, origin)
        return
    with tempfile.TemporaryDirectory(prefix="pmkit-site-") as tmp:
        path = default_config(Path(tmp), program_dir, as_of, use_cache, origin)
        yield path, None


@dataclass
class Built:
    site_dir: Path
    errors: int  # validation errors of the program (the site then shows no figures)
    warnings: int


def build(program_dir: Path, output: Path | None = None, as_of: dt.date | None = None,
          strict: bool = False, use_cache: bool = True, config_dir: Path | None = None,
          origin: Origin | None = None) -> Built:
    """Build the site of a program into ``output`` (default: the config's site_dir,
    else ./public). ``config_dir``: where its mkdocs.yml is looked for, if not
    beside ``program_dir`` (a revision exported to a temporary folder, from
    ``origin``)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from pmkit.app.site.plugin import PmkitPlugin

    with site_config(program_dir, as_of, use_cache, config_dir, origin) as (config_file, plugins):
        if output is None and plugins is None:
            output = Path("public")
        config = load_config(config_file=str(config_file), plugins=plugins,
                             site_dir=str(output.resolve()) if output else None, strict=strict or None)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
        plugin = config.plugins["pmkit"]
        assert isinstance(plugin, PmkitPlugin)
        return Built(Path(config.site_dir), plugin.errors, plugin.warnings)


def serve(program_dir: Path, as_of: dt.date | None = None, dev_addr: str | None = None,
          open_in_browser: bool = False, config_dir: Path | None = None, origin: Origin | None = None) -> None:
    """``mkdocs serve`` of a program: rebuilds when a file of the program or a hand-written
    page changes. ``config_dir`` and ``origin``: as for ``build`` (a revision exported to a
    temporary folder, which then does not change: its figures do not reload)."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    logger = logging.getLogger("mkdocs")
    if not logger.handlers:  # show where it serves and each rebuild, as `mkdocs serve` does
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    with site_config(program_dir, as_of, config_dir=config_dir, origin=origin) as (config_file, plugins):
        mkdocs_serve(config_file=str(config_file), plugins=plugins, dev_addr=dev_addr,
                     open_in_browser=open_in_browser)
