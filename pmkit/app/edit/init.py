"""`pmkit init DIR`: a small complete planning repository that validates with
no finding and builds its site; it never overwrites a file."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click
import jinja2

from pmkit.app.edit.text import scalar
from pmkit.core.kinds import KINDS
from pmkit.ingest.schema import schema_dir

TEMPLATES = Path(__file__).parent.parent / "templates" / "scaffold"

#: target (relative to DIR) -> template
LAYOUT = {
    "program/program.yaml": "program.yaml.j2",
    "program/teams/pmo.yaml": "team.yaml.j2",
    "program/staff/pat-manager.yaml": "manager.yaml.j2",
    "program/staff/alex-analyst.yaml": "analyst.yaml.j2",
    "program/projects/first-project.yaml": "project.yaml.j2",
    "program/budget/funding.yaml": "funding.yaml.j2",
    "program/budget/expenses/{month}.yaml": "expenses.yaml.j2",
    "program/reports/{month}.yaml": "report.yaml.j2",
    "mkdocs.yml": "mkdocs.yml.j2",
    "docs/about.md": "about.md.j2",
    ".pre-commit-config.yaml": "pre-commit-config.yaml.j2",
    ".github/workflows/pmkit.yml": "workflow.yml.j2",
    ".gitignore": "gitignore.j2",
    "README.md": "README.md.j2",
}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def scaffold(name: str, currency: str, start: dt.date, today: dt.date) -> dict[str, str]:
    """Every file of a new planning repository: relative path -> text."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                             autoescape=False, undefined=jinja2.StrictUndefined)
    env.filters["yaml"] = scalar
    month = today.strftime("%Y-%m")
    values = {"name": name, "currency": currency, "start": start.isoformat(),
              "end": max(_add_years(start, 2) - dt.timedelta(days=1), _add_years(today, 1)).isoformat(),
              # planned ahead of today, whatever the start: nothing is late on day one
              "milestone": (today + dt.timedelta(days=60)).isoformat(), "month": month}
    files = {target.format(month=month): env.get_template(template).render(**values)
             for target, template in LAYOUT.items()}
    files.update(_editor_settings())
    return files


def _editor_settings() -> dict[str, str]:
    """The schemas for editors, and VS Code's map of every folder to its schema."""
    files = {}
    mapping: dict[str, list[str]] = {}
    for kind in KINDS:
        files[f"schemas/{kind.schema_file}"] = (schema_dir() / kind.schema_file).read_text(encoding="utf-8")
        mapping[f"schemas/{kind.schema_file}"] = [f"program/{kind.glob}"]
    settings = {"yaml.schemas": mapping, "yaml.customTags": [], "files.insertFinalNewline": True}
    files[".vscode/settings.json"] = json.dumps(settings, indent=2) + "\n"
    return files


def write_new(root: Path, files: dict[str, str]) -> list[str]:
    """Write each file that does not exist yet (exclusive create); the ones skipped."""
    skipped = []
    for rel, text in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            skipped.append(rel)
    return skipped


@click.command("init", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="New IT program", show_default=True, help="Name of the program.")
@click.option("--currency", default="USD", show_default=True, help="ISO 4217 code, e.g. EUR.")
@click.option("--start", help="First day of the program, YYYY-MM-DD (default: the 1st of this month).")
@click.option("--force", is_flag=True, help="Add to a folder that is not empty (existing files are kept).")
def init(directory: Path, name: str, currency: str, start: str | None, force: bool) -> None:
    """Start a planning repository in DIR: a small program in DIR/program/
    that validates cleanly, and at DIR its mkdocs.yml (the status site), CI
    workflow, pre-commit hook, editor schemas and README. Commands run in DIR
    find program/ without being told.

    \b
    Examples:
      pmkit init my-plan --name "Data centre exit" --currency EUR
      cd my-plan && pmkit validate && mkdocs build
    """
    today = dt.date.today()
    try:
        first = dt.date.fromisoformat(start) if start else today.replace(day=1)
    except ValueError:
        raise click.BadParameter(f"{start!r} is not a date in the form YYYY-MM-DD", param_hint="--start") from None
    if first > today:
        raise click.BadParameter("the start must not be after today (the first report is this month's)",
                                 param_hint="--start")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise click.BadParameter(f"{currency!r} is not an ISO 4217 code (three capital letters)", param_hint="--currency")
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    if directory.exists() and any(directory.iterdir()) and not force:
        raise click.UsageError(f"{directory} is not empty; use --force to add the starter files (none is overwritten)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        skipped = write_new(directory, scaffold(name, currency, first, today))
    except OSError as exc:
        raise click.ClickException(f"cannot write in {directory}: {exc.strerror}") from exc
    for rel in skipped:
        click.echo(f"kept {rel} (it exists)", err=True)
    click.echo(f"created a planning repository in {directory}: the program in {directory}/program\n"
               f"  cd {directory}\n"
               f"  pmkit validate          (finds program/ from mkdocs.yml)\n"
               f"  mkdocs build            (the status site, in public/)")
