"""An interviewer works for the program on the day of the interview."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index, day
from pmkit.rules.util import walk
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity

CODE = Code(
    "interviewer-not-staff", Severity.ERROR, "business",
    "An interview names an interviewer who was not employed on the interview "
    "date: it is before their `start` or after their `end` in staff/. Either "
    "the interview date or the interviewer is wrong, and the hiring record no "
    "longer shows who actually assessed the candidate. Correct the date or the "
    "interviewer. (An interviewer with no staff record at all is reported as "
    "`unknown-reference`.)",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for position_id in sorted(ix.positions):
        position = ix.positions[position_id]
        for path, interview in walk(position.data, ("candidates", "*", "interviews", "*")):
            person = ix.staff.get(interview.get("interviewer"))
            if person is None:
                continue
            when = day(interview["date"])
            start, end = person.data.get("start"), person.data.get("end")
            candidate = position.data["candidates"][path[1]].get("id")
            who = f"`{person.id}` ({person.data.get('name', person.id)})"
            if day(start) > when:
                why = f"who only starts on {start}"
            elif end is not None and day(end) < when:
                why = f"whose employment ended on {end}"
            else:
                continue
            yield position.finding(
                CODE,
                f"candidate `{candidate}` of position `{position_id}` was interviewed on "
                f"{interview['date']} by {who}, {why}",
                "correct the interview date, or name the person who actually interviewed",
                at=(*path, "interviewer"),
            )
