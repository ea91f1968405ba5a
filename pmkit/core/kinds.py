"""Which file of a program directory holds which kind of record."""

from __future__ import annotations

import re
from dataclasses import dataclass

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PERIOD_PATTERN = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Kind:
    """A kind of record and where its files live.

    ``folder`` kinds hold one record per file, named by the file; ``fixed``
    kinds live at one path; ``list_key`` kinds hold entries that carry their
    own ids under that key.
    """

    name: str
    folder: str | None = None
    fixed: str | None = None
    list_key: str | None = None
    file_id_pattern: re.Pattern[str] = ID_PATTERN

    @property
    def glob(self) -> str:
        """Where its files live, as a glob relative to the program directory."""
        return self.fixed if self.fixed is not None else f"{self.folder}/*.yaml"

    @property
    def schema_file(self) -> str:
        return f"{self.name}.schema.json"

    @property
    def id_from_file(self) -> bool:
        return self.folder is not None and self.list_key is None


PROGRAM = Kind("program", fixed="program.yaml")
PROJECT = Kind("project", folder="projects")
TEAM = Kind("team", folder="teams")
STAFF = Kind("staff", folder="staff")
VENDOR = Kind("vendor", folder="vendors")
POSITION = Kind("position", folder="hiring")
RULE = Kind("rule", folder="rules")
RISK = Kind("risk", folder="risks")
REPORT = Kind("report", folder="reports", file_id_pattern=PERIOD_PATTERN)
FUNDING = Kind("funding", fixed="budget/funding.yaml", list_key="sources")
TRANSFERS = Kind("transfers", fixed="budget/transfers.yaml", list_key="transfers")
EXPENSES = Kind("expenses", folder="budget/expenses", list_key="expenses")

KINDS: tuple[Kind, ...] = (
    PROGRAM, PROJECT, TEAM, STAFF, VENDOR, POSITION, RULE, RISK, REPORT,
    FUNDING, TRANSFERS, EXPENSES,
)
BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}


def kind_of(path: str) -> Kind | None:
    """The kind a relative POSIX path holds, or None if it is no record file."""
    if not path.endswith(".yaml"):
        return None
    folder, _, _name = path.rpartition("/")
    for kind in KINDS:
        if kind.fixed == path or (kind.folder is not None and kind.folder == folder):
            return kind
    return None


def file_id(path: str) -> str:
    """The record id a file name gives: its name without ``.yaml``."""
    return path.rpartition("/")[2][: -len(".yaml")]
