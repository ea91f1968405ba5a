"""Acknowledgements of rules that must be renewed are renewed in time."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain import compliance
from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "acknowledgement-expired", Severity.WARNING, "business",
    "A staff member employed on the status date acknowledged a rule that "
    "applies to them, but the rule must be renewed every `renew_every_days` "
    "and their latest acknowledgement is older than that: it expired on its "
    "date plus `renew_every_days`. Annual refreshers (conduct, security, "
    "financial controls) lapse silently otherwise. Have the person "
    "acknowledge the rule again and add the new date under "
    "`acknowledgements` in their staff file.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for person_id, person, policy_id, policy, found in compliance.standings(ix):
        if found.state != "expired" or found.index is None or found.expires is None:
            continue
        yield person.finding(
            CODE,
            f"{person.data.get('name', person_id)} (`{person_id}`) last acknowledged rule "
            f"`{policy_id}` ({policy.get('title', policy_id)}) on {found.acknowledged}; it must be renewed "
            f"every {policy.get('renew_every_days')} days, so renewal was due {found.expires.isoformat()}",
            f"once renewed, add `- {{rule: {policy_id}, date: YYYY-MM-DD}}` under `acknowledgements`",
            at=("acknowledgements", found.index, "date"),
        )
