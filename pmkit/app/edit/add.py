"""`pmkit add WHAT`, `pmkit set progress`, `pmkit done`: one entry or one value
added to the right file, in the file's own style."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

import click

from pmkit.app.edit.run import change_text, finish, need, need_all, program_root
from pmkit.app.edit.text import append_entry, money, scalar, set_field
from pmkit.core.kinds import ID_PATTERN
from pmkit.core.vocabulary import STAGES
from pmkit.ingest.loader.yaml12 import parse
from pmkit.ingest.source import read_guarded

DIR = click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
DRY = click.option("--dry-run", is_flag=True, help="Print the diff and write nothing.")

KINDS_HELP = {
    "expense": "a cost in its period's expense file (id generated)",
    "refund": "a negative expense that refunds one (--of EXPENSE)",
    "transfer": "money moved between two budget lines (transfers file)",
    "acknowledgement": "a person acknowledged a rule (staff file)",
    "allocation": "a person's share of time on a project (staff file)",
    "candidate": "a candidate for a position (hiring file)",
    "interview": "an interview of a candidate (hiring file)",
    "milestone": "a dated checkpoint of a project",
    "task": "a task of a project's work breakdown",
}


def _iso(value: str | None, name: str) -> str:
    value = need(value, name)
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD", param_hint=name) from None


def _id(value: str, name: str) -> str:
    if not ID_PATTERN.match(value):
        raise click.BadParameter(f"{value!r} is not an id (lower-case letters, digits and single hyphens)",
                                 param_hint=name)
    return value


def _is_id(name: str) -> Callable[[str], str]:
    return lambda value: _id(value, name)


def _is_date(name: str) -> Callable[[str], str]:
    return lambda value: _iso(value, name)


def _money(value: str | None, name: str = "--amount") -> str:
    try:
        return money(str(need(value, name)))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


def _text(value: str | None, name: str) -> str:
    value = need(value, name)
    if not str(value).strip():
        raise click.BadParameter("must not be empty", param_hint=name)
    return str(value)


def _load(root: Path, rel: str) -> Any:
    path = root / rel
    if not path.is_file():
        raise click.UsageError(f"{rel} does not exist")
    try:
        return parse(rel, read_guarded(root, rel)).value
    except Exception as exc:  # noqa: BLE001 - a file that does not parse is reported, not edited
        raise click.ClickException(f"{rel} does not parse; run `pmkit validate` and fix it first") from exc


@click.group("add", context_settings={"help_option_names": ["-h", "--help"]})
def add() -> None:
    """Add one entry to the plan, in the right file and the file's own style.

    Every edit validates the program as it would be and writes nothing if
    that adds an error (exit 1); --dry-run prints the diff. Missing options
    are asked for at a terminal, never in CI (CI set or no terminal: exit 2).
    Without DIR the program is found as `pmkit validate` finds it.

    \b
    Examples:
      pmkit add expense program --project data-warehouse --category labor --amount 1234.56 \\
        --date 2026-09-29 --description "Overtime"
      pmkit add transfer program --from data-warehouse/travel --to data-warehouse/labor \\
        --amount 5000 --date 2026-10-01 --reason "Cut-over"
    """


def _next_id(existing: list[str], prefix: str, width: int = 3) -> str:
    numbers = []
    for ident in existing:
        match = re.fullmatch(re.escape(prefix) + r"([0-9]+)", ident)
        if match:
            numbers.append(int(match.group(1)))
            width = max(width, len(match.group(1)))
    return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"


#: settings.expense_files in program.yaml -> how a date names its expense file
PERIODS = ("monthly", "quarterly", "yearly")


def expense_period(root: Path, date: str) -> str:
    """The expense file (and id prefix) a date belongs to, by program.yaml
    `settings.expense_files`: monthly `2026-10`, quarterly `2026-q4`, yearly `2026`."""
    program = _load(root, "program.yaml")
    settings = program.get("settings") if isinstance(program, dict) else None
    period = settings.get("expense_files", "monthly") if isinstance(settings, dict) else "monthly"
    if period not in PERIODS:
        raise click.UsageError(f"program.yaml settings.expense_files is {period!r}; use one of {', '.join(PERIODS)}")
    year, month = date[:4], int(date[5:7])
    return {"monthly": date[:7], "quarterly": f"{year}-q{(month - 1) // 3 + 1}", "yearly": year}[period]


def _period_ids(root: Path, period: str) -> list[str]:
    rel = f"budget/expenses/{period}.yaml"
    if not (root / rel).is_file():
        return []
    data = _load(root, rel) or {}
    return [str(e.get("id")) for e in data.get("expenses") or [] if isinstance(e, dict)]


def _expense_id(root: Path, ident: str | None, period: str) -> str:
    return _id(ident, "--id") if ident else _next_id(_period_ids(root, period), f"exp-{period}-")


def _append_expense(root: Path, period: str, fields: list[tuple[str, str]], dry_run: bool) -> None:
    rel = f"budget/expenses/{period}.yaml"

    def edit(old: str | None) -> str:
        if old is None:
            return "expenses:\n" + "".join(f"  {'- ' if i == 0 else '  '}{k}: {v}\n" for i, (k, v) in enumerate(fields))
        return append_entry(old, ("expenses",), fields)

    finish(root, [change_text(root, rel, edit)], dry_run)


@add.command("expense", short_help=KINDS_HELP["expense"])
@DIR
@click.option("--project", help="Project (id) charged.")
@click.option("--category", help="Budget category (id) charged.")
@click.option("--amount", help="Amount, exactly as on the invoice (e.g. 1234.56).")
@click.option("--date", "date_", help="Date incurred or invoiced, YYYY-MM-DD.")
@click.option("--description", help="What was bought.")
@click.option("--vendor", help="Vendor (id) paid.")
@click.option("--contract", help="Contract (id) the invoice is against.")
@click.option("--invoice", help="Invoice number as printed.")
@click.option("--id", "ident", help="Expense id (default: the next one in the period's file).")
@DRY
def add_expense(directory: Path | None, project: str | None, category: str | None, amount: str | None,
                date_: str | None, description: str | None, vendor: str | None, contract: str | None,
                invoice: str | None, ident: str | None, dry_run: bool) -> None:
    """Add an expense to the expense file of its date's period, created if missing:
    budget/expenses/YYYY-MM.yaml, or YYYY-qN.yaml / YYYY.yaml when program.yaml
    sets `settings: {expense_files: quarterly}` (or `yearly`).

    \b
    Examples:
      pmkit add expense program --project data-warehouse --category labor \\
        --amount 1234.56 --date 2026-09-29 --description "Cut-over overtime"
    """
    root = program_root(directory)
    project, category, amount, date_ = need_all(("--project", project, _is_id("--project")),
                                                ("--category", category, _is_id("--category")),
                                                ("--amount", amount, _money), ("--date", date_, _is_date("--date")))
    project = _id(project, "--project")
    category = _id(category, "--category")
    amount_text = _money(amount)
    date = _iso(date_, "--date")
    period = expense_period(root, date)
    ident = _expense_id(root, ident, period)
    fields = [("id", ident), ("date", date), ("project", project), ("category", category), ("amount", amount_text)]
    for key, value in (("vendor", vendor), ("contract", contract)):
        if value:
            fields.append((key, _id(value, f"--{key}")))
    if invoice:
        fields.append(("invoice", scalar(invoice)))
    if description:
        fields.append(("description", scalar(description)))
    _append_expense(root, period, fields, dry_run)


def _find_expense(root: Path, ident: str) -> dict[str, Any]:
    folder = root / "budget" / "expenses"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = _load(root, f"budget/expenses/{path.name}") or {}
        for entry in data.get("expenses") or []:
            if isinstance(entry, dict) and entry.get("id") == ident:
                return entry
    raise click.BadParameter(f"no expense {ident!r} in budget/expenses/", param_hint="--of")


@add.command("refund", short_help=KINDS_HELP["refund"])
@DIR
@click.option("--of", "of", help="The expense (id) refunded.")
@click.option("--amount", help="Amount refunded (positive or negative; written negative).")
@click.option("--date", "date_", help="Date of the refund, YYYY-MM-DD.")
@click.option("--description", help="Why the money came back.")
@click.option("--id", "ident", help="Expense id (default: the next one in the period's file).")
@DRY
def add_refund(directory: Path | None, of: str | None, amount: str | None, date_: str | None,
               description: str | None, ident: str | None, dry_run: bool) -> None:
    """Add a refund: a negative expense on the original's project and category.

    \b
    Examples:
      pmkit add refund program --of exp-2026-10-001 --amount 120.00 --date 2026-10-20
    """
    root = program_root(directory)
    of, amount, date_ = need_all(("--of", of, _is_id("--of")), ("--amount", amount, _money),
                               ("--date", date_, _is_date("--date")))
    original = _find_expense(root, _id(of, "--of"))
    amount_text = _money(amount).lstrip("-")
    date = _iso(date_, "--date")
    period = expense_period(root, date)
    ident = _expense_id(root, ident, period)
    fields = [("id", ident), ("date", date), ("project", str(original.get("project"))),
              ("category", str(original.get("category"))), ("amount", f"-{amount_text}")]
    for key in ("vendor", "contract"):
        if original.get(key):
            fields.append((key, str(original[key])))
    fields.append(("refund_of", str(original.get("id"))))
    if description:
        fields.append(("description", scalar(description)))
    _append_expense(root, period, fields, dry_run)


def _line(value: str | None, name: str) -> str:
    value = need(value, name)
    project, _, category = str(value).partition("/")
    _id(project, name), _id(category, name)
    return f"{{project: {project}, category: {category}}}"


@add.command("transfer", short_help=KINDS_HELP["transfer"])
@DIR
@click.option("--from", "from_", help="Budget line money moves from: PROJECT/CATEGORY.")
@click.option("--to", help="Budget line money moves to: PROJECT/CATEGORY.")
@click.option("--amount", help="Amount moved (positive).")
@click.option("--date", "date_", help="Date it takes effect, YYYY-MM-DD.")
@click.option("--reason", help="Why the money is redirected.")
@click.option("--approved-by", help="Who approved it (a staff id).")
@click.option("--id", "ident", help="Transfer id (default: the next tr-YYYY-NNN).")
@DRY
def add_transfer(directory: Path | None, from_: str | None, to: str | None, amount: str | None, date_: str | None,
                 reason: str | None, approved_by: str | None, ident: str | None, dry_run: bool) -> None:
    """Add a budget transfer to budget/transfers.yaml.

    \b
    Examples:
      pmkit add transfer program --from data-warehouse/travel --to data-warehouse/labor \\
        --amount 5000 --date 2026-10-01 --reason "Cut-over" --approved-by aisha-bello
    """
    root = program_root(directory)
    from_, to, amount, date_, reason = need_all(("--from", from_, lambda v: _line(v, "--from")),
                                                ("--to", to, lambda v: _line(v, "--to")), ("--amount", amount, _money),
                                                ("--date", date_, _is_date("--date")),
                                                ("--reason", reason, lambda v: _text(v, "--reason")))
    source, target = _line(from_, "--from"), _line(to, "--to")
    amount_text = _money(amount)
    date = _iso(date_, "--date")
    reason = _text(reason, "--reason")
    rel = "budget/transfers.yaml"
    existing = []
    if (root / rel).is_file():
        existing = [str(t.get("id")) for t in (_load(root, rel) or {}).get("transfers") or [] if isinstance(t, dict)]
    ident = _id(ident, "--id") if ident else _next_id(existing, f"tr-{date[:4]}-")
    fields = [("id", ident), ("date", date), ("amount", amount_text), ("from", source), ("to", target),
              ("reason", scalar(reason))]
    if approved_by:
        fields.append(("approved_by", _id(approved_by, "--approved-by")))
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", ("transfers",), fields))], dry_run)


def _record_file(root: Path, folder: str, ident: str, name: str) -> str:
    rel = f"{folder}/{_id(ident, name)}.yaml"
    if not (root / rel).is_file():
        raise click.BadParameter(f"no {rel} in the program", param_hint=name)
    return rel


@add.command("acknowledgement", short_help=KINDS_HELP["acknowledgement"])
@DIR
@click.option("--person", help="Who acknowledged (a staff id).")
@click.option("--rule", help="The rule (id) acknowledged.")
@click.option("--date", "date_", help="Date acknowledged, YYYY-MM-DD (default: today).")
@DRY
def add_acknowledgement(directory: Path | None, person: str | None, rule: str | None, date_: str | None,
                        dry_run: bool) -> None:
    """Record that a person acknowledged a rule (staff/PERSON.yaml).

    \b
    Examples:
      pmkit add acknowledgement program --person aisha-bello --rule code-of-conduct --date 2026-10-02
    """
    root = program_root(directory)
    person, rule = need_all(("--person", person, _is_id("--person")), ("--rule", rule, _is_id("--rule")))
    rel = _record_file(root, "staff", person, "--person")
    fields = [("rule", _id(need(rule, "--rule"), "--rule")), ("date", _iso(date_ or dt.date.today().isoformat(), "--date"))]
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", ("acknowledgements",), fields))], dry_run)


@add.command("allocation", short_help=KINDS_HELP["allocation"])
@DIR
@click.option("--person", help="Who (a staff id).")
@click.option("--project", help="Project (id) the person works on.")
@click.option("--percent", type=click.IntRange(0, 100), help="Share of working time (0-100).")
@click.option("--from", "from_", help="First day, YYYY-MM-DD.")
@click.option("--to", help="Last day, YYYY-MM-DD.")
@DRY
def add_allocation(directory: Path | None, person: str | None, project: str | None, percent: int | None,
                   from_: str | None, to: str | None, dry_run: bool) -> None:
    """Give a person a share of time on a project (staff/PERSON.yaml).

    \b
    Examples:
      pmkit add allocation program --person aisha-bello --project data-warehouse --percent 20 \\
        --from 2026-11-01 --to 2027-03-31
    """
    root = program_root(directory)
    person, project, percent = need_all(("--person", person, _is_id("--person")), ("--project", project, _is_id("--project")),
                                        ("--percent", percent))
    rel = _record_file(root, "staff", person, "--person")
    fields = [("project", _id(need(project, "--project"), "--project")), ("percent", str(need(percent, "--percent", type=int)))]
    if from_:
        fields.append(("from", _iso(from_, "--from")))
    if to:
        fields.append(("to", _iso(to, "--to")))
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", ("allocations",), fields))], dry_run)


@add.command("candidate", short_help=KINDS_HELP["candidate"])
@DIR
@click.option("--position", help="The position (id of a file in hiring/).")
@click.option("--id", "ident", help="Candidate id (a neutral code, e.g. c-014).")
@click.option("--name", help="Candidate's full name (private).")
@click.option("--stage", type=click.Choice(STAGES), default="applied", show_default=True)
@click.option("--applied", help="Date the application came in (default: today).")
@DRY
def add_candidate(directory: Path | None, position: str | None, ident: str | None, name: str | None, stage: str,
                  applied: str | None, dry_run: bool) -> None:
    """Add a candidate to a position (hiring/POSITION.yaml).

    \b
    Examples:
      pmkit add candidate program --position data-engineer --id cand-042 --name "A. Person"
    """
    root = program_root(directory)
    position, ident = need_all(("--position", position, _is_id("--position")), ("--id", ident, _is_id("--id")))
    rel = _record_file(root, "hiring", position, "--position")
    fields = [("id", _id(need(ident, "--id"), "--id"))]
    if name:
        fields.append(("name", scalar(name)))
    fields += [("stage", stage), ("applied", _iso(applied or dt.date.today().isoformat(), "--applied"))]
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", ("candidates",), fields))], dry_run)


@add.command("interview", short_help=KINDS_HELP["interview"])
@DIR
@click.option("--candidate", help="POSITION/CANDIDATE.")
@click.option("--interviewer", help="Who interviewed (a staff id).")
@click.option("--date", "date_", help="Date of the interview (default: today).")
@click.option("--score", type=click.IntRange(1, 5), help="Overall score 1-5.")
@DRY
def add_interview(directory: Path | None, candidate: str | None, interviewer: str | None, date_: str | None,
                  score: int | None, dry_run: bool) -> None:
    """Record an interview of a candidate (hiring/POSITION.yaml).

    \b
    Examples:
      pmkit add interview program --candidate data-engineer/cand-042 --interviewer aisha-bello --date 2026-10-12 --score 4
    """
    root = program_root(directory)
    candidate, interviewer = need_all(("--candidate", candidate), ("--interviewer", interviewer, _is_id("--interviewer")))
    position, _, cand = str(candidate).partition("/")
    rel = _record_file(root, "hiring", position, "--candidate")
    data = _load(root, rel) or {}
    index = _index_of(data.get("candidates"), _id(cand, "--candidate"), "candidate", rel)
    fields = [("date", _iso(date_ or dt.date.today().isoformat(), "--date")),
              ("interviewer", _id(need(interviewer, "--interviewer"), "--interviewer"))]
    if score is not None:
        fields.append(("score", str(score)))
    path = ("candidates", index, "interviews")
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", path, fields))], dry_run)


def _index_of(entries: Any, ident: str, what: str, rel: str) -> int:
    for i, entry in enumerate(entries or []):
        if isinstance(entry, dict) and entry.get("id") == ident:
            return i
    raise click.BadParameter(f"no {what} {ident!r} in {rel}")


@add.command("milestone", short_help=KINDS_HELP["milestone"])
@DIR
@click.option("--project", help="Project (id).")
@click.option("--id", "ident", help="Milestone id, unique in the project.")
@click.option("--title", help="What is reached.")
@click.option("--due", help="Planned date, YYYY-MM-DD.")
@DRY
def add_milestone(directory: Path | None, project: str | None, ident: str | None, title: str | None, due: str | None,
                  dry_run: bool) -> None:
    """Add a milestone to a project.

    \b
    Examples:
      pmkit add milestone program --project data-warehouse --id uat-done --title "UAT done" --due 2026-12-15
    """
    root = program_root(directory)
    project, ident, title, due = need_all(("--project", project, _is_id("--project")), ("--id", ident, _is_id("--id")),
                                     ("--title", title, lambda v: _text(v, "--title")), ("--due", due, _is_date("--due")))
    rel = _record_file(root, "projects", project, "--project")
    fields = [("id", _id(need(ident, "--id"), "--id")), ("title", scalar(_text(title, "--title"))),
              ("due", _iso(due, "--due"))]
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", ("milestones",), fields))], dry_run)


@add.command("task", short_help=KINDS_HELP["task"])
@DIR
@click.option("--project", help="Project (id).")
@click.option("--id", "ident", help="Task id, unique in the project.")
@click.option("--title", help="What the task delivers.")
@click.option("--assignee", help="A staff, team or vendor id.")
@click.option("--effort", help="Size in person-days.")
@click.option("--start", help="Planned start, YYYY-MM-DD.")
@click.option("--end", help="Planned finish, YYYY-MM-DD.")
@DRY
def add_task(directory: Path | None, project: str | None, ident: str | None, title: str | None, assignee: str | None,
             effort: str | None, start: str | None, end: str | None, dry_run: bool) -> None:
    """Add a task to a project's work breakdown.

    \b
    Examples:
      pmkit add task program --project data-warehouse --id uat --title "User acceptance" --assignee aisha-bello \\
        --start 2026-11-01 --end 2026-12-10
    """
    root = program_root(directory)
    project, ident, title = need_all(("--project", project, _is_id("--project")), ("--id", ident, _is_id("--id")),
                                ("--title", title, lambda v: _text(v, "--title")))
    rel = _record_file(root, "projects", project, "--project")
    fields = [("id", _id(need(ident, "--id"), "--id")), ("title", scalar(_text(title, "--title")))]
    if assignee:
        fields.append(("assignee", _id(assignee, "--assignee")))
    if effort:
        fields.append(("effort", _money(effort, "--effort")))
    if start:
        fields.append(("start", _iso(start, "--start")))
    if end:
        fields.append(("end", _iso(end, "--end")))
    fields.append(("progress", "0"))
    finish(root, [change_text(root, rel, lambda old: append_entry(old or "", ("tasks",), fields))], dry_run)


def _project_item(root: Path, ref: str, key: str, what: str) -> tuple[str, int]:
    project, _, item = ref.partition("/")
    if not item:
        raise click.BadParameter(f"{ref!r} is not PROJECT/{what.upper()}")
    rel = _record_file(root, "projects", project, what.upper())
    data = _load(root, rel) or {}
    return rel, _index_of(data.get(key), item, what, rel)


@click.group("set", context_settings={"help_option_names": ["-h", "--help"]})
def set_() -> None:
    """Set one value of the plan (progress: a task's percent done).

    \b
    Examples:
      pmkit set progress program data-warehouse/uat 40
    """


@set_.command("progress")
@click.argument("task")
@click.argument("percent", type=click.IntRange(0, 100))
@DIR
@DRY
def set_progress(task: str, percent: int, directory: Path | None, dry_run: bool) -> None:
    """Set PROJECT/TASK's progress to PERCENT (0-100).

    \b
    Examples:
      pmkit set progress data-warehouse/platform 60 program
    """
    root = program_root(directory)
    rel, index = _project_item(root, task, "tasks", "task")
    finish(root, [change_text(root, rel, lambda old: set_field(old or "", ("tasks", index), "progress", str(percent)))],
           dry_run)


@click.command("done", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("milestone")
@DIR
@click.option("--date", "date_", help="Date reached, YYYY-MM-DD (default: today).")
@DRY
def done(milestone: str, directory: Path | None, date_: str | None, dry_run: bool) -> None:
    """Mark PROJECT/MILESTONE as reached.

    \b
    Examples:
      pmkit done data-warehouse/first-auto-report program
      pmkit done data-warehouse/first-auto-report program --date 2026-10-28
    """
    root = program_root(directory)
    rel, index = _project_item(root, milestone, "milestones", "milestone")
    today = dt.date.today()
    day = _iso(date_ or today.isoformat(), "--date")
    if dt.date.fromisoformat(day) > today:
        # `done` is the day it was reached: a later one would leave it late until then, unnoticed
        raise click.BadParameter(f"{day} has not come yet (today is {today}): a milestone is done on the day "
                                 "it was reached; to move its plan, change `due`", param_hint="--date")
    finish(root, [change_text(root, rel, lambda old: set_field(old or "", ("milestones", index), "done", day))],
           dry_run)
