"""A committee decides from a shortlist: no offer before it is complete."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.wording import count

CODE = Code(
    "offer-before-shortlist", Severity.ERROR, "business",
    "A position decided by `committee` has a candidate at stage `offer` or "
    "`hired` while fewer than `shortlist_size` candidates (default 3) reached "
    "the shortlist. The committee is meant to choose from a full shortlist, so "
    "an early offer skips the review the position promised. Candidates at "
    "`shortlisted`, `offer` or `hired` count as having reached the shortlist; "
    "a candidate now `rejected` or `withdrawn` cannot be counted, because the "
    "file no longer shows how far they got. Shortlist more candidates before "
    "the offer, or lower `shortlist_size` if the committee agreed to a shorter "
    "list.",
    configurable=True,
)

DEFAULT_SHORTLIST = 3
REACHED = ("shortlisted", "offer", "hired")


def check(ix: Index) -> Iterator[Finding]:
    for position_id in sorted(ix.positions):
        position = ix.positions[position_id]
        if position.data.get("decision") != "committee":
            continue
        size = position.data.get("shortlist_size", DEFAULT_SHORTLIST)
        candidates = position.data.get("candidates") or []
        reached = [c.get("id") for c in candidates if c.get("stage") in REACHED]
        offered = [(i, c) for i, c in enumerate(candidates) if c.get("stage") in ("offer", "hired")]
        if not offered or len(reached) >= size:
            continue
        first, candidate = offered[0]
        who = ", ".join(f"`{c.get('id')}` ({c.get('stage')})" for _, c in offered)
        yield position.finding(
            CODE,
            f"position `{position_id}` is decided by committee and has {who}, but only "
            f"{len(reached)} of the required {size} candidates reached the shortlist",
            f"shortlist {count(size - len(reached), 'more candidate')} for the committee before making an offer, "
            "or lower `shortlist_size` if the committee agreed",
            at=("candidates", first, "stage"),
        )
