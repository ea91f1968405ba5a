"""The ``pmkit`` command: thin Click glue over the pipeline stages."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from pmkit import __version__

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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="pmkit")
def main() -> None:
    """Plain-text, git-backed planning for IT program managers.

    \b
    Examples:
      pmkit validate program          check every file, as CI does
      pmkit validate --format github  annotations inline in a pull request
      pmkit rules                     every finding code and what it means
      pmkit schema --output schemas/  export the JSON Schemas for editors
    """


@main.command()
@click.argument("directory", type=PROGRAM_DIR, default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "junit"]),
              help="Output format. Default: github under GitHub Actions, else text.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--as-of", type=IsoDate(), help="Date for date-dependent rules. Default: status_date, else today.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--no-cache", is_flag=True,
              help="Re-check every file. By default unchanged files' results come from the cache "
                   "($PMKIT_CACHE_DIR, else ~/.cache/pmkit).")
def validate(directory: Path, fmt: str | None, strict: bool, as_of: dt.date | None, output: Path | None,
             no_cache: bool) -> None:
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
    """
    from pmkit.formats import FORMATS, Report
    from pmkit.validate import validate_directory

    directory = _program_dir(directory)
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    try:
        result = validate_directory(directory, as_of, use_cache=not no_cache)
    except OSError as exc:
        raise IOProblem(f"cannot read {exc.filename or directory}: {exc.strerror}") from exc
    # Colour for text on a terminal: click strips the styles when stdout is
    # not a TTY (piped, redirected, CI logs); NO_COLOR (non-empty) turns it off.
    color = fmt == "text" and output is None and not os.environ.get("NO_COLOR")
    rendered = FORMATS[fmt](Report(result.findings, result.files, directory.as_posix(), color))
    if output is not None:
        _write(output, rendered)
    else:
        click.echo(rendered, nl=False, color=None if color else False)
    failed = result.errors > 0 or (strict and result.warnings > 0)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List every finding code with its layer, default severity and meaning.

    \b
    Examples:
      pmkit rules
      pmkit rules --format markdown > docs/codes.md
    """
    from pmkit.docs import codes_json, codes_markdown, codes_text

    render = {"text": codes_text, "markdown": codes_markdown, "json": codes_json}[fmt]
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
    from pmkit.kinds import BY_NAME
    from pmkit.schema import schema_dir

    names = sorted(BY_NAME)
    if kind is not None and kind not in BY_NAME:
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
@click.argument("directory", type=PROGRAM_DIR, default=".")
@click.option("--as-of", type=IsoDate(), help="Date of the figures. Default: status_date, else today.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True,
              help="Output format.")
@click.option("--no-cache", is_flag=True, help="Re-check every file instead of using the validation cache.")
def rollup(directory: Path, as_of: dt.date | None, fmt: str, no_cache: bool) -> None:
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

    from pmkit import model as domain
    from pmkit.formats import FORMATS, Report
    from pmkit.rollup import as_json, compute
    from pmkit.validate import read_settings, validate_directory

    directory = _program_dir(directory)
    day = as_of or read_settings((directory / "program.yaml").read_bytes()).status_date or dt.date.today()
    result = validate_directory(directory, day, use_cache=not no_cache)
    if result.errors or result.index is None:
        rendered = FORMATS["text"](Report(result.findings, result.files, directory.as_posix()))
        click.echo(rendered, nl=False, err=True)
        click.echo(f"pmkit rollup: {result.errors} error(s); fix them first (`pmkit validate`).", err=True)
        sys.exit(EXIT_FINDINGS)
    document = as_json(compute(domain.build(result.index), day))
    click.echo(json.dumps(document, indent=2))
