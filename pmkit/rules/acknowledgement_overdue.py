"""Staff acknowledge the rules that bind them within the allowed days."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain import compliance
from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.wording import count

CODE = Code(
    "acknowledgement-overdue", Severity.WARNING, "business",
    "A staff member employed on the status date has not acknowledged a rule "
    "that applies to them (by employment, team or role in the rule's "
    "`applies_to`; empty means everyone), and the time allowed has passed: "
    "the due date is the later of their start and the rule's `effective` "
    "date plus `acknowledge_within_days` (30 by default). Unacknowledged "
    "workplace, governance or regulatory rules are an audit finding waiting "
    "to happen. Have the person acknowledge the rule and record it under "
    "`acknowledgements` (`rule`, `date`) in their staff file.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for person_id, person, policy_id, policy, found in compliance.standings(ix):
        if found.state != "overdue":
            continue
        late = (ix.as_of - found.due).days
        yield person.finding(
            CODE,
            f"{person.data.get('name', person_id)} (`{person_id}`) has not acknowledged rule "
            f"`{policy_id}` ({policy.get('title', policy_id)}), due {found.due.isoformat()}: "
            f"{count(late, 'day')} overdue as of {ix.as_of.isoformat()}",
            f"once acknowledged, add `- {{rule: {policy_id}, date: YYYY-MM-DD}}` under `acknowledgements`",
            at=("acknowledgements",) if "acknowledgements" in person.data else (),
            on="key",
        )
