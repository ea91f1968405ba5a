"""`pmkit new KIND ID`: a valid record from the kind's schema, required fields
filled with sensible defaults (or --set), optional fields as explaining comments."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import click

from pmkit.app.edit.run import change_text, finish, program_root
from pmkit.app.edit.text import scalar, typed
from pmkit.core.kinds import BY_NAME, ID_PATTERN, PERIOD_PATTERN
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.schema import schema_dir

#: pmkit kind name -> (schema kind, one line of help)
KINDS = {
    "project": ("project", "a project with its owner, team, dates and budget (projects/ID.yaml)"),
    "person": ("staff", "a member of staff (staff/ID.yaml)"),
    "team": ("team", "a team (teams/ID.yaml)"),
    "vendor": ("vendor", "a vendor and its contracts (vendors/ID.yaml)"),
    "position": ("position", "an open position to hire for (hiring/ID.yaml)"),
    "rule": ("rule", "a rule staff must acknowledge (rules/ID.yaml)"),
    "risk": ("risk", "a risk or issue (risks/ID.yaml)"),
    "report": ("report", "a monthly status report, ID = YYYY-MM; copies last month's teams"),
}


def _first(root: Path, folder: str) -> str | None:
    names = sorted(p.stem for p in (root / folder).glob("*.yaml")) if (root / folder).is_dir() else []
    return names[0] if names else None


def _program(root: Path) -> dict[str, Any]:
    try:
        data = parse("program.yaml", (root / "program.yaml").read_bytes()).value
    except Exception:  # noqa: BLE001
        data = None
    return data if isinstance(data, dict) else {}


def defaults(kind: str, ident: str, root: Path) -> dict[str, Any]:
    """Required fields of a new record, filled from the program where it can."""
    today = dt.date.today().isoformat()
    program = _program(root)
    manager = str(program.get("manager") or "")
    team = _first(root, "teams") or ""
    title = ident.replace("-", " ").capitalize()
    end = str(program.get("end") or today)
    records: dict[str, dict[str, Any]] = {
        "project": {"name": title, "owner": manager, "team": team, "status": "proposed", "start": today, "end": end},
        "staff": {"name": title, "team": team, "employment": "employee", "start": today},
        "team": {"name": title, "department": "Information Technology"},
        "vendor": {"name": title},
        "position": {"title": title, "team": team, "openings": 1, "status": "open", "opened": today,
                     "decision": "manager"},
        "rule": {"title": title, "category": "governance", "effective": today},
        "risk": {"type": "issue", "title": title, "opened": today, "status": "open", "severity": "medium",
                 "owner": manager},
    }
    return records[kind]


def _as_schema_says(kind: str, field: str, text: str) -> Any:
    """A --set value: a number only where the schema wants one, else text as given."""
    schema = json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))
    spec = schema.get("properties", {}).get(field, {})
    numeric = spec.get("type") in ("integer", "number") or str(spec.get("$ref", "")).endswith(("money", "percent"))
    return typed(text) if numeric else text


def record_text(kind: str, values: dict[str, Any]) -> str:
    schema = json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))
    properties: dict[str, Any] = schema.get("properties", {})
    lines = [f"# {schema.get('title') or kind}: created by `pmkit new`. Optional fields are commented out.\n\n"]
    for key, value in values.items():
        plain_date = isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)
        lines.append(f"{key}: {value if plain_date else scalar(value)}\n")
    optional = [k for k in properties if k not in values]
    if optional:
        lines.append("\n# Optional fields:\n")
    for key in optional:
        description = " ".join(str(properties[key].get("description", "")).split())
        for part in textwrap.wrap(description, 86) or [""]:
            lines.append(f"#   {part}\n")
        lines.append(f"# {key}:\n")
    return "".join(lines)


def report_text(root: Path, period: str) -> str:
    """Next month's report: last report's teams, narratives left to write."""
    reports = sorted(p.stem for p in (root / "reports").glob("*.yaml")) if (root / "reports").is_dir() else []
    earlier = [r for r in reports if r < period]
    teams: list[str] = []
    author = None
    if earlier:
        data = parse("report", (root / "reports" / f"{earlier[-1]}.yaml").read_bytes()).value or {}
        teams = [str(e.get("team")) for e in data.get("entries") or [] if isinstance(e, dict) and e.get("team")]
        author = data.get("author")
    if not teams:
        teams = sorted(p.stem for p in (root / "teams").glob("*.yaml"))
    lines = [f"# Monthly status report, {period}. Write each team's summary; rag is green, amber or red.\n\n",
             f'period: "{period}"\n']
    if author:
        lines.append(f"author: {author}\n")
    lines.append("\nentries:\n")
    for i, team in enumerate(teams):
        if i:
            lines.append("\n")
        lines += [f"  - team: {team}\n", "    rag: green\n", "    summary: To be written\n",
                  "    done: []\n", "    next: []\n", "    blockers: []\n"]
    return "".join(lines)


@click.command("new", context_settings={"help_option_names": ["-h", "--help"]},
               epilog="Kinds:\n\n\b\n" + "\n".join(f"  {k:<9} {v[1]}" for k, v in KINDS.items()))
@click.argument("kind")
@click.argument("ident", metavar="ID")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="Set a field (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the new file and write nothing.")
def new(kind: str, ident: str, directory: Path, sets: tuple[str, ...], dry_run: bool) -> None:
    """Create a new record file of KIND named ID in the program DIRECTORY.

    \b
    Examples:
      pmkit new project data-lake program --set name="Data lake" --set team=data-analytics
      pmkit new report 2026-11 program
    """
    if kind not in KINDS:
        raise click.BadParameter(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}", param_hint="KIND")
    schema_kind = KINDS[kind][0]
    pattern = PERIOD_PATTERN if kind == "report" else ID_PATTERN
    if not pattern.match(ident) or len(ident) > 64:
        wanted = "a month, YYYY-MM" if kind == "report" else "lower-case letters, digits and single dashes"
        raise click.BadParameter(f"{ident!r} is not a valid id: use {wanted}", param_hint="ID")
    root = program_root(directory)
    rel = f"{BY_NAME[schema_kind].folder}/{ident}.yaml"
    if (root / rel).exists() or (root / rel).is_symlink():
        raise click.UsageError(f"{rel} already exists")
    if kind == "report":
        if sets:
            raise click.UsageError("--set is not used with reports; edit the new file")
        text = report_text(root, ident)
    else:
        values = {k: v for k, v in defaults(schema_kind, ident, root).items() if v != ""}
        for item in sets:
            field, sep, value = item.partition("=")
            if not sep or not field:
                raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--set")
            values[field.strip()] = _as_schema_says(schema_kind, field.strip(), value)
        text = record_text(schema_kind, values)
    finish(root, [change_text(root, rel, lambda _old: text)], dry_run)
