"""Contractor staff name the vendor they come through; employees do not."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "contractor-without-vendor", Severity.ERROR, "business",
    "A staff member with `employment: contractor` has no `vendor`, or an "
    "employee names a `vendor`. Contractor cost, contractor share and the "
    "vendor pages are worked out from the vendor a contractor comes through, "
    "so a contractor without one is counted nowhere, and an employee with one "
    "leaves it unclear which of the two fields is true. Add the vendor (a "
    "record in vendors/) to the contractor, or, for an employee, remove the "
    "vendor or correct `employment`.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for person_id in sorted(ix.staff):
        person = ix.staff[person_id]
        employment, vendor = person.data.get("employment"), person.data.get("vendor")
        name = person.data.get("name", person_id)
        if employment == "contractor" and not vendor:
            yield person.finding(
                CODE, f"{name} (`{person_id}`) is a contractor but names no `vendor`",
                "add `vendor: <vendor id>` naming the firm the contractor comes through",
                at=("employment",),
            )
        elif employment == "employee" and vendor:
            yield person.finding(
                CODE, f"{name} (`{person_id}`) is an employee but names vendor `{vendor}`",
                "remove `vendor`, or set `employment: contractor` if they come through that vendor",
                at=("vendor",),
            )
