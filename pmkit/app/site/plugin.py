"""The MkDocs plugin: a thin adapter over :mod:`pmkit.app.site.later` (the pages of
:func:`pmkit.app.site.pages.render_site`, rendered by a child as MkDocs reads them).

```yaml
plugins:
  - search
  - pmkit:
      program: program      # the program directory, relative to mkdocs.yml
      as_of: 2026-10-31     # optional; default: program.yaml status_date, else today
                            # (in git, a date before the status date reads the revision in force on it)
      history: month        # the History page's step: commit, day, week, month (default) or false
      history_since: 2026-01-01  # optional: the History page starts at this date
```

With ``as_of`` a date before the working tree's status date, and the program
folder in a git work tree, the figures are those of the revision in force on
that date (``revision.site_origin``, as ``pmkit site build --as-of`` finds it):
its files are exported to a temporary folder for the build (kept across
``mkdocs serve`` rebuilds while the revision stays the same, removed on
shutdown) and the dashboard names the revision. Outside git, or before the
first commit, the working tree is read and the site says that undated values
are the files' of today. ``pmkit site build``/``serve`` give the revision
they found as the ``origin`` option; the plugin then looks for none itself.

The History page reads the repository's history (each distinct file version is
parsed once and cached); ``history: false`` skips git entirely and the page
says so in one sentence.

- ``on_startup`` is defined so that MkDocs keeps one instance across
  ``mkdocs serve`` rebuilds.
- ``on_config`` checks the program directory, adds it to ``config.watch`` (so
  ``mkdocs serve`` rebuilds when a YAML file changes), makes sure the
  Markdown extensions the pages use are on, and sets the navigation (the
  index pages, then the hand-written pages) when mkdocs.yml has no ``nav``.
- ``on_files`` has the program validated, its model and rollup built and its
  pages and charts rendered (``pmkit.app.site.later``: by a forked child when
  there is a second core), and adds each as ``File.generated``, with the pages'
  stylesheet (assets/pmkit/site.css, put first in ``extra_css``). Per-item
  pages (one per project, team, report) are not in the navigation. The
  child renders the pages in MkDocs' reading order while MkDocs reads them:
  ``on_page_read_source`` hands MkDocs each one when it reads it, and
  ``on_env`` (before MkDocs copies the charts) the rest.

With validation errors the site still builds: every page says the figures
are unavailable and the data-quality page lists the findings; the plugin
logs a warning, so ``mkdocs build --strict`` fails (after writing the site).

MkDocs 1.6 is the last release with plugins; keep this module small so that
porting it (to a 1.x fork or another generator) means rewriting only it.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from pmkit.app.asof import before_start_of_folder
from pmkit.app.site import progress
from pmkit.app.site.later import LaterPages, loaded_and_rendered
from pmkit.app.site.build import MARKDOWN_EXTENSIONS
from pmkit.core.wording import count

if TYPE_CHECKING:
    from pmkit.app.site.data import Origin

log = logging.getLogger("mkdocs.plugins.pmkit")

#: The styles of the generated pages, added to every site.
STYLESHEET = "assets/pmkit/site.css"
#: Opens a timeline that scrolls sideways with its "as of" line in view (assets/site.js).
SCRIPT = "assets/pmkit/site.js"


class PmkitConfig(Config):
    program = c.Type(str, default="program")
    as_of = c.Optional(c.Type((str, dt.date)))
    cache = c.Type(bool, default=True)
    history = c.Type((bool, str), default="month")
    history_since = c.Optional(c.Type((str, dt.date)))
    #: set by ``pmkit site build --rev`` / ``--as-of`` in git: the repository and commit the
    #: ``program`` folder was exported from (``data.Origin``; keys root, folder, commit, date)
    origin = c.Optional(c.Type(dict))


def _history_step(value: bool | str) -> str:
    """The plugin's ``history`` option as a step of data.HISTORY_STEPS, or ``off``."""
    from pmkit.app.site.data import HISTORY_STEPS

    if value is False:
        return "off"
    if value is True:
        return "month"
    if value not in HISTORY_STEPS:
        raise PluginError(f"pmkit: history {value!r} is not one of true, false, {', '.join(HISTORY_STEPS)}")
    return value


def _as_date(value: object, name: str = "as_of") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PluginError(f"pmkit: {name} {value!r} is not a date in the form YYYY-MM-DD") from exc


def _origin(value: dict[str, Any] | None) -> Origin | None:
    from pmkit.app.site.data import Origin

    if value is None:
        return None
    try:
        return Origin.from_option(value)
    except (KeyError, ValueError) as exc:
        raise PluginError(f"pmkit: origin {value!r} is not a repository, folder, commit and date") from exc


class PmkitPlugin(BasePlugin[PmkitConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.program_dir: Path | None = None
        self.as_of: dt.date | None = None
        self.history = "month"
        self.history_since: dt.date | None = None
        self.origin: Origin | None = None
        #: the revision in force exported for a plain build with ``as_of`` (its origin, its folder, the cleanup)
        self.export: tuple[Origin, Path, ExitStack] | None = None
        self.nav_is_ours = False
        self.errors = self.warnings = 0  # of the last build's validation
        self.later: LaterPages | None = None  # pages a child is rendering
        self.later_files: dict[str, File] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path or ".").resolve().parent
        program = Path(self.config.program).expanduser()
        self.program_dir = program if program.is_absolute() else (base / program)
        if not (self.program_dir / "program.yaml").is_file():
            raise PluginError(f"pmkit: {self.program_dir} holds no program.yaml (plugin option `program`)")
        self.as_of = _as_date(self.config.as_of)
        self.history = _history_step(cast("bool | str", self.config.history))
        self.history_since = _as_date(cast("str | dt.date | None", self.config.history_since), "history_since")
        self.origin = _origin(self.config.origin)
        watched = self.program_dir  # (the working tree's folder: its status date decides what is read)
        if self.origin is None and self.as_of is not None:
            self.program_dir, self.origin = self._in_force(self.program_dir, self.as_of)
        refusal = before_start_of_folder(self.program_dir, self.as_of)
        if refusal is not None:
            raise PluginError(f"pmkit: {refusal}")
        if str(watched) not in config.watch:
            config.watch.append(str(watched))
        for name in MARKDOWN_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if STYLESHEET not in config.extra_css:
            config.extra_css.insert(0, STYLESHEET)
        if SCRIPT not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(SCRIPT)
        self.nav_is_ours = config.nav is None
        if self.nav_is_ours:
            config.nav = navigation(config)
        return config

    def _in_force(self, program_dir: Path, as_of: dt.date) -> tuple[Path, Origin | None]:
        """The folder to read for figures as of ``as_of`` and the commit it holds (None: the
        working tree's ``program_dir``), found as ``pmkit site build --as-of`` finds it."""
        from pmkit.app.locate import Program
        from pmkit.app.site.revision import exported, origin_sentence, site_origin
        from pmkit.ingest.gitsource import GitError

        try:
            program, origin = site_origin(Program(program_dir, program_dir.as_posix()), as_of)
            if origin is None:
                self._drop_export()
                return program_dir, None
            if self.export is None or self.export[0] != origin:
                self._drop_export()
                stack = ExitStack()
                folder = stack.enter_context(exported(program))
                assert folder is not None  # (a revision: always exported)
                self.export = (origin, folder, stack)
        except GitError as exc:
            self._drop_export()
            raise PluginError(f"pmkit: {exc}") from exc
        except OSError as exc:
            self._drop_export()
            raise PluginError(f"pmkit: cannot read {exc.filename or program_dir}: {exc.strerror}") from exc
        log.info(f"pmkit: {origin_sentence(origin, as_of)} (as_of is before the status date of {program_dir}: "
                 "edits to its files in the working tree are not shown)")
        return self.export[1], origin

    def _drop_export(self) -> None:
        if self.export is not None:
            self.export[2].close()
        self.export = None

    def on_shutdown(self) -> None:
        self._close_later()
        self._drop_export()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        from pmkit.app.site.pages import NAV

        assert self.program_dir is not None
        self._close_later()
        progress.stage("checking and loading the program")
        self.later = LaterPages(partial(loaded_and_rendered, self.program_dir, self.as_of, self.config.cache,
                                        self.history, self.history_since, self.origin))
        plan = self.later.plan
        self.errors, self.warnings = plan.errors, plan.warnings
        in_nav = {path for _, path in NAV}
        for path in plan.paths:
            existing = files.get_file_from_path(path)
            if existing is not None:
                log.warning(f"pmkit generates {path}; the hand-written {path} in docs_dir is ignored")
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED if path in in_nav or not path.endswith(".md") \
                else InclusionLevel.NOT_IN_NAV
            # The text comes when MkDocs reads the page (on_page_read_source), or in on_env.
            self.later_files[path] = File.generated(config, path, content="", inclusion=inclusion)
            files.append(self.later_files[path])
        css = (Path(__file__).parent / "assets" / "site.css").read_text(encoding="utf-8")
        files.append(File.generated(config, STYLESHEET, content=css))
        script = (Path(__file__).parent / "assets" / "site.js").read_text(encoding="utf-8")
        files.append(File.generated(config, SCRIPT, content=script))
        if plan.errors:
            log.warning(f"pmkit: {count(plan.errors, 'validation error')} in {self.program_dir}: the site shows "
                        "no figures, only the data-quality page (run `pmkit validate`)")
        else:
            log.info(f"pmkit: {len(plan.paths)} pages and charts as of {plan.as_of.isoformat()}, "
                     f"{count(plan.warnings, 'warning')} on the data-quality page")
        progress.stage("converting pages", len(files.documentation_pages()))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        progress.step()
        return markdown

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        progress.step()
        return output

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        if self.later is None or page.file.src_uri not in self.later_files:
            return None
        text = self.later.get(page.file.src_uri)
        page.file.content_string = text
        return text

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """Every page and chart still to come, before MkDocs copies the charts."""
        if self.later is not None:
            came = self.later.all()
            if came.keys() != self.later_files.keys():  # a bug in site_paths: say so, never ship a blank
                raise PluginError(f"pmkit: the pages rendered ({len(came)} files) are not the ones "
                                  f"announced ({len(self.later_files)})")
            for path, text in came.items():
                self.later_files[path].content_string = text
        self._close_later()
        progress.stage("writing pages", len(files.documentation_pages()))
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        progress.stage("site written")

    def on_build_error(self, error: Exception) -> None:
        self._close_later()

    def _close_later(self) -> None:
        if self.later is not None:
            self.later.close()
        self.later, self.later_files = None, {}


def navigation(config: MkDocsConfig) -> list[Any]:
    """The generated index pages, then every hand-written page of docs_dir."""
    from mkdocs.structure.files import get_files

    from pmkit.app.site.pages import NAV

    generated = {path for _, path in NAV}
    hand_written = sorted(
        f.src_uri for f in get_files(config).documentation_pages()
        if f.src_uri not in generated and f.inclusion.is_included()
    )
    return [{title: path} for title, path in NAV] + hand_written
