"""The ``pmkit`` command: thin Click glue over the pipeline stages."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pmkit import __version__
from pmkit.app.entry import EXIT_INTERRUPTED
from pmkit.core.procs import keep_to_exit
from pmkit.core.wording import count

if TYPE_CHECKING:  # for annotations only: the commands import what they use when they run
    from pmkit.app.locate import Program
    from pmkit.domain.model import Model

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


PROGRAM_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


class IOProblem(click.ClickException):
    """A file that cannot be read or written: exit 2, a message, no traceback."""

    exit_code = EXIT_USAGE


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise IOProblem(f"cannot write {path}: {exc.strerror}") from exc


def _program_dir(path: Path) -> Path:
    if not (path / "program.yaml").is_file():
        raise click.UsageError(f"{path} holds no program.yaml; is it a pmkit program directory?")
    return path


class GitProblem(click.ClickException):
    """A repository or revision problem (pmkit.ingest.gitsource.GitError): exit 2."""

    exit_code = EXIT_USAGE


def _program(directory: Path | None, rev: str | None, shown_rev: str | None = None) -> Program:
    """The program DIR names, or the one found in the repository (said on stderr), at ``rev``."""
    from pmkit.app.locate import NoProgram, locate
    from pmkit.ingest.gitsource import GitError

    try:
        program = locate(directory, rev)
    except NoProgram as exc:
        raise click.UsageError(str(exc)) from exc
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    if program.note:
        click.echo(program.note + (f" at {shown_rev or rev}" if rev else ""), err=True)
    return program


REV_OPTION = click.option("--rev", metavar="REV",
                          help="Read the program at this git revision (commit, branch, tag, HEAD~2) "
                               "from git's objects, without a checkout.")


class Commands(click.Group):
    """pmkit's command group: the editing commands (``pmkit.app.edit``, which
    import ruamel.yaml and Jinja) are imported when one of them is run or
    listed, not by every ``pmkit validate`` (30-50 ms of its start-up)."""

    #: name -> (module, attribute) of a command imported on first use
    LAZY = {
        "add": ("pmkit.app.edit.add", "add"),
        "set": ("pmkit.app.edit.add", "set_"),
        "done": ("pmkit.app.edit.add", "done"),
        "init": ("pmkit.app.edit.init", "init"),
        "new": ("pmkit.app.edit.new", "new"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            import importlib

            module, attribute = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="pmkit")
def main() -> None:
    """Plain-text, git-backed planning for IT program managers.

    \b
    Examples:
      pmkit validate program          check every file, as CI does
      pmkit validate --format github  annotations inline in a pull request
      pmkit status program            progress against plan, by project
      pmkit budget program --by line  budget lines, transfers, funding, EVM
      pmkit report program --period 2026-10 -o report.md
      pmkit site build program -o public   the status website
      pmkit rules                     every finding code and what it means
      pmkit schema --output schemas/  export the JSON Schemas for editors
    """


def run() -> None:
    """The ``pmkit`` console script: ``main``, then an exit that does not free memory.

    After a command on a large program, hundreds of MB of parsed data are
    still referenced; an ordinary exit frees them object by object, which
    took 0.15 s of a 1.2 s re-validate. The operating system reclaims it all
    at once, so flush the output and leave (as mypy does), once the
    children are stopped (``stop_children``: an exit after Ctrl-C may leave
    a worker running). Ctrl-C exits 130.
    """
    import signal

    from pmkit.core.procs import stop_children

    interrupted = []

    def interrupt(signum: int, frame: object) -> None:
        interrupted.append(signum)
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt)
    try:
        main()
    except SystemExit as done:
        code = done.code
        if code is not None and not isinstance(code, int):
            raise
        # os._exit skips multiprocessing's own exit: after Ctrl-C a worker may still run
        stop_children()
        sys.stdout.flush()
        sys.stderr.flush()
        # Ctrl-C: 128 + SIGINT, as a shell reports it (1 would say the program has errors)
        os._exit(EXIT_INTERRUPTED if interrupted and code else code or 0)


@main.command()
@click.argument("directory", type=PROGRAM_DIR, required=False)
@REV_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "junit", "sarif"]),
              help="Output format. Default: github under GitHub Actions, else text.")
@click.option("--changed-since", metavar="REV",
              help="Report only findings in files changed since REV (committed, staged, modified or new) "
                   "and findings the change caused elsewhere; all rules still run.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--verbose", "-v", is_flag=True,
              help="Text: list every finding (by default a code found more than 5 times shows 3 and a count).")
@click.option("--as-of", type=IsoDate(), help="Date for date-dependent rules. Default: status_date, else today.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--no-cache", is_flag=True,
              help="Re-check every file. By default unchanged files' results come from the cache "
                   "($PMKIT_CACHE_DIR, else ~/.cache/pmkit).")
def validate(directory: Path | None, rev: str | None, fmt: str | None, changed_since: str | None, strict: bool,
             verbose: bool, as_of: dt.date | None, output: Path | None, no_cache: bool) -> None:
    """Check a program directory: YAML, schemas, references and business rules.

    Reports every problem in one run, sorted by file and line, each with a
    stable code (see `pmkit rules`). Exit status: 0 no errors, 1 errors (or
    warnings with --strict), 2 usage or I/O problem.

    \b
    Examples:
      pmkit validate program
      pmkit validate program --format json > findings.json
      pmkit validate program --format junit -o pmkit-junit.xml
      pmkit validate program --strict --as-of 2026-10-31
      pmkit validate --rev HEAD~2     the program found in the repository, two commits ago
      pmkit validate --format sarif -o pmkit.sarif      for code scanning
      pmkit validate --changed-since origin/main        what a pull request touches
    """
    from pmkit.app.formats import FORMATS, Report
    from pmkit.ingest.gitsource import GitError

    if changed_since and rev:
        raise click.UsageError("--changed-since measures the working tree's change; it cannot be used with --rev")
    program = _program(directory, rev)
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    # --changed-since validates the base too. With the cache the base reads
    # what the working tree's run wrote (every file the change left alone,
    # every rule part it did not touch); without it both versions share a
    # store in memory to the same end.
    from pmkit.app.changed import Shared, shared_name

    shared: Shared | None = {} if changed_since and no_cache else None
    try:
        result = program.validate(as_of, use_cache=not no_cache, memory=shared,
                                  name=shared_name(program) if shared is not None else None)
        keep_to_exit(result)
    except OSError as exc:
        raise IOProblem(f"cannot read {exc.filename or program.directory}: {exc.strerror}") from exc
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    # Colour for text on a terminal: click strips the styles when stdout is
    # not a TTY (piped, redirected, CI logs); NO_COLOR (non-empty) turns it off.
    color = fmt == "text" and output is None and not os.environ.get("NO_COLOR")
    hidden = None
    if fmt in ("github", "sarif") or changed_since:
        from pmkit.app.changed import rooted

        try:
            program = rooted(program)  # CI places annotations by repository-root paths
        except GitError as exc:
            raise GitProblem(str(exc)) from exc
    findings, root = program.report_paths(result.findings)
    if changed_since:
        from pmkit.app.changed import filter_changed

        try:
            kept = filter_changed(program, findings, changed_since, as_of, not no_cache, shared)
        except GitError as exc:
            raise GitProblem(str(exc)) from exc
        findings, hidden = kept.shown, kept.hidden
    rendered = FORMATS[fmt](Report(findings, result.files, root, color, hidden, verbose=verbose))
    if output is not None:
        _write(output, rendered)
    else:
        click.echo(rendered, nl=False, color=None if color else False)
    from pmkit.core.findings import Severity

    errors = sum(f.severity is Severity.ERROR for f in findings)
    failed = errors > 0 or (strict and len(findings) > errors)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@main.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def rules(code: str | None, fmt: str) -> None:
    """List every finding code with its layer, default severity and meaning,
    or explain one CODE.

    \b
    Examples:
      pmkit rules
      pmkit rules line-overspent
      pmkit rules --format markdown > docs/codes.md
    """
    from pmkit.app.docs import code_text, codes_json, codes_markdown, codes_text

    if code is not None:
        import difflib

        from pmkit.engine.catalog import all_codes

        explained = code_text(code)
        if explained is None:
            close = difflib.get_close_matches(code, [c.id for c in all_codes()], n=1)
            hint = f"; did you mean `{close[0]}`?" if close else "; run `pmkit rules` for the list"
            raise click.BadParameter(f"{code!r} is not a pmkit finding code{hint}", param_hint="CODE")
        click.echo(explained, nl=False)
        return

    render = {"text": lambda: codes_text(terminal_width()), "markdown": codes_markdown, "json": codes_json}[fmt]
    click.echo(render(), nl=False)


@main.command()
@click.argument("kind", required=False)
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Write every schema as <kind>.schema.json into this folder.")
def schema(kind: str | None, output: Path | None) -> None:
    """Print a kind's JSON Schema, or export all of them for editors.

    \b
    Examples:
      pmkit schema project              print the project schema
      pmkit schema --output .schemas    write all schemas into .schemas/
    """
    from pmkit.core.kinds import BY_NAME
    from pmkit.ingest.schema import schema_dir

    names = sorted([*BY_NAME, "rollup"])  # rollup: the JSON contract of `pmkit rollup`
    if kind is not None and kind not in names:
        raise click.BadParameter(f"unknown kind {kind!r}; kinds: {', '.join(names)}", param_hint="KIND")
    if output is None:
        if kind is None:
            click.echo("\n".join(names))
            return
        click.echo((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"), nl=False)
        return
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IOProblem(f"cannot create {output}: {exc.strerror}") from exc
    for name in [kind] if kind else names:
        text = (schema_dir() / f"{name}.schema.json").read_text(encoding="utf-8")
        _write(output / f"{name}.schema.json", text)
        click.echo(f"wrote {output / f'{name}.schema.json'}")


@main.command()
@click.argument("directory", type=PROGRAM_DIR, required=False)
@REV_OPTION
@click.option("--as-of", type=IsoDate(), help="Date of the figures. Default: status_date, else today.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True,
              help="Output format.")
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache.")
def rollup(directory: Path | None, rev: str | None, as_of: dt.date | None, fmt: str, no_cache: bool) -> None:
    """Print every progress, budget, EVM, staffing and hiring figure as of a date.

    The program is validated first; with any error the findings go to stderr
    and nothing is computed (exit 1). The same input and date always give the
    same output, byte for byte. Schema: schemas/rollup.schema.json.

    \b
    Examples:
      pmkit rollup program
      pmkit rollup program --as-of 2026-10-31 > rollup.json
    """
    import json

    program = _program(directory, rev)
    day = as_of or _status_date(program)
    _model, document = _figures(program, day, no_cache, "rollup")
    click.echo(json.dumps(document, indent=2))


# --- human views of the rollup: status, budget, staff, report ------------------------

VIEW_FORMATS = ["table", "json", "csv", "markdown"]


def _status_date(program: Program) -> dt.date:
    """The program's status_date, else today: the default date of every figure."""
    from pmkit.ingest.gitsource import GitError

    try:
        return program.status_date() or dt.date.today()
    except OSError as exc:
        raise IOProblem(f"cannot read {exc.filename or program.directory}: {exc.strerror}") from exc
    except GitError as exc:
        raise GitProblem(str(exc)) from exc


def _figures(program: Program, day: dt.date, no_cache: bool, command: str) -> tuple[Model, dict[str, Any]]:
    """Validate, then compute the rollup document as of ``day``. With any error the
    findings go to stderr and the command exits 1: no figure from invalid data."""
    from pmkit.app.asof import before_start, in_force, stamp
    from pmkit.app.formats import FORMATS, Report
    from pmkit.ingest.gitsource import GitError

    chosen = program.rev is None  # the revision (if any) is the one in force on the day, not --rev
    try:
        program, commit = in_force(program, day, _status_date(program) if program.rev is None else None)
        computed = program.figures(day, use_cache=not no_cache)
        keep_to_exit(computed)
    except OSError as exc:
        raise IOProblem(f"cannot read {exc.filename or program.directory}: {exc.strerror}") from exc
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    if not computed.ok:
        result = computed.result
        findings, root = program.report_paths(result.findings)
        click.echo(FORMATS["text"](Report(findings, result.files, root, errors_only=True)), nl=False, err=True)
        errors = f"{result.errors} error" + ("" if result.errors == 1 else "s")
        if commit is not None and chosen:
            # the working tree may validate: the errors are those of the revision in force on the day
            click.echo(f"pmkit {command}: the figures as of {day} come from revision {commit.sha[:12]} of "
                       f"{commit.date.date()}, the last commit on or before {day}, and it has {errors}: no figures "
                       f"for that day (`pmkit validate --rev {commit.sha[:12]}` shows them).", err=True)
        else:
            where = f" --rev {program.rev}" if program.rev is not None else ""
            click.echo(f"pmkit {command}: {errors}; fix them first (`pmkit validate{where}`).", err=True)
        sys.exit(EXIT_FINDINGS)
    assert computed.model is not None and computed.document is not None  # ok: both computed
    refusal = before_start(computed.model, day)
    if refusal is not None:
        raise click.UsageError(refusal)
    stamp(computed.document, computed.model, day, commit)
    return computed.model, computed.document


def _view_options(by: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed([
            click.argument("directory", type=PROGRAM_DIR, required=False),
            REV_OPTION,
            click.option("--by", type=click.Choice(by), default=by[0], show_default=True,
                         help="Grouping of the main table (the csv output)."),
            click.option("--as-of", type=IsoDate(), help="Date of the figures. Default: status_date, else today."),
            click.option("--format", "fmt", type=click.Choice(VIEW_FORMATS), default="table", show_default=True,
                         help="table: aligned text; markdown: GitHub tables; csv: the main table, raw values; "
                              "json: the view's sections of `pmkit rollup`."),
            click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache."),
        ]):
            command = option(command)
        return command
    return decorate


def _show_view(name: str, directory: Path | None, rev: str | None, by: str, as_of: dt.date | None, fmt: str,
               no_cache: bool) -> None:
    from pmkit.app.render import provenance_lines, render, views

    program = _program(directory, rev)
    day = as_of or _status_date(program)
    model, document = _figures(program, day, no_cache, name)
    if name == "budget":
        from pmkit.app.render.report import transfer_records

        view = views.budget(document, by, transfer_records(model, dt.date.min, day))
    else:
        view = getattr(views, name)(document, by)
    view.notes = provenance_lines(document, by_date=rev is None)
    click.echo(render(view, fmt, terminal_width()), nl=False)


def terminal_width() -> int | None:
    """The width text tables fit: $COLUMNS, else the terminal's; None when output
    goes to a file or pipe (the whole table, as csv and markdown keep it)."""
    import shutil

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), 40)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


@main.command()
@_view_options(("project", "team", "vendor", "objective"))
def status(directory: Path | None, rev: str | None, by: str, as_of: dt.date | None, fmt: str,
           no_cache: bool) -> None:
    """Progress against plan, schedule gap, late and upcoming milestones, open problems.

    The same numbers as `pmkit rollup` (computed from its document); the
    program is validated first and with any error nothing is shown (exit 1).
    Gap = progress - planned, in percentage points. --format json prints the
    program, the --by section, milestones and risks of `pmkit rollup`.

    \b
    Examples:
      pmkit status program
      pmkit status program --by team --as-of 2026-09-30
      pmkit status program --by vendor --format csv > vendors.csv
      pmkit status program --format markdown >> notes.md
    """
    _show_view("status", directory, rev, by, as_of, fmt, no_cache)


@main.command()
@_view_options(("project", "category", "vendor", "line"))
def budget(directory: Path | None, rev: str | None, by: str, as_of: dt.date | None, fmt: str,
           no_cache: bool) -> None:
    """Budget lines, transfers, funding and gap, earned value (EVM).

    Current = baseline + transfers in - out; available = current - actual -
    committed, all as of the date. Table and markdown also list the transfers
    dated on or before it and the funding sources. --format json prints the
    program, the --by section (projects for `line`) and funding of `pmkit
    rollup`; csv prints the main table with raw values (money as in `pmkit
    rollup`, without separators).

    \b
    Examples:
      pmkit budget program
      pmkit budget program --by category --format markdown
      pmkit budget program --by line --format csv > lines.csv
      pmkit budget program --as-of 2026-06-30 --format json
    """
    _show_view("budget", directory, rev, by, as_of, fmt, no_cache)


@main.command()
@_view_options(("project", "team", "person"))
def staff(directory: Path | None, rev: str | None, by: str, as_of: dt.date | None, fmt: str,
          no_cache: bool) -> None:
    """FTE by project, team or person; over-allocation; contractor share; compliance; hiring.

    FTE counts the allocations active on the date (person employed, inside
    the allocation's and the project's dates). Compliance is per rule and per
    team; hiring per position. --format json prints the program, the --by
    section (staff for `person`), compliance and hiring of `pmkit rollup`.

    \b
    Examples:
      pmkit staff program
      pmkit staff program --by person
      pmkit staff program --by team --format csv > fte.csv
    """
    _show_view("staff", directory, rev, by, as_of, fmt, no_cache)


class Period(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from pmkit.app.render.report import period_bounds

        try:
            period_bounds(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a month in the form YYYY-MM", param, ctx)
        return str(value)


@main.command()
@click.argument("directory", type=PROGRAM_DIR, required=False)
@REV_OPTION
@click.option("--period", required=True, type=Period(), help="The month reported on.")
@click.option("--as-of", type=IsoDate(),
              help="The status date of the report (instead of status_date): the next month's report needs no edit.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache.")
def report(directory: Path | None, rev: str | None, period: str, as_of: dt.date | None, output: Path | None,
           no_cache: bool) -> None:
    """The monthly status report for superiors, in Markdown.

    Figures as of the period's last day, or the program's status date if that
    is earlier (a period starting after the status date has no figures yet:
    exit 2). --as-of replaces the status date, so next month's report needs
    no edit of status_date. Headline, progress by team, vendor and project, milestones hit
    in the period and missed, budget lines and the period's transfers, top
    open problems, hiring, compliance, and each team's narrative from
    reports/<period>.yaml. Without that file the report says so and still
    shows the figures. With any validation error nothing is written (exit 1).

    \b
    Examples:
      pmkit report program --period 2026-10
      pmkit report program --period 2026-09 -o status-2026-09.md
      pmkit report program --period 2026-11 --as-of 2026-11-30
    """
    from pmkit.app.render.report import narrative_record, period_bounds, report_date, transfer_records
    from pmkit.app.render.report import report as render_report

    program = _program(directory, rev)
    status_date = as_of or _status_date(program)
    first, _ = period_bounds(period)
    if first > status_date:
        raise click.UsageError(f"period {period} begins after the status date {status_date}: it has no figures yet")
    day = report_date(period, status_date)
    model, document = _figures(program, day, no_cache, "report")
    narrative, later = narrative_record(model, period), False
    if narrative is None and program.rev is None and (document.get("provenance") or {}).get("revision"):
        # A month's narrative is written after the month: the figures are those of the
        # revision in force on its last day, the narrative the files' as they stand.
        narrative = _narrative_now(program, period, day, no_cache)
        later = narrative is not None
    text = render_report(document, period, narrative, transfer_records(model, first, day), status_date, later,
                         by_date=program.rev is None)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


def _narrative_now(program: Program, period: str, day: dt.date, no_cache: bool) -> dict[str, Any] | None:
    """The period's narrative in the files as they stand, if they validate without error."""
    from pmkit.app.render.report import narrative_of
    from pmkit.domain.model import status_report

    try:
        result = program.validate(day, use_cache=not no_cache, need_index=True)
    except OSError:
        return None
    if result.errors or result.index is None or period not in result.index.reports:
        return None
    return narrative_of(status_report(result.index.reports[period].data))


# --- the status site: pmkit site build | serve ---------------------------------------


@main.group()
def site() -> None:
    """Build, serve or export the status website of a program (MkDocs with the pmkit plugin).

    The site uses DIR/mkdocs.yml or DIR/../mkdocs.yml when it lists the pmkit
    plugin (your own pages and theme), else pmkit's default pages. It works
    offline: no web fonts, no CDN, nothing fetched from elsewhere. `export`
    writes the pages as plain Markdown and SVG that any engine reading
    mkdocs.yml builds, without the plugin.

    \b
    Examples:
      pmkit site build program --output public
      pmkit site serve program
      pmkit site export status-site program
    """


@site.command("build")
@click.argument("directory", type=PROGRAM_DIR, required=False)
@REV_OPTION
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the site. Default: the mkdocs.yml's site_dir, else ./public.")
@click.option("--as-of", type=IsoDate(), help="Date of the figures. Default: status_date, else today.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any MkDocs warning, as `mkdocs build --strict`.")
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache.")
def site_build(directory: Path | None, rev: str | None, output: Path | None, as_of: dt.date | None, strict: bool,
               no_cache: bool) -> None:
    """Build the static status site of a program.

    With validation errors the site is still built, showing no figures and
    listing the findings on its data-quality page; the command then exits 1.

    \b
    Examples:
      pmkit site build program --output public
      pmkit site build program --as-of 2026-09-30 -o public-september
    """
    from mkdocs.exceptions import MkDocsException

    from pmkit.app.site import progress
    from pmkit.app.site.build import build
    from pmkit.app.site.revision import exported, site_origin
    from pmkit.ingest.gitsource import GitError

    program = _program(directory, rev)
    directory = program.directory
    try:
        program, origin = site_origin(program, as_of)
        with exported(program) as folder, progress.active():  # (a revision: its files in a temporary folder)
            _refuse_before_start(folder or directory, as_of)
            built = build(folder or directory, output, as_of, strict, use_cache=not no_cache,
                          config_dir=directory if folder else None, origin=origin)
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    except MkDocsException as exc:
        raise click.ClickException(f"the site was not built: {exc}") from exc
    except OSError as exc:
        raise IOProblem(f"cannot build the site: {exc.filename or ''} {exc.strerror}") from exc
    click.echo(f"Built the status site of {program.shown}{' at ' + rev if rev else ''} in {built.site_dir}: open {built.site_dir / 'index.html'}")
    if built.errors:
        # (from a revision, the errors are that revision's: the working tree may validate)
        check = f"pmkit validate --rev {origin.commit[:12]}" if origin is not None else "pmkit validate"
        click.echo(f"pmkit site build: {count(built.errors, 'validation error')}: the site shows no figures until they "
                   f"are fixed (`{check}`).", err=True)
        sys.exit(EXIT_FINDINGS)


def _refuse_before_start(folder: Path, as_of: dt.date | None) -> None:
    """A date before the program's start has no figures: refused before MkDocs starts."""
    from pmkit.app.asof import before_start_of_folder

    refusal = before_start_of_folder(folder, as_of)
    if refusal is not None:
        raise click.UsageError(refusal)


@site.command("export")
@click.argument("output", type=click.Path(path_type=Path))
@click.argument("directory", type=PROGRAM_DIR, required=False)
@click.option("--as-of", type=IsoDate(), help="Date of the figures. Default: status_date, else today.")
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache.")
def site_export(output: Path, directory: Path | None, as_of: dt.date | None, no_cache: bool) -> None:
    """Write the status site as plain Markdown and SVG into OUTPUT/docs, with an
    OUTPUT/mkdocs.yml that needs no pmkit plugin: MkDocs 1.x, or any engine that
    reads mkdocs.yml, builds it (`mkdocs build -f OUTPUT/mkdocs.yml`).

    OUTPUT must be new, empty or an earlier export (its docs/ is replaced).

    \b
    Examples:
      pmkit site export export program
      mkdocs build -f export/mkdocs.yml
    """
    from pmkit.app.site.export import ExportRefused, export

    from pmkit.app.site.revision import exported, site_origin
    from pmkit.ingest.gitsource import GitError

    program = _program(directory, None)
    try:
        program, origin = site_origin(program, as_of)
        with exported(program) as folder:
            _refuse_before_start(folder or program.directory, as_of)
            done = export(folder or program.directory, output, as_of, use_cache=not no_cache, origin=origin)
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    except ExportRefused as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        raise IOProblem(f"cannot export the site: {exc.filename or ''} {exc.strerror}") from exc
    click.echo(f"Exported the status site of {program.shown} to {done.folder}: {done.pages} pages and "
               f"{done.charts} charts in {done.folder / 'docs'}; build it with `mkdocs build -f {done.config}`")
    if done.errors:
        click.echo(f"pmkit site export: {count(done.errors, 'validation error')}: the pages show no figures until they "
                   "are fixed (`pmkit validate`).", err=True)
        sys.exit(EXIT_FINDINGS)


@site.command("serve")
@click.argument("directory", type=PROGRAM_DIR, default=".")
@click.option("--as-of", type=IsoDate(), help="Date of the figures. Default: status_date, else today. In git, a "
              "date before the status date serves the revision in force on it (no live reload of the figures).")
@click.option("--dev-addr", "-a", metavar="IP:PORT", help="Address to serve on. Default: 127.0.0.1:8000.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
def site_serve(directory: Path, as_of: dt.date | None, dev_addr: str | None, open_browser: bool) -> None:
    """Serve the status site with live reload: edit a YAML file, the page rebuilds.

    With --as-of a date before the status date, in a git repository, the
    figures are those of the revision in force on that date (the last commit
    on the current branch committed on or before it), as `pmkit site build
    --as-of` builds them; stderr names that revision. Edits to the program's
    files in the working tree are then not shown (they are not that
    revision): serve without --as-of to watch them. Hand-written pages still
    reload.

    \b
    Examples:
      pmkit site serve program
      pmkit site serve program -a 0.0.0.0:8080
      pmkit site serve program --as-of 2026-06-30
    """
    from mkdocs.exceptions import MkDocsException

    from pmkit.app.site.build import serve
    from pmkit.app.site.revision import exported, origin_sentence, site_origin
    from pmkit.ingest.gitsource import GitError

    program = _program(_program_dir(directory), None)
    try:
        program, origin = site_origin(program, as_of)
        with exported(program) as folder:  # (a revision: its files in a temporary folder)
            _refuse_before_start(folder or directory, as_of)
            if origin is not None:
                click.echo(f"pmkit site serve: {origin_sentence(origin, as_of)}; edits to the program's files in "
                           "the working tree are not shown (serve without --as-of to watch them)", err=True)
            serve(folder or directory, as_of, dev_addr, open_browser, config_dir=directory if folder else None,
                  origin=origin)
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    except MkDocsException as exc:
        raise click.ClickException(f"the site cannot be served: {exc}") from exc
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise IOProblem(f"cannot serve the site: {where}{exc.strerror or exc}") from exc


# --- pmkit diff (pmkit/app/diff.py, diff_command.py) ----------------------------------


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--program", "directory", type=PROGRAM_DIR,
              help="The program folder. Default: found in the repository (mkdocs.yml, else program/).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="markdown: a pull-request comment; json: schemas/diff.schema.json.")
@click.option("--as-of", type=IsoDate(), help="Date of both sides' figures. Default: HEAD's status_date, else today.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the diff to a file.")
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache.")
def diff(base: str, head: str | None, directory: Path | None, fmt: str, as_of: dt.date | None,
         output: Path | None, no_cache: bool) -> None:
    """What a change does to the program: BASE against HEAD (default: the working tree).

    Records added, removed, renamed and changed field by field; findings
    introduced and fixed; the program's and each project's figures that
    moved. Revisions are read from git's objects (no checkout). Private
    fields never appear: a changed one shows as "changed". Exit status 0
    (the diff is informational), 2 on a usage or git problem.

    \b
    Examples:
      pmkit diff HEAD~1                     the last commit and uncommitted edits
      pmkit diff main HEAD --format markdown > comment.md
      pmkit diff origin/main HEAD --format json
    """
    from pmkit.app.diff_command import command
    from pmkit.ingest.gitsource import GitError, Repository

    try:
        Repository.find(directory or Path.cwd())  # a diff reads git: say so first outside a repository
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    program = _program(directory, base, f"{base} and {head or 'the working tree'}")
    command(program, base, head, fmt, as_of, output, use_cache=not no_cache)


# --- pmkit history (pmkit/app/history.py, history_command.py) -----------------------------

@main.command()
@click.argument("directory", type=PROGRAM_DIR, required=False)
@click.option("--since", metavar="REV|DATE", help="Start after this revision, or on this day (YYYY-MM-DD).")
@click.option("--until", metavar="REV|DATE", help="End at this revision, or on this day (YYYY-MM-DD).")
@click.option("--by", type=click.Choice(["commit", "day", "week", "month"]), default="commit", show_default=True,
              help="One row per commit, or for the last commit of each day, week or month.")
@click.option("--project", metavar="ID", help="The figures of one project instead of the program.")
@click.option("--all-projects", is_flag=True, help="One row per commit and project.")
@click.option("--baselines", is_flag=True,
              help="List every change to a budget baseline, a project's dates or a milestone's due date.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="json: schemas/history.schema.json.")
@click.option("--no-cache", is_flag=True, help="Compute every commit again instead of using the cache.")
def history(directory: Path | None, since: str | None, until: str | None, by: str, project: str | None,
            all_projects: bool, baselines: bool, fmt: str, no_cache: bool) -> None:
    """The program's figures over the git history: one row per commit (first parents of HEAD).

    Each commit's figures are computed as of its committer day from the files
    it holds. A commit where the program does not validate is a row with its
    error count and no figures. Exit 2 outside a git repository.

    \b
    Examples:
      pmkit history
      pmkit history program --by month --format csv > trend.csv
      pmkit history --project erp-replacement --since 2026-06-01
      pmkit history --baselines
    """
    from pmkit.app.history_command import UnknownProject
    from pmkit.app.history_command import run as run_history
    from pmkit.ingest.gitsource import GitError

    if project is not None and all_projects:
        raise click.UsageError("give --project ID or --all-projects, not both")
    program = _program(directory, None)
    try:
        text = run_history(program.directory, since, until, by, project, all_projects, fmt, baselines, not no_cache)
    except GitError as exc:
        raise GitProblem(str(exc)) from exc
    except UnknownProject as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(text, nl=False)
