"""`pmkit new KIND ID`: a valid record from the kind's schema, required fields
filled with sensible defaults (or --set), optional fields as explaining comments."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import click

from pmkit.app.edit.run import change_text, finish, program_root
from pmkit.app.edit.text import money, scalar, typed
from pmkit.core.kinds import BY_NAME, ID_PATTERN, PERIOD_PATTERN
from pmkit.core.wording import count
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.source import read_guarded
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
        data = parse("program.yaml", read_guarded(root, "program.yaml")).value
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


def _schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return loaded


def _resolve(schema: dict[str, Any], spec: Any) -> dict[str, Any]:
    """``spec`` with a local ``$ref`` merged in (its own keys win)."""
    if not isinstance(spec, dict):
        return {}
    ref = str(spec.get("$ref", ""))
    if ref.startswith("#/$defs/"):
        return {**schema.get("$defs", {}).get(ref.rsplit("/", 1)[1], {}), **spec}
    return spec


_STEP = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)(?:\[([0-9]*)\])?$")


def _steps(field: str) -> list[tuple[str, int | None | str]]:
    """``budget.labor`` -> [(budget, ""), (labor, "")]; ``tasks[0].id`` -> [(tasks, 0), (id, "")];
    ``requirements[]`` -> [(requirements, None)] (None: append an item)."""
    steps: list[tuple[str, int | None | str]] = []
    for part in field.split("."):
        match = _STEP.match(part)
        if not match:
            raise click.BadParameter(f"{field!r}: {part!r} is not a field name (e.g. budget.labor, tasks[0].id, "
                                     "requirements[])", param_hint="--set")
        index = match.group(2)
        steps.append((match.group(1), "" if index is None else (int(index) if index else None)))
    return steps


def _unknown(field: str, name: str, known: list[str], where: str) -> click.BadParameter:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else f"; see `pmkit schema {where}`"
    return click.BadParameter(f"{field!r}: {where} has no field {name!r}{hint}", param_hint="--set")


def set_value(kind: str, values: dict[str, Any], item: str) -> None:
    """Apply one ``--set FIELD=VALUE`` to ``values``, following the kind's schema:
    nested mappings (``budget.labor=1000``), list items (``requirements[]=SQL``,
    ``tasks[0].id=plan``); an unknown field is refused, with the close names."""
    field, sep, text = item.partition("=")
    field = field.strip()
    if not sep or not field:
        raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--set")
    schema = _schema(kind)
    spec: dict[str, Any] = schema
    target: Any = values
    steps = _steps(field)
    for number, (name, index) in enumerate(steps):
        properties = spec.get("properties", {})
        if name in properties:
            spec = _resolve(schema, properties[name])
        elif isinstance(spec.get("additionalProperties"), dict):
            spec = _resolve(schema, spec["additionalProperties"])
        else:
            raise _unknown(field, name, list(properties), kind)
        last = number == len(steps) - 1
        if index != "":
            if spec.get("type") != "array":
                raise click.BadParameter(f"{field!r}: {name} is not a list", param_hint="--set")
            items = target.setdefault(name, [])
            if not isinstance(items, list):
                raise click.BadParameter(f"{field!r}: {name} is already set to a single value", param_hint="--set")
            spec = _resolve(schema, spec.get("items"))
            if index is None or index == len(items):
                items.append(None if not last else _typed(spec, text, field))
                index = len(items) - 1
            elif not isinstance(index, int) or index > len(items):
                raise click.BadParameter(f"{field!r}: {name} has {count(len(items), 'item')}; the next is [{len(items)}]",
                                         param_hint="--set")
            if last:
                items[index] = _typed(spec, text, field)
            else:
                if not isinstance(items[index], dict):
                    items[index] = {}
                target = items[index]
        elif last:
            target[name] = _typed(spec, text, field)
        else:
            if spec.get("type") != "object":
                raise click.BadParameter(f"{field!r}: {name} is not a mapping", param_hint="--set")
            child = target.get(name)
            if not isinstance(child, dict):
                child = target[name] = {}
            target = child


class Raw(str):
    """YAML text to write as it is (money, exactly as given)."""


def _typed(spec: dict[str, Any], text: str, field: str) -> Any:
    """A --set value: money exactly as given, a number only where the schema wants one, else text."""
    if spec.get("format") == "money" or spec.get("type") == "number":
        try:
            return Raw(money(text))
        except ValueError as exc:
            raise click.BadParameter(f"{field!r}: {exc}", param_hint="--set") from None
    if spec.get("type") in ("integer", "boolean"):
        return typed(text)
    if spec.get("type") in ("object", "array"):
        raise click.BadParameter(f"{field!r} holds several values: set its parts (e.g. {field}.KEY=VALUE "
                                 f"or {field}[]=VALUE)", param_hint="--set")
    return text


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _yaml(value: Any) -> str:
    if isinstance(value, Raw) or (isinstance(value, str) and _DATE.fullmatch(value)):
        return str(value)
    return scalar(value)


def _block(key: str, value: Any, indent: int) -> list[str]:
    """``key: value`` as block YAML at ``indent``."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        return [f"{pad}{key}:\n", *[line for k, v in value.items() for line in _block(k, v, indent + 2)]]
    if isinstance(value, list) and value:
        lines = [f"{pad}{key}:\n"]
        for item in value:
            if isinstance(item, dict) and item:
                inner = [line for k, v in item.items() for line in _block(k, v, indent + 4)]
                lines.append(f"{pad}  - {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}  - {_yaml(item)}\n")
        return lines
    if isinstance(value, (dict, list)):
        return [f"{pad}{key}: {'{}' if isinstance(value, dict) else '[]'}\n"]
    return [f"{pad}{key}: {_yaml(value)}\n"]


def record_text(kind: str, values: dict[str, Any]) -> str:
    schema = _schema(kind)
    properties: dict[str, Any] = schema.get("properties", {})
    lines = [f"# {schema.get('title') or kind}: created by `pmkit new`. Optional fields are commented out.\n\n"]
    for key, value in values.items():
        lines += _block(key, value, 0)
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
        try:
            data = parse("report", read_guarded(root, f"reports/{earlier[-1]}.yaml")).value or {}
        except Exception:  # noqa: BLE001  (last month's report unreadable: start with no teams)
            data = {}
        if not isinstance(data, dict):
            data = {}
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
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Set a field (repeatable): name=..., budget.labor=1000, requirements[]=SQL, tasks[0].id=plan.")
@click.option("--dry-run", is_flag=True, help="Print the new file and write nothing.")
def new(kind: str, ident: str, directory: Path | None, sets: tuple[str, ...], dry_run: bool) -> None:
    """Create a new record file of KIND named ID in the program DIRECTORY.

    \b
    Examples:
      pmkit new project data-lake program --set name="Data lake" --set team=data-analytics \\
        --set budget.labor=120000 --set budget.cloud=30000.50
      pmkit new position dba program --set requirements[]=PostgreSQL --set requirements[]="On-call rota"
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
            set_value(schema_kind, values, item)
        text = record_text(schema_kind, values)
    finish(root, [change_text(root, rel, lambda _old: text)], dry_run)
