"""What every edit command does after it has worked out its changes:
validate, show, write (or not), and exit."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from pmkit.app.edit.text import TextProblem
from pmkit.app.edit.write import Change, EditRefused, commit, judge, read_original
from pmkit.app.formats import Report, text as text_report
from pmkit.core.wording import count

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def in_ci() -> bool:
    """CI=true (GitHub Actions, GitLab, most CI services): never wait for an answer."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def can_prompt() -> bool:
    """Prompts only for a person at a terminal, never in CI."""
    return sys.stdin.isatty() and not in_ci()


def need(value: Any, name: str, prompt: str | None = None, **kwargs: Any) -> Any:
    """An option's value, prompted for when missing and a person can answer."""
    if value is not None:
        return value
    if can_prompt():
        return click.prompt(prompt or name.lstrip("-").replace("-", " ").capitalize(), **kwargs)
    raise click.UsageError(f"missing option {name}")


def need_all(*options: tuple[Any, ...]) -> list[Any]:
    """The values of required options, each ``(name, value)`` or ``(name, value, check)``.

    At a terminal the missing ones are prompted for in order, and asked again
    while ``check`` (which raises click.BadParameter) refuses the answer; else
    one error (exit 2) names every missing option."""
    missing = [option[0] for option in options if option[1] is None]
    if missing and not can_prompt():
        why = "CI is set" if in_ci() else "input is not a terminal"
        raise click.UsageError(f"missing option{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                               f"(not prompted: {why})")
    values = []
    for name, value, *rest in options:
        if value is None:
            label = name.lstrip("-").replace("-", " ").capitalize()
            if name == "--percent":
                value = click.prompt(label, type=click.IntRange(0, 100))
            else:
                value = click.prompt(label, value_proc=_checked(rest[0]) if rest else None)
        values.append(value)
    return values


def _checked(check: Callable[[str], Any]) -> Callable[[str], str]:
    def proc(text: str) -> str:
        check(text)  # click.BadParameter: click says why and asks again
        return text
    return proc


def program_root(directory: Path | None) -> Path:
    """The program folder DIR names, or (no DIR) the one found as `pmkit validate` finds it."""
    from pmkit.app.locate import NoProgram, locate
    from pmkit.ingest.gitsource import GitError

    try:
        found = locate(directory)
    except (NoProgram, GitError) as exc:
        raise click.UsageError(str(exc)) from exc
    if found.note:
        click.echo(found.note, err=True)
    return found.directory.resolve()


def change_text(root: Path, rel: str, edit: Callable[[str | None], str]) -> Change:
    """Read ``rel``, apply ``edit`` to its text (None: the file is new)."""
    try:
        original = read_original(root, rel)
        old = original.data.decode("utf-8") if original.data is not None else None
    except EditRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{rel} is not UTF-8 text; run `pmkit validate` and fix it first") from exc
    try:
        new = edit(old)
    except TextProblem as exc:
        raise click.ClickException(f"{rel}: {exc}; edit it by hand") from exc
    return Change(original, new.encode("utf-8"))


def finish(root: Path, changes: list[Change], dry_run: bool) -> None:
    """Validate the program as it would be, then write or refuse; exits."""
    outcome = judge(root, changes)
    if outcome.new_errors:
        click.echo(text_report(Report(outcome.new_errors, 0, root.as_posix())), nl=False, err=True)
        click.echo(f"pmkit: the edit would add {count(len(outcome.new_errors), 'error')}"
                   f" ({count(len(outcome.warnings), 'warning')}); nothing was written", err=True)
        sys.exit(EXIT_FINDINGS)
    if dry_run:
        click.echo(outcome.diff, nl=False)
        click.echo(f"dry run: nothing was written ({count(len(outcome.warnings), 'warning')} after the edit)", err=True)
        sys.exit(EXIT_OK)
    try:
        commit(root, changes)
    except EditRefused as exc:
        raise click.ClickException(str(exc)) from exc
    for change in changes:
        verb = "created" if change.original.data is None else "updated"
        click.echo(f"{verb} {change.path}")
    if outcome.new_warnings:
        click.echo(text_report(Report(outcome.new_warnings, 0, root.as_posix(), closing=False)), nl=False, err=True)
        click.echo(f"pmkit: written; the edit adds {count(len(outcome.new_warnings), 'warning')} (above)", err=True)
    others = len(outcome.warnings) - len(outcome.new_warnings)
    if others > 0:
        click.echo(f"{count(others, 'other warning')} in the program (run `pmkit validate` to see them)", err=True)
    sys.exit(EXIT_OK)


def guarded(work: Callable[[], None]) -> None:
    try:
        work()
    except EditRefused as exc:
        raise click.ClickException(str(exc)) from exc
