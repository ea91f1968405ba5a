"""Who must acknowledge which policy (a file of ``rules/``, kind ``rule``), by when:
plain functions, no findings.

Shared by the compliance checks (``acknowledgement-overdue``,
``acknowledgement-expired``) and the compliance rollup
(``pmkit.rollup.people.compliance``), so that the site, the rollup and
``pmkit validate`` always agree (SPEC §4 Compliance):

- a policy applies on day D when it is effective (``effective`` ≤ D), the person
  is employed on D (start ≤ D, no end or end ≥ D) and matches every non-empty
  list of the policy's ``applies_to`` (``employment``, ``teams``, ``roles``;
  an empty or missing list means everyone);
- due date = max(person start, policy effective) + ``acknowledge_within_days``
  (default 30);
- only acknowledgements dated ≤ D count, and the latest one is used;
- a missing acknowledgement is *overdue* when D > due, else *pending*;
- an acknowledgement is *expired* when its date + ``renew_every_days`` < D;
  one made late still counts as *acknowledged*.

The logic lives in one place, :func:`standing_on` and the small functions it
is made of, which take primitive values only (dates, strings, sequences):
the checks feed them from raw records (``dict``, as loaded and
schema-checked) through :func:`standing`, the rollup from the typed model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pmkit.domain.index import Index, Record

DEFAULT_WITHIN_DAYS = 30

State = Literal["acknowledged", "pending", "overdue", "expired"]
STATES: tuple[State, ...] = ("acknowledged", "pending", "overdue", "expired")


# --------------------------------------------------------------- the logic


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def employed(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """Start ≤ day and (no end or end ≥ day); nobody without a start."""
    return start is not None and start <= day and (end is None or end >= day)


def effective(since: dt.date | None, day: dt.date) -> bool:
    """The policy is in force on ``day`` (its ``effective`` date ≤ day)."""
    return since is not None and since <= day


def in_audience(employment: str | None, team: str | None, role: str | None, *,
                employments: Sequence[str] = (), teams: Sequence[str] = (), roles: Sequence[str] = ()) -> bool:
    """The person matches every non-empty list of a policy's ``applies_to``.

    Roles are free text, so they match ignoring case and repeated spaces; a
    person without a role matches no non-empty ``roles`` list.
    """
    if employments and employment not in employments:
        return False
    if teams and team not in teams:
        return False
    if roles and (role is None or _norm(role) not in {_norm(r) for r in roles}):
        return False
    return True


def due_on(start: dt.date, since: dt.date, within_days: int = DEFAULT_WITHIN_DAYS) -> dt.date:
    """max(person start, policy effective) + acknowledge_within_days."""
    return max(start, since) + dt.timedelta(days=int(within_days))


def latest_on(dates: Sequence[dt.date | None], day: dt.date) -> int | None:
    """Index of the latest date ≤ day (the last such on a tie), None if none counts."""
    best: int | None = None
    for i, when in enumerate(dates):
        if when is None or when > day:
            continue
        if best is None or when >= dates[best]:  # type: ignore[operator]
            best = i
    return best


def state_on(day: dt.date, due: dt.date, acknowledged: dt.date | None, renew_every_days: int | None) -> State:
    """Where an applicable (person, policy) pair stands on ``day``: exactly one state."""
    if acknowledged is None:
        return "overdue" if day > due else "pending"
    if renew_every_days is not None and acknowledged + dt.timedelta(days=int(renew_every_days)) < day:
        return "expired"
    return "acknowledged"


@dataclass(frozen=True)
class Standing:
    """Where one person stands with one applicable policy on a day."""

    state: State
    due: dt.date
    acknowledged: dt.date | None = None  # the latest acknowledgement ≤ day
    index: int | None = None  # its position in the acknowledgements given
    expires: dt.date | None = None  # acknowledged + renew_every_days


def standing_on(day: dt.date, *,
                effective_date: dt.date | None, within_days: int, renew_every_days: int | None,
                employments: Sequence[str], teams: Sequence[str], roles: Sequence[str],
                start: dt.date | None, end: dt.date | None,
                employment: str | None, team: str | None, role: str | None,
                acknowledged: Sequence[dt.date | None]) -> Standing | None:
    """A person's standing with a policy on ``day``, or None when the policy does not bind them.

    The first group of keywords describes the policy, the second the person;
    ``acknowledged`` holds the dates of the person's acknowledgements of this
    policy (None for an unreadable one, which never counts).
    """
    if not (effective(effective_date, day) and employed(start, end, day)
            and in_audience(employment, team, role, employments=employments, teams=teams, roles=roles)):
        return None
    assert start is not None and effective_date is not None
    due = due_on(start, effective_date, within_days)
    index = latest_on(acknowledged, day)
    when = None if index is None else acknowledged[index]
    expires = None if when is None or renew_every_days is None else when + dt.timedelta(days=int(renew_every_days))
    return Standing(state_on(day, due, when, renew_every_days), due, when, index, expires)


# ------------------------------------------- adapters for raw record data


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _scope(policy: dict[str, Any]) -> dict[str, Any]:
    scope = policy.get("applies_to")
    return scope if isinstance(scope, dict) else {}


def employed_on(person: dict[str, Any], day: dt.date) -> bool:
    """Start ≤ day and (no end or end ≥ day)."""
    return employed(_day(person.get("start")), _day(person.get("end")), day)


def effective_on(policy: dict[str, Any], day: dt.date) -> bool:
    return effective(_day(policy.get("effective")), day)


def matches(policy: dict[str, Any], person: dict[str, Any]) -> bool:
    """The person is in the policy's audience (``applies_to``; empty = everyone)."""
    scope = _scope(policy)
    return in_audience(person.get("employment"), person.get("team"), person.get("role"),
                       employments=scope.get("employment") or (), teams=scope.get("teams") or (),
                       roles=scope.get("roles") or ())


def applies(policy: dict[str, Any], person: dict[str, Any], day: dt.date) -> bool:
    """The policy binds the person on ``day``: effective, employed, in scope."""
    return effective_on(policy, day) and employed_on(person, day) and matches(policy, person)


def due_date(policy: dict[str, Any], person: dict[str, Any]) -> dt.date | None:
    """max(person start, policy effective) + acknowledge_within_days (default 30)."""
    start, since = _day(person.get("start")), _day(policy.get("effective"))
    if start is None or since is None:
        return None
    return due_on(start, since, policy.get("acknowledge_within_days", DEFAULT_WITHIN_DAYS))


def _acknowledgement_dates(person: dict[str, Any], policy_id: str) -> list[dt.date | None]:
    """One entry per item of ``acknowledgements``: its date when it is of ``policy_id``."""
    return [_day(ack.get("date")) if isinstance(ack, dict) and ack.get("rule") == policy_id else None
            for ack in person.get("acknowledgements") or []]


def latest_acknowledgement(person: dict[str, Any], policy_id: str, day: dt.date) -> tuple[int, dt.date] | None:
    """(index in ``acknowledgements``, date) of the latest one of ``policy_id`` dated ≤ day."""
    dates = _acknowledgement_dates(person, policy_id)
    index = latest_on(dates, day)
    return None if index is None else (index, dates[index])  # type: ignore[return-value]


def _policy_terms(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy's keywords of :func:`standing_on`."""
    scope = _scope(policy)
    renew = policy.get("renew_every_days")
    return {"effective_date": _day(policy.get("effective")),
            "within_days": int(policy.get("acknowledge_within_days", DEFAULT_WITHIN_DAYS)),
            "renew_every_days": None if renew is None else int(renew),
            "employments": scope.get("employment") or (), "teams": scope.get("teams") or (),
            "roles": scope.get("roles") or ()}


def _person_terms(person: dict[str, Any]) -> dict[str, Any]:
    """The person's keywords of :func:`standing_on`, but for ``acknowledged``."""
    return {"start": _day(person.get("start")), "end": _day(person.get("end")),
            "employment": person.get("employment"), "team": person.get("team"), "role": person.get("role")}


def standing(policy_id: str, policy: dict[str, Any], person: dict[str, Any], day: dt.date) -> Standing | None:
    """The person's standing with the policy on ``day``, or None if it does not apply."""
    return standing_on(day, **_policy_terms(policy), **_person_terms(person),
                       acknowledged=_acknowledgement_dates(person, policy_id))


# ------------------------------------------- every pair of an index, once


class Pair(NamedTuple):
    """A person bound by a policy on the index's as-of date, and where they stand."""

    person_id: str
    person: Record
    policy_id: str
    policy: dict[str, Any]
    standing: Standing


def standings(ix: Index) -> list[Pair]:
    """Every bound (person, policy) pair on ``ix.as_of``, by person id then policy id.

    Both acknowledgement checks need all of them: computed once per index
    (``Index.shared``), with each policy's and each person's dates parsed once
    rather than once per pair.
    """
    return ix.shared(_standings)


def _standings(ix: Index) -> list[Pair]:
    day = ix.as_of
    policies = [(policy_id, ix.policies[policy_id].data) for policy_id in sorted(ix.policies)]
    terms = [_policy_terms(policy) for _, policy in policies]
    out: list[Pair] = []
    for person_id in sorted(ix.staff):
        person = ix.staff[person_id]
        who = _person_terms(person.data)
        if not employed(who["start"], who["end"], day):
            continue  # standing_on would say None to every policy
        acknowledged = _acknowledgement_dates_by_policy(person.data)
        for (policy_id, policy), what in zip(policies, terms):
            found = standing_on(day, **what, **who, acknowledged=acknowledged.get(policy_id, ()))
            if found is not None:
                out.append(Pair(person_id, person, policy_id, policy, found))
    return out


def _acknowledgement_dates_by_policy(person: dict[str, Any]) -> dict[str, list[dt.date | None]]:
    """policy id -> ``_acknowledgement_dates(person, policy id)``, for every policy the person acknowledged."""
    items = person.get("acknowledgements") or []
    out: dict[str, list[dt.date | None]] = {}
    for i, ack in enumerate(items):
        policy_id = ack.get("rule") if isinstance(ack, dict) else None
        if isinstance(policy_id, str):
            out.setdefault(policy_id, [None] * len(items))[i] = _day(ack.get("date"))
    return out
