"""Who must acknowledge which rule, by when: plain functions, no findings.

Shared by the compliance checks (``acknowledgement-overdue``,
``acknowledgement-expired``) and the compliance rollup, so that the site, the
rollup and ``pmkit validate`` always agree (SPEC §4 Compliance):

- a rule applies on day D when it is effective (``effective`` ≤ D), the person
  is employed on D (start ≤ D, no end or end ≥ D) and matches every non-empty
  list of the rule's ``applies_to`` (``employment``, ``teams``, ``roles``;
  an empty or missing list means everyone);
- due date = max(person start, rule effective) + ``acknowledge_within_days``
  (default 30);
- only acknowledgements dated ≤ D count, and the latest one is used;
- a missing acknowledgement is *overdue* when D > due, else *pending*;
- an acknowledgement is *expired* when its date + ``renew_every_days`` < D;
  one made late still counts as *acknowledged*.

Everything takes plain record data (``dict``), as loaded and schema-checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

DEFAULT_WITHIN_DAYS = 30

State = Literal["acknowledged", "pending", "overdue", "expired"]
STATES: tuple[State, ...] = ("acknowledged", "pending", "overdue", "expired")


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def employed_on(person: dict[str, Any], day: dt.date) -> bool:
    """Start ≤ day and (no end or end ≥ day)."""
    start, end = _day(person.get("start")), _day(person.get("end"))
    return start is not None and start <= day and (end is None or end >= day)


def effective_on(rule: dict[str, Any], day: dt.date) -> bool:
    effective = _day(rule.get("effective"))
    return effective is not None and effective <= day


def matches(rule: dict[str, Any], person: dict[str, Any]) -> bool:
    """The person is in the rule's audience (``applies_to``; empty = everyone).

    Roles are free text, so they match ignoring case and repeated spaces; a
    person without a role matches no non-empty ``roles`` list.
    """
    scope = rule.get("applies_to") or {}
    employment = scope.get("employment") or []
    if employment and person.get("employment") not in employment:
        return False
    teams = scope.get("teams") or []
    if teams and person.get("team") not in teams:
        return False
    roles = scope.get("roles") or []
    if roles:
        role = person.get("role")
        if role is None or _norm(role) not in {_norm(r) for r in roles}:
            return False
    return True


def applies(rule: dict[str, Any], person: dict[str, Any], day: dt.date) -> bool:
    """The rule binds the person on ``day``: effective, employed, in scope."""
    return effective_on(rule, day) and employed_on(person, day) and matches(rule, person)


def due_date(rule: dict[str, Any], person: dict[str, Any]) -> dt.date | None:
    """max(person start, rule effective) + acknowledge_within_days (default 30)."""
    start, effective = _day(person.get("start")), _day(rule.get("effective"))
    if start is None or effective is None:
        return None
    within = rule.get("acknowledge_within_days", DEFAULT_WITHIN_DAYS)
    return max(start, effective) + dt.timedelta(days=int(within))


def latest_acknowledgement(person: dict[str, Any], rule_id: str, day: dt.date) -> tuple[int, dt.date] | None:
    """(index in ``acknowledgements``, date) of the latest one of ``rule_id`` dated ≤ day."""
    best: tuple[int, dt.date] | None = None
    for i, ack in enumerate(person.get("acknowledgements") or []):
        if not isinstance(ack, dict) or ack.get("rule") != rule_id:
            continue
        when = _day(ack.get("date"))
        if when is None or when > day:
            continue
        if best is None or when >= best[1]:
            best = (i, when)
    return best


@dataclass(frozen=True)
class Standing:
    """Where one person stands with one applicable rule on a day."""

    state: State
    due: dt.date
    acknowledged: dt.date | None = None  # the latest acknowledgement ≤ day
    index: int | None = None  # its position in ``acknowledgements``
    expires: dt.date | None = None  # acknowledged + renew_every_days


def standing(rule_id: str, rule: dict[str, Any], person: dict[str, Any], day: dt.date) -> Standing | None:
    """The person's standing with the rule on ``day``, or None if it does not apply."""
    if not applies(rule, person, day):
        return None
    due = due_date(rule, person)
    if due is None:
        return None
    latest = latest_acknowledgement(person, rule_id, day)
    if latest is None:
        return Standing("overdue" if day > due else "pending", due)
    index, when = latest
    renew = rule.get("renew_every_days")
    expires = when + dt.timedelta(days=int(renew)) if renew is not None else None
    state: State = "expired" if expires is not None and expires < day else "acknowledged"
    return Standing(state, due, when, index, expires)
